//! The accountant's scenario end to end over HTTP with real tokens, on the manual clock: import
//! the chart (a bad file refused with its line), configure the books, attach the deposit module,
//! deposits and withdrawals of three customers and a manual transaction, then the trial balance,
//! balance sheet and profit and loss against figures computed here, the drill-down to a
//! customer's entries, and closing January: a back-dated manual transaction is refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use base64::Engine;
use common::{Stack, code, customer_with_account, ok};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ROOT: &str = "root@bank.test";

const IMPORT: &str = "mutation($input: ChartOfAccountsCsvImportInput!) { chartOfAccountsCsvImport(input: $input) { chart { nodes { code depth normalBalance } } } }";
const CONFIGURE: &str = "mutation($input: AccountingBaseConfigUpdateInput!) { accountingBaseConfigUpdate(input: $input) { chart { baseConfig { inceptionDate } } } }";
const ATTACH: &str = "mutation($input: AccountingModuleAttachInput!) { accountingModuleAttach(input: $input) { chart { attachments { moduleSetKey code } } } }";
const MANUAL: &str = "mutation($input: ManualTransactionCreateInput!) { manualTransactionCreate(input: $input) { manualTransaction { id ledgerTransactionId entries { accountCode amount } } } }";
const TRIAL_BALANCE: &str = "query($from: Date!, $to: Date!, $layer: BalanceLayer!) { trialBalance(from: $from, to: $to, layer: $layer) { totalDebits totalCredits csv lines { code opening debits credits closing } } }";
const BALANCE_SHEET: &str = "query($asOf: Date!) { balanceSheet(asOf: $asOf) { totalAssets totalLiabilities totalEquity currentEarnings balanced } }";
const PROFIT_AND_LOSS: &str = "query($from: Date!, $to: Date!) { profitAndLoss(from: $from, to: $to) { totalRevenue totalExpenses netIncome expenses { code balance } } }";
const CLOSE_MONTH: &str = "mutation($input: AccountingPeriodCloseMonthInput!) { accountingPeriodCloseMonth(input: $input) { fiscalYear { year closedThroughMonth nextMonthToClose } } }";

fn file(bytes: &[u8]) -> Value {
    json!({ "input": { "fileBase64": base64::engine::general_purpose::STANDARD.encode(bytes) } })
}

async fn deposit(stack: &Stack, token: &str, account: &str, cents: u64) {
    ok(
        stack,
        token,
        "mutation($input: DepositRecordInput!) { depositRecord(input: $input) { deposit { id } } }",
        json!({ "input": { "depositAccountId": account, "amount": cents } }),
    )
    .await;
}

/// A withdrawal initiated and, under the default automatic policy, approved; returns its id.
async fn approved_withdrawal(stack: &Stack, token: &str, account: &str, cents: u64) -> String {
    let id = ok(
        stack,
        token,
        "mutation($input: WithdrawalInitiateInput!) { withdrawalInitiate(input: $input) { withdrawal { id } } }",
        json!({ "input": { "depositAccountId": account, "amount": cents } }),
    )
    .await["withdrawalInitiate"]["withdrawal"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let w = ok(
            stack,
            token,
            "query($id: UUID!) { withdrawal(id: $id) { status } }",
            json!({ "id": id }),
        )
        .await;
        if w["withdrawal"]["status"] == "APPROVED" {
            return id;
        }
        assert!(Instant::now() < deadline, "withdrawal {id} not approved");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn confirm(stack: &Stack, token: &str, id: &str) {
    ok(
        stack,
        token,
        "mutation($input: WithdrawalConfirmInput!) { withdrawalConfirm(input: $input) { withdrawal { status } } }",
        json!({ "input": { "withdrawalId": id } }),
    )
    .await;
}

/// (opening, debits, credits, closing) of a trial balance line.
fn line(tb: &Value, at: &str) -> (i64, i64, i64, i64) {
    let l = tb["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == at)
        .unwrap_or_else(|| panic!("no line {at}"));
    let n = |k: &str| l[k].as_i64().unwrap();
    (n("opening"), n("debits"), n("credits"), n("closing"))
}

fn manual_input(description: &str, effective: &str, cents: u64) -> Value {
    json!({ "input": {
        "description": description,
        "effectiveDate": effective,
        "entries": [
            { "accountCode": "62", "currency": "USD", "direction": "DEBIT", "amount": cents },
            { "accountCode": "11.01.01", "currency": "USD", "direction": "CREDIT", "amount": cents, "description": "paid from cash" },
        ],
    } })
}

#[tokio::test]
async fn an_accountant_imports_the_chart_reads_the_statements_and_closes_january() {
    let stack = Stack::start_with(
        ROOT,
        &[
            "time.clock=manual".into(),
            "time.manual_start_date=2027-01-04".into(),
        ],
    )
    .await;
    let root = stack.token("internal", ROOT).await;

    // A bad file is refused whole, naming its line; nothing is imported.
    let bad = stack
        .admin(
            &root,
            IMPORT,
            file(b"1,,,Assets,Debit\n11,,,Current,\n,01,,Caf\xe9,\n"),
        )
        .await;
    assert_eq!(code(&bad), "CHART_CSV_INVALID");
    assert!(
        bad.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("line 3: not valid UTF-8"),
        "{}",
        bad.body
    );
    let chart = ok(
        &stack,
        &root,
        "{ chartOfAccounts { nodes { code } } }",
        json!({}),
    )
    .await;
    assert_eq!(chart["chartOfAccounts"]["nodes"], json!([]));
    let not_base64 = stack
        .admin(&root, IMPORT, json!({ "input": { "fileBase64": "*" } }))
        .await;
    assert_eq!(code(&not_base64), "INVALID_INPUT");

    // The default chart, twice: the second import adds nothing.
    let default_chart =
        std::fs::read(common::repo_root().join("core/accounting/default-chart.csv")).unwrap();
    let first = ok(&stack, &root, IMPORT, file(&default_chart)).await;
    let nodes = first["chartOfAccountsCsvImport"]["chart"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(
        nodes.len(),
        default_chart.iter().filter(|b| **b == b'\n').count()
    );
    assert!(nodes.contains(&json!({ "code": "11.01.01", "depth": 3, "normalBalance": "DEBIT" })));
    assert!(nodes.contains(&json!({ "code": "32.02", "depth": 2, "normalBalance": "DEBIT" })));
    let again = ok(&stack, &root, IMPORT, file(&default_chart)).await;
    assert_eq!(
        again["chartOfAccountsCsvImport"]["chart"]["nodes"]
            .as_array()
            .unwrap()
            .len(),
        nodes.len()
    );

    let configured = ok(
        &stack,
        &root,
        CONFIGURE,
        json!({ "input": {
            "assets": "1", "liabilities": "2", "equity": "3", "revenue": "4", "costOfRevenue": "5",
            "expenses": "6", "retainedEarningsGain": "32.01", "retainedEarningsLoss": "32.02",
            "offBalanceSheet": ["7", "8"], "inceptionDate": "2027-01-01",
        } }),
    )
    .await;
    assert_eq!(
        configured["accountingBaseConfigUpdate"]["chart"]["baseConfig"]["inceptionDate"],
        "2027-01-01"
    );
    let mismatch = stack
        .admin(
            &root,
            ATTACH,
            json!({ "input": { "moduleSetKey": "deposit-accounts", "code": "11.01.01" } }),
        )
        .await;
    assert_eq!(code(&mismatch), "NORMAL_BALANCE_MISMATCH");
    let missing = stack
        .admin(
            &root,
            ATTACH,
            json!({ "input": { "moduleSetKey": "deposit-accounts", "code": "21.09" } }),
        )
        .await;
    assert_eq!(code(&missing), "CHART_NODE_NOT_FOUND");
    for (key, at) in [
        ("deposit-omnibus", "11.01.01"),
        ("deposit-accounts", "21.01"),
        ("deposit-accounts-frozen", "21.02"),
    ] {
        ok(
            &stack,
            &root,
            ATTACH,
            json!({ "input": { "moduleSetKey": key, "code": at } }),
        )
        .await;
    }
    let sets = ok(
        &stack,
        &root,
        "{ accountingModuleSets { key attachedTo } }",
        json!({}),
    )
    .await;
    assert!(
        sets["accountingModuleSets"]
            .as_array()
            .unwrap()
            .contains(&json!({ "key": "deposit-accounts", "attachedTo": "21.01" }))
    );
    assert!(
        sets["accountingModuleSets"]
            .as_array()
            .unwrap()
            .contains(&json!({ "key": "credit-interest-income", "attachedTo": null }))
    );

    // Three customers: deposits of 1,500.25, 800.00 and 300.00; Bob withdraws 200.00 (confirmed),
    // Carol 50.00 (approved, not confirmed: pending); 100.00 of expenses paid by hand.
    let (_, alice) = customer_with_account(&stack, &root, "alice@bank.test").await;
    let (_, bob) = customer_with_account(&stack, &root, "bob@bank.test").await;
    let (_, carol) = customer_with_account(&stack, &root, "carol@bank.test").await;
    deposit(&stack, &root, &alice, 150_025).await;
    deposit(&stack, &root, &bob, 80_000).await;
    deposit(&stack, &root, &carol, 30_000).await;
    let bobs = approved_withdrawal(&stack, &root, &bob, 20_000).await;
    confirm(&stack, &root, &bobs).await;
    let carols = approved_withdrawal(&stack, &root, &carol, 5_000).await;
    let paid = stack
        .admin_with(
            &root,
            MANUAL,
            manual_input("Office supplies", "2027-01-04", 10_000),
            &[("Idempotency-Key", "supplies-jan")],
        )
        .await;
    let t = paid.data()["manualTransactionCreate"]["manualTransaction"].clone();
    assert_eq!(
        t["entries"],
        json!([{ "accountCode": "62", "amount": 10_000 }, { "accountCode": "11.01.01", "amount": 10_000 }])
    );
    let replay = stack
        .admin_with(
            &root,
            MANUAL,
            manual_input("Office supplies", "2027-01-04", 10_000),
            &[("Idempotency-Key", "supplies-jan")],
        )
        .await;
    assert_eq!(
        replay.data()["manualTransactionCreate"]["manualTransaction"]["id"],
        t["id"]
    );
    // The write is audited under the request's correlation id.
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_entries WHERE object = 'accounting/manual-transaction' AND action = 'accounting:write' AND correlation_id = $1",
    )
    .bind(paid.request_id.clone().unwrap())
    .fetch_one(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    let unbalanced = stack
        .admin(&root, MANUAL, json!({ "input": { "description": "x", "effectiveDate": "2027-01-04", "entries": [
            { "accountCode": "62", "currency": "USD", "direction": "DEBIT", "amount": 5 },
            { "accountCode": "11.01.01", "currency": "USD", "direction": "CREDIT", "amount": 4 } ] } }))
        .await;
    assert_eq!(code(&unbalanced), "TRANSACTION_UNBALANCED");
    let before_inception = stack
        .admin(&root, MANUAL, manual_input("x", "2026-12-31", 5))
        .await;
    assert_eq!(code(&before_inception), "BEFORE_INCEPTION");
    let both = stack
        .admin(&root, MANUAL, json!({ "input": { "description": "x", "effectiveDate": "2027-01-04", "entries": [
            { "accountCode": "62", "ledgerAccountId": "00000000-0000-0000-0000-000000000000", "currency": "USD", "direction": "DEBIT", "amount": 5 },
            { "accountCode": "11.01.01", "currency": "USD", "direction": "CREDIT", "amount": 5 } ] } }))
        .await;
    assert_eq!(code(&both), "INVALID_INPUT");

    // By hand: cash 1,500.25 + 800 + 300 in, 200 + 100 out; deposits 2,600.25 in, 200 out.
    let settled = ok(
        &stack,
        &root,
        TRIAL_BALANCE,
        json!({ "from": "2027-01-01", "to": "2027-01-31", "layer": "SETTLED" }),
    )
    .await["trialBalance"]
        .clone();
    assert_eq!(line(&settled, "11.01.01"), (0, 260_025, 30_000, 230_025));
    assert_eq!(line(&settled, "1"), (0, 260_025, 30_000, 230_025));
    assert_eq!(line(&settled, "21.01"), (0, 20_000, 260_025, 240_025));
    assert_eq!(line(&settled, "62"), (0, 10_000, 0, 10_000));
    assert_eq!(line(&settled, "41"), (0, 0, 0, 0));
    assert_eq!(
        (
            settled["totalDebits"].as_i64(),
            settled["totalCredits"].as_i64()
        ),
        (Some(290_025), Some(290_025))
    );
    assert!(
        settled["csv"]
            .as_str()
            .unwrap()
            .contains("\n21.01,Deposit accounts,credit,0.00,200.00,2600.25,2400.25\n")
    );
    // Carol's 50.00 in flight shows in the pending view only.
    let pending = ok(
        &stack,
        &root,
        TRIAL_BALANCE,
        json!({ "from": "2027-01-01", "to": "2027-01-31", "layer": "PENDING" }),
    )
    .await["trialBalance"]
        .clone();
    assert_eq!(line(&pending, "21.01").3, 240_025 - 5_000);
    assert_eq!(line(&pending, "11.01.01").3, 230_025 - 5_000);
    assert_eq!(pending["totalDebits"], pending["totalCredits"]);

    let bs = ok(
        &stack,
        &root,
        BALANCE_SHEET,
        json!({ "asOf": "2027-01-04" }),
    )
    .await["balanceSheet"]
        .clone();
    assert_eq!(
        bs,
        json!({ "totalAssets": 230_025, "totalLiabilities": 240_025, "totalEquity": -10_000, "currentEarnings": -10_000, "balanced": true })
    );
    let pl = ok(
        &stack,
        &root,
        PROFIT_AND_LOSS,
        json!({ "from": "2027-01-01", "to": "2027-01-31" }),
    )
    .await["profitAndLoss"]
        .clone();
    assert_eq!(
        (
            pl["totalRevenue"].as_i64(),
            pl["totalExpenses"].as_i64(),
            pl["netIncome"].as_i64()
        ),
        (Some(0), Some(10_000), Some(-10_000))
    );
    assert!(
        pl["expenses"]
            .as_array()
            .unwrap()
            .contains(&json!({ "code": "62", "balance": 10_000 }))
    );

    // Drill-down: from 21.01 to Alice's ledger account and its deposit entry.
    let accounts = ok(
        &stack,
        &root,
        "{ chartNodeLedgerAccounts(code: \"21.01\", first: 10) { edges { node { id code usdBalance } } } }",
        json!({}),
    )
    .await;
    let edges = accounts["chartNodeLedgerAccounts"]["edges"]
        .as_array()
        .unwrap();
    let balances: Vec<i64> = edges
        .iter()
        .map(|e| e["node"]["usdBalance"].as_i64().unwrap())
        .collect();
    assert_eq!(
        balances.len(),
        4,
        "the node's own account and three deposit accounts"
    );
    assert_eq!(balances.iter().sum::<i64>(), 240_025);
    let alices = edges
        .iter()
        .find(|e| e["node"]["usdBalance"] == 150_025)
        .unwrap()["node"]["id"]
        .clone();
    let entries = ok(
        &stack,
        &root,
        "query($id: UUID!) { ledgerAccount(id: $id) { entries(first: 10) { edges { node { externalId direction amount effective } } } } }",
        json!({ "id": alices }),
    )
    .await;
    let entries = entries["ledgerAccount"]["entries"]["edges"]
        .as_array()
        .unwrap();
    assert_eq!(entries.len(), 1);
    assert!(
        entries[0]["node"]["externalId"]
            .as_str()
            .unwrap()
            .starts_with("deposit:")
    );
    assert_eq!(
        (
            &entries[0]["node"]["direction"],
            &entries[0]["node"]["amount"]
        ),
        (&json!("CREDIT"), &json!(150_025))
    );

    // Alice's history as a CSV file, written by a job and served to staff only.
    let export = ok(
        &stack,
        &root,
        "mutation($input: LedgerAccountExportCreateInput!) { ledgerAccountExportCreate(input: $input) { export { id status } } }",
        json!({ "input": { "ledgerAccountId": alices } }),
    )
    .await["ledgerAccountExportCreate"]["export"]["id"]
        .clone();
    let deadline = Instant::now() + Duration::from_secs(15);
    let written = loop {
        let e = ok(
            &stack,
            &root,
            "query($id: UUID!) { ledgerAccountExport(id: $id) { status rows downloadPath failure } }",
            json!({ "id": export }),
        )
        .await["ledgerAccountExport"]
            .clone();
        if e["status"] != "PENDING" {
            break e;
        }
        assert!(Instant::now() < deadline, "the export was never written");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(
        (&written["status"], &written["rows"]),
        (&json!("COMPLETED"), &json!(1))
    );
    let path = written["downloadPath"].as_str().unwrap();
    let (status, content_type, csv) = stack.admin_get(Some(&root), path).await;
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/csv; charset=utf-8")
    );
    let rows: Vec<&str> = csv.lines().collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert!(rows[1].contains(",USD,settled,credit,1500.25,"), "{csv}");
    assert_eq!(stack.admin_get(None, path).await.0, 401);
    let missing = format!("/exports/ledger-account/{}.csv", uuid::Uuid::new_v4());
    assert_eq!(stack.admin_get(Some(&root), &missing).await.0, 404);

    // January closes once it has ended (the manual clock to the end of 31 January).
    let early = stack
        .admin(
            &root,
            CLOSE_MONTH,
            json!({ "input": { "year": 2027, "month": 1 } }),
        )
        .await;
    assert_eq!(code(&early), "PERIOD_NOT_ENDED");
    ok(
        &stack,
        &root,
        "mutation { timeAdvance(input: { days: 28 }) { endedDates } }",
        json!({}),
    )
    .await;
    let closed = ok(
        &stack,
        &root,
        CLOSE_MONTH,
        json!({ "input": { "year": 2027, "month": 1 } }),
    )
    .await;
    assert_eq!(
        closed["accountingPeriodCloseMonth"]["fiscalYear"],
        json!({ "year": 2027, "closedThroughMonth": 1, "nextMonthToClose": "2027-02" })
    );
    let late = stack
        .admin(
            &root,
            MANUAL,
            manual_input("Late invoice", "2027-01-20", 2_500),
        )
        .await;
    assert_eq!(code(&late), "PERIOD_CLOSED");
    let not_next = stack
        .admin(
            &root,
            CLOSE_MONTH,
            json!({ "input": { "year": 2027, "month": 3 } }),
        )
        .await;
    assert_eq!(code(&not_next), "PERIOD_NOT_NEXT");
    // Carol's withdrawal confirms in February; January's figures stay as they were.
    confirm(&stack, &root, &carols).await;
    let january = ok(
        &stack,
        &root,
        TRIAL_BALANCE,
        json!({ "from": "2027-01-01", "to": "2027-01-31", "layer": "SETTLED" }),
    )
    .await["trialBalance"]
        .clone();
    assert_eq!(january["lines"], settled["lines"]);
    let february = ok(
        &stack,
        &root,
        TRIAL_BALANCE,
        json!({ "from": "2027-02-01", "to": "2027-02-28", "layer": "SETTLED" }),
    )
    .await["trialBalance"]
        .clone();
    assert_eq!(line(&february, "21.01"), (240_025, 5_000, 0, 235_025));
}
