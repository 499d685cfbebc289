import AxeBuilder from '@axe-core/playwright';
import { expect, type Page } from '@playwright/test';
import path from 'node:path';

function env(name: string, fallback: string): string {
  return process.env[name] || fallback;
}

export const ADMIN_URL = env('ADMIN_URL', 'http://127.0.0.1:3100');
export const PORTAL_URL = env('PORTAL_URL', 'http://127.0.0.1:3101');
export const OIDC_URL = env('OIDC_URL', 'http://127.0.0.1:8191');
export const ADMIN_API = env('ADMIN_API', 'http://127.0.0.1:5353/graphql');
export const ARTIFACTS = env('ARTIFACTS', path.join(__dirname, '..', '..', '.lana', 'browser-artifacts'));
export const SUPERUSER = 'admin@lana.dev';
/** Seeded by global-setup: a staff user whose role may read customers and deposits, not change them. */
export const VIEWER = 'viewer@lana.dev';
/** Seeded by global-setup: a customer with one account holding SEEDED_BALANCE. */
export const SEEDED_CUSTOMER = 'erin@example.com';
export const SEEDED_BALANCE = '$420.42';
/** Seeded by global-setup: a customer with $1,000.00 and an active $5,000.00 facility that paid out $2,000.00. */
export const CREDIT_CUSTOMER = 'gina@example.com';

export const CUSTOMER_API = env('CUSTOMER_API', 'http://127.0.0.1:5354/graphql');
/** The admin server itself (its webhook routes), and the fake custodians dev/browser-test starts. */
export const ADMIN_SERVER = env('ADMIN_SERVER', 'http://127.0.0.1:5353');
export const FAKE_CUSTODIANS_URL = env('FAKE_CUSTODIANS_URL', 'http://127.0.0.1:5357');
/** The access token the fake BitGo accepts (`FakeCredentials::default()` in lib/custodians/src/fake.rs). */
export const FAKE_BITGO_ACCESS_TOKEN = 'fake-bitgo-token';

/** A real token from the dev provider's scripted grant (for test setup through the API only). */
export async function staffToken(email: string): Promise<string> {
  return devToken('internal', 'lana-admin-panel', 'dev-admin-secret', email);
}

export async function customerToken(email: string): Promise<string> {
  return devToken('customer', 'lana-customer-portal', 'dev-customer-secret', email);
}

async function devToken(realm: string, clientId: string, clientSecret: string, email: string): Promise<string> {
  const response = await fetch(`${OIDC_URL}/realms/${realm}/token`, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'urn:lana:params:oauth:grant-type:dev-email',
      email,
      client_id: clientId,
      client_secret: clientSecret,
    }),
  });
  if (!response.ok) throw new Error(`no token for ${email}: HTTP ${response.status}`);
  return ((await response.json()) as { access_token: string }).access_token;
}

export async function adminApi<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(ADMIN_API, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`admin API: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}

export type Gql = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

/** The admin API as a staff user (for test setup through the API only). */
export async function staffGql(email: string): Promise<Gql> {
  const token = await staffToken(email);
  return (query, variables = {}) => adminApi(token, query, variables);
}

/** A prospect converted to a customer (manual conversion allowed) with one empty deposit account. */
export async function customerWithAccount(gql: Gql, email: string, telegramHandle: string): Promise<{ customerId: string; accountId: string }> {
  const prospect = await gql<{ prospectCreate: { prospect: { id: string } } }>(
    'mutation($i: ProspectCreateInput!) { prospectCreate(input: $i) { prospect { id } } }',
    { i: { email, telegramHandle, customerType: 'INDIVIDUAL' } },
  );
  const customer = await gql<{ prospectConvert: { customer: { id: string } } }>('mutation($i: ProspectConvertInput!) { prospectConvert(input: $i) { customer { id } } }', {
    i: { prospectId: prospect.prospectCreate.prospect.id },
  });
  const customerId = customer.prospectConvert.customer.id;
  const account = await gql<{ depositAccountCreate: { account: { id: string } } }>(
    'mutation($i: DepositAccountCreateInput!) { depositAccountCreate(input: $i) { account { id } } }',
    { i: { customerId } },
  );
  return { customerId, accountId: account.depositAccountCreate.account.id };
}

/** Signs in through the provider's login page (any email, any password), landing back on `url`. */
export async function login(page: Page, url: string, email: string) {
  await page.goto(url);
  await expect(page).toHaveURL(/\/realms\/(internal|customer)\/interaction\//);
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill('any password');
  await page.getByRole('button', { name: 'Sign-in' }).click();
  await page.waitForURL((u) => u.href.startsWith(url));
}

/** Saves a full-page screenshot under the artifacts folder (not committed). */
export async function screenshot(page: Page, name: string) {
  await page.screenshot({ path: path.join(ARTIFACTS, 'screenshots', `${name}.png`), fullPage: true });
}

/** Fails on any WCAG 2 A/AA violation axe finds (labels, roles, names, contrast, ...). */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const summary = results.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(summary, 'accessibility violations').toEqual([]);
}
