'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ActionForm, AmountInput, Btc, Card, Details, Empty, ErrorNotice, Field, Loading, PageHeader, Status, Usd, When, humanize, readAmount, shortId } from '@lana/shared/ui/components';
import { idempotent, useIdempotencyKey } from '@lana/shared/ui/api';
import { DisbursalsTable, FacilityFigures, ObligationsTable, PaymentsTable, TermsDetails, WalletDetails } from '@lana/shared/ui/credit';
import { graphql } from '@/gql';
import { CustodianLink } from '@/components/custodians';
import { CustomerLink } from '@/components/customer-email';
import type { PaymentSourceKind } from '@/gql/graphql';
import { Allowed, useMe } from '@/permissions';

const FacilityQuery = graphql(`
  query CreditFacility($id: UUID!, $withWallet: Boolean!) {
    creditFacility(id: $id) {
      id
      customerId
      depositAccountId
      custodianId
      wallet @include(if: $withWallet) {
        id
        custodianId
        provider
        custodianRef
        address
        network
        balance
        balanceObservedAt
        createdAt
      }
      status
      collateralizationState
      collateralizationPrice
      amount
      approvalProcessId
      refusalReason
      activatedOn
      maturityDate
      firstCycleEndsOn
      structuringFee
      completedOn
      createdAt
      terms {
        annualRate
        effectiveAnnualRate
        durationMonths
        structuringFeeRate
        initialCvl
        marginCallCvl
        liquidationCvl
        interestDueAfterDays
        overdueAfterDays
        liquidationAfterDays
        disbursalPolicy
      }
      balances {
        facility
        remaining
        disbursed
        interest
        outstanding
        unapplied
        collateral
        cvl {
          infinite
          percent
        }
      }
      history {
        kind
        recordedAt
        amount
        reason
        collateral
        collateralizationState
        price
        walletId
      }
      obligations(first: 50) {
        nodes {
          id
          kind
          amount
          outstanding
          status
          dueDate
          overdueDate
          paidOn
        }
      }
      disbursals(first: 50) {
        nodes {
          id
          amount
          status
          dueDate
          reason
          createdAt
        }
      }
      payments(first: 50) {
        nodes {
          id
          amount
          unapplied
          source
          effectiveDate
          createdAt
        }
      }
      liquidations {
        id
        status
        price
        collateral
        exposure
        satsToSell
        expectedProceeds
        satsSent
        proceeds
        createdAt
      }
    }
  }
`);

const Consent = graphql(`
  mutation StaffProposalConsent($input: CreditFacilityProposalConsentInput!) {
    creditFacilityProposalConsent(input: $input) {
      creditFacility {
        id
        status
      }
    }
  }
`);
const Decline = graphql(`
  mutation StaffProposalDecline($input: CreditFacilityProposalDeclineInput!) {
    creditFacilityProposalDecline(input: $input) {
      creditFacility {
        id
        status
      }
    }
  }
`);
const CollateralUpdate = graphql(`
  mutation CollateralUpdate($input: CreditFacilityCollateralUpdateInput!) {
    creditFacilityCollateralUpdate(input: $input) {
      creditFacility {
        id
        status
      }
    }
  }
`);
const DisbursalInitiate = graphql(`
  mutation DisbursalInitiate($input: CreditFacilityDisbursalInitiateInput!) {
    creditFacilityDisbursalInitiate(input: $input) {
      disbursal {
        id
        status
      }
    }
  }
`);
const PaymentRecord = graphql(`
  mutation PaymentRecord($input: CreditFacilityPaymentRecordInput!) {
    creditFacilityPaymentRecord(input: $input) {
      payment {
        id
      }
    }
  }
`);
const CollateralSent = graphql(`
  mutation LiquidationCollateralSent($input: CreditFacilityLiquidationCollateralSentInput!) {
    creditFacilityLiquidationCollateralSent(input: $input) {
      liquidation {
        id
        status
      }
    }
  }
`);
const ProceedsRecord = graphql(`
  mutation LiquidationProceedsRecord($input: CreditFacilityLiquidationProceedsRecordInput!) {
    creditFacilityLiquidationProceedsRecord(input: $input) {
      payment {
        id
      }
    }
  }
`);

export default function CreditFacilityPage() {
  const { id } = useParams<{ id: string }>();
  // the wallet is custody's: asked for only by those who may read wallets
  const withWallet = useMe().can('custody/wallet', 'custody:read');
  const { data, error, refetch } = useQuery(FacilityQuery, { variables: { id, withWallet } });
  const [consent] = useMutation(Consent);
  const [decline] = useMutation(Decline);
  const [updateCollateral] = useMutation(CollateralUpdate);
  const [disburse] = useMutation(DisbursalInitiate);
  const [recordPayment] = useMutation(PaymentRecord);
  const [collateralSent] = useMutation(CollateralSent);
  const [proceeds] = useMutation(ProceedsRecord);
  const [disbursalKey, renewDisbursalKey] = useIdempotencyKey();
  const [paymentKey, renewPaymentKey] = useIdempotencyKey();
  const [proceedsKey, renewProceedsKey] = useIdempotencyKey();
  const f = data?.creditFacility;
  // a wallet holds the collateral: its reported balance moves it, never staff (the API refuses,
  // COLLATERAL_FROM_CUSTODIAN); known from the history too, for those who cannot read wallets
  const hasWallet = Boolean(f?.wallet) || (f?.history ?? []).some((h) => h.kind === 'WALLET_ASSIGNED');
  const reload = async () => void (await refetch());
  return (
    <>
      <p className="crumbs">
        <Link href="/credit-facilities">Credit facilities</Link>
        {f ? (
          <>
            {' / '}
            <CustomerLink id={f.customerId} />
          </>
        ) : null}
      </p>
      <ErrorNotice error={error} />
      {!data ? <Loading what="the facility" /> : null}
      {data && !f ? <p>No such facility.</p> : null}
      {f ? (
        <>
          <PageHeader title={`Credit facility ${shortId(f.id)}`}>
            <Status value={f.status} />
            <Status value={f.collateralizationState} />
          </PageHeader>
          <FacilityFigures balances={f.balances} />
          {f.status === 'PENDING_CUSTOMER_APPROVAL' ? (
            <Allowed object="credit/facility" action="credit:consent">
              <Card title="On the customer's behalf">
                <div className="action-form">
                  <ActionForm label="Consent on behalf" submitLabel="Record the customer's consent" onSubmit={async () => void (await consent({ variables: { input: { id } } }), await reload())} />
                  <ActionForm
                    label="Decline on behalf"
                    danger
                    submitLabel="Record the customer's refusal"
                    onSubmit={async (form) => {
                      await decline({ variables: { input: { id, reason: String(form.get('reason') ?? '').trim() || null } } });
                      await reload();
                    }}
                  >
                    <Field label="Reason (optional)">
                      <input name="reason" maxLength={500} autoComplete="off" />
                    </Field>
                  </ActionForm>
                </div>
              </Card>
            </Allowed>
          ) : null}
          <div className="grid">
            {f.status === 'PENDING_COLLATERAL' || f.status === 'ACTIVE' ? (
              <Allowed object="credit/facility" action="credit:write">
                <Card title="Collateral">
                  {hasWallet ? (
                    <p className="muted">
                      Holds <Btc sats={f.balances.collateral} />, in the custodian&apos;s wallet: the collateral follows the balance the custodian reports, so
                      it cannot be updated by hand here.
                    </p>
                  ) : (
                    <>
                      <p className="muted">
                        Holds <Btc sats={f.balances.collateral} />. Record the new total the bank holds; a pending facility activates once its CVL reaches the
                        margin-call level.
                      </p>
                      <ActionForm
                        label="Update collateral"
                        submitLabel="Update collateral"
                        className="stacked"
                        onSubmit={async (form) => {
                          await updateCollateral({ variables: { input: { id, collateral: readAmount(form, 'collateral', 'BTC') } } });
                          await reload();
                        }}
                      >
                        <AmountInput name="collateral" currency="BTC" label="Collateral held (new total)" />
                      </ActionForm>
                    </>
                  )}
                </Card>
              </Allowed>
            ) : null}
            {f.status === 'ACTIVE' && f.terms.disbursalPolicy === 'MULTIPLE' ? (
              <Allowed object="credit/disbursal" action="credit:write">
                <Card title="Disburse">
                  <p className="muted">
                    Up to <Usd cents={f.balances.remaining} />, paid into the customer&apos;s account once approved.
                  </p>
                  <ActionForm
                    label="Initiate a disbursal"
                    submitLabel="Initiate disbursal"
                    className="stacked"
                    onSubmit={async (form) => {
                      await disburse({ variables: { input: { facilityId: id, amount: readAmount(form, 'amount', 'USD') } }, context: idempotent(disbursalKey) });
                      renewDisbursalKey();
                      await reload();
                    }}
                  >
                    <AmountInput name="amount" currency="USD" label="Amount" />
                  </ActionForm>
                </Card>
              </Allowed>
            ) : null}
            {f.status === 'ACTIVE' ? (
              <Allowed object="credit/payment" action="credit:write">
                <Card title="Record a payment">
                  <ActionForm
                    label="Record a payment"
                    submitLabel="Record payment"
                    className="stacked"
                    onSubmit={async (form) => {
                      const source = String(form.get('source')) as PaymentSourceKind;
                      const effectiveDate = String(form.get('effectiveDate') ?? '') || null;
                      await recordPayment({
                        variables: {
                          input: {
                            facilityId: id,
                            amount: readAmount(form, 'amount', 'USD'),
                            source,
                            depositAccountId: source === 'DEPOSIT_ACCOUNT' ? f.depositAccountId : null,
                            effectiveDate,
                          },
                        },
                        context: idempotent(paymentKey),
                      });
                      renewPaymentKey();
                      await reload();
                    }}
                  >
                    <AmountInput name="amount" currency="USD" label="Amount" />
                    <Field label="Paid from">
                      <select name="source" defaultValue="DEPOSIT_ACCOUNT">
                        <option value="DEPOSIT_ACCOUNT">The facility&apos;s deposit account</option>
                        <option value="EXTERNAL">Outside the bank</option>
                      </select>
                    </Field>
                    <Allowed object="credit/payment" action="credit:backdate">
                      <Field label="Effective date (optional, back-dated)">
                        <input name="effectiveDate" type="date" />
                      </Field>
                    </Allowed>
                  </ActionForm>
                </Card>
              </Allowed>
            ) : null}
          </div>
          {f.wallet ? (
            <Card title="Collateral wallet">
              <p className="muted">The customer sends bitcoin collateral to this address; the balance the custodian reports is the facility&apos;s collateral.</p>
              <WalletDetails wallet={f.wallet} custodian={<CustodianLink id={f.wallet.custodianId} />} />
            </Card>
          ) : null}
          <Card title="Facility">
            <Details
              rows={[
                ['Customer', <CustomerLink key="c" id={f.customerId} />],
                ['Custodian', f.custodianId ? <CustodianLink key="u" id={f.custodianId} /> : 'None (collateral recorded by hand)'],
                ['Pays into', <Link key="a" href={`/deposit-accounts/${f.depositAccountId}`}>Deposit account</Link>],
                ['Approval', f.approvalProcessId ? <Link key="p" href={`/approvals/${f.approvalProcessId}`}>Approval process</Link> : '—'],
                ['Activated on', f.activatedOn ?? '—'],
                ['Matures on', f.maturityDate ?? '—'],
                ['First cycle ends', f.firstCycleEndsOn ?? '—'],
                ['Structuring fee', <Usd key="f" cents={f.structuringFee} />],
                ['Evaluated at price', <Usd key="e" cents={f.collateralizationPrice} />],
                ['Completed on', f.completedOn ?? '—'],
                ['Refusal reason', f.refusalReason ?? '—'],
                ['Proposed', <When key="w" at={f.createdAt} />],
              ]}
            />
          </Card>
          <Card title="Terms">
            <TermsDetails terms={f.terms} />
          </Card>
          <Card title="Repayment plan">
            <ObligationsTable obligations={f.obligations.nodes} />
          </Card>
          <Card title="Disbursals">
            <DisbursalsTable disbursals={f.disbursals.nodes} hrefFor={(d) => `/disbursals/${d.id}`} />
          </Card>
          <Card title="Payments">
            <PaymentsTable payments={f.payments.nodes} />
          </Card>
          <Card title="Liquidations">
            {f.liquidations.length === 0 ? <Empty>No liquidation.</Empty> : null}
            {f.liquidations.map((l) => (
              <div key={l.id} className="card">
                <PageHeader title={`Liquidation of ${new Date(l.createdAt ?? 0).toISOString().slice(0, 10)}`}>
                  <Status value={l.status} />
                </PageHeader>
                <Details
                  rows={[
                    ['Price', <Usd key="p" cents={l.price} />],
                    ['Exposure', <Usd key="e" cents={l.exposure} />],
                    ['Collateral then', <Btc key="c" sats={l.collateral} />],
                    ['To sell', <Btc key="s" sats={l.satsToSell} />],
                    ['Expected proceeds', <Usd key="x" cents={l.expectedProceeds} />],
                    ['Sent', <Btc key="t" sats={l.satsSent} />],
                    ['Proceeds', <Usd key="r" cents={l.proceeds} />],
                  ]}
                />
                <Allowed object="credit/liquidation" action="credit:write">
                  {l.status === 'AWAITING_COLLATERAL' ? (
                    <ActionForm
                      label="Record collateral sent"
                      submitLabel="Record collateral sent"
                      onSubmit={async (form) => {
                        await collateralSent({ variables: { input: { liquidationId: l.id, sats: readAmount(form, 'sats', 'BTC') } } });
                        await reload();
                      }}
                    >
                      <AmountInput name="sats" currency="BTC" label="Bitcoin sent to be sold" />
                    </ActionForm>
                  ) : null}
                  {l.status === 'AWAITING_PROCEEDS' ? (
                    <ActionForm
                      label="Record proceeds"
                      submitLabel="Record proceeds"
                      onSubmit={async (form) => {
                        await proceeds({ variables: { input: { liquidationId: l.id, amount: readAmount(form, 'amount', 'USD') } }, context: idempotent(proceedsKey) });
                        renewProceedsKey();
                        await reload();
                      }}
                    >
                      <AmountInput name="amount" currency="USD" label="Proceeds" />
                    </ActionForm>
                  ) : null}
                </Allowed>
              </div>
            ))}
          </Card>
          <Card title="History">
            <div className="table-wrap" tabIndex={0}>
              <table aria-label="Facility history">
                <thead>
                  <tr>
                    <th>Step</th>
                    <th>Detail</th>
                    <th>Recorded</th>
                  </tr>
                </thead>
                <tbody>
                  {f.history.map((h, i) => (
                    <tr key={`${h.recordedAt}-${i}`}>
                      <td>{humanize(h.kind)}</td>
                      <td>
                        {h.amount !== null && h.amount !== undefined ? <Usd cents={h.amount} /> : null}
                        {h.collateral !== null && h.collateral !== undefined ? <Btc sats={h.collateral} /> : null}
                        {h.collateralizationState ? (
                          <>
                            {humanize(h.collateralizationState)} at <Usd cents={h.price} />
                          </>
                        ) : null}
                        {h.reason ? <span> {h.reason}</span> : null}
                      </td>
                      <td>
                        <When at={h.recordedAt} />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </Card>
        </>
      ) : null}
    </>
  );
}
