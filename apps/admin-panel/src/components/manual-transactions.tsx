'use client';
/** A manual transaction's entries, as the list and the transaction's page show them. */
import Link from 'next/link';
import { humanize, shortId } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { ManualTransactionRowFragment } from '@/gql/graphql';
import { AmountCell, NodeLink, ledgerAccountHref } from '@/components/accounting';

graphql(`
  fragment ManualTransactionRow on ManualTransaction {
    id
    description
    effectiveDate
    ledgerTransactionId
    createdAt
    entries {
      ledgerAccountId
      accountCode
      currency
      direction
      amount
      description
    }
  }
`);

type Entry = ManualTransactionRowFragment['entries'][number];

/** The chart code the entry named, else its ledger account. */
export function EntryAccount({ entry }: { entry: Entry }) {
  if (entry.accountCode) return <NodeLink code={entry.accountCode} />;
  return <Link href={ledgerAccountHref(entry.ledgerAccountId)}>Ledger account {shortId(entry.ledgerAccountId)}</Link>;
}

export function EntriesTable({ entries, label }: { entries: Entry[]; label: string }) {
  return (
    <div className="table-wrap" tabIndex={0}>
      <table aria-label={label}>
        <thead>
          <tr>
            <th>Account</th>
            <th>Direction</th>
            <th className="num">Amount</th>
            <th>Currency</th>
            <th>Description</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((e, i) => (
            <tr key={i}>
              <td>
                <EntryAccount entry={e} />
              </td>
              <td>{humanize(e.direction)}</td>
              <AmountCell minor={e.amount} currency={e.currency} />
              <td>{e.currency}</td>
              <td>{e.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
