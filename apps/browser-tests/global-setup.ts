// What the browser tests need besides the UI: manual conversion allowed, withdrawals approved by
// a committee of the superuser, a read-only staff role and user, and a customer with a balance.
import { adminApi, staffToken, SEEDED_CUSTOMER, SUPERUSER, VIEWER } from './support';

export default async function globalSetup() {
  const token = await staffToken(SUPERUSER);
  const gql = <T>(query: string, variables: Record<string, unknown> = {}) => adminApi<T>(token, query, variables);
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

  const prospect = await gql<{ prospectCreate: { prospect: { id: string } } }>(
    'mutation($i: ProspectCreateInput!) { prospectCreate(input: $i) { prospect { id } } }',
    { i: { email: SEEDED_CUSTOMER, telegramHandle: 'erin_seeded', customerType: 'INDIVIDUAL' } },
  );
  const customer = await gql<{ prospectConvert: { customer: { id: string } } }>(
    'mutation($i: ProspectConvertInput!) { prospectConvert(input: $i) { customer { id } } }',
    { i: { prospectId: prospect.prospectCreate.prospect.id } },
  );
  const account = await gql<{ depositAccountCreate: { account: { id: string } } }>(
    'mutation($i: DepositAccountCreateInput!) { depositAccountCreate(input: $i) { account { id } } }',
    { i: { customerId: customer.prospectConvert.customer.id } },
  );
  const accountId = account.depositAccountCreate.account.id;
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
  await gql('mutation($i: CreditFacilityProposalCreateInput!) { creditFacilityProposalCreate(input: $i) { creditFacility { id } } }', {
    i: {
      customerId: customer.prospectConvert.customer.id,
      depositAccountId: accountId,
      amount: '1000000',
      termsTemplateId: template.termsTemplateCreate.termsTemplate.id,
      idempotencyKey: 'browser-test-proposal',
    },
  });
}
