'use client';
import { useMutation, useQuery } from '@apollo/client/react';
import Link from 'next/link';
import { useParams } from 'next/navigation';
import { ActionForm, AmountInput, Card, Details, ErrorNotice, Field, Loading, PageHeader, Status, Usd, When, readAmount } from '@lana/shared/ui/components';
import { idempotent, useIdempotencyKey } from '@lana/shared/ui/api';
import { DisbursalsTable, FacilityFigures, ObligationsTable, PaymentsTable, TermsDetails, WalletDetails } from '@lana/shared/ui/credit';
import { formatUsd } from '@lana/shared/money';
import { graphql } from '@/gql';

const FacilityQuery = graphql(`
  query MyFacility($id: UUID!) {
    creditFacility(id: $id) {
      id
      status
      amount
      collateralizationState
      refusalReason
      activatedOn
      maturityDate
      structuringFee
      completedOn
      createdAt
      depositAccountId
      wallet {
        id
        provider
        address
        network
        balance
        balanceObservedAt
        createdAt
      }
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
    }
    me {
      depositAccounts(first: 20) {
        nodes {
          id
          publicId
          balance {
            available
          }
        }
      }
    }
  }
`);
const Consent = graphql(`
  mutation MyProposalConsent($input: CreditFacilityProposalConsentInput!) {
    creditFacilityProposalConsent(input: $input) {
      creditFacility {
        id
        status
      }
    }
  }
`);
const Decline = graphql(`
  mutation MyProposalDecline($input: CreditFacilityProposalDeclineInput!) {
    creditFacilityProposalDecline(input: $input) {
      creditFacility {
        id
        status
      }
    }
  }
`);
const Pay = graphql(`
  mutation MyPaymentMake($input: CreditFacilityPaymentMakeInput!) {
    creditFacilityPaymentMake(input: $input) {
      payment {
        id
      }
    }
  }
`);

export default function MyFacilityPage() {
  const { id } = useParams<{ id: string }>();
  const { data, error, refetch } = useQuery(FacilityQuery, { variables: { id } });
  const [consent] = useMutation(Consent);
  const [decline] = useMutation(Decline);
  const [pay] = useMutation(Pay);
  const [payKey, renewPayKey] = useIdempotencyKey();
  const f = data?.creditFacility;
  const accounts = data?.me.depositAccounts.nodes ?? [];
  return (
    <>
      <p className="crumbs">
        <Link href="/credit">My credit</Link>
      </p>
      <ErrorNotice error={error} />
      {!data && !error ? <Loading what="the facility" /> : null}
      {f ? (
        <>
          <PageHeader title={f.status === 'PENDING_CUSTOMER_APPROVAL' ? 'Credit proposal' : 'Credit facility'}>
            <Status value={f.status} />
          </PageHeader>
          {f.status === 'PENDING_CUSTOMER_APPROVAL' ? (
            <Card title="Your answer">
              <p>
                The bank proposes a facility of <Usd cents={f.amount} /> on the terms below. If you accept, the bank approves it and asks for bitcoin
                collateral before it activates.
              </p>
              <div className="action-form">
                <ActionForm label="Accept the proposal" submitLabel="Accept proposal" onSubmit={async () => void (await consent({ variables: { input: { id } } }), await refetch())} />
                <ActionForm
                  label="Decline the proposal"
                  danger
                  submitLabel="Decline proposal"
                  onSubmit={async (form) => {
                    const reason = String(form.get('reason') ?? '').trim() || null;
                    await decline({ variables: { input: { id, reason } } });
                    await refetch();
                  }}
                >
                  <Field label="Reason (optional)">
                    <input name="reason" maxLength={500} autoComplete="off" />
                  </Field>
                </ActionForm>
              </div>
            </Card>
          ) : null}
          <FacilityFigures balances={f.balances} />
          {f.status === 'ACTIVE' && f.balances.outstanding > 0 ? (
            <Card title="Make a payment">
              <ActionForm
                label="Make a payment"
                submitLabel="Pay"
                onSubmit={async (form) => {
                  const amount = readAmount(form, 'amount', 'USD');
                  await pay({ variables: { input: { facilityId: id, depositAccountId: String(form.get('account')), amount } }, context: idempotent(payKey) });
                  renewPayKey();
                  await refetch();
                }}
              >
                <AmountInput name="amount" currency="USD" label="Amount" />
                <Field label="From account">
                  <select name="account" defaultValue={f.depositAccountId}>
                    {accounts.map((a) => (
                      <option key={a.id} value={a.id}>
                        Account {a.publicId} (available {formatUsd(a.balance.available)})
                      </option>
                    ))}
                  </select>
                </Field>
              </ActionForm>
            </Card>
          ) : null}
          {f.wallet ? (
            <Card title="Collateral wallet">
              <p>
                Send your bitcoin collateral to this address. The balance the custodian reports is your facility&apos;s collateral; it may take a
                little while after your transfer confirms to show here.
              </p>
              <WalletDetails wallet={f.wallet} />
            </Card>
          ) : null}
          <Card title="Facility">
            <Details
              rows={[
                ['Status', <Status key="s" value={f.status} />],
                ['Collateralization', <Status key="c" value={f.collateralizationState} />],
                ['Activated on', f.activatedOn ?? '—'],
                ['Matures on', f.maturityDate ?? '—'],
                ['Structuring fee', <Usd key="f" cents={f.structuringFee} />],
                ['Completed on', f.completedOn ?? '—'],
                ['Proposed', <When key="w" at={f.createdAt} />],
                ...(f.refusalReason ? ([['Reason', f.refusalReason]] as [string, string][]) : []),
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
            <DisbursalsTable disbursals={f.disbursals.nodes} />
          </Card>
          <Card title="Payments">
            <PaymentsTable payments={f.payments.nodes} />
          </Card>
        </>
      ) : null}
    </>
  );
}
