'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { Card, Details, Empty, ErrorNotice, Loading, PageHeader, Pager, humanize, useCursorPager } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { AmountCell, NodeLink, ledgerAccountHref } from '@/components/accounting';

const NodesQuery = graphql(`
  query AccountingChartNodes {
    chartOfAccounts {
      nodes {
        code
        name
        normalBalance
        parentCode
      }
      attachments {
        moduleSetKey
        code
      }
    }
  }
`);
const LedgerAccountsQuery = graphql(`
  query ChartNodeLedgerAccounts($code: String!, $first: Int!, $after: String) {
    chartNodeLedgerAccounts(code: $code, first: $first, after: $after) {
      pageInfo {
        hasNextPage
        endCursor
      }
      nodes {
        id
        code
        name
        normalBalance
        usdBalance
        btcBalance
      }
    }
  }
`);

export default function ChartNodePage() {
  const code = decodeURIComponent(useParams<{ code: string }>().code);
  const pager = useCursorPager();
  const chart = useQuery(NodesQuery);
  const { data, error } = useQuery(LedgerAccountsQuery, { variables: { code, first: 20, after: pager.after } });
  const nodes = chart.data?.chartOfAccounts.nodes ?? [];
  const node = nodes.find((n) => n.code === code);
  const children = nodes.filter((n) => n.parentCode === code);
  const attached = chart.data?.chartOfAccounts.attachments.filter((a) => a.code === code).map((a) => a.moduleSetKey) ?? [];
  const accounts = data?.chartNodeLedgerAccounts;
  return (
    <>
      <p className="crumbs">
        <Link href="/accounting">Chart of accounts</Link>
        {node?.parentCode ? (
          <>
            {' / '}
            <NodeLink code={node.parentCode} />
          </>
        ) : null}
      </p>
      <PageHeader title={node ? `${code} ${node.name}` : code} />
      <ErrorNotice error={chart.error} />
      {node ? (
        <Card title="Node">
          <Details
            rows={[
              ['Code', <span key="c" className="mono">{code}</span>],
              ['Normal balance', humanize(node.normalBalance)],
              ['Parent', node.parentCode ? <NodeLink key="p" code={node.parentCode} /> : 'None (top level)'],
              [
                'Children',
                children.length ? (
                  <span key="ch">
                    {children.map((c, i) => (
                      <span key={c.code}>
                        {i ? ', ' : ''}
                        <NodeLink code={c.code} /> {c.name}
                      </span>
                    ))}
                  </span>
                ) : (
                  'None'
                ),
              ],
              ['Attached account sets', attached.length ? <span key="a" className="mono">{attached.join(', ')}</span> : 'None'],
            ]}
          />
        </Card>
      ) : null}
      <Card title="Ledger accounts">
        <p className="muted">The node&apos;s own account and every account of the sets attached under it and its children, by ledger code; settled balances now.</p>
        <ErrorNotice error={error} />
        {!data && !error ? <Loading what="the ledger accounts" /> : null}
        {accounts && accounts.nodes.length === 0 ? <Empty>No ledger accounts under this node.</Empty> : null}
        {accounts && accounts.nodes.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table aria-label="Ledger accounts">
              <thead>
                <tr>
                  <th>Ledger code</th>
                  <th>Name</th>
                  <th>Normal balance</th>
                  <th className="num">USD</th>
                  <th className="num">BTC</th>
                </tr>
              </thead>
              <tbody>
                {accounts.nodes.map((a) => (
                  <tr key={a.id}>
                    <td className="mono">
                      <Link href={ledgerAccountHref(a.id)}>{a.code}</Link>
                    </td>
                    <td>{a.name}</td>
                    <td>{humanize(a.normalBalance)}</td>
                    <AmountCell minor={a.usdBalance} currency="USD" />
                    <AmountCell minor={a.btcBalance} currency="BTC" />
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <Pager pager={pager} pageInfo={accounts?.pageInfo} />
      </Card>
    </>
  );
}
