'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { Card, Empty, ErrorNotice, Loading, PageHeader, Pager, When, useCursorPager } from '@lana/shared/ui/components';
import { networkLabel, providerLabel } from '@lana/shared/ui/credit';
import { graphql } from '@/gql';
import { Allowed } from '@/permissions';

const CustodiansQuery = graphql(`
  query Custodians($first: Int!, $after: String) {
    custodians(first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        name
        provider
        network
        baseUrl
        coin
        apiUser
        accountXpub
        explorerUrl
        createdAt
      }
    }
  }
`);

export default function CustodiansPage() {
  const pager = useCursorPager();
  const { data, error } = useQuery(CustodiansQuery, { variables: { first: 20, after: pager.after } });
  const list = data?.custodians;
  return (
    <>
      <PageHeader title="Custodians">
        <Allowed object="custody/custodian" action="custody:write">
          <Link className="button" href="/custodians/new">
            New custodian
          </Link>
        </Allowed>
      </PageHeader>
      <Card title="All custodians">
        <p className="muted">A proposal may name a custodian: a wallet is opened there when the proposal is approved, and its reported balance is the facility&apos;s collateral.</p>
        <ErrorNotice error={error} />
        {!data && !error ? <Loading what="custodians" /> : null}
        {list && list.nodes.length === 0 ? <Empty>No custodians yet: collateral is recorded by hand.</Empty> : null}
        {list && list.nodes.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table aria-label="Custodians">
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Provider</th>
                  <th>Network</th>
                  <th>Coin, user or key</th>
                  <th>Endpoint</th>
                  <th>Created</th>
                </tr>
              </thead>
              <tbody>
                {list.nodes.map((c) => (
                  <tr key={c.id}>
                    <td>
                      <Link href={`/custodians/${c.id}`}>{c.name}</Link>
                    </td>
                    <td>{providerLabel(c.provider)}</td>
                    <td>{c.network ? networkLabel(c.network) : <span className="muted">{c.provider === 'KOMAINU' ? 'Per wallet' : '—'}</span>}</td>
                    <td className="mono">{c.coin ?? c.apiUser ?? (c.accountXpub ? `${c.accountXpub.slice(0, 8)}…${c.accountXpub.slice(-6)}` : '—')}</td>
                    <td className="mono">{c.baseUrl ?? c.explorerUrl ?? '—'}</td>
                    <td>
                      <When at={c.createdAt} />
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
