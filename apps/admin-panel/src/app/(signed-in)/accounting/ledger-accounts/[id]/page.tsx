'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { useEffect, useState } from 'react';
import { ActionForm, Amount, Card, Empty, ErrorNotice, Figure, Loading, PageHeader, Pager, When, humanize, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { Allowed } from '@/permissions';

const LedgerAccountQuery = graphql(`
  query LedgerAccount($id: UUID!, $first: Int!, $after: String) {
    ledgerAccount(id: $id) {
      id
      code
      name
      normalBalance
      usdBalance
      btcBalance
      entries(first: $first, after: $after) {
        pageInfo {
          hasNextPage
          endCursor
        }
        nodes {
          transactionId
          externalId
          currency
          layer
          direction
          amount
          effective
          description
          recordedAt
        }
      }
    }
  }
`);

const ExportCreate = graphql(`
  mutation LedgerAccountExportCreate($input: LedgerAccountExportCreateInput!) {
    ledgerAccountExportCreate(input: $input) {
      export {
        id
        status
      }
    }
  }
`);

const ExportQuery = graphql(`
  query LedgerAccountExport($id: UUID!) {
    ledgerAccountExport(id: $id) {
      id
      status
      rows
      failure
      downloadPath
    }
  }
`);

/** The account's history as a CSV file: a job writes it, then the panel serves it for download. */
function HistoryExport({ accountId }: { accountId: string }) {
  const [exportId, setExportId] = useState<string | null>(null);
  const [create] = useMutation(ExportCreate);
  const { data, error, stopPolling } = useQuery(ExportQuery, {
    variables: { id: exportId ?? '' },
    skip: !exportId,
    pollInterval: 500,
  });
  const current = data?.ledgerAccountExport;
  useEffect(() => {
    if (current && current.status !== 'PENDING') stopPolling();
  }, [current, stopPolling]);
  return (
    <Card title="Export">
      <Allowed object="accounting/export" action="accounting:write">
        <ActionForm
          label="Export the history"
          submitLabel="Export history (CSV)"
          onSubmit={async () => {
            const result = await create({ variables: { input: { ledgerAccountId: accountId } } });
            setExportId(result.data?.ledgerAccountExportCreate.export.id ?? null);
          }}
        />
      </Allowed>
      <ErrorNotice error={error} />
      {current?.status === 'PENDING' ? <p role="status">Writing the file…</p> : null}
      {current?.status === 'FAILED' ? <p role="alert">The export failed: {current.failure}</p> : null}
      {current?.status === 'COMPLETED' && current.downloadPath ? (
        <p>
          <a href={`/api${current.downloadPath}`} download>
            Download {current.rows === 1 ? '1 entry' : `${current.rows ?? 0} entries`} (CSV)
          </a>
        </p>
      ) : null}
    </Card>
  );
}

/** An entry's amount in its currency's decimals (the ledger names the currency as text). */
function EntryAmount({ amount, currency }: { amount: number; currency: string }) {
  if (currency === 'USD' || currency === 'BTC') return <Amount minor={amount} currency={currency} />;
  return <span className="money">{amount}</span>;
}

export default function LedgerAccountPage() {
  const { id } = useParams<{ id: string }>();
  const pager = useCursorPager();
  const { data, error } = useQuery(LedgerAccountQuery, { variables: { id, first: 20, after: pager.after } });
  const account = data?.ledgerAccount;
  return (
    <>
      <p className="crumbs">
        <Link href="/accounting">Chart of accounts</Link>
      </p>
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="the ledger account" /> : null}
      {account ? (
        <>
          <PageHeader title={account.name}>
            <span className="muted mono">{account.code}</span>
          </PageHeader>
          <section className="figures" aria-label="Balance">
            <Figure label="USD (settled)">
              <Amount minor={account.usdBalance} currency="USD" />
            </Figure>
            <Figure label="BTC (settled)">
              <Amount minor={account.btcBalance} currency="BTC" />
            </Figure>
            <Figure label="Normal balance">{humanize(account.normalBalance)}</Figure>
          </section>
          <Card title="Entries">
            {account.entries.nodes.length === 0 ? (
              <Empty>No entries yet.</Empty>
            ) : (
              <div className="table-wrap" tabIndex={0}>
                <table aria-label="Entries">
                  <thead>
                    <tr>
                      <th>Effective</th>
                      <th>External id</th>
                      <th>Direction</th>
                      <th className="num">Amount</th>
                      <th>Currency</th>
                      <th>Layer</th>
                      <th>Description</th>
                      <th>Recorded</th>
                    </tr>
                  </thead>
                  <tbody>
                    {account.entries.nodes.map((e, i) => (
                      <tr key={`${e.transactionId}-${i}`}>
                        <td>{e.effective}</td>
                        <td className="mono id">{e.externalId}</td>
                        <td>{humanize(e.direction)}</td>
                        <td className="num">
                          <EntryAmount amount={e.amount} currency={e.currency} />
                        </td>
                        <td>{e.currency}</td>
                        <td>{humanize(e.layer)}</td>
                        <td>{e.description ?? ''}</td>
                        <td>
                          <When at={e.recordedAt} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            <Pager pager={pager} pageInfo={account.entries.pageInfo} />
          </Card>
          <HistoryExport accountId={account.id} />
        </>
      ) : null}
    </>
  );
}
