'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { Card, Empty, ErrorNotice, Loading, PageHeader, Status, Usd } from '@lana/shared/ui/components';
import { graphql } from '@/gql';

const OverviewQuery = graphql(`
  query Overview {
    me {
      email
      customerId
      depositAccounts(first: 20) {
        nodes {
          id
          publicId
          status
          balance {
            settled
            pending
            available
          }
        }
      }
    }
  }
`);

export default function AccountsPage() {
  const { data, error } = useQuery(OverviewQuery);
  const me = data?.me;
  return (
    <>
      <PageHeader title="My accounts" />
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="your accounts" /> : null}
      {me && !me.customerId ? (
        <Card>
          <p>You are signed in as {me.email}, but you are not a customer of the bank yet. Once the bank has opened your relationship, your accounts appear here.</p>
        </Card>
      ) : null}
      {me?.customerId ? (
        <Card title="Deposit accounts">
          {me.depositAccounts.nodes.length === 0 ? <Empty>You have no deposit account yet.</Empty> : null}
          {me.depositAccounts.nodes.length > 0 ? (
            <div className="table-wrap" tabIndex={0}>
              <table aria-label="My deposit accounts">
                <thead>
                  <tr>
                    <th>Account</th>
                    <th>Status</th>
                    <th className="num">Balance</th>
                    <th className="num">Pending withdrawals</th>
                    <th className="num">Available</th>
                  </tr>
                </thead>
                <tbody>
                  {me.depositAccounts.nodes.map((a) => (
                    <tr key={a.id}>
                      <td>
                        <Link href={`/accounts/${a.id}`}>Account {a.publicId}</Link>
                      </td>
                      <td>
                        <Status value={a.status} />
                      </td>
                      <td className="num">
                        <Usd cents={a.balance.settled} />
                      </td>
                      <td className="num">
                        <Usd cents={a.balance.pending} />
                      </td>
                      <td className="num">
                        <Usd cents={a.balance.available} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </Card>
      ) : null}
    </>
  );
}
