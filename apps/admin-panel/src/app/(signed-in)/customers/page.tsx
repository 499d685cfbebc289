'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { Card, Empty, ErrorNotice, Loading, PageHeader, Pager, Status, When, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { CUSTOMER_TYPES } from '@/labels';

const CustomersQuery = graphql(`
  query Customers($first: Int!, $after: String) {
    customers(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        email
        telegramHandle
        customerType
        kycLevel
        status
        createdAt
      }
    }
  }
`);

export default function CustomersPage() {
  const pager = useCursorPager();
  const { data, loading, error } = useQuery(CustomersQuery, { variables: { first: 20, after: pager.after } });
  return (
    <>
      <PageHeader title="Customers">
        <Link className="button secondary" href="/prospects">
          New prospect
        </Link>
      </PageHeader>
      <Card>
        <ErrorNotice error={error} />
        {loading && !data ? <Loading what="customers" /> : null}
        {data && data.customers.nodes.length === 0 ? <Empty>No customers yet: create a prospect and convert it.</Empty> : null}
        {data && data.customers.nodes.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th>Email</th>
                  <th>Type</th>
                  <th>KYC level</th>
                  <th>Status</th>
                  <th>Since</th>
                </tr>
              </thead>
              <tbody>
                {data.customers.nodes.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link href={`/customers/${c.id}`}>{c.email}</Link>
                    </td>
                    <td>{CUSTOMER_TYPES.find(([v]) => v === c.customerType)?.[1]}</td>
                    <td>
                      <Status value={c.kycLevel} />
                    </td>
                    <td>
                      <Status value={c.status} />
                    </td>
                    <td>
                      <When at={c.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager pager={pager} pageInfo={data?.customers.pageInfo} />
      </Card>
    </>
  );
}
