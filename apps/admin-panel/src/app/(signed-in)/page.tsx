'use client';
import { useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { Card, ErrorNotice, Figure, Loading, PageHeader, Usd, humanize } from '@lana/shared/ui/components';
import { graphql } from '@/gql';
import { awaitsMe } from '@/components/approval';
import { FlowChart, ShareChart, type DayFlow } from '@/components/charts';
import { Allowed, useMe } from '@/permissions';

const DAYS = 14;

const DepositFigures = graphql(`
  query DashboardDeposits {
    depositAccounts(first: 100) {
      pageInfo {
        hasNextPage
      }
      nodes {
        id
        status
        balance {
          settled
          pending
        }
      }
    }
  }
`);
const DepositFlows = graphql(`
  query DashboardFlows {
    depositAccounts(first: 8) {
      nodes {
        id
        history(first: 25) {
          nodes {
            kind
            amountIn
            amountOut
            pending
            effective
          }
        }
      }
    }
  }
`);
const Approvals = graphql(`
  query DashboardApprovals {
    approvalProcesses(status: IN_PROGRESS, first: 100) {
      nodes {
        ...ApprovalRow
      }
    }
  }
`);
const Credit = graphql(`
  query DashboardCredit {
    creditFacilities(first: 100) {
      nodes {
        status
        balances {
          disbursed
          interest
          outstanding
        }
      }
    }
    creditFacilityProposals(first: 100) {
      nodes {
        status
      }
    }
    realtimePrice {
      usdCentsPerBtc
      stale
    }
  }
`);

function lastDays(today: Date, count: number): string[] {
  return Array.from({ length: count }, (_, i) => new Date(today.getTime() - (count - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

export default function Dashboard() {
  const me = useMe();
  return (
    <>
      <PageHeader title="Dashboard" />
      <Allowed object="governance/approval-process" action="governance:read">
        <ApprovalFigures userId={me.userId} />
      </Allowed>
      <Allowed object="deposit/account" action="deposit:read">
        <DepositSection />
      </Allowed>
      <Allowed object="credit/facility" action="credit:read">
        <CreditSection />
      </Allowed>
    </>
  );
}

function ApprovalFigures({ userId }: { userId: string }) {
  const { data, error } = useQuery(Approvals);
  const open = data?.approvalProcesses.nodes ?? [];
  const mine = open.filter((p) => awaitsMe(p, userId)).length;
  return (
    <section className="figures" aria-label="Approvals">
      <ErrorNotice error={error} />
      <Figure label="Waiting for my vote">
        <Link href="/approvals">{data ? mine : '…'}</Link>
      </Figure>
      <Figure label="Approvals in progress">{data ? open.length : '…'}</Figure>
    </section>
  );
}

function DepositSection() {
  const figures = useQuery(DepositFigures);
  const flows = useQuery(DepositFlows);
  const accounts = figures.data?.depositAccounts.nodes ?? [];
  const byStatus = new Map<string, { count: number; settled: number }>();
  let settled = 0;
  let pending = 0;
  for (const a of accounts) {
    const entry = byStatus.get(a.status) ?? { count: 0, settled: 0 };
    byStatus.set(a.status, { count: entry.count + 1, settled: entry.settled + a.balance.settled });
    settled += a.balance.settled;
    pending += a.balance.pending;
  }
  const days: DayFlow[] = lastDays(new Date(), DAYS).map((day) => ({ day, deposits: 0, withdrawals: 0 }));
  for (const account of flows.data?.depositAccounts.nodes ?? []) {
    for (const e of account.history.nodes) {
      const day = days.find((d) => d.day === e.effective);
      if (!day || e.pending) continue;
      if (e.kind === 'DEPOSIT') day.deposits += e.amountIn;
      if (e.kind === 'WITHDRAWAL_CONFIRM') day.withdrawals += e.amountOut;
    }
  }
  return (
    <>
      <ErrorNotice error={figures.error ?? flows.error} />
      <section className="figures" aria-label="Deposits">
        <Figure label="Deposits held">{figures.data ? <Usd cents={settled} /> : '…'}</Figure>
        <Figure label="Withdrawals pending">{figures.data ? <Usd cents={pending} /> : '…'}</Figure>
        <Figure label="Deposit accounts">{figures.data ? `${accounts.length}${figures.data.depositAccounts.pageInfo.hasNextPage ? '+' : ''}` : '…'}</Figure>
      </section>
      <div className="grid">
        <Card title={`Deposits and withdrawals, last ${DAYS} days`}>
          {flows.data ? <FlowChart days={days} /> : <Loading what="the activity" />}
          <p className="muted">Settled deposits and confirmed withdrawals of the most recent accounts, by effective date.</p>
        </Card>
        <Card title="Balances by account status">
          {figures.data ? (
            <>
              <ShareChart label="Balances by account status" money slices={[...byStatus].map(([status, v]) => ({ name: humanize(status), value: v.settled }))} />
              <table aria-label="Accounts by status">
                <thead>
                  <tr>
                    <th>Status</th>
                    <th className="num">Accounts</th>
                    <th className="num">Balance</th>
                  </tr>
                </thead>
                <tbody>
                  {[...byStatus].map(([status, v]) => (
                    <tr key={status}>
                      <td>{humanize(status)}</td>
                      <td className="num">{v.count}</td>
                      <td className="num">
                        <Usd cents={v.settled} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </>
          ) : (
            <Loading what="balances" />
          )}
        </Card>
      </div>
    </>
  );
}

function CreditSection() {
  const { data, error } = useQuery(Credit);
  const facilities = data?.creditFacilities.nodes ?? [];
  const proposals = data?.creditFacilityProposals.nodes ?? [];
  const sum = (pick: (f: (typeof facilities)[number]) => number) => facilities.reduce((total, f) => total + pick(f), 0);
  const counts = new Map<string, number>();
  for (const f of [...facilities, ...proposals]) counts.set(f.status, (counts.get(f.status) ?? 0) + 1);
  return (
    <>
      <ErrorNotice error={error} />
      <section className="figures" aria-label="Credit">
        <Figure label="Credit outstanding">{data ? <Usd cents={sum((f) => f.balances.outstanding)} /> : '…'}</Figure>
        <Figure label="Principal disbursed">{data ? <Usd cents={sum((f) => f.balances.disbursed)} /> : '…'}</Figure>
        <Figure label="Interest and fees owed">{data ? <Usd cents={sum((f) => f.balances.interest)} /> : '…'}</Figure>
        <Figure label="Bitcoin price">
          {data?.realtimePrice ? (
            <>
              <Usd cents={data.realtimePrice.usdCentsPerBtc} />
              {data.realtimePrice.stale ? <span className="muted"> (stale)</span> : null}
            </>
          ) : (
            'None yet'
          )}
        </Figure>
      </section>
      {counts.size > 0 ? (
        <Card title="Credit facilities and proposals by status">
          <ShareChart label="Credit facilities and proposals by status" money={false} slices={[...counts].map(([status, n]) => ({ name: humanize(status), value: n }))} />
        </Card>
      ) : null}
    </>
  );
}
