'use client';
/**
 * What the accounting pages share: the bank's business date (the default of every date), the
 * statements' filters and tables, and links into the drill-down (chart node, ledger account).
 */
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useState, type FormEvent } from 'react';
import { firstOfMonth, localDate } from '@lana/shared/dates';
import { Amount, Card, DownloadButton, ErrorNotice, Field, Loading, PageHeader } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { BalanceLayer, Currency, StatementLineRowFragment } from '@/gql/graphql';
import { useMe } from '@/permissions';

const BusinessDateQuery = graphql(`
  query AccountingBusinessDate {
    time {
      businessDate
    }
  }
`);

/**
 * Today as the bank counts days (its business date, in its time zone); the browser's own date
 * for a role that may not read the time. Null while it loads.
 */
export function useBusinessDate(): string | null {
  const allowed = useMe().can('time/clock', 'time:read');
  const { data, error } = useQuery(BusinessDateQuery, { skip: !allowed });
  if (!allowed || error) return localDate();
  return data?.time.businessDate ?? null;
}

export const CURRENCIES: [Currency, string][] = [
  ['USD', 'US dollars (USD)'],
  ['BTC', 'Bitcoin (BTC)'],
];

export const LAYERS: [BalanceLayer, string][] = [
  ['SETTLED', 'Settled'],
  ['PENDING', 'Settled and pending'],
];

export function currencyName(currency: Currency): string {
  return CURRENCIES.find(([c]) => c === currency)?.[1] ?? currency;
}

/** The `<option>`s of a select, from [value, label] pairs. */
export function Options({ options }: { options: [string, string][] }) {
  return (
    <>
      {options.map(([value, label]) => (
        <option key={value} value={value}>
          {label}
        </option>
      ))}
    </>
  );
}

export function nodeHref(code: string): string {
  return `/accounting/nodes/${encodeURIComponent(code)}`;
}

export function ledgerAccountHref(id: string): string {
  return `/accounting/ledger-accounts/${id}`;
}

/** A chart code linked to its drill-down. */
export function NodeLink({ code }: { code: string }) {
  return (
    <Link href={nodeHref(code)} className="mono">
      {code}
    </Link>
  );
}

/** A table cell with an amount, right-aligned. */
export function AmountCell({ minor, currency }: { minor: number | bigint; currency: Currency }) {
  return (
    <td className="num">
      <Amount minor={minor} currency={currency} />
    </td>
  );
}

/** Indentation of a tree row by its depth (0: a top-level node). */
export function indent(depth: number) {
  return { paddingLeft: `${0.625 + depth * 1.25}rem` };
}

/** What a statement is asked for: a range (`from`..`to`) or a day (`to`, with `from` unused). */
export interface StatementParams {
  from: string;
  to: string;
  currency: Currency;
  layer: BalanceLayer;
}

/** The statement's parameters: this month to today (in dollars, settled) until others are chosen. */
export function useStatementParams(): [StatementParams | null, (params: StatementParams) => void] {
  const today = useBusinessDate();
  const [chosen, setChosen] = useState<StatementParams | null>(null);
  const defaults = today ? { from: firstOfMonth(today), to: today, currency: 'USD' as const, layer: 'SETTLED' as const } : null;
  return [chosen ?? defaults, setChosen];
}

/** The dates, currency and layer of a statement; `range` false: one date ("As of"). */
export function StatementFilters({
  label,
  range,
  params,
  onApply,
}: {
  label: string;
  range: boolean;
  params: StatementParams;
  onApply: (params: StatementParams) => void;
}) {
  function apply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const to = String(form.get('to') ?? '');
    onApply({
      from: range ? String(form.get('from') ?? '') : to,
      to,
      currency: String(form.get('currency')) as Currency,
      layer: String(form.get('layer')) as BalanceLayer,
    });
  }
  return (
    <form className="filters" aria-label={label} onSubmit={apply}>
      {range ? (
        <Field label="From">
          <input name="from" type="date" required defaultValue={params.from} />
        </Field>
      ) : null}
      <Field label={range ? 'To' : 'As of'}>
        <input name="to" type="date" required defaultValue={params.to} />
      </Field>
      <Field label="Currency">
        <select name="currency" defaultValue={params.currency}>
          <Options options={CURRENCIES} />
        </select>
      </Field>
      <Field label="Layer">
        <select name="layer" defaultValue={params.layer}>
          <Options options={LAYERS} />
        </select>
      </Field>
      <button type="submit" className="button">
        Show
      </button>
    </form>
  );
}

graphql(`
  fragment StatementLineRow on StatementLine {
    code
    name
    depth
    balance
  }
`);

export type StatementLineView = StatementLineRowFragment;

/**
 * One section of a statement (assets, revenue, ...): its nodes indented under the section's top
 * node, each code linking to its drill-down, with lines that are no node (current earnings) and
 * the section's total last.
 */
export function StatementTable({
  label,
  lines,
  currency,
  extra = [],
  total,
}: {
  label: string;
  lines: StatementLineView[];
  currency: Currency;
  extra?: { label: string; amount: number }[];
  total: { label: string; amount: number };
}) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table aria-label={label}>
        <thead>
          <tr>
            <th>Code</th>
            <th>Name</th>
            <th className="num">Balance</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.code}>
              <td style={indent(line.depth)}>
                <NodeLink code={line.code} />
              </td>
              <td>{line.name}</td>
              <AmountCell minor={line.balance} currency={currency} />
            </tr>
          ))}
          {extra.map((line) => (
            <tr key={line.label}>
              <td />
              <td>{line.label}</td>
              <AmountCell minor={line.amount} currency={currency} />
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr className="total">
            <td />
            <th scope="row">{total.label}</th>
            <AmountCell minor={total.amount} currency={currency} />
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/** The name of a statement's CSV file: what it is, its dates, currency and layer. */
function csvName(what: string, params: StatementParams, range: boolean): string {
  const dates = range ? `${params.from}_${params.to}` : params.to;
  return `${what}_${dates}_${params.currency}_${params.layer.toLowerCase()}.csv`;
}

/** What a statement the server returned covers, in words. */
function scope(statement: { from?: string; to?: string; asOf?: string; currency: Currency; layer: BalanceLayer }): string {
  const dates = statement.asOf ? `As of ${statement.asOf}` : `From ${statement.from} to ${statement.to}`;
  return `${dates}, in ${currencyName(statement.currency)}, ${statement.layer === 'SETTLED' ? 'settled' : 'settled and pending'}.`;
}

/**
 * A statement page's head: its title with the CSV download, the filters, and what the statement
 * shown covers (or that it loads, or why it failed).
 */
export function StatementHead({
  title,
  file,
  range,
  params,
  onApply,
  statement,
  error,
}: {
  title: string;
  /** The CSV file's name before its dates, e.g. `trial-balance`. */
  file: string;
  range: boolean;
  params: StatementParams | null;
  onApply: (params: StatementParams) => void;
  statement: { from?: string; to?: string; asOf?: string; currency: Currency; layer: BalanceLayer; csv: string } | undefined;
  error: unknown;
}) {
  return (
    <>
      <PageHeader title={title}>{statement && params ? <DownloadButton text={statement.csv} filename={csvName(file, params, range)} /> : null}</PageHeader>
      <Card>
        {params ? <StatementFilters key={JSON.stringify(params)} label="Statement filters" range={range} params={params} onApply={onApply} /> : null}
        <ErrorNotice error={error} />
        {!statement && !error ? <Loading what={`the ${title.toLowerCase()}`} /> : null}
        {statement ? <p className="muted">{scope(statement)} Balances on each node&apos;s normal side.</p> : null}
      </Card>
    </>
  );
}
