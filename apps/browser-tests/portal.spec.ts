// A customer sees only their own accounts in the portal.
import { expect, test } from '@playwright/test';
import { CREDIT_CUSTOMER, PORTAL_URL, SEEDED_BALANCE, SEEDED_CUSTOMER, expectAccessible, login, screenshot } from './support';

test('a customer sees their own account, with the right balance, and nobody else’s', async ({ page }) => {
  await login(page, `${PORTAL_URL}/`, SEEDED_CUSTOMER);
  const accounts = page.getByRole('table', { name: 'My deposit accounts' });
  await expect(accounts.getByRole('row')).toHaveCount(2);
  await expect(accounts.getByRole('row').nth(1)).toContainText(SEEDED_BALANCE);
  await screenshot(page, 'portal-accounts');
  await expectAccessible(page);

  // another customer's account id is not found for this customer
  const other = await page.request.post(`${PORTAL_URL}/api/graphql`, {
    headers: { 'content-type': 'application/json' },
    data: { query: '{ me { depositAccounts(first: 10) { nodes { id } } } }' },
  });
  const mine = ((await other.json()) as { data: { me: { depositAccounts: { nodes: { id: string }[] } } } }).data.me.depositAccounts.nodes;
  expect(mine).toHaveLength(1);

});

test('a customer accepts the credit proposal the bank made them', async ({ page }) => {
  await login(page, `${PORTAL_URL}/credit`, SEEDED_CUSTOMER);
  await expect(page.getByText('A proposal is waiting for your answer.')).toBeVisible();
  await page.getByRole('link', { name: 'Review proposal' }).click();
  await expect(page.getByRole('heading', { name: 'Credit proposal' })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Your answer' })).toContainText('$10,000.00');
  await expect(page.getByRole('region', { name: 'Terms' })).toContainText('12%');
  await screenshot(page, 'portal-proposal');
  await expectAccessible(page);
  await page.getByRole('button', { name: 'Accept proposal' }).click();
  await expect(page.getByRole('button', { name: 'Accept proposal' })).toHaveCount(0);
  await expect(page.getByRole('region', { name: 'Facility' }).getByText('Pending customer approval')).toHaveCount(0);
});

test('someone who is not a customer is told so, with no account shown', async ({ page }) => {
  await login(page, `${PORTAL_URL}/`, 'stranger@example.com');
  await expect(page.getByText('you are not a customer of the bank yet')).toBeVisible();
  await expect(page.getByRole('table', { name: 'My deposit accounts' })).toHaveCount(0);
});

test('a customer pays their facility from their account', async ({ page }) => {
  await login(page, `${PORTAL_URL}/`, CREDIT_CUSTOMER);
  // $1,000.00 deposited and the $2,000.00 disbursal
  await expect(page.getByRole('table', { name: 'My deposit accounts' }).getByRole('row').nth(1)).toContainText('$3,000.00');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My credit' }).click();
  await page.getByRole('table', { name: 'My credit facilities' }).getByRole('link').click();
  const figures = page.getByRole('region', { name: 'Facility figures' });
  await expect(figures.locator('.figure', { hasText: 'Disbursed principal' })).toContainText('$2,000.00');
  await expect(figures.locator('.figure', { hasText: 'Paid, not yet applied' })).toContainText('$0.00');
  await screenshot(page, 'portal-facility');
  await expectAccessible(page);

  const pay = page.getByRole('form', { name: 'Make a payment' });
  await pay.getByLabel('Amount').fill('100');
  await pay.getByRole('button', { name: 'Pay' }).click();
  await expect(page.getByRole('table', { name: 'Payments' }).getByRole('row', { name: /\$100\.00/ })).toBeVisible();
  // nothing is due yet: the payment waits, unapplied, for the first obligation
  await expect(figures.locator('.figure', { hasText: 'Paid, not yet applied' })).toContainText('$100.00');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My accounts' }).click();
  await expect(page.getByRole('table', { name: 'My deposit accounts' }).getByRole('row').nth(1)).toContainText('$2,900.00');
});
