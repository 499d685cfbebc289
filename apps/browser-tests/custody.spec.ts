// Custody end to end: a BitGo custodian created in the admin panel against the fake custodians
// (with the credentials the fake expects), its secrets never shown again; a proposal naming it
// made in the panel, consented and approved, so the facility gets a wallet at the custodian; then
// the custodian's signed webhook moves the collateral (a forged one is refused and kept with its
// reason), as staff see it on the facility and the custodian, and the customer in the portal.
import { expect, test, type Page } from '@playwright/test';
import {
  ADMIN_SERVER,
  ADMIN_URL,
  FAKE_BITGO_ACCESS_TOKEN,
  FAKE_CUSTODIANS_URL,
  PORTAL_URL,
  SUPERUSER,
  customerWithAccount,
  expectAccessible,
  login,
  screenshot,
  staffGql,
} from './support';

const run = Date.now().toString(36);
const custodianName = `BitGo test ${run}`;
const customerEmail = `hana-${run}@example.com`;
const passphrase = `wallet-passphrase-${run}`;
const webhookSecret = `webhook-secret-${run}`;
const SECRETS = [FAKE_BITGO_ACCESS_TOKEN, passphrase, webhookSecret];
/** 0.1 BTC: at the seeded price of $96,500 a CVL of 193% on $5,000, above the initial 150%. */
const REPORTED_SATS = 10_000_000;

function figure(page: Page, label: string) {
  return page.getByRole('region', { name: 'Facility figures' }).locator('.figure', { hasText: label }).locator('.figure-value');
}

/** Makes the fake BitGo move a wallet's confirmed balance and deliver its webhook, signed with `secret`. */
async function bitgoTransfer(wallet: string, custodianId: string, balanceSats: number, secret: string): Promise<number> {
  const response = await fetch(`${FAKE_CUSTODIANS_URL}/control/bitgo/transfer`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      wallet,
      balance_sats: balanceSats,
      webhook_url: `${ADMIN_SERVER}/webhook/custodian/${custodianId}`,
      webhook_secret: secret,
    }),
  });
  expect(response.ok, `the fake custodians answered HTTP ${response.status}`).toBe(true);
  return ((await response.json()) as { delivered: number }).delivered;
}

test('a custodian holds a facility’s collateral: its signed webhook moves it, a forged one is refused', async ({ page, browser }) => {
  test.setTimeout(180_000);
  // every answer of the panel's API, to check that no secret ever comes back
  const answers: Promise<string>[] = [];
  page.on('response', (response) => {
    if (response.url().includes('/api/graphql')) answers.push(response.text().catch(() => ''));
  });

  await login(page, `${ADMIN_URL}/`, SUPERUSER);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Custodians' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Custodians' })).toBeVisible();
  await expectAccessible(page);

  // the create form: each provider its fields; secrets in password fields, said to be write-only
  await page.getByRole('link', { name: 'New custodian' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'New custodian' })).toBeVisible();
  await expect(page.getByText('are write-only: they are stored encrypted and never shown again')).toBeVisible();
  const provider = page.getByLabel('Provider');
  await provider.selectOption('SELF_CUSTODY');
  const form = page.getByRole('form', { name: 'New custodian' });
  await expect(form.getByLabel('Account public key')).toBeVisible();
  await expect(form.getByLabel('Access token')).toHaveCount(0);
  await provider.selectOption('KOMAINU');
  await expect(form.getByLabel('API user')).toBeVisible();
  await expect(form.getByLabel('API secret')).toHaveAttribute('type', 'password');
  await provider.selectOption('BITGO');
  await form.getByLabel('Name').fill(custodianName);
  await form.getByLabel('Base URL').fill(FAKE_CUSTODIANS_URL);
  await form.getByLabel('Enterprise id').fill('fake-enterprise');
  await form.getByLabel('Coin').fill('tbtc4');
  for (const [label, value] of [
    ['Access token', FAKE_BITGO_ACCESS_TOKEN],
    ['Wallet passphrase', passphrase],
    ['Webhook secret', webhookSecret],
  ] as const) {
    await expect(form.getByLabel(label)).toHaveAttribute('type', 'password');
    await form.getByLabel(label).fill(value);
  }
  await screenshot(page, 'admin-custodian-new');
  await expectAccessible(page);
  await form.getByRole('button', { name: 'Create custodian' }).click();

  // its page: the public configuration, the webhook address, no secret
  await expect(page).toHaveURL(/\/custodians\/[0-9a-f-]{36}$/);
  const custodianUrl = page.url();
  const custodianId = custodianUrl.split('/').pop() ?? '';
  await expect(page.getByRole('heading', { level: 1, name: custodianName })).toBeVisible();
  const configuration = page.getByRole('region', { name: 'Configuration', exact: true });
  await expect(configuration).toContainText('BitGo');
  await expect(configuration).toContainText(FAKE_CUSTODIANS_URL);
  await expect(configuration).toContainText('tbtc4');
  await expect(configuration).toContainText(`/webhook/custodian/${custodianId}`);
  await expect(configuration).toContainText('write-only');
  await expect(page.getByRole('region', { name: 'Wallets' })).toContainText('No wallets yet.');
  await expect(page.getByRole('region', { name: 'Webhook deliveries' })).toContainText('No deliveries yet.');
  const update = page.getByRole('form', { name: 'Update configuration' });
  for (const label of ['Access token', 'Wallet passphrase', 'Webhook secret']) await expect(update.getByLabel(label)).toHaveValue('');
  await screenshot(page, 'admin-custodian');
  await expectAccessible(page);

  // a new enterprise id; the secrets left empty are kept (the wallet below opens with them)
  await update.getByLabel('Enterprise id').fill('fake-enterprise-2');
  await update.getByRole('button', { name: 'Update configuration' }).click();
  await expect(configuration).toContainText('fake-enterprise-2');

  // in the list; a second custodian of the same name is refused, the API's code readable
  await page.goto(`${ADMIN_URL}/custodians`);
  await expect(page.getByRole('table', { name: 'Custodians' }).getByRole('row', { name: new RegExp(`${custodianName} BitGo Bitcoin testnet tbtc4`) })).toBeVisible();
  await screenshot(page, 'admin-custodians');
  await expectAccessible(page);
  await page.getByRole('link', { name: 'New custodian' }).click();
  await page.getByLabel('Provider').selectOption('MANUAL');
  await form.getByLabel('Name').fill(custodianName);
  await form.getByRole('button', { name: 'Create custodian' }).click();
  await expect(form.getByRole('alert')).toContainText('Another custodian already has this name.');

  // a customer with an account (through the API, as other specs do); the proposal in the panel
  const gql = await staffGql(SUPERUSER);
  const { customerId } = await customerWithAccount(gql, customerEmail, `hana_${run}`);
  await page.goto(`${ADMIN_URL}/customers/${customerId}`);
  const propose = page.getByRole('form', { name: 'Propose a credit facility' });
  await propose.getByLabel('Facility amount').fill('5,000');
  await propose.getByLabel('Terms template').selectOption({ label: 'Standard 12 months' });
  const custodianSelect = propose.getByLabel('Custodian');
  await expect(custodianSelect.getByRole('option', { name: 'None — collateral recorded by hand' })).toHaveCount(1);
  await custodianSelect.selectOption({ label: `${custodianName} (BitGo)` });
  await propose.getByRole('button', { name: 'Propose credit facility' }).click();
  await page.getByRole('region', { name: 'Credit', exact: true }).getByRole('table', { name: 'Credit facilities' }).getByRole('link').click();
  await expect(page).toHaveURL(/\/credit-facilities\/[0-9a-f-]{36}$/);
  const facilityUrl = page.url();
  const facilityId = facilityUrl.split('/').pop() ?? '';
  await expect(page.getByRole('region', { name: 'Facility', exact: true }).getByRole('link', { name: custodianName })).toBeVisible();

  // consented on the customer's behalf; approved (no committee): a wallet is opened at the custodian
  await page.getByRole('button', { name: "Record the customer's consent" }).click();
  const walletCard = page.getByRole('region', { name: 'Collateral wallet' });
  await expect(async () => {
    await page.reload();
    await expect(walletCard).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  const { wallet } = (
    await gql<{ creditFacility: { wallet: { custodianRef: string; address: string } | null } }>(
      'query($id: UUID!) { creditFacility(id: $id) { wallet { custodianRef address } } }',
      { id: facilityId },
    )
  ).creditFacility;
  if (!wallet) throw new Error('the facility has no wallet');
  await expect(walletCard).toContainText('BitGo');
  await expect(walletCard).toContainText('Bitcoin testnet');
  await expect(walletCard).toContainText(wallet.address);
  await expect(walletCard).toContainText(wallet.custodianRef);
  await expect(walletCard).toContainText('None reported yet');
  await expect(walletCard.getByRole('link', { name: custodianName })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Facility history' }).getByRole('row', { name: /Wallet assigned/ })).toBeVisible();
  // the collateral follows the custodian: no manual update, and why
  const collateral = page.getByRole('region', { name: 'Collateral', exact: true });
  await expect(collateral).toContainText('cannot be updated by hand');
  await expect(page.getByRole('form', { name: 'Update collateral' })).toHaveCount(0);
  await expect(figure(page, 'Collateral')).toHaveText('0.00000000 BTC');
  await screenshot(page, 'admin-facility-wallet');
  await expectAccessible(page);

  // a webhook signed with another secret is refused at the door and changes nothing
  expect(await bitgoTransfer(wallet.custodianRef, custodianId, 1, 'not-the-webhook-secret')).toBe(401);
  // the custodian's signed webhook: the bank asks the custodian, and the balance is the collateral
  expect(await bitgoTransfer(wallet.custodianRef, custodianId, REPORTED_SATS, webhookSecret)).toBe(200);
  await expect(async () => {
    await page.reload();
    await expect(figure(page, 'Collateral')).toHaveText('0.10000000 BTC', { timeout: 2_000 });
  }).toPass({ timeout: 60_000 });
  await expect(walletCard).toContainText('0.10000000 BTC');
  await expect(walletCard).not.toContainText('None reported yet');
  await expect(page.getByRole('heading', { level: 1 }).locator('..')).toContainText('Active');
  await expect(page.getByRole('table', { name: 'Facility history' }).getByRole('row', { name: /Collateral updated/ })).toBeVisible();
  await screenshot(page, 'admin-facility-wallet-funded');

  // the custodian's page: the wallet with its balance, both deliveries with what became of them
  await page.goto(custodianUrl);
  const wallets = page.getByRole('table', { name: 'Wallets' });
  const walletRow = wallets.getByRole('row', { name: new RegExp(`${wallet.address} ${wallet.custodianRef} Bitcoin testnet 0\\.10000000 BTC`) });
  await expect(walletRow).toBeVisible();
  await expect(walletRow.getByRole('link')).toHaveAttribute('href', `/credit-facilities/${facilityId}`);
  const deliveries = page.getByRole('table', { name: 'Webhook deliveries' });
  await expect(async () => {
    await page.reload();
    await expect(deliveries.getByRole('row', { name: /Completed/ })).toHaveCount(1, { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(deliveries.getByRole('row', { name: /Rejected/ })).toHaveCount(1);
  await expect(deliveries.getByRole('row', { name: /Rejected/ })).toContainText('signature');
  await screenshot(page, 'admin-custodian-deliveries');
  await expectAccessible(page);

  // no answer of the API carried a secret, and no page showed one
  for (const answer of await Promise.all(answers)) {
    for (const secret of SECRETS) expect(answer).not.toContain(secret);
  }
  for (const secret of SECRETS) expect(await page.content()).not.toContain(secret);

  // a role that reads credit but not custody opens the facility (the wallet is not asked for)
  const readerEmail = `credit-reader-${run}@lana.dev`;
  const role = await gql<{ roleCreate: { role: { id: string } } }>('mutation($i: RoleCreateInput!) { roleCreate(input: $i) { role { id } } }', {
    i: { name: `credit-reader-${run}`, permissionSets: ['credit-viewer', 'customer-viewer'] },
  });
  await gql('mutation($i: UserCreateInput!) { userCreate(input: $i) { user { id } } }', { i: { email: readerEmail, roleId: role.roleCreate.role.id } });
  const reader = await (await browser.newContext()).newPage();
  await login(reader, facilityUrl, readerEmail);
  await expect(figure(reader, 'Collateral')).toHaveText('0.10000000 BTC');
  await expect(reader.getByRole('alert').filter({ hasText: /./ })).toHaveCount(0);
  await expect(reader.getByRole('region', { name: 'Collateral wallet' })).toHaveCount(0);
  await expect(reader.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Custodians' })).toHaveCount(0);

  // the customer sees where their collateral is held, and its balance
  const portal = await (await browser.newContext()).newPage();
  await login(portal, `${PORTAL_URL}/credit`, customerEmail);
  await portal.getByRole('table', { name: 'My credit facilities' }).getByRole('link').click();
  const portalWallet = portal.getByRole('region', { name: 'Collateral wallet' });
  await expect(portalWallet).toContainText(wallet.address);
  await expect(portalWallet).toContainText('Bitcoin testnet');
  await expect(portalWallet).toContainText('0.10000000 BTC');
  await expect(portal.getByRole('region', { name: 'Facility figures' }).locator('.figure', { hasText: 'Collateral' })).toContainText('0.10000000 BTC');
  await screenshot(portal, 'portal-facility-wallet');
  await expectAccessible(portal);
});
