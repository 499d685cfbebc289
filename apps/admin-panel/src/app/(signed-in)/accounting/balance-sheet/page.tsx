'use client';
import { skipToken, useQuery } from '@apollo/client/react';
import { Amount, Card, Figure } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { StatementHead, StatementTable, useStatementParams } from '@/components/accounting';

const BalanceSheetQuery = graphql(`
  query BalanceSheet($asOf: Date!, $currency: Currency!, $layer: BalanceLayer!) {
    balanceSheet(asOf: $asOf, currency: $currency, layer: $layer) {
      asOf
      currency
      layer
      assets {
        ...StatementLineRow
      }
      liabilities {
        ...StatementLineRow
      }
      equity {
        ...StatementLineRow
      }
      currentEarnings
      totalAssets
      totalLiabilities
      totalEquity
      balanced
      csv
    }
  }
`);

export default function BalanceSheetPage() {
  const [params, setParams] = useStatementParams();
  const { data, error } = useQuery(
    BalanceSheetQuery,
    params ? { variables: { asOf: params.to, currency: params.currency, layer: params.layer } } : skipToken,
  );
  const bs = data?.balanceSheet;
  return (
    <>
      <StatementHead title="Balance sheet" file="balance-sheet" range={false} params={params} onApply={setParams} statement={bs} error={error} />
      {bs ? (
        <>
          <section className="figures" aria-label="Totals">
            <Figure label="Total assets">
              <Amount minor={bs.totalAssets} currency={bs.currency} />
            </Figure>
            <Figure label="Total liabilities">
              <Amount minor={bs.totalLiabilities} currency={bs.currency} />
            </Figure>
            <Figure label="Current earnings">
              <Amount minor={bs.currentEarnings} currency={bs.currency} />
            </Figure>
            <Figure label="Total equity">
              <Amount minor={bs.totalEquity} currency={bs.currency} />
            </Figure>
            <Figure label="Liabilities and equity">
              <Amount minor={BigInt(bs.totalLiabilities) + BigInt(bs.totalEquity)} currency={bs.currency} />
            </Figure>
            <Figure label="Assets = liabilities + equity">
              {bs.balanced ? <span className="badge badge-good">Balanced</span> : <span className="badge badge-bad">Unbalanced</span>}
            </Figure>
          </section>
          <Card title="Assets">
            <StatementTable label="Assets" lines={bs.assets} currency={bs.currency} total={{ label: 'Total assets', amount: bs.totalAssets }} />
          </Card>
          <Card title="Liabilities">
            <StatementTable label="Liabilities" lines={bs.liabilities} currency={bs.currency} total={{ label: 'Total liabilities', amount: bs.totalLiabilities }} />
          </Card>
          <Card title="Equity">
            <StatementTable
              label="Equity"
              lines={bs.equity}
              currency={bs.currency}
              extra={[{ label: 'Current earnings (not yet closed into retained earnings)', amount: bs.currentEarnings }]}
              total={{ label: 'Total equity', amount: bs.totalEquity }}
            />
          </Card>
        </>
      ) : null}
    </>
  );
}
