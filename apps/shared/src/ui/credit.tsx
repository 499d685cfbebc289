'use client';
/**
 * How a credit facility reads in both apps: its terms, figures, repayment plan and payments, and
 * the custodian's wallet that holds its collateral.
 */
import Link from 'next/link';
import type { ReactNode } from 'react';
import { Btc, Details, Empty, Figure, Status, Usd, When, humanize, shortId } from './components';

export interface TermsView {
  annualRate: string;
  effectiveAnnualRate: string;
  durationMonths: number;
  structuringFeeRate: string;
  initialCvl: string;
  marginCallCvl: string;
  liquidationCvl: string;
  interestDueAfterDays: number;
  overdueAfterDays?: number | null;
  liquidationAfterDays?: number | null;
  disbursalPolicy: string;
}

export function TermsDetails({ terms }: { terms: TermsView }) {
  return (
    <Details
      rows={[
        ['Annual rate', `${terms.annualRate}%`],
        ['Effective annual rate', `${terms.effectiveAnnualRate}%`],
        ['Duration', `${terms.durationMonths} months`],
        ['Structuring fee', `${terms.structuringFeeRate}%`],
        ['Initial CVL', `${terms.initialCvl}%`],
        ['Margin call CVL', `${terms.marginCallCvl}%`],
        ['Liquidation CVL', `${terms.liquidationCvl}%`],
        ['Interest due after', `${terms.interestDueAfterDays} days`],
        ['Overdue after', terms.overdueAfterDays ? `${terms.overdueAfterDays} days` : 'Never'],
        ['Liquidation after', terms.liquidationAfterDays ? `${terms.liquidationAfterDays} days` : 'Never'],
        ['Disbursals', terms.disbursalPolicy === 'SINGLE' ? 'Whole amount at activation' : 'Several, each approved'],
      ]}
    />
  );
}

export interface BalancesView {
  facility: number;
  remaining: number;
  disbursed: number;
  interest: number;
  outstanding: number;
  unapplied: number;
  collateral: number;
  cvl?: { infinite: boolean; percent?: string | null } | null;
}

export function cvlText(cvl: BalancesView['cvl']): string {
  if (!cvl) return 'No price';
  return cvl.infinite ? '∞ (nothing owed)' : `${cvl.percent}%`;
}

export function FacilityFigures({ balances }: { balances: BalancesView }) {
  return (
    <section className="figures" aria-label="Facility figures">
      <Figure label="Facility">
        <Usd cents={balances.facility} />
      </Figure>
      <Figure label="Outstanding">
        <Usd cents={balances.outstanding} />
      </Figure>
      <Figure label="Disbursed principal">
        <Usd cents={balances.disbursed} />
      </Figure>
      <Figure label="Interest and fees owed">
        <Usd cents={balances.interest} />
      </Figure>
      <Figure label="Still available">
        <Usd cents={balances.remaining} />
      </Figure>
      <Figure label="Paid, not yet applied">
        <Usd cents={balances.unapplied} />
      </Figure>
      <Figure label="Collateral">
        <Btc sats={balances.collateral} />
      </Figure>
      <Figure label="CVL">{cvlText(balances.cvl)}</Figure>
    </section>
  );
}

export interface ObligationView {
  id: string;
  kind: string;
  amount: number;
  outstanding: number;
  status: string;
  dueDate: string;
  overdueDate?: string | null;
  paidOn?: string | null;
}

export function ObligationsTable({ obligations }: { obligations: ObligationView[] }) {
  if (obligations.length === 0) return <Empty>Nothing is owed yet: obligations appear as interest cycles close and disbursals are made.</Empty>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table aria-label="Repayment plan">
        <thead>
          <tr>
            <th>For</th>
            <th className="num">Amount</th>
            <th className="num">Outstanding</th>
            <th>Status</th>
            <th>Due</th>
            <th>Overdue from</th>
            <th>Paid on</th>
          </tr>
        </thead>
        <tbody>
          {obligations.map((o) => (
            <tr key={o.id}>
              <td>{humanize(o.kind)}</td>
              <td className="num">
                <Usd cents={o.amount} />
              </td>
              <td className="num">
                <Usd cents={o.outstanding} />
              </td>
              <td>
                <Status value={o.status} />
              </td>
              <td>{o.dueDate}</td>
              <td>{o.overdueDate ?? '—'}</td>
              <td>{o.paidOn ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface PaymentView {
  id: string;
  amount: number;
  unapplied: number;
  source: string;
  effectiveDate: string;
  createdAt?: string | null;
}

export function PaymentsTable({ payments }: { payments: PaymentView[] }) {
  if (payments.length === 0) return <Empty>No payments yet.</Empty>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table aria-label="Payments">
        <thead>
          <tr>
            <th>Source</th>
            <th className="num">Amount</th>
            <th className="num">Not yet applied</th>
            <th>Effective</th>
            <th>Recorded</th>
          </tr>
        </thead>
        <tbody>
          {payments.map((p) => (
            <tr key={p.id}>
              <td>{humanize(p.source)}</td>
              <td className="num">
                <Usd cents={p.amount} />
              </td>
              <td className="num">
                <Usd cents={p.unapplied} />
              </td>
              <td>{p.effectiveDate}</td>
              <td>
                <When at={p.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export interface DisbursalView {
  id: string;
  amount: number;
  status: string;
  dueDate: string;
  reason?: string | null;
  createdAt?: string | null;
}

export function DisbursalsTable({ disbursals, hrefFor }: { disbursals: DisbursalView[]; hrefFor?: (d: DisbursalView) => string }) {
  if (disbursals.length === 0) return <Empty>No disbursals yet.</Empty>;
  return (
    <div className="table-wrap" tabIndex={0}>
      <table aria-label="Disbursals">
        <thead>
          <tr>
            <th>Disbursal</th>
            <th className="num">Amount</th>
            <th>Status</th>
            <th>Principal due</th>
            <th>Requested</th>
          </tr>
        </thead>
        <tbody>
          {disbursals.map((d) => (
            <tr key={d.id}>
              <td>{hrefFor ? <Link href={hrefFor(d)}>{shortId(d.id)}</Link> : shortId(d.id)}</td>
              <td className="num">
                <Usd cents={d.amount} />
              </td>
              <td>
                <Status value={d.status} />
                {d.reason ? <span className="muted"> {d.reason}</span> : null}
              </td>
              <td>{d.dueDate}</td>
              <td>
                <When at={d.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Who holds the bitcoin, as people say it. */
export const PROVIDER_LABELS: Record<string, string> = {
  BITGO: 'BitGo',
  KOMAINU: 'Komainu',
  SELF_CUSTODY: 'Self-custody',
  MANUAL: 'Manual (recorded by staff)',
};

export function providerLabel(provider: string): string {
  return PROVIDER_LABELS[provider] ?? humanize(provider);
}

export function networkLabel(network: string): string {
  return network === 'MAINNET' ? 'Bitcoin mainnet' : network === 'TESTNET' ? 'Bitcoin testnet' : humanize(network);
}

export interface WalletView {
  provider: string;
  address: string;
  network: string;
  custodianRef?: string;
  balance?: number | null;
  balanceObservedAt?: string | null;
  createdAt?: string | null;
}

/**
 * The wallet that holds a facility's collateral: where to send bitcoin, and its balance as the
 * custodian (or the block explorer) last reported it, which is the facility's collateral.
 */
export function WalletDetails({ wallet, custodian }: { wallet: WalletView; custodian?: ReactNode }) {
  return (
    <Details
      rows={[
        ...(custodian ? ([['Custodian', custodian]] as [string, ReactNode][]) : []),
        ['Held by', providerLabel(wallet.provider)],
        ['Address', <span key="a" className="mono">{wallet.address}</span>],
        ['Network', networkLabel(wallet.network)],
        ...(wallet.custodianRef !== undefined ? ([['Custodian\u2019s reference', <span key="r" className="mono">{wallet.custodianRef}</span>]] as [string, ReactNode][]) : []),
        ['Balance', wallet.balance === null || wallet.balance === undefined ? <span key="b" className="muted">None reported yet</span> : <Btc key="b" sats={wallet.balance} />],
        ['Observed at', <When key="o" at={wallet.balanceObservedAt} />],
        ['Opened', <When key="c" at={wallet.createdAt} />],
      ]}
    />
  );
}
