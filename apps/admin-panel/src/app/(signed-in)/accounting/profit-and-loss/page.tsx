'use client';
import { skipToken, useQuery } from '@apollo/client/react';
import { Amount, Card, Figure } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { StatementHead, StatementTable, useStatementParams } from '@/components/accounting';

const ProfitAndLossQuery = graphql(`
  query ProfitAndLoss($from: Date!, $to: Date!, $currency: Currency!, $layer: BalanceLayer!) {
    profitAndLoss(from: $from, to: $to, currency: $currency, layer: $layer) {
      from
      to
      currency
      layer
      revenue {
        ...StatementLineRow
      }
      costOfRevenue {
        ...StatementLineRow
      }
      expenses {
        ...StatementLineRow
      }
      totalRevenue
      totalCostOfRevenue
      totalExpenses
      netIncome
      csv
    }
  }
`);

export default function ProfitAndLossPage() {
  const [params, setParams] = useStatementParams();
  const { data, error } = useQuery(ProfitAndLossQuery, params ? { variables: params } : skipToken);
  const pl = data?.profitAndLoss;
  return (
    <>
      <StatementHead title="Profit and loss" file="profit-and-loss" range params={params} onApply={setParams} statement={pl} error={error} />
      {pl ? (
        <>
          <section className="figures" aria-label="Totals">
            <Figure label="Total revenue">
              <Amount minor={pl.totalRevenue} currency={pl.currency} />
            </Figure>
            <Figure label="Total cost of revenue">
              <Amount minor={pl.totalCostOfRevenue} currency={pl.currency} />
            </Figure>
            <Figure label="Total expenses">
              <Amount minor={pl.totalExpenses} currency={pl.currency} />
            </Figure>
            <Figure label="Net income">
              <Amount minor={pl.netIncome} currency={pl.currency} />
            </Figure>
          </section>
          <Card title="Revenue">
            <StatementTable label="Revenue" lines={pl.revenue} currency={pl.currency} total={{ label: 'Total revenue', amount: pl.totalRevenue }} />
          </Card>
          <Card title="Cost of revenue">
            <StatementTable label="Cost of revenue" lines={pl.costOfRevenue} currency={pl.currency} total={{ label: 'Total cost of revenue', amount: pl.totalCostOfRevenue }} />
          </Card>
          <Card title="Expenses">
            <StatementTable label="Expenses" lines={pl.expenses} currency={pl.currency} total={{ label: 'Total expenses', amount: pl.totalExpenses }} />
          </Card>
        </>
      ) : null}
    </>
  );
}
