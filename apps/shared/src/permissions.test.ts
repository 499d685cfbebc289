import { describe, expect, it } from 'vitest';
import { allows } from './permissions';

describe('allows', () => {
  const viewer = [
    { object: 'customer/*', action: 'customer:read' },
    { object: 'deposit/*', action: 'deposit:read' },
  ];
  it('allows what a pattern covers', () => {
    expect(allows(viewer, 'deposit/account', 'deposit:read')).toBe(true);
    expect(allows(viewer, 'customer/prospect', 'customer:read')).toBe(true);
  });
  it('refuses another action on a covered object, and other areas', () => {
    expect(allows(viewer, 'deposit/account', 'deposit:write')).toBe(false);
    expect(allows(viewer, 'credit/facility', 'credit:read')).toBe(false);
  });
  it('does not take a prefix for an area (deposit/* is not deposits/...)', () => {
    expect(allows(viewer, 'deposits/account', 'deposit:read')).toBe(false);
  });
  it('gives the superuser everything', () => {
    expect(allows([{ object: '*', action: '*' }], 'time/clock', 'time:advance')).toBe(true);
  });
  it('matches an exact object', () => {
    const set = [{ object: 'credit/payment', action: 'credit:backdate' }];
    expect(allows(set, 'credit/payment', 'credit:backdate')).toBe(true);
    expect(allows(set, 'credit/facility', 'credit:backdate')).toBe(false);
  });
  it('allows nothing without permissions', () => {
    expect(allows([], 'deposit/account', 'deposit:read')).toBe(false);
  });
});
