import { describe, expect, it } from 'vitest';
import { addMonths, firstOfMonth, formatMonth, localDate, parseMonth } from './dates';

describe('dates', () => {
  it('finds the first of the month', () => {
    expect(firstOfMonth('2026-12-06')).toBe('2026-12-01');
  });
  it('moves by whole months across years, both ways', () => {
    expect(addMonths('2026-12-06', -2)).toBe('2026-10-01');
    expect(addMonths('2026-01-31', -1)).toBe('2025-12-01');
    expect(addMonths('2026-02-15', -14)).toBe('2024-12-01');
    expect(addMonths('2026-11-30', 2)).toBe('2027-01-01');
  });
  it('refuses what is not a date', () => {
    expect(() => firstOfMonth('06/12/2026')).toThrow(RangeError);
  });
  it('reads the local calendar day, not the UTC one', () => {
    expect(localDate(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
  });
  it('reads and writes YYYY-MM months', () => {
    expect(parseMonth('2026-10')).toEqual({ year: 2026, month: 10 });
    expect(parseMonth('2026-13')).toBeNull();
    expect(parseMonth(null)).toBeNull();
    expect(formatMonth(2026, 3)).toBe('2026-03');
  });
});
