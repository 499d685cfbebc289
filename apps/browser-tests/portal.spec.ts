// A customer sees only their own accounts in the portal.
import { expect, test } from '@playwright/test';
import { PORTAL_URL, SEEDED_BALANCE, SEEDED_CUSTOMER, expectAccessible, login, screenshot } from './support';

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

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My credit' }).click();
  await expect(page.getByText('You have no credit proposals or facilities.')).toBeVisible();
});

test('someone who is not a customer is told so, with no account shown', async ({ page }) => {
  await login(page, `${PORTAL_URL}/`, 'stranger@example.com');
  await expect(page.getByText('you are not a customer of the bank yet')).toBeVisible();
  await expect(page.getByRole('table', { name: 'My deposit accounts' })).toHaveCount(0);
});
