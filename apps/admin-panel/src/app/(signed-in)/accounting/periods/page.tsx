'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import { formatMonth, parseMonth } from '@lana/shared/dates';
import { ActionForm, Card, Empty, ErrorNotice, Field, InvalidInput, Loading, PageHeader } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { Allowed } from '@/permissions';

const FiscalYearsQuery = graphql(`
  query FiscalYears {
    chartOfAccounts {
      baseConfig {
        inceptionDate
      }
    }
    fiscalYears {
      year
      firstMonth
      closedThroughMonth
      closed
      nextMonthToClose
      closingTransactionIds
    }
  }
`);
const CloseMonth = graphql(`
  mutation AccountingPeriodCloseMonth($input: AccountingPeriodCloseMonthInput!) {
    accountingPeriodCloseMonth(input: $input) {
      fiscalYear {
        year
        closedThroughMonth
        nextMonthToClose
      }
    }
  }
`);
const CloseYear = graphql(`
  mutation AccountingPeriodCloseYear($input: AccountingPeriodCloseYearInput!) {
    accountingPeriodCloseYear(input: $input) {
      fiscalYear {
        year
        closed
      }
    }
  }
`);

function whole(form: FormData, name: string, what: string, min: number, max: number): number {
  const value = Number(String(form.get(name) ?? '').trim());
  if (!Number.isInteger(value) || value < min || value > max) throw new InvalidInput(`The ${what} is a whole number from ${min} to ${max}.`);
  return value;
}

export default function PeriodsPage() {
  const { data, error, refetch } = useQuery(FiscalYearsQuery);
  const [closeMonth] = useMutation(CloseMonth);
  const [closeYear] = useMutation(CloseYear);
  const years = data?.fiscalYears ?? [];
  const inception = data?.chartOfAccounts.baseConfig?.inceptionDate ?? null;
  // the oldest year still open holds the next month to close; before the first close (the
  // server opens the first year then) it is the inception month
  const open = years.filter((y) => !y.closed).sort((a, b) => a.year - b.year)[0];
  const next = open ? parseMonth(open.nextMonthToClose) : years.length === 0 && inception ? parseMonth(inception.slice(0, 7)) : null;
  const yearToClose = open?.year ?? next?.year;
  return (
    <>
      <PageHeader title="Periods" />
      <Card title="Fiscal years">
        <p className="muted">Months close in order, once ended; nothing of any domain can be posted into a closed month. December closes with its year.</p>
        <ErrorNotice error={error} />
        {!data && !error ? <Loading what="the fiscal years" /> : null}
        {data && years.length === 0 ? (
          <Empty>
            {inception
              ? `No month closed yet: the books start on ${inception}, so ${inception.slice(0, 7)} closes first.`
              : 'The books have no inception date yet: set the base configuration on the chart of accounts page.'}
          </Empty>
        ) : null}
        {years.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table aria-label="Fiscal years">
              <thead>
                <tr>
                  <th>Year</th>
                  <th>First month</th>
                  <th>Closed through</th>
                  <th>Next month to close</th>
                  <th>Status</th>
                  <th>Closing transactions</th>
                </tr>
              </thead>
              <tbody>
                {years.map((y) => (
                  <tr key={y.year}>
                    <td>{y.year}</td>
                    <td>{formatMonth(y.year, y.firstMonth)}</td>
                    <td>{y.closedThroughMonth ? formatMonth(y.year, y.closedThroughMonth) : <span className="muted">None yet</span>}</td>
                    <td>{y.nextMonthToClose ?? <span className="muted">—</span>}</td>
                    <td>{y.closed ? 'Closed' : 'Open'}</td>
                    <td className="mono id">{y.closingTransactionIds.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Card>
      {yearToClose && next ? (
        <Allowed object="accounting/period" action="accounting:write">
          <div className="grid">
            <Card title="Close a month">
              <ActionForm
                key={`month-${formatMonth(next.year, next.month)}`}
                label="Close a month"
                submitLabel="Close month"
                danger
                onSubmit={async (form) => {
                  const year = whole(form, 'year', 'year', 1, 9999);
                  const month = whole(form, 'month', 'month', 1, 12);
                  if (!window.confirm(`Close ${formatMonth(year, month)}? Nothing can be posted into it afterwards.`)) return;
                  await closeMonth({ variables: { input: { year, month } } });
                  await refetch();
                }}
              >
                <Field label="Year">
                  <input name="year" type="number" required defaultValue={next.year} />
                </Field>
                <Field label="Month" hint={next.month === 12 ? 'December closes with its year' : '1 to 11'}>
                  <input name="month" type="number" min={1} max={12} required defaultValue={next.month} />
                </Field>
              </ActionForm>
            </Card>
            <Card title="Close a year">
              <p className="muted">Closes December, posts the closing transactions (revenue and expenses to zero, the result into retained earnings) and opens the next year.</p>
              <ActionForm
                key={`year-${yearToClose}`}
                label="Close a year"
                submitLabel="Close year"
                danger
                onSubmit={async (form) => {
                  const year = whole(form, 'year', 'year', 1, 9999);
                  if (!window.confirm(`Close the year ${year}? Its result moves to retained earnings and nothing can be posted into it afterwards.`)) return;
                  await closeYear({ variables: { input: { year } } });
                  await refetch();
                }}
              >
                <Field label="Year">
                  <input name="year" type="number" required defaultValue={yearToClose} />
                </Field>
              </ActionForm>
            </Card>
          </div>
        </Allowed>
      ) : null}
    </>
  );
}
