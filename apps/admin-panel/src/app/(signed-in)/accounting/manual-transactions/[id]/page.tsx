'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Card, Details, ErrorNotice, Loading, PageHeader, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { EntriesTable } from '@/components/manual-transactions';

const ManualTransactionQuery = graphql(`
  query ManualTransaction($id: UUID!) {
    manualTransaction(id: $id) {
      ...ManualTransactionRow
    }
  }
`);

export default function ManualTransactionPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error } = useQuery(ManualTransactionQuery, { variables: { id } });
  const t = data?.manualTransaction;
  return (
    <>
      <p className="crumbs">
        <Link href="/accounting/manual-transactions">Manual transactions</Link>
      </p>
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="the transaction" /> : null}
      {t ? (
        <>
          <PageHeader title={t.description} />
          <Card title="Transaction">
            <Details
              rows={[
                ['Effective date', t.effectiveDate],
                ['Posted', <When key="p" at={t.createdAt} />],
                ['Ledger transaction', <span key="l" className="mono">{t.ledgerTransactionId}</span>],
              ]}
            />
          </Card>
          <Card title="Entries">
            <EntriesTable entries={t.entries} label="Entries" />
          </Card>
        </>
      ) : null}
    </>
  );
}
