'use client';
/** Small building blocks both apps use: money, errors, tables, paging, status badges, forms. */
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState, type FormEvent, type ReactNode } from 'react';
import { describeError } from '../errors';
import { formatBtc, formatMinor, formatUsd, parseMoney, type Currency } from '../money';

export function Usd({ cents }: { cents: number | string | bigint | null | undefined }) {
  if (cents === null || cents === undefined) return <span className="muted">—</span>;
  return <span className="money">{formatUsd(cents)}</span>;
}

export function Btc({ sats }: { sats: number | string | bigint | null | undefined }) {
  if (sats === null || sats === undefined) return <span className="muted">—</span>;
  return <span className="money">{formatBtc(sats)}</span>;
}

/**
 * Signed minor units in major units with every decimal of the currency ("-1,500.25",
 * "0.00012345"), no symbol: for statements, whose currency is said once above the figures.
 */
export function Amount({ minor, currency }: { minor: number | string | bigint | null | undefined; currency: Currency }) {
  if (minor === null || minor === undefined) return <span className="muted">—</span>;
  return <span className="money">{formatMinor(minor, currency)}</span>;
}

/** Saves `text` as a file named `filename` (e.g. a statement's CSV), from memory. */
export function DownloadButton({ text, filename, type = 'text/csv', label = 'Download CSV' }: { text: string; filename: string; type?: string; label?: string }) {
  function save() {
    const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }));
    const link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.append(link);
    link.click();
    link.remove();
    // revoked once the browser has taken the download
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
  return (
    <button type="button" className="button secondary" onClick={save}>
      {label}
    </button>
  );
}

export function ErrorNotice({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div role="alert" className="notice notice-error">
      {describeError(error).map((e, i) => (
        <p key={i}>
          {e.message}
          {e.reference ? <span className="muted"> (reference {e.reference})</span> : null}
        </p>
      ))}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

const TONES: Record<string, string> = {
  ACTIVE: 'good', APPROVED: 'good', CONFIRMED: 'good', SETTLED: 'good', COMPLETED: 'good', PAID: 'good',
  FULLY_COLLATERALIZED: 'good',
  FROZEN: 'warn', PENDING_APPROVAL: 'warn', IN_PROGRESS: 'warn', PENDING_COLLATERAL: 'warn', PENDING_CUSTOMER_APPROVAL: 'warn',
  DUE: 'warn', UNDER_MARGIN_CALL_THRESHOLD: 'warn', AWAITING_COLLATERAL: 'warn', AWAITING_PROCEEDS: 'warn', INACTIVE: 'warn',
  CLOSED: 'bad', DENIED: 'bad', CANCELLED: 'bad', REVERTED: 'bad', CUSTOMER_DECLINED: 'bad', OVERDUE: 'bad', DEFAULTED: 'bad',
  UNDER_LIQUIDATION_THRESHOLD: 'bad', ESCHEATABLE: 'bad', FAILED: 'bad', REJECTED: 'bad',
};

/**
 * A short reference for an id people can tell apart: the ids are UUID v7, whose first digits are
 * a timestamp shared by everything made in the same minutes, so the last eight are used.
 */
export function shortId(id: string): string {
  return id.slice(-8);
}

/** "PENDING_APPROVAL" -> "Pending approval". */
export function humanize(value: string): string {
  const words = value.toLowerCase().replaceAll('_', ' ').replaceAll('-', ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A filter on one value of an enum, or any (''), the values shown as words. */
export function EnumFilter<T extends string>({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: T | '';
  options: readonly T[];
  onChange: (value: T | '') => void;
}) {
  return (
    <Field label={label}>
      <select value={value} onChange={(e) => onChange(e.target.value as T | '')}>
        <option value="">Any</option>
        {options.map((option) => (
          <option key={option} value={option}>
            {humanize(option)}
          </option>
        ))}
      </select>
    </Field>
  );
}

export function Status({ value }: { value: string }) {
  return <span className={`badge badge-${TONES[value] ?? 'neutral'}`}>{humanize(value)}</span>;
}

/** An instant in UTC, to the minute (or only its date, where columns are tight). */
export function When({ at, dateOnly = false }: { at: string | null | undefined; dateOnly?: boolean }) {
  if (!at) return <span className="muted">—</span>;
  const iso = new Date(at).toISOString();
  return <time dateTime={at}>{dateOnly ? iso.slice(0, 10) : `${iso.slice(0, 16).replace('T', ' ')} UTC`}</time>;
}

/** Cursor paging: remembers the cursors of the pages before, so "Previous" works. */
export function useCursorPager() {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  return {
    after,
    page: cursors.length,
    next: (endCursor: string | null | undefined) => endCursor && setCursors([...cursors, endCursor]),
    previous: () => setCursors(cursors.length > 1 ? cursors.slice(0, -1) : cursors),
    reset: () => setCursors([null]),
  };
}

export function Pager({
  pager,
  pageInfo,
}: {
  pager: ReturnType<typeof useCursorPager>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | undefined;
}) {
  if (!pageInfo || (pager.page === 1 && !pageInfo.hasNextPage)) return null;
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" className="button secondary" disabled={pager.page === 1} onClick={pager.previous}>
        Previous
      </button>
      <span>Page {pager.page}</span>
      <button type="button" className="button secondary" disabled={!pageInfo.hasNextPage} onClick={() => pager.next(pageInfo.endCursor)}>
        Next
      </button>
    </nav>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <div className="actions">{children}</div> : null}
    </header>
  );
}

export function Card({ title, children, className }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`card ${className ?? ''}`} aria-label={title}>
      {title ? <h2>{title}</h2> : null}
      {children}
    </section>
  );
}

export function Figure({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="figure">
      <div className="figure-label">{label}</div>
      <div className="figure-value">{children}</div>
    </div>
  );
}

export function Details({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="details">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * A form that shows its own errors and a pending state. `onSubmit` throws (or rejects) to show an
 * error; `validate` returns a message to refuse before anything is sent.
 */
export function ActionForm({
  label,
  submitLabel,
  onSubmit,
  children,
  className,
  danger = false,
}: {
  label: string;
  submitLabel: string;
  onSubmit: (form: FormData) => Promise<void> | void;
  children?: ReactNode;
  className?: string;
  /** For what cannot be undone or refuses something (close, deny, decline). */
  danger?: boolean;
}) {
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    setError(null);
    setInvalid(null);
    setPending(true);
    try {
      await onSubmit(new FormData(form));
      form.reset();
    } catch (e) {
      if (e instanceof InvalidInput) setInvalid(e.message);
      else setError(e);
    } finally {
      setPending(false);
    }
  }
  return (
    <form className={`action-form ${className ?? ''}`} aria-label={label} onSubmit={submit}>
      {children}
      <button type="submit" className={danger ? 'button danger' : 'button'} disabled={pending}>
        {pending ? 'Working…' : submitLabel}
      </button>
      {invalid ? (
        <p role="alert" className="notice notice-error">
          {invalid}
        </p>
      ) : null}
      <ErrorNotice error={error} />
    </form>
  );
}

/** Thrown by a form's submit handler to refuse input before sending it. */
export class InvalidInput extends Error {}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint ? <span className="field-hint">{hint}</span> : null}
    </label>
  );
}

export interface NavItem {
  href: string;
  label: string;
}

/** The app's frame: a navigation column, the signed-in user and the sign-out button. */
export function Shell({ product, nav, email, children }: { product: string; nav: NavItem[]; email: string | null; children: ReactNode }) {
  const path = usePathname();
  const current = (href: string) => (href === '/' ? path === '/' : path === href || path.startsWith(`${href}/`));
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            L
          </span>
          <span>{product}</span>
        </div>
        <nav aria-label="Main">
          <ul>
            {nav.map((item) => (
              <li key={item.href}>
                <Link href={item.href} aria-current={current(item.href) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="user">
          <span className="user-email">{email ?? 'Signed in'}</span>
          <form method="post" action="/api/auth/logout">
            <button type="submit" className="button secondary">
              Sign out
            </button>
          </form>
        </div>
      </aside>
      <main id="main" className="content">
        {children}
      </main>
    </div>
  );
}

/** The amount typed in field `name`, in minor units as the API's decimal string; refuses bad input. */
export function readAmount(form: FormData, name: string, currency: Currency): string {
  const parsed = parseMoney(String(form.get(name) ?? ''), currency);
  if (!parsed.ok) throw new InvalidInput(parsed.error);
  return parsed.minor.toString();
}

export function AmountInput({ name, currency, label }: { name: string; currency: Currency; label: string }) {
  return (
    <Field label={label} hint={currency === 'USD' ? 'In dollars, e.g. 1,250.00' : 'In bitcoin, up to 8 decimals'}>
      <input name={name} inputMode="decimal" autoComplete="off" required placeholder={currency === 'USD' ? '0.00' : '0.00000000'} />
    </Field>
  );
}
