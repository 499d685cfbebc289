'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { Btc, Card, Empty, ErrorNotice, Loading, PageHeader, Pager, Status, Usd, When, useCursorPager, shortId } from '@lana/shared/ui/components';
import { cvlText } from '@lana/shared/ui/credit';
import { graphql } from '@/gql';

const MyCreditQuery = graphql(`
  query MyCredit($first: Int!, $after: String) {
    creditFacilities(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        status
        amount
        collateral
        createdAt
        balances {
          outstanding
          cvl {
            infinite
            percent
          }
        }
      }
    }
    realtimePrice {
      usdCentsPerBtc
      stale
    }
  }
`);

export default function MyCreditPage() {
  const pager = useCursorPager();
  const { data, error } = useQuery(MyCreditQuery, { variables: { first: 20, after: pager.after } });
  const waiting = data?.creditFacilities.nodes.filter((f) => f.status === 'PENDING_CUSTOMER_APPROVAL').length ?? 0;
  return (
    <>
      <PageHeader title="My credit">
        {data?.realtimePrice ? (
          <span className="muted">
            Bitcoin: <Usd cents={data.realtimePrice.usdCentsPerBtc} />
            {data.realtimePrice.stale ? ' (not current)' : ''}
          </span>
        ) : null}
      </PageHeader>
      {waiting > 0 ? (
        <p className="notice notice-info" role="status">
          {waiting === 1 ? 'A proposal is waiting for your answer.' : `${waiting} proposals are waiting for your answer.`}
        </p>
      ) : null}
      <Card>
        <ErrorNotice error={error} />
        {!data && !error ? <Loading what="your credit" /> : null}
        {data && data.creditFacilities.nodes.length === 0 ? <Empty>You have no credit proposals or facilities.</Empty> : null}
        {data && data.creditFacilities.nodes.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table aria-label="My credit facilities">
              <thead>
                <tr>
                  <th>Facility</th>
                  <th>Status</th>
                  <th className="num">Amount</th>
                  <th className="num">Outstanding</th>
                  <th className="num">Collateral</th>
                  <th>CVL</th>
                  <th>Proposed</th>
                </tr>
              </thead>
              <tbody>
                {data.creditFacilities.nodes.map((f) => (
                  <tr key={f.id}>
                    <td>
                      <Link href={`/credit/${f.id}`}>{f.status === 'PENDING_CUSTOMER_APPROVAL' ? 'Review proposal' : `Facility ${shortId(f.id)}`}</Link>
                    </td>
                    <td>
                      <Status value={f.status} />
                    </td>
                    <td className="num">
                      <Usd cents={f.amount} />
                    </td>
                    <td className="num">
                      <Usd cents={f.balances.outstanding} />
                    </td>
                    <td className="num">
                      <Btc sats={f.collateral} />
                    </td>
                    <td>{cvlText(f.balances.cvl)}</td>
                    <td>
                      <When at={f.createdAt} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager pager={pager} pageInfo={data?.creditFacilities.pageInfo} />
      </Card>
    </>
  );
}
