'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { Card, Empty, ErrorNotice, Loading, PageHeader, Pager, Status, Usd, When, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { CustomerLink } from '@/components/customer-email';

const AccountsQuery = graphql(`
  query DepositAccounts($first: Int!, $after: String) {
    depositAccounts(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        publicId
        customerId
        status
        activity
        createdAt
        balance {
          settled
          pending
          available
        }
      }
    }
  }
`);

export default function DepositAccountsPage() {
  const pager = useCursorPager();
  const { data, loading, error } = useQuery(AccountsQuery, { variables: { first: 20, after: pager.after } });
  return (
    <>
      <PageHeader title="Deposit accounts" />
      <Card>
        <p className="muted">Accounts are opened from a customer&apos;s page.</p>
        <ErrorNotice error={error} />
        {loading && !data ? <Loading what="accounts" /> : null}
        {data && data.depositAccounts.nodes.length === 0 ? <Empty>No deposit accounts yet.</Empty> : null}
        {data && data.depositAccounts.nodes.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th>Account</th>
                  <th>Customer</th>
                  <th>Status</th>
                  <th>Activity</th>
                  <th className="num">Settled</th>
                  <th className="num">Available</th>
                  <th>Opened</th>
                </tr>
              </thead>
              <tbody>
                {data.depositAccounts.nodes.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <Link href={`/deposit-accounts/${a.id}`}>Account {a.publicId}</Link>
                    </td>
                    <td>
                      <CustomerLink id={a.customerId} />
                    </td>
                    <td>
                      <Status value={a.status} />
                    </td>
                    <td>
                      <Status value={a.activity} />
                    </td>
                    <td className="num">
                      <Usd cents={a.balance.settled} />
                    </td>
                    <td className="num">
                      <Usd cents={a.balance.available} />
                    </td>
                    <td>
                      <When at={a.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager pager={pager} pageInfo={data?.depositAccounts.pageInfo} />
      </Card>
    </>
  );
}
