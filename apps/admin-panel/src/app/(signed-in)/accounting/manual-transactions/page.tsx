'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useRef, useState } from 'react';
import { parseMoney } from '@lana/shared/money';
import { idempotent, useIdempotencyKey } from '@lana/shared/ui/api';
import { ActionForm, Amount, Card, Empty, ErrorNotice, Field, InvalidInput, Loading, PageHeader, Pager, When, humanize, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import type { Currency, ManualTransactionEntryInput, NormalBalance } from '@/gql/graphql';
import { CURRENCIES, Options, useBusinessDate } from '@/components/accounting';
import { EntryAccount } from '@/components/manual-transactions';
import { Allowed } from '@/permissions';

const ManualTransactionsQuery = graphql(`
  query ManualTransactions($first: Int!, $after: String) {
    manualTransactions(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        ...ManualTransactionRow
      }
    }
  }
`);
const ManualTransactionCreate = graphql(`
  mutation ManualTransactionCreate($input: ManualTransactionCreateInput!) {
    manualTransactionCreate(input: $input) {
      manualTransaction {
        ...ManualTransactionRow
      }
    }
  }
`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export default function ManualTransactionsPage() {
  const pager = useCursorPager();
  const { data, error, refetch } = useQuery(ManualTransactionsQuery, { variables: { first: 20, after: pager.after } });
  const list = data?.manualTransactions;
  return (
    <>
      <PageHeader title="Manual transactions" />
      <Allowed object="accounting/manual-transaction" action="accounting:write">
        <NewManualTransaction
          onPosted={async () => {
            pager.reset();
            await refetch({ first: 20, after: null });
          }}
        />
      </Allowed>
      <Card title="Posted">
        <ErrorNotice error={error} />
        {!data && !error ? <Loading what="the manual transactions" /> : null}
        {list && list.nodes.length === 0 ? <Empty>No manual transactions yet.</Empty> : null}
        {list && list.nodes.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table aria-label="Manual transactions">
              <thead>
                <tr>
                  <th>Effective</th>
                  <th>Description</th>
                  <th>Entries</th>
                  <th>Posted</th>
                </tr>
              </thead>
              <tbody>
                {list.nodes.map((t) => (
                  <tr key={t.id}>
                    <td>{t.effectiveDate}</td>
                    <td>
                      <Link href={`/accounting/manual-transactions/${t.id}`}>{t.description}</Link>
                    </td>
                    <td>
                      <ul className="plain">
                        {t.entries.map((e, i) => (
                          <li key={i}>
                            {humanize(e.direction)} <EntryAccount entry={e} /> <Amount minor={e.amount} currency={e.currency} /> {e.currency}
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td>
                      <When at={t.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager pager={pager} pageInfo={list?.pageInfo} />
      </Card>
    </>
  );
}

interface EntryRow {
  id: number;
  currency: Currency;
}

const TWO_ROWS: EntryRow[] = [
  { id: 1, currency: 'USD' },
  { id: 2, currency: 'USD' },
];

/**
 * Description, effective date and two or more entries, each naming a chart code (its node's own
 * account) or a ledger account id; amounts typed in major units and parsed exactly. Sent with an
 * Idempotency-Key: a retry after a failure cannot post twice.
 */
function NewManualTransaction({ onPosted }: { onPosted: () => Promise<void> }) {
  const today = useBusinessDate();
  const [key, renewKey] = useIdempotencyKey();
  const [create] = useMutation(ManualTransactionCreate);
  const [rows, setRows] = useState<EntryRow[]>(TWO_ROWS);
  const nextId = useRef(TWO_ROWS.length + 1);
  const [posted, setPosted] = useState<string | null>(null);
  const setCurrency = (id: number, currency: Currency) => setRows(rows.map((r) => (r.id === id ? { ...r, currency } : r)));
  if (!today) return <Loading what="the business date" />;
  return (
    <Card title="New manual transaction">
      <ActionForm
        key={today}
        label="New manual transaction"
        submitLabel="Post transaction"
        className="stacked"
        onSubmit={async (form) => {
          const text = (name: string) => String(form.get(name) ?? '').trim();
          setPosted(null);
          const entries: ManualTransactionEntryInput[] = rows.map((row, i) => {
            const account = text(`account-${row.id}`);
            if (!account) throw new InvalidInput(`Entry ${i + 1}: name an account (a chart code or a ledger account id).`);
            const amount = parseMoney(text(`amount-${row.id}`), row.currency);
            if (!amount.ok) throw new InvalidInput(`Entry ${i + 1}: ${amount.error}`);
            const byId = UUID.test(account);
            return {
              accountCode: byId ? null : account,
              ledgerAccountId: byId ? account : null,
              currency: row.currency,
              direction: text(`direction-${row.id}`) as NormalBalance,
              amount: amount.minor.toString(),
              description: text(`description-${row.id}`) || null,
            };
          });
          const description = text('description');
          const result = await create({ variables: { input: { description, effectiveDate: text('effectiveDate'), entries } }, context: idempotent(key) });
          renewKey();
          setRows(TWO_ROWS.map((r) => ({ ...r, id: nextId.current++ })));
          await onPosted();
          const t = result.data?.manualTransactionCreate.manualTransaction;
          setPosted(t ? `Posted "${t.description}", effective ${t.effectiveDate}.` : 'Posted.');
        }}
      >
        <div className="action-form">
          <Field label="Description">
            <input name="description" autoComplete="off" required />
          </Field>
          <Field label="Effective date" hint="Today or earlier; not in a closed month">
            <input name="effectiveDate" type="date" required defaultValue={today} max={today} />
          </Field>
        </div>
        {rows.map((row, i) => (
          <fieldset key={row.id} className="entry">
            <legend>Entry {i + 1}</legend>
            <Field label="Account" hint="A chart code (e.g. 62) or a ledger account id">
              <input name={`account-${row.id}`} autoComplete="off" required />
            </Field>
            <Field label="Direction">
              <select name={`direction-${row.id}`} defaultValue={i === 0 ? 'DEBIT' : 'CREDIT'}>
                <option value="DEBIT">Debit</option>
                <option value="CREDIT">Credit</option>
              </select>
            </Field>
            <Field label="Currency">
              <select name={`currency-${row.id}`} value={row.currency} onChange={(e) => setCurrency(row.id, e.target.value as Currency)}>
                <Options options={CURRENCIES} />
              </select>
            </Field>
            <Field label="Amount" hint={row.currency === 'USD' ? 'In dollars, e.g. 1,250.00' : 'In bitcoin, up to 8 decimals'}>
              <input name={`amount-${row.id}`} inputMode="decimal" autoComplete="off" required placeholder={row.currency === 'USD' ? '0.00' : '0.00000000'} />
            </Field>
            <Field label="Entry description">
              <input name={`description-${row.id}`} autoComplete="off" />
            </Field>
            {rows.length > 2 ? (
              <button type="button" className="button secondary" onClick={() => setRows(rows.filter((r) => r.id !== row.id))}>
                Remove entry {i + 1}
              </button>
            ) : null}
          </fieldset>
        ))}
        <div>
          <button type="button" className="button secondary" onClick={() => setRows([...rows, { id: nextId.current++, currency: 'USD' }])}>
            Add an entry
          </button>
        </div>
      </ActionForm>
      {posted ? (
        <p className="notice notice-info" role="status">
          {posted}
        </p>
      ) : null}
    </Card>
  );
}
