/**
 * Money as people type and read it, converted exactly to and from the APIs' minor units
 * (`UsdCents`: 100 to the dollar; `Satoshis`: 100,000,000 to the bitcoin).
 *
 * No floating point anywhere: a typed amount is parsed digit by digit into a BigInt, and a minor
 * amount is formatted by splitting its decimal string. A typed amount with more decimals than the
 * currency has is refused rather than rounded: a bank must not guess what was meant.
 */

export type Currency = 'USD' | 'BTC';

const DECIMALS: Record<Currency, number> = { USD: 2, BTC: 8 };

/** The APIs' money scalars are unsigned 64-bit integers. */
export const MAX_MINOR_UNITS = 18446744073709551615n;

export type ParsedMoney = { ok: true; minor: bigint } | { ok: false; error: string };

const AMOUNT = /^(\d{1,3}(?:,\d{3})+|\d+)?(?:\.(\d*))?$/;

/**
 * Parses a typed amount ("1,234.56", "1234.5", ".5", "$12", "0.00012345 BTC") into minor units.
 * Refuses negatives, garbage, more decimals than the currency has, zero unless `allowZero`, and
 * amounts beyond what the API can hold.
 */
export function parseMoney(text: string, currency: Currency, { allowZero = false } = {}): ParsedMoney {
  const decimals = DECIMALS[currency];
  let s = text.trim();
  if (currency === 'USD' && s.startsWith('$')) s = s.slice(1).trimStart();
  if (currency === 'BTC' && /\s*BTC$/i.test(s)) s = s.replace(/\s*BTC$/i, '');
  if (s === '') return { ok: false, error: 'Enter an amount.' };
  if (s.startsWith('-')) return { ok: false, error: 'The amount cannot be negative.' };
  const match = AMOUNT.exec(s);
  if (!match || (match[1] === undefined && !match[2])) {
    return { ok: false, error: `"${text.trim()}" is not an amount: use digits and at most one decimal point.` };
  }
  const whole = (match[1] ?? '0').replaceAll(',', '');
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) {
    const unit = currency === 'USD' ? 'cents (2 decimals)' : 'satoshis (8 decimals)';
    return { ok: false, error: `At most ${decimals} decimals: amounts are in whole ${unit}.` };
  }
  const minor = BigInt(whole) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
  if (minor === 0n && !allowZero) return { ok: false, error: 'The amount must be more than zero.' };
  if (minor > MAX_MINOR_UNITS) return { ok: false, error: 'The amount is too large.' };
  return { ok: true, minor };
}

function toBigInt(minor: bigint | number | string): bigint {
  if (typeof minor === 'bigint') return minor;
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
    throw new RangeError(`${minor} is not an exact whole number of minor units`);
  }
  return BigInt(minor);
}

function groupThousands(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** The amount in major units with every decimal of the currency, e.g. "1,234.50" or "0.00012345". */
export function formatMinor(minor: bigint | number | string, currency: Currency, { grouping = true } = {}): string {
  const value = toBigInt(minor);
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(DECIMALS[currency] + 1, '0');
  const cut = digits.length - DECIMALS[currency];
  const whole = grouping ? groupThousands(digits.slice(0, cut)) : digits.slice(0, cut);
  return `${negative ? '-' : ''}${whole}.${digits.slice(cut)}`;
}

/** "$1,234.50" for cents. */
export function formatUsd(cents: bigint | number | string): string {
  const text = formatMinor(cents, 'USD');
  return text.startsWith('-') ? `-$${text.slice(1)}` : `$${text}`;
}

/** "0.00012345 BTC" for satoshis. */
export function formatBtc(sats: bigint | number | string): string {
  return `${formatMinor(sats, 'BTC')} BTC`;
}
