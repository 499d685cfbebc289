// Every main page of the admin panel opens for the superuser (after the other tests, so with their
// data), reads as a page (its heading) and passes the accessibility checks; a screenshot of each
// is kept.
import { expect, test } from '@playwright/test';
import { ADMIN_URL, SUPERUSER, expectAccessible, login, screenshot } from './support';

const PAGES: [string, string, string][] = [
  ['/', 'Dashboard', 'admin-dashboard-figures'],
  ['/customers', 'Customers', 'admin-customers'],
  ['/prospects', 'Prospects', 'admin-prospects'],
  ['/deposit-accounts', 'Deposit accounts', 'admin-deposit-accounts'],
  ['/credit-facilities', 'Credit facilities', 'admin-credit-facilities'],
  ['/terms-templates', 'Terms templates', 'admin-terms-templates'],
  ['/custodians', 'Custodians', 'admin-custodians-tour'],
  ['/governance', 'Committees & policies', 'admin-governance'],
  ['/users', 'Users & roles', 'admin-users'],
  ['/accounting', 'Chart of accounts', 'admin-accounting'],
  ['/accounting/trial-balance', 'Trial balance', 'admin-accounting-trial-balance-tour'],
  ['/accounting/balance-sheet', 'Balance sheet', 'admin-accounting-balance-sheet-tour'],
  ['/accounting/profit-and-loss', 'Profit and loss', 'admin-accounting-profit-and-loss-tour'],
  ['/accounting/manual-transactions', 'Manual transactions', 'admin-accounting-manual-transactions-tour'],
  ['/accounting/periods', 'Periods', 'admin-accounting-periods-tour'],
  ['/audit', 'Audit log', 'admin-audit'],
  ['/settings', 'Settings, time & price', 'admin-settings'],
];

test('the admin panel’s main pages open, accessible', async ({ page }) => {
  // Each page is checked by axe, which took 5-6 s a page on a machine with stolen CPU time: the
  // budget grows with the tour, not the one test's default of 90 s.
  test.setTimeout(PAGES.length * 10_000);
  await login(page, `${ADMIN_URL}/`, SUPERUSER);
  for (const [path, heading, name] of PAGES) {
    await page.goto(`${ADMIN_URL}${path}`);
    await expect(page.getByRole('heading', { level: 1, name: heading, exact: true })).toBeVisible();
    await expect(page.getByText(/^Loading /)).toHaveCount(0);
    await expect(page.getByRole('alert').filter({ hasText: /./ })).toHaveCount(0);
    await page.waitForLoadState('networkidle');
    await screenshot(page, name);
    await expectAccessible(page);
  }
});

test('the audit log filters by decision', async ({ page }) => {
  await login(page, `${ADMIN_URL}/audit`, SUPERUSER);
  const filters = page.getByRole('form', { name: 'Filter the audit log' });
  await filters.getByLabel('Object').fill('customer/prospect');
  await filters.getByLabel('Decision').selectOption('yes');
  await filters.getByRole('button', { name: 'Filter' }).click();
  const rows = page.getByRole('table', { name: 'Audit entries' }).getByRole('row');
  await expect(rows.nth(1)).toBeVisible();
  for (const text of await rows.allInnerTexts()) {
    if (text.startsWith('When')) continue;
    expect(text).toContain('customer/prospect');
    expect(text).toContain('Allowed');
  }
});
