// The staff flow end to end in the admin panel, then the customer's view of it in the portal.
import { expect, test, type Page } from '@playwright/test';
import { ADMIN_URL, PORTAL_URL, SUPERUSER, customerWithAccount, expectAccessible, login, screenshot, staffGql } from './support';

const run = Date.now().toString(36);
const customerEmail = `dora-${run}@example.com`;

function balance(page: Page, label: string) {
  return page.getByRole('region', { name: 'Balance' }).locator('.figure', { hasText: label }).locator('.figure-value');
}

test('staff onboard a customer, move money through an approved withdrawal, and the customer sees it', async ({ page, browser }) => {
  await login(page, `${ADMIN_URL}/`, SUPERUSER);
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await screenshot(page, 'admin-dashboard');
  await expectAccessible(page);

  // a prospect, converted to a customer
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Prospects' }).click();
  const form = page.getByRole('form', { name: 'New prospect' });
  await form.getByLabel('Email').fill(customerEmail);
  await form.getByLabel('Telegram handle').fill(`dora_${run}`);
  await form.getByLabel('Customer type').selectOption('INDIVIDUAL');
  await form.getByRole('button', { name: 'Create prospect' }).click();
  await expect(page).toHaveURL(/\/prospects\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: customerEmail })).toBeVisible();
  await screenshot(page, 'admin-prospect');
  await expectAccessible(page);
  // no KYC provider is configured here: the API's code, readable
  await page.getByRole('button', { name: 'Create KYC link' }).click();
  await expect(page.getByRole('form', { name: 'KYC link' }).getByRole('alert')).toContainText('No KYC provider is configured');
  await page.getByRole('button', { name: 'Convert to customer' }).click();
  await expect(page).toHaveURL(/\/customers\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: customerEmail })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Customer' }).getByText('Active')).toBeVisible();

  // a deposit account
  await page.getByRole('button', { name: 'Open deposit account' }).click();
  await expect(page).toHaveURL(/\/deposit-accounts\/[0-9a-f-]{36}$/);
  const accountUrl = page.url();
  await expect(balance(page, 'Available')).toHaveText('$0.00');

  // money typed in dollars: too many decimals are refused before anything is sent
  const deposit = page.getByRole('form', { name: 'Record a deposit' });
  await deposit.getByLabel('Amount').fill('12.345');
  await deposit.getByRole('button', { name: 'Record deposit' }).click();
  await expect(deposit.getByRole('alert')).toContainText('At most 2 decimals');

  await deposit.getByLabel('Amount').fill('1,500.25');
  await deposit.getByLabel('Reference').fill('wire 0001');
  await deposit.getByRole('button', { name: 'Record deposit' }).click();
  await expect(balance(page, 'Available')).toHaveText('$1,500.25');
  const history = page.getByRole('table', { name: 'Account history' });
  await expect(history.getByRole('row', { name: /Deposit .*\$1,500\.25/ })).toBeVisible();

  // a withdrawal beyond the balance: the API's error code, readable
  const withdrawal = page.getByRole('form', { name: 'Initiate a withdrawal' });
  await withdrawal.getByLabel('Amount').fill('2000');
  await withdrawal.getByRole('button', { name: 'Initiate withdrawal' }).click();
  await expect(withdrawal.getByRole('alert')).toContainText('The account has too little available for this.');

  await withdrawal.getByLabel('Amount').fill('200.10');
  await withdrawal.getByLabel('Reference').fill('payout');
  await withdrawal.getByRole('button', { name: 'Initiate withdrawal' }).click();
  await expect(balance(page, 'Available')).toHaveText('$1,300.15');
  await expect(balance(page, 'Pending withdrawals')).toHaveText('$200.10');
  await expect(history.getByRole('row', { name: /Withdrawal hold .*\$200\.10/ })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Open withdrawals' }).getByRole('row', { name: /\$200\.10 payout Pending approval/ })).toBeVisible();
  await screenshot(page, 'admin-deposit-account');
  await expectAccessible(page);

  // approved from the approvals queue
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Approvals' }).click();
  const queue = page.getByRole('table', { name: 'Approval processes' });
  const row = queue.getByRole('row', { name: /Withdrawal of \$200\.10/ });
  await expect(row).toHaveCount(1);
  await screenshot(page, 'admin-approvals');
  await expectAccessible(page);
  await row.getByRole('button', { name: 'Approve' }).click();
  await expect(page.getByText('Nothing is waiting for your vote.')).toBeVisible();

  // confirmed from the account once the approval reached the withdrawal
  await page.goto(accountUrl);
  const open = page.getByRole('table', { name: 'Open withdrawals' });
  await expect(async () => {
    await page.reload();
    await expect(open.getByRole('row', { name: /\$200\.10 payout Approved/ })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await screenshot(page, 'admin-withdrawal-approved');
  await open.getByRole('button', { name: 'Confirm withdrawal (money leaves)' }).click();
  await expect(page.getByRole('table', { name: 'Open withdrawals' })).toHaveCount(0);

  // the balance and history changed
  await page.goto(accountUrl);
  await expect(balance(page, 'Settled')).toHaveText('$1,300.15');
  await expect(balance(page, 'Pending withdrawals')).toHaveText('$0.00');
  await expect(balance(page, 'Available')).toHaveText('$1,300.15');
  await expect(history.getByRole('row', { name: /Withdrawal confirm .*\$200\.10 Settled/ })).toBeVisible();
  await screenshot(page, 'admin-deposit-account-after');

  // the customer signs in to the portal and sees their one account with that balance
  const portal = await (await browser.newContext()).newPage();
  await login(portal, `${PORTAL_URL}/`, customerEmail);
  const accounts = portal.getByRole('table', { name: 'My deposit accounts' });
  await expect(accounts.getByRole('row')).toHaveCount(2); // the header and the one account
  await expect(accounts.getByRole('row').nth(1)).toContainText('$1,300.15');
  await accounts.getByRole('link').click();
  await expect(portal.getByRole('table', { name: 'Account history' }).getByRole('row', { name: /Withdrawal confirm .*\$200\.10 Settled/ })).toBeVisible();
  await screenshot(portal, 'portal-account');
  await expectAccessible(portal);
});

test('a denied withdrawal gives the money back; a frozen account takes no money until unfrozen', async ({ page }) => {
  const gql = await staffGql(SUPERUSER);
  const { accountId } = await customerWithAccount(gql, `frank-${run}@example.com`, `frank_${run}`);
  const accountUrl = `${ADMIN_URL}/deposit-accounts/${accountId}`;
  await gql('mutation($i: DepositRecordInput!) { depositRecord(input: $i) { deposit { id } } }', {
    i: { depositAccountId: accountId, amount: '100000', idempotencyKey: `frank-${run}` },
  });

  await login(page, accountUrl, SUPERUSER);
  await expect(balance(page, 'Available')).toHaveText('$1,000.00');
  const withdrawal = page.getByRole('form', { name: 'Initiate a withdrawal' });
  await withdrawal.getByLabel('Amount').fill('50');
  await withdrawal.getByRole('button', { name: 'Initiate withdrawal' }).click();
  await expect(balance(page, 'Available')).toHaveText('$950.00');

  await page.goto(`${ADMIN_URL}/approvals`);
  const row = page.getByRole('table', { name: 'Approval processes' }).getByRole('row', { name: /Withdrawal of \$50\.00/ });
  await row.getByRole('button', { name: 'Deny' }).click();
  await expect(row.getByRole('alert')).toContainText('Give a reason');
  await row.getByLabel('Reason for denial').fill('documents expired');
  await row.getByRole('button', { name: 'Deny' }).click();
  await expect(page.getByText('Nothing is waiting for your vote.')).toBeVisible();

  await expect(async () => {
    await page.goto(accountUrl);
    await expect(balance(page, 'Available')).toHaveText('$1,000.00', { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole('table', { name: 'Account history' }).getByRole('row', { name: /Withdrawal hold/ }).getByRole('link').click();
  await expect(page.getByRole('region', { name: 'Withdrawal' })).toContainText('Denied');
  await expect(page.getByRole('region', { name: 'Withdrawal' })).toContainText('documents expired');
  await screenshot(page, 'admin-withdrawal-denied');
  await expectAccessible(page);

  await page.goto(accountUrl);
  await page.getByRole('button', { name: 'Freeze account' }).click();
  await expect(page.getByRole('heading', { name: /^Account / }).locator('..')).toContainText('Frozen');
  await expect(page.getByRole('form', { name: 'Record a deposit' })).toHaveCount(0);
  await expect(balance(page, 'Frozen')).toHaveText('$1,000.00');
  await page.getByRole('button', { name: 'Unfreeze account' }).click();
  await expect(page.getByRole('form', { name: 'Record a deposit' })).toBeVisible();
  await expect(balance(page, 'Available')).toHaveText('$1,000.00');
});
