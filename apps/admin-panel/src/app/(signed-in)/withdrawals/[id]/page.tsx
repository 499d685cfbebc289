'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Card, Details, ErrorNotice, Loading, PageHeader, Status, Usd, When } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { WithdrawalActions } from '@/components/withdrawals';

const WithdrawalQuery = graphql(`
  query Withdrawal($id: UUID!) {
    withdrawal(id: $id) {
      ...WithdrawalRow
    }
  }
`);

export default function WithdrawalPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error } = useQuery(WithdrawalQuery, { variables: { id } });
  const w = data?.withdrawal;
  return (
    <>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the withdrawal" /> : null}
      {data && !w ? <p>No such withdrawal.</p> : null}
      {w ? (
        <>
          <p className="crumbs">
            <Link href={`/deposit-accounts/${w.accountId}`}>Back to the account</Link>
          </p>
          <PageHeader title="Withdrawal">
            <Status value={w.status} />
          </PageHeader>
          <Card title="Withdrawal">
            <Details
              rows={[
                ['Amount', <Usd key="a" cents={w.amount} />],
                ['Reference', w.reference || '—'],
                ['Status', <Status key="s" value={w.status} />],
                ['Approval', <Link key="p" href={`/approvals/${w.approvalProcessId}`}>Approval process</Link>],
                ['Denial reason', w.denialReason ?? '—'],
                ['Initiated', <When key="c" at={w.createdAt} />],
              ]}
            />
          </Card>
          <Card title="Actions">
            <WithdrawalActions withdrawal={w} />
          </Card>
        </>
      ) : null}
    </>
  );
}
