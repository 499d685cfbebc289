'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Card, Empty, ErrorNotice, Figure, Loading, PageHeader, Pager, Status, Usd, useCursorPager } from '@lana/shared/ui/components';
import { HistoryTable } from '@lana/shared/ui/history';
import { graphql } from '@/gql';

const AccountQuery = graphql(`
  query MyAccount($id: UUID!, $first: Int!, $after: String) {
    depositAccount(id: $id) {
      id
      publicId
      status
      balance {
        settled
        pending
        available
        frozen
      }
    }
    depositAccountHistory(depositAccountId: $id, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        kind
        amountIn
        amountOut
        pending
        effective
        recordedAt
      }
    }
  }
`);

export default function MyAccountPage() {
  const { id } = useParams<{ id: string }>();
  const pager = useCursorPager();
  const { data, error } = useQuery(AccountQuery, { variables: { id, first: 20, after: pager.after } });
  const account = data?.depositAccount;
  return (
    <>
      <p className="crumbs">
        <Link href="/">My accounts</Link>
      </p>
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="the account" /> : null}
      {account && data ? (
        <>
          <PageHeader title={`Account ${account.publicId}`}>
            <Status value={account.status} />
          </PageHeader>
          <section className="figures" aria-label="Balance">
            <Figure label="Balance">
              <Usd cents={account.balance.settled} />
            </Figure>
            <Figure label="Pending withdrawals">
              <Usd cents={account.balance.pending} />
            </Figure>
            <Figure label="Available">
              <Usd cents={account.balance.available} />
            </Figure>
            <Figure label="Frozen">
              <Usd cents={account.balance.frozen} />
            </Figure>
          </section>
          <Card title="History">
            {data.depositAccountHistory.nodes.length === 0 ? <Empty>Nothing has happened on this account yet.</Empty> : <HistoryTable entries={data.depositAccountHistory.nodes} />}
            <Pager pager={pager} pageInfo={data.depositAccountHistory.pageInfo} />
          </Card>
        </>
      ) : null}
    </>
  );
}
