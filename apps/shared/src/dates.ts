/**
 * Calendar dates as the APIs write them (`YYYY-MM-DD`, a `Date` scalar), worked on as text and
 * whole numbers: no time zone or daylight-saving change can move a day.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parts(date: string): [number, number, number] {
  const match = DATE.exec(date);
  if (!match) throw new RangeError(`${date} is not a YYYY-MM-DD date`);
  return [Number(match[1]), Number(match[2]), Number(match[3])];
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** "2026-12-06" -> "2026-12-01". */
export function firstOfMonth(date: string): string {
  const [year, month] = parts(date);
  return `${pad(year, 4)}-${pad(month)}-01`;
}

/** The first day of the month `months` after (or, negative, before) the month of `date`. */
export function addMonths(date: string, months: number): string {
  const [year, month] = parts(date);
  const index = year * 12 + (month - 1) + months;
  return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1)}-01`;
}

/** Today in the browser's own time zone (where the bank's business date is not known). */
export function localDate(now: Date = new Date()): string {
  return `${pad(now.getFullYear(), 4)}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** "2026-10" (a `YYYY-MM` month) -> { year: 2026, month: 10 }; null for anything else. */
export function parseMonth(text: string | null | undefined): { year: number; month: number } | null {
  const match = /^(\d{4})-(\d{2})$/.exec(text ?? '');
  if (!match) return null;
  const month = Number(match[2]);
  return month >= 1 && month <= 12 ? { year: Number(match[1]), month } : null;
}

/** 2026, 10 -> "2026-10". */
export function formatMonth(year: number, month: number): string {
  return `${pad(year, 4)}-${pad(month)}`;
}
