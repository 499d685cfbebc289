// A role without a permission does not see the action (the API would refuse it anyway).
import { expect, test } from '@playwright/test';
import { ADMIN_URL, SEEDED_CUSTOMER, SUPERUSER, VIEWER, expectAccessible, login, screenshot } from './support';

async function openSeededAccount(page: import('@playwright/test').Page) {
  await page.goto(`${ADMIN_URL}/customers`);
  await page.getByRole('link', { name: SEEDED_CUSTOMER }).click();
  await page.getByRole('link', { name: /^Account / }).click();
  await expect(page).toHaveURL(/\/deposit-accounts\/[0-9a-f-]{36}$/);
}

test('a read-only role sees balances but no action that changes money or customers', async ({ page }) => {
  await login(page, `${ADMIN_URL}/`, VIEWER);
  await openSeededAccount(page);
  await expect(page.getByRole('region', { name: 'Balance' })).toContainText('$420.42');
  await expect(page.getByRole('table', { name: 'Account history' })).toBeVisible();
  for (const action of ['Record deposit', 'Initiate withdrawal', 'Freeze account', 'Close account']) {
    await expect(page.getByRole('button', { name: action })).toHaveCount(0);
  }
  await screenshot(page, 'admin-read-only-account');
  await expectAccessible(page);

  await page.getByRole('link', { name: SEEDED_CUSTOMER }).click();
  await expect(page.getByRole('heading', { name: SEEDED_CUSTOMER })).toBeVisible();
  for (const action of ['Open deposit account', 'Freeze customer', 'Close customer', 'Change email']) {
    await expect(page.getByRole('button', { name: action })).toHaveCount(0);
  }
  await page.goto(`${ADMIN_URL}/prospects`);
  await expect(page.getByRole('heading', { name: 'Prospects', exact: true })).toBeVisible();
  await expect(page.getByRole('form', { name: 'New prospect' })).toHaveCount(0);
  // no accounting permission: no accounting section in the navigation
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounting' })).toHaveCount(0);
  // nor custody: no custodians section
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Custodians' })).toHaveCount(0);
});

test('the superuser sees the same actions on the same pages', async ({ page }) => {
  await login(page, `${ADMIN_URL}/`, SUPERUSER);
  await openSeededAccount(page);
  for (const action of ['Record deposit', 'Initiate withdrawal', 'Freeze account', 'Close account']) {
    await expect(page.getByRole('button', { name: action })).toHaveCount(1);
  }
});
