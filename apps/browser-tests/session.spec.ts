// Tokens stay on the server; logout ends the session at the app and at the provider; a session
// that is gone sends the browser back to the login.
import { expect, test } from '@playwright/test';
import { ADMIN_URL, PORTAL_URL, SUPERUSER, login } from './support';

test('the session is an httpOnly, SameSite=Lax cookie and no token reaches browser storage', async ({ page, context }) => {
  await login(page, `${ADMIN_URL}/customers`, SUPERUSER);
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();
  const session = (await context.cookies()).find((c) => c.name === 'lana_admin_session');
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');
  const visible = await page.evaluate(() => JSON.stringify({ cookie: document.cookie, local: { ...localStorage }, session: { ...sessionStorage } }));
  expect(visible).not.toContain('eyJ'); // no JWT (nor the encrypted session) readable by scripts
});

test('logout ends the session; signing in again asks the provider for the login', async ({ page }) => {
  await login(page, `${ADMIN_URL}/`, SUPERUSER);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${ADMIN_URL}/signed-out`);
  await expect(page.getByText('You are signed out.')).toBeVisible();
  const api = await page.request.post(`${ADMIN_URL}/api/graphql`, { headers: { 'content-type': 'application/json' }, data: { query: '{ me { user { email } } }' } });
  expect(api.status()).toBe(401);
  await page.getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/realms\/internal\/interaction\//);
  await expect(page.locator('input[name="login"]')).toBeVisible();
});

test('a page without a live session returns to the login, and back to the page after it', async ({ page, context }) => {
  await login(page, `${PORTAL_URL}/`, 'erin@example.com');
  await page.close();
  await context.clearCookies();
  const fresh = await context.newPage();
  await fresh.goto(`${PORTAL_URL}/credit`);
  await expect(fresh).toHaveURL(/\/realms\/customer\/interaction\//);
  await fresh.locator('input[name="login"]').fill('erin@example.com');
  await fresh.locator('input[name="password"]').fill('x');
  await fresh.getByRole('button', { name: 'Sign-in' }).click();
  await expect(fresh).toHaveURL(`${PORTAL_URL}/credit`);
  await expect(fresh.getByRole('heading', { name: 'My credit' })).toBeVisible();
});

test('an API call whose session is gone is answered 401 UNAUTHENTICATED, not forwarded', async ({ request }) => {
  const response = await request.post(`${ADMIN_URL}/api/graphql`, {
    headers: { 'content-type': 'application/json', cookie: 'lana_admin_session=forged' },
    data: { query: '{ me { user { email } } }' },
  });
  expect(response.status()).toBe(401);
  expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]?.extensions.code).toBe('UNAUTHENTICATED');
});

test('a session ends with its access token and returns to the login', async ({ page }) => {
  // the dev provider gives `short-session*` logins a 10-second access token
  await login(page, `${PORTAL_URL}/`, 'short-session@example.com');
  await expect(page.getByText('you are not a customer of the bank yet')).toBeVisible();
  const me = () => page.request.post(`${PORTAL_URL}/api/graphql`, { headers: { 'content-type': 'application/json' }, data: { query: '{ me { email } }' } });
  expect((await me()).status()).toBe(200);
  await page.waitForTimeout(11_000);
  expect((await me()).status()).toBe(401);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'My credit' }).click();
  await expect(page).toHaveURL(/\/realms\/customer\/interaction\//);
});

test('a cross-site request to the GraphQL proxy is refused even with the session cookie', async ({ page }) => {
  await login(page, `${ADMIN_URL}/`, SUPERUSER);
  const forged = await page.request.post(`${ADMIN_URL}/api/graphql`, {
    headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
    data: { query: '{ me { user { email } } }' },
  });
  expect(forged.status()).toBe(403);
  const own = await page.request.post(`${ADMIN_URL}/api/graphql`, {
    headers: { 'content-type': 'application/json', origin: ADMIN_URL },
    data: { query: '{ me { user { email } } }' },
  });
  expect(own.status()).toBe(200);
});
