// What the browser tests need besides the UI: manual conversion allowed, withdrawals approved by
// a committee of the superuser, a read-only staff role and user, and a customer with a balance.
import { customerWithAccount, staffGql, CREDIT_CUSTOMER, SEEDED_CUSTOMER, SUPERUSER, VIEWER, type Gql } from './support';

const TIMEOUT_MS = 60_000;

/** Polls `probe` until it returns something, for at most TIMEOUT_MS. */
async function waitFor<T>(what: string, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (Date.now() < deadline) {
    const found = await probe();
    if (found !== null) return found;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

export default async function globalSetup() {
  const gql = await staffGql(SUPERUSER);
  await gql('mutation { domainConfigUpdate(input: { key: "customer-manual-conversion-allowed", value: true }) { domainConfig { key } } }');

  const me = await gql<{ me: { user: { id: string } } }>('{ me { user { id } } }');
  const committee = await gql<{ committeeCreate: { committee: { id: string } } }>(
    'mutation($i: CommitteeCreateInput!) { committeeCreate(input: $i) { committee { id } } }',
    { i: { name: 'Withdrawals committee', memberIds: [me.me.user.id] } },
  );
  const policies = await gql<{ policies: { nodes: { id: string; processType: string }[] } }>('{ policies(first: 20) { nodes { id processType } } }');
  const withdraw = policies.policies.nodes.find((p) => p.processType === 'withdraw');
  if (!withdraw) throw new Error('no withdraw policy');
  await gql('mutation($i: PolicyCommitteeAssignInput!) { policyCommitteeAssign(input: $i) { policy { id } } }', {
    i: { policyId: withdraw.id, committeeId: committee.committeeCreate.committee.id },
  });

  const role = await gql<{ roleCreate: { role: { id: string } } }>('mutation($i: RoleCreateInput!) { roleCreate(input: $i) { role { id } } }', {
    i: { name: 'read-only-teller', permissionSets: ['customer-viewer', 'deposit-viewer', 'governance-viewer'] },
  });
  await gql('mutation($i: UserCreateInput!) { userCreate(input: $i) { user { id } } }', { i: { email: VIEWER, roleId: role.roleCreate.role.id } });

  const { customerId: seededCustomerId, accountId } = await customerWithAccount(gql, SEEDED_CUSTOMER, 'erin_seeded');
  await gql('mutation($i: DepositRecordInput!) { depositRecord(input: $i) { deposit { id } } }', {
    i: { depositAccountId: accountId, amount: '42042', reference: 'seeded', idempotencyKey: 'browser-test-seed' },
  });

  // a credit proposal for the seeded customer to answer in the portal
  const template = await gql<{ termsTemplateCreate: { termsTemplate: { id: string } } }>(
    'mutation($i: TermsTemplateCreateInput!) { termsTemplateCreate(input: $i) { termsTemplate { id } } }',
    {
      i: {
        name: 'Standard 12 months',
        terms: {
          annualRate: '12',
          durationMonths: 12,
          accrualInterval: 'END_OF_DAY',
          accrualCycleInterval: 'END_OF_MONTH',
          interestDueAfterDays: 30,
          overdueAfterDays: 30,
          liquidationAfterDays: 90,
          structuringFeeRate: '1',
          initialCvl: '150',
          marginCallCvl: '120',
          liquidationCvl: '105',
          disbursalPolicy: 'MULTIPLE',
        },
      },
    },
  );
  const templateId = template.termsTemplateCreate.termsTemplate.id;
  await gql('mutation($i: CreditFacilityProposalCreateInput!) { creditFacilityProposalCreate(input: $i) { creditFacility { id } } }', {
    i: { customerId: seededCustomerId, depositAccountId: accountId, amount: '1000000', termsTemplateId: templateId, idempotencyKey: 'browser-test-proposal' },
  });
  await activeFacility(gql, templateId);
}

/**
 * CREDIT_CUSTOMER with $1,000.00 in an account and an active $5,000.00 facility (automatic
 * approvals; the manual BTC price, so no exchange is needed) that paid out $2,000.00.
 */
async function activeFacility(gql: Gql, termsTemplateId: string) {
  const priceCents = 9_650_000n;
  const providers = await gql<{ priceProviders: { id: string; kind: string }[] }>('{ priceProviders { id kind } }');
  const manual = providers.priceProviders.find((p) => p.kind === 'MANUAL');
  if (!manual) throw new Error('no manual price provider');
  await gql('mutation($i: PriceManualSetInput!) { priceManualSet(input: $i) { provider { id } } }', { i: { usdCentsPerBtc: priceCents.toString() } });
  await gql('mutation($i: PriceProviderActivateInput!) { priceProviderActivate(input: $i) { provider { id } } }', { i: { priceProviderId: manual.id } });

  const { customerId, accountId: depositAccountId } = await customerWithAccount(gql, CREDIT_CUSTOMER, 'gina_credit');
  await gql('mutation($i: DepositRecordInput!) { depositRecord(input: $i) { deposit { id } } }', {
    i: { depositAccountId, amount: '100000', reference: 'seeded', idempotencyKey: 'browser-test-credit-seed' },
  });

  const amount = 500_000n;
  const id = (
    await gql<{ creditFacilityProposalCreate: { creditFacility: { id: string } } }>(
      'mutation($i: CreditFacilityProposalCreateInput!) { creditFacilityProposalCreate(input: $i) { creditFacility { id } } }',
      { i: { customerId, depositAccountId, amount: amount.toString(), termsTemplateId, idempotencyKey: 'browser-test-facility' } },
    )
  ).creditFacilityProposalCreate.creditFacility.id;
  await gql('mutation($i: CreditFacilityProposalConsentInput!) { creditFacilityProposalConsent(input: $i) { creditFacility { id } } }', { i: { id } });
  const status = (wanted: string) =>
    waitFor(`facility ${id} to be ${wanted}`, async () => {
      const found = await gql<{ creditFacility: { status: string } }>('query($id: UUID!) { creditFacility(id: $id) { status } }', { id });
      return found.creditFacility.status === wanted ? true : null;
    });
  await status('PENDING_COLLATERAL');
  // satoshis worth the 150% initial CVL at the price, rounded up
  const sats = (amount * 150n * 100_000_000n + 100n * priceCents - 1n) / (100n * priceCents);
  await gql('mutation($i: CreditFacilityCollateralUpdateInput!) { creditFacilityCollateralUpdate(input: $i) { creditFacility { id } } }', {
    i: { id, collateral: sats.toString() },
  });
  await status('ACTIVE');
  await gql('mutation($i: CreditFacilityDisbursalInitiateInput!) { creditFacilityDisbursalInitiate(input: $i) { disbursal { id } } }', {
    i: { facilityId: id, amount: '200000', idempotencyKey: 'browser-test-disbursal' },
  });
  await waitFor('the disbursal to settle', async () => {
    const found = await gql<{ creditFacility: { balances: { disbursed: number } } }>('query($id: UUID!) { creditFacility(id: $id) { balances { disbursed } } }', { id });
    return found.creditFacility.balances.disbursed === 200_000 ? true : null;
  });
}
