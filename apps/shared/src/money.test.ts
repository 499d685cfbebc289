import { describe, expect, it } from 'vitest';
import { formatBtc, formatMinor, formatUsd, MAX_MINOR_UNITS, parseMoney } from './money';

const minor = (text: string, currency: 'USD' | 'BTC', options?: { allowZero?: boolean }) => {
  const parsed = parseMoney(text, currency, options);
  if (!parsed.ok) throw new Error(`expected ${text} to parse, got: ${parsed.error}`);
  return parsed.minor;
};
const refusal = (text: string, currency: 'USD' | 'BTC', options?: { allowZero?: boolean }) => {
  const parsed = parseMoney(text, currency, options);
  if (parsed.ok) throw new Error(`expected ${text} to be refused, got ${parsed.minor}`);
  return parsed.error;
};

describe('parseMoney USD', () => {
  it.each([
    ['1', 100n],
    ['1.5', 150n],
    ['1.05', 105n],
    ['0.01', 1n],
    ['.5', 50n],
    ['12.', 1200n],
    ['$1,234.56', 123456n],
    [' 1234.56 ', 123456n],
    ['1,000,000', 100000000n],
    ['0.07', 7n],
    // exact where a float is not: 0.1 + 0.2 and 1.15 * 100 go wrong in binary floating point
    ['1.15', 115n],
    ['4.35', 435n],
    ['90071992547409.93', 9007199254740993n],
  ])('%s is %s cents', (text, cents) => {
    expect(minor(text, 'USD')).toBe(cents);
  });

  it('refuses more decimals than cents', () => {
    expect(refusal('1.005', 'USD')).toMatch(/at most 2 decimals/i);
  });
  it.each(['-1', '-0.01'])('refuses the negative %s', (text) => {
    expect(refusal(text, 'USD')).toMatch(/negative/);
  });
  it.each(['abc', '1.2.3', '1e5', '0x10', '1,23', '12,34.5', '.', '1 000', 'NaN', 'Infinity', '١٢'])(
    'refuses the garbage %s',
    (text) => {
      expect(refusal(text, 'USD')).toMatch(/not an amount/);
    },
  );
  it('refuses empty input', () => {
    expect(refusal('  ', 'USD')).toMatch(/enter an amount/i);
  });
  it('refuses zero unless allowed', () => {
    expect(refusal('0.00', 'USD')).toMatch(/more than zero/);
    expect(minor('0', 'USD', { allowZero: true })).toBe(0n);
  });
  it('refuses amounts beyond the API scalar, accepts its maximum', () => {
    expect(minor('184467440737095516.15', 'USD')).toBe(MAX_MINOR_UNITS);
    expect(refusal('184467440737095516.16', 'USD')).toMatch(/too large/);
  });
});

describe('parseMoney BTC', () => {
  it.each([
    ['1', 100000000n],
    ['0.00000001', 1n],
    ['0.5', 50000000n],
    ['21,000,000', 2100000000000000n],
    ['0.12345678 BTC', 12345678n],
  ])('%s is %s satoshis', (text, sats) => {
    expect(minor(text, 'BTC')).toBe(sats);
  });
  it('refuses a fraction of a satoshi', () => {
    expect(refusal('0.000000001', 'BTC')).toMatch(/at most 8 decimals/i);
  });
  it('does not take a dollar sign for bitcoin', () => {
    expect(refusal('$1', 'BTC')).toMatch(/not an amount/);
  });
});

describe('formatting', () => {
  it.each([
    [0, '$0.00'],
    [1, '$0.01'],
    [105, '$1.05'],
    [123456, '$1,234.56'],
    [100000000, '$1,000,000.00'],
    ['18446744073709551615', '$184,467,440,737,095,516.15'],
    [-250, '-$2.50'],
  ])('%s cents is %s', (cents, text) => {
    expect(formatUsd(cents)).toBe(text);
  });
  it.each([
    [1, '0.00000001 BTC'],
    [150000000, '1.50000000 BTC'],
    [2100000000000000n, '21,000,000.00000000 BTC'],
  ])('%s satoshis is %s', (sats, text) => {
    expect(formatBtc(sats)).toBe(text);
  });
  it('refuses a number that is not an exact integer', () => {
    expect(() => formatUsd(1.5)).toThrow(RangeError);
    expect(() => formatUsd(2 ** 60)).toThrow(RangeError);
  });
  it('round-trips every formatted amount through the parser', () => {
    for (const cents of [1n, 99n, 100n, 101n, 123456789n, MAX_MINOR_UNITS]) {
      expect(minor(formatMinor(cents, 'USD'), 'USD')).toBe(cents);
      expect(minor(formatMinor(cents, 'BTC'), 'BTC')).toBe(cents);
    }
  });
});
