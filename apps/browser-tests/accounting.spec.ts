// An accountant's flow in the admin panel: the chart of accounts from a file (a bad file refused
// with its line), the base configuration and the domains' account sets attached, a deposit seen
// in the trial balance, a manual transaction in the balance sheet and the profit and loss, the
// drill-down to a customer's ledger account, and a month closed against postings.
//
// The stack is shared with global-setup's seeds (deposits and a credit facility, posted today),
// which the attached sets bring into the statements. So every figure checked is computed here:
// the statement before this test's own postings (read through the API), plus those postings.
import { expect, test, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { addMonths, firstOfMonth, formatMonth } from '../shared/src/dates';
import { formatMinor } from '../shared/src/money';
import { ADMIN_URL, SUPERUSER, customerWithAccount, expectAccessible, login, screenshot, staffGql, type Gql } from './support';

const DEFAULT_CHART = path.join(__dirname, '..', '..', 'core', 'accounting', 'default-chart.csv');
const run = Date.now().toString(36);

/** The customer's deposit and the manual transaction, in cents. */
const DEPOSIT = 150_025n;
const RENT = 10_000n;

/** Where the default chart takes each of the domains' other account sets (the test attaches two in the UI). */
const OTHER_ATTACHMENTS: [string, string][] = [
  ['deposit-accounts-frozen', '21.02'],
  ['credit-facility', '81'],
  ['credit-disbursed-receivable-not-yet-due', '11.02.01'],
  ['credit-disbursed-receivable-due', '11.02.02'],
  ['credit-disbursed-receivable-overdue', '11.02.03'],
  ['credit-disbursed-receivable-defaulted', '11.02.04'],
  ['credit-interest-receivable-not-yet-due', '11.03.01'],
  ['credit-interest-receivable-due', '11.03.02'],
  ['credit-interest-receivable-overdue', '11.03.03'],
  ['credit-interest-receivable-defaulted', '11.03.04'],
  ['credit-interest-income', '41'],
  ['credit-fee-income', '42'],
  ['credit-payment-holding', '22.01'],
  ['credit-uncovered-outstanding', '73'],
  ['credit-collateral', '82'],
  ['credit-liquidation-proceeds', '22.02'],
  ['credit-facility-omnibus', '71'],
  ['credit-collateral-omnibus', '72'],
  ['credit-payment-omnibus', '11.01.02'],
];

const usd = (cents: bigint) => formatMinor(cents, 'USD');

interface Figures {
  trialBalance: { lines: { code: string; debits: number; credits: number }[]; totalDebits: number; totalCredits: number };
  balanceSheet: { totalAssets: number; totalLiabilities: number; currentEarnings: number; balanced: boolean };
  profitAndLoss: { totalExpenses: number; netIncome: number };
}

/** The statements this test reads in the UI, through the API: the month so far, and today. */
async function figures(gql: Gql, from: string, to: string): Promise<Figures> {
  return gql<Figures>(
    `query($from: Date!, $to: Date!) {
      trialBalance(from: $from, to: $to) { lines { code debits credits } totalDebits totalCredits }
      balanceSheet(asOf: $to) { totalAssets totalLiabilities currentEarnings balanced }
      profitAndLoss(from: $from, to: $to) { totalExpenses netIncome }
    }`,
    { from, to },
  );
}

function line(f: Figures, code: string) {
  const found = f.trialBalance.lines.find((l) => l.code === code);
  if (!found) throw new Error(`no trial balance line ${code}`);
  return { debits: BigInt(found.debits), credits: BigInt(found.credits) };
}

/** The row of a statement's table whose code links to `code`. */
function row(page: Page, table: Locator, code: string): Locator {
  return table.getByRole('row').filter({ has: page.getByRole('link', { name: code, exact: true }) });
}

function figure(page: Page, label: string): Locator {
  return page.getByRole('region', { name: 'Totals' }).locator('.figure', { hasText: label }).locator('.figure-value');
}

async function visit(page: Page, section: string, heading: string) {
  await page.getByRole('navigation', { name: 'Accounting' }).getByRole('link', { name: section }).click();
  await expect(page.getByRole('heading', { level: 1, name: heading })).toBeVisible();
}

test('an accountant builds the books, reads the statements, posts by hand and closes a month', async ({ page }) => {
  test.setTimeout(180_000);
  const gql = await staffGql(SUPERUSER);
  // the bank's today, in its time zone (the browser's may already be tomorrow)
  const today = (await gql<{ time: { businessDate: string } }>('{ time { businessDate } }')).time.businessDate;
  const monthStart = firstOfMonth(today);
  const inception = addMonths(today, -2);
  const inceptionYear = Number(inception.slice(0, 4));
  const inceptionMonth = Number(inception.slice(5, 7));

  await login(page, `${ADMIN_URL}/`, SUPERUSER);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounting' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Chart of accounts' })).toBeVisible();
  await expect(page.getByText('The chart is empty')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Base configuration' })).toContainText('Not set yet');

  // a file with a bad line is refused whole, naming the line; nothing is imported
  const upload = page.getByRole('form', { name: 'Import a chart file' });
  const file = upload.getByLabel('Chart file (CSV)');
  await file.setInputFiles({ name: 'bad-chart.csv', mimeType: 'text/csv', buffer: Buffer.from('1,,Assets,Debit\n11,,Current assets,\n2,,Liabilities,Sideways\n') });
  await upload.getByRole('button', { name: 'Import CSV' }).click();
  await expect(upload.getByRole('alert')).toContainText('The chart file was refused whole; nothing was imported. line 3: normal balance "Sideways" is neither Debit nor Credit');
  await screenshot(page, 'admin-accounting-chart-refused');
  await expectAccessible(page);
  // the file's bytes reach the server as they are: a Latin-1 name is not UTF-8 there
  await file.setInputFiles({ name: 'latin1-chart.csv', mimeType: 'text/csv', buffer: Buffer.from('1,,Assets,Debit\n11,,Caf\u00e9 accounts,\n', 'latin1') });
  await upload.getByRole('button', { name: 'Import CSV' }).click();
  await expect(upload.getByRole('alert')).toContainText('line 2: not valid UTF-8');
  await expect(page.getByText('The chart is empty')).toBeVisible();

  // the repository's default chart; a second import adds nothing
  const nodes = readFileSync(DEFAULT_CHART, 'utf8').split('\n').filter((l) => l.replaceAll(',', '').trim() !== '').length;
  await file.setInputFiles(DEFAULT_CHART);
  await upload.getByRole('button', { name: 'Import CSV' }).click();
  const imported = page.getByRole('region', { name: 'Import a chart file' }).getByRole('status');
  await expect(imported).toHaveText(`Imported default-chart.csv: ${nodes} new nodes, ${nodes} in the chart.`);
  const chart = page.getByRole('table', { name: 'Chart of accounts' });
  await expect(row(page, chart, '11.01.01')).toContainText('Cash held for customer deposits (deposit omnibus)');
  await expect(row(page, chart, '32.02')).toContainText('Debit');
  await file.setInputFiles(DEFAULT_CHART);
  await upload.getByRole('button', { name: 'Import CSV' }).click();
  await expect(imported).toHaveText(`Imported default-chart.csv: 0 new nodes, ${nodes} in the chart.`);
  await expect(chart.getByRole('row')).toHaveCount(nodes + 1);
  await expect(row(page, chart, '11.01.01')).toHaveCount(1);

  // a node by hand, and the same code again with another name
  const add = page.getByRole('form', { name: 'Add a node' });
  await add.getByLabel('Parent code').fill('23');
  await add.getByLabel('Section').fill('01');
  await add.getByLabel('Name').fill('Accrued expenses');
  await add.getByRole('button', { name: 'Add node' }).click();
  await expect(page.getByRole('region', { name: 'Add a node' }).getByRole('status')).toHaveText('Added 23.01 Accrued expenses.');
  await expect(row(page, chart, '23.01')).toContainText('Credit');
  await add.getByLabel('Parent code').fill('23');
  await add.getByLabel('Section').fill('01');
  await add.getByLabel('Name').fill('Something else');
  await add.getByRole('button', { name: 'Add node' }).click();
  await expect(add.getByRole('alert')).toContainText('A node with this code already exists');

  // the base configuration
  const config = page.getByRole('form', { name: 'Base configuration' });
  const fields: [string, string][] = [
    ['Assets', '1'],
    ['Liabilities', '2'],
    ['Equity', '3'],
    ['Revenue', '4'],
    ['Cost of revenue', '5'],
    ['Expenses', '6'],
    ['Retained earnings: gain', '32.01'],
    ['Retained earnings: loss', '32.02'],
    ['Off-balance-sheet codes', '7, 8'],
    ['Inception date', inception],
  ];
  // each label from its start (the hint below it is part of the label)
  for (const [label, value] of fields) await config.getByLabel(new RegExp(`^${label}`)).fill(value);
  await config.getByRole('button', { name: 'Save configuration' }).click();
  const current = page.getByRole('region', { name: 'Base configuration' }).locator('dl');
  await expect(current).toContainText(`Inception date${inception}`);
  await expect(current).toContainText('Retained earnings: loss32.02');
  await expect(current).toContainText('Off balance sheet7, 8');

  // the deposit domain's sets under the chart; a set on the other side is refused
  const sets = page.getByRole('table', { name: 'Module account sets' });
  const attach = async (key: string, code: string) => {
    const form = page.getByRole('form', { name: `Attach ${key}`, exact: true });
    await form.getByLabel('Under code').fill(code);
    await form.getByRole('button', { name: 'Attach' }).click();
  };
  await attach('deposit-omnibus', '11.01.01');
  await expect(sets.getByRole('row', { name: /^deposit-omnibus / })).toContainText('11.01.01');
  await attach('deposit-accounts', '11.01.02');
  await expect(page.getByRole('form', { name: 'Attach deposit-accounts', exact: true }).getByRole('alert')).toContainText(
    'The account set and the chart node have different normal balances',
  );
  await attach('deposit-accounts', '21.01');
  await expect(sets.getByRole('row', { name: /^deposit-accounts / })).toContainText('21.01');
  await expect(row(page, chart, '21.01')).toContainText('deposit-accounts');
  await screenshot(page, 'admin-accounting-chart');
  await expectAccessible(page);

  // every other set where the default chart has its place (setup, through the API), so that the
  // seeded credit facility's receivables stand against the deposits it paid into
  for (const [moduleSetKey, code] of OTHER_ATTACHMENTS) {
    await gql('mutation($i: AccountingModuleAttachInput!) { accountingModuleAttach(input: $i) { chart { name } } }', { i: { moduleSetKey, code } });
  }
  const before = await figures(gql, monthStart, today);
  expect(before.balanceSheet.balanced).toBe(true);

  // a customer's deposit of $1,500.25, recorded on the account's page
  const { accountId } = await customerWithAccount(gql, `ada-${run}@example.com`, `ada_${run}`);
  await page.goto(`${ADMIN_URL}/deposit-accounts/${accountId}`);
  const publicId = ((await page.getByRole('heading', { level: 1 }).textContent()) ?? '').replace('Account ', '');
  const deposit = page.getByRole('form', { name: 'Record a deposit' });
  await deposit.getByLabel('Amount').fill(usd(DEPOSIT));
  await deposit.getByLabel('Reference').fill(`accounting ${run}`);
  await deposit.getByRole('button', { name: 'Record deposit' }).click();
  await expect(page.getByTestId('available-balance')).toHaveText(`$${usd(DEPOSIT)}`);

  // the trial balance of this month: the deposit debits the omnibus and credits the deposits
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounting' }).click();
  await visit(page, 'Trial balance', 'Trial balance');
  await expect(page.getByText(`From ${monthStart} to ${today}, in US dollars (USD), settled.`)).toBeVisible();
  const tb = page.getByRole('table', { name: 'Trial balance' });
  const omnibus = line(before, '11.01.01');
  const deposits = line(before, '21.01');
  await expect(row(page, tb, '11.01.01').getByRole('cell').nth(3)).toHaveText(usd(omnibus.debits + DEPOSIT));
  await expect(row(page, tb, '21.01').getByRole('cell').nth(4)).toHaveText(usd(deposits.credits + DEPOSIT));
  const totalDebits = BigInt(before.trialBalance.totalDebits) + DEPOSIT;
  const totalCredits = BigInt(before.trialBalance.totalCredits) + DEPOSIT;
  expect(totalDebits).toBe(totalCredits);
  await expect(tb.locator('tfoot tr').getByRole('cell')).toHaveText(['', '', usd(totalDebits), usd(totalCredits), '']);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Download CSV' }).click();
  const csv = await download;
  expect(csv.suggestedFilename()).toBe(`trial-balance_${monthStart}_${today}_USD_settled.csv`);
  expect(readFileSync(await csv.path(), 'utf8')).toContain('11.01.01');
  await screenshot(page, 'admin-accounting-trial-balance');
  await expectAccessible(page);

  // a manual transaction: refused while it does not balance, posted once it does
  await visit(page, 'Manual transactions', 'Manual transactions');
  const manual = page.getByRole('form', { name: 'New manual transaction' });
  await expect(manual.getByLabel('Effective date')).toHaveValue(today);
  await manual.getByLabel('Description', { exact: true }).fill(`Office rent ${run}`);
  const entry = (n: number) => manual.getByRole('group', { name: `Entry ${n}` });
  await entry(1).getByLabel('Account').fill('62');
  await entry(1).getByLabel('Amount').fill(usd(RENT));
  await entry(2).getByLabel('Account').fill('11.01.01');
  await entry(2).getByLabel('Amount').fill('50');
  await expect(entry(2).getByLabel('Direction')).toHaveValue('CREDIT');
  await manual.getByRole('button', { name: 'Post transaction' }).click();
  await expect(manual.getByRole('alert')).toContainText('The debits and credits differ in a currency; a transaction must balance.');
  await entry(2).getByLabel('Amount').fill(usd(RENT));
  await manual.getByRole('button', { name: 'Post transaction' }).click();
  await expect(page.getByRole('region', { name: 'New manual transaction' }).getByRole('status')).toHaveText(`Posted "Office rent ${run}", effective ${today}.`);
  const posted = page.getByRole('table', { name: 'Manual transactions' }).getByRole('row', { name: new RegExp(`Office rent ${run}`) });
  await expect(posted).toContainText(`Debit 62 ${usd(RENT)} USD`);
  await expect(posted).toContainText(`Credit 11.01.01 ${usd(RENT)} USD`);
  await screenshot(page, 'admin-accounting-manual-transactions');
  await expectAccessible(page);
  await posted.getByRole('link', { name: `Office rent ${run}` }).click();
  await expect(page.getByRole('heading', { level: 1, name: `Office rent ${run}` })).toBeVisible();
  await expect(page.getByRole('table', { name: 'Entries' }).getByRole('row', { name: `62 Debit ${usd(RENT)} USD` })).toHaveCount(1);
  await expect(page.getByRole('table', { name: 'Entries' }).getByRole('row', { name: `11.01.01 Credit ${usd(RENT)} USD` })).toHaveCount(1);
  await expectAccessible(page);

  // the balance sheet today: the rent left the assets and is a loss in the current earnings
  await visit(page, 'Balance sheet', 'Balance sheet');
  const bs = before.balanceSheet;
  await expect(figure(page, 'Total assets')).toHaveText(usd(BigInt(bs.totalAssets) + DEPOSIT - RENT));
  await expect(figure(page, 'Total liabilities')).toHaveText(usd(BigInt(bs.totalLiabilities) + DEPOSIT));
  await expect(figure(page, 'Current earnings')).toHaveText(usd(BigInt(bs.currentEarnings) - RENT));
  await expect(figure(page, 'Assets = liabilities + equity')).toHaveText('Balanced');
  await expect(page.getByRole('table', { name: 'Equity' }).getByRole('row', { name: /^Current earnings/ })).toContainText(usd(BigInt(bs.currentEarnings) - RENT));
  await screenshot(page, 'admin-accounting-balance-sheet');
  await expectAccessible(page);

  // the profit and loss of the month
  await visit(page, 'Profit and loss', 'Profit and loss');
  const pl = before.profitAndLoss;
  await expect(figure(page, 'Total expenses')).toHaveText(usd(BigInt(pl.totalExpenses) + RENT));
  await expect(figure(page, 'Net income')).toHaveText(usd(BigInt(pl.netIncome) - RENT));
  await expect(row(page, page.getByRole('table', { name: 'Expenses' }), '62')).toContainText(usd(RENT));
  await screenshot(page, 'admin-accounting-profit-and-loss');
  await expectAccessible(page);

  // from the deposits' line down to the customer's ledger account and its deposit entry
  await visit(page, 'Trial balance', 'Trial balance');
  await row(page, page.getByRole('table', { name: 'Trial balance' }), '21.01').getByRole('link', { name: '21.01', exact: true }).click();
  await expect(page.getByRole('heading', { level: 1, name: '21.01 Deposit accounts' })).toBeVisible();
  const ledgerAccounts = page.getByRole('table', { name: 'Ledger accounts' });
  const account = ledgerAccounts.getByRole('row', { name: new RegExp(`Deposit account ${publicId}\\b`) });
  await expect(account).toContainText(usd(DEPOSIT));
  await screenshot(page, 'admin-accounting-node');
  await expectAccessible(page);
  await account.getByRole('link').click();
  await expect(page.getByRole('heading', { level: 1, name: `Deposit account ${publicId}` })).toBeVisible();
  const entries = page.getByRole('table', { name: 'Entries' });
  await expect(entries.getByRole('row', { name: new RegExp(`${today} deposit:\\S+ Credit ${usd(DEPOSIT)} USD Settled`) })).toHaveCount(1);
  await screenshot(page, 'admin-accounting-ledger-account');
  await expectAccessible(page);

  // its history as a CSV file: a job writes it, the panel serves it with the session's token
  await page.getByRole('button', { name: 'Export history (CSV)' }).click();
  const exportLink = page.getByRole('link', { name: 'Download 1 entry (CSV)' });
  await expect(exportLink).toBeVisible({ timeout: 15_000 });
  const exportFile = await page.request.get(`${ADMIN_URL}${await exportLink.getAttribute('href')}`);
  expect(exportFile.status()).toBe(200);
  expect(exportFile.headers()['content-type']).toContain('text/csv');
  const exported = (await exportFile.text()).trim().split('\n');
  expect(exported).toHaveLength(2);
  expect(exported[1]).toContain(`,USD,settled,credit,${DEPOSIT / 100n}.${(DEPOSIT % 100n).toString().padStart(2, '0')},`);
  await expectAccessible(page);

  // the inception month has ended: it closes, and nothing can be posted into it any more
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Accounting' }).click();
  await visit(page, 'Periods', 'Periods');
  const month = formatMonth(inceptionYear, inceptionMonth);
  const nextMonth = addMonths(inception, 1).slice(0, 7);
  // nothing closed yet (the server opens the fiscal year at its first close)
  const year = page.getByRole('table', { name: 'Fiscal years' }).getByRole('row', { name: new RegExp(`^${inceptionYear} `) });
  await expect(page.getByRole('table', { name: 'Fiscal years' }).getByRole('row', { name: new RegExp(`^${inceptionYear} ${month} ${month} `) })).toHaveCount(0);
  const close = page.getByRole('form', { name: 'Close a month' });
  await expect(close.getByLabel('Year')).toHaveValue(String(inceptionYear));
  await expect(close.getByLabel('Month')).toHaveValue(String(inceptionMonth));
  await screenshot(page, 'admin-accounting-periods');
  await expectAccessible(page);
  page.once('dialog', (dialog) => void dialog.accept());
  await close.getByRole('button', { name: 'Close month' }).click();
  await expect(year.getByRole('cell')).toHaveText([String(inceptionYear), month, month, nextMonth, 'Open', '']);
  await expect(close.getByLabel('Month')).toHaveValue(String(Number(nextMonth.slice(5, 7))));
  await screenshot(page, 'admin-accounting-period-closed');

  await visit(page, 'Manual transactions', 'Manual transactions');
  await manual.getByLabel('Description', { exact: true }).fill(`Late invoice ${run}`);
  await manual.getByLabel('Effective date').fill(`${inception.slice(0, 8)}15`);
  await entry(1).getByLabel('Account').fill('62');
  await entry(1).getByLabel('Amount').fill('25.00');
  await entry(2).getByLabel('Account').fill('11.01.01');
  await entry(2).getByLabel('Amount').fill('25.00');
  await manual.getByRole('button', { name: 'Post transaction' }).click();
  await expect(manual.getByRole('alert')).toContainText('The effective date is in a closed accounting period: nothing can be posted there any more.');
  await manual.getByLabel('Effective date').fill(addMonths(inception, -1).slice(0, 8) + '28');
  await manual.getByRole('button', { name: 'Post transaction' }).click();
  await expect(manual.getByRole('alert')).toContainText('before the bank\u2019s inception date');
  await screenshot(page, 'admin-accounting-period-refused');
});
