'use client';
import { skipToken, useQuery } from '@apollo/client/react';
import { Card } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { AmountCell, NodeLink, StatementHead, indent, useStatementParams } from '@/components/accounting';

const TrialBalanceQuery = graphql(`
  query TrialBalance($from: Date!, $to: Date!, $currency: Currency!, $layer: BalanceLayer!) {
    trialBalance(from: $from, to: $to, currency: $currency, layer: $layer) {
      from
      to
      currency
      layer
      lines {
        code
        name
        depth
        opening
        debits
        credits
        closing
      }
      totalDebits
      totalCredits
      csv
    }
  }
`);

export default function TrialBalancePage() {
  const [params, setParams] = useStatementParams();
  const { data, error } = useQuery(TrialBalanceQuery, params ? { variables: params } : skipToken);
  const tb = data?.trialBalance;
  return (
    <>
      <StatementHead title="Trial balance" file="trial-balance" range params={params} onApply={setParams} statement={tb} error={error} />
      {tb ? (
        <Card>
          <div className="table-wrap" tabIndex={0}>
            <table aria-label="Trial balance">
              <thead>
                <tr>
                  <th>Code</th>
                  <th>Name</th>
                  <th className="num">Opening</th>
                  <th className="num">Debits</th>
                  <th className="num">Credits</th>
                  <th className="num">Closing</th>
                </tr>
              </thead>
              <tbody>
                {tb.lines.map((line) => (
                  <tr key={line.code}>
                    <td style={indent(line.depth)}>
                      <NodeLink code={line.code} />
                    </td>
                    <td>{line.name}</td>
                    <AmountCell minor={line.opening} currency={tb.currency} />
                    <AmountCell minor={line.debits} currency={tb.currency} />
                    <AmountCell minor={line.credits} currency={tb.currency} />
                    <AmountCell minor={line.closing} currency={tb.currency} />
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr className="total">
                  <td />
                  <th scope="row">Total</th>
                  <td />
                  <AmountCell minor={tb.totalDebits} currency={tb.currency} />
                  <AmountCell minor={tb.totalCredits} currency={tb.currency} />
                  <td />
                </tr>
              </tfoot>
            </table>
          </div>
        </Card>
      ) : null}
    </>
  );
}
