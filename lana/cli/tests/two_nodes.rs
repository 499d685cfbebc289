//! Two `lana-cli serve` processes on one database: deposits and withdrawals through both at
//! once, one idempotency key sent to both, withdrawals approved by outbox handlers on either
//! node, a business day ending while both run. Afterwards every effect is there exactly once:
//! one approval per withdrawal, one deposit per key, one announcement and one run per
//! end-of-day handler for the day, an intact audit chain, and every balance the API shows equal
//! to the sum worked out here and to the ledger's entries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration as Span, Timelike, Utc};
use common::{Reply, Stack, customer_with_account, lana_cli, run, stderr};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;
use uuid::Uuid;

const ROOT: &str = "root@bank.test";
const ACCOUNTS: usize = 6;
const DEPOSITS_PER_ACCOUNT: u64 = 16;
const WITHDRAWALS_PER_ACCOUNT: u64 = 4;
const DEPOSIT: &str =
    "mutation($input: DepositRecordInput!) { depositRecord(input: $input) { deposit { id } } }";
const WITHDRAW: &str = "mutation($input: WithdrawalInitiateInput!) {
    withdrawalInitiate(input: $input) { withdrawal { id status } } }";
const CONFIRM: &str = "mutation($input: WithdrawalConfirmInput!) {
    withdrawalConfirm(input: $input) { withdrawal { id status } } }";
const WITHDRAWAL: &str = "query($id: UUID!) { withdrawal(id: $id) { status } }";
const BALANCE: &str =
    "query($id: UUID!) { depositAccount(id: $id) { balance { settled pending available } } }";

/// The n-th deposit's amount in cents: varied, never zero.
fn deposit_amount(n: u64) -> u64 {
    1_000 + (n * 7_919) % 50_000
}

/// The n-th withdrawal's amount: always less than the first deposit, so every one is covered.
fn withdrawal_amount(n: u64) -> u64 {
    100 + (n * 31) % 150
}

async fn on(stack: &Stack, port: u16, token: &str, query: &str, variables: Value) -> Value {
    let reply: Reply = stack.admin_at(port, token, query, variables).await;
    reply.data().clone()
}

/// `query` on the admin server at `port`, in a task of its own; its data.
fn spawn_on(
    stack: &Arc<Stack>,
    port: u16,
    token: &str,
    query: &'static str,
    variables: Value,
) -> JoinHandle<Value> {
    let (stack, token) = (stack.clone(), token.to_owned());
    tokio::spawn(async move { on(&stack, port, &token, query, variables).await })
}

async fn count(stack: &Stack, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&stack.db.pool)
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_nodes_on_one_database_do_everything_exactly_once() {
    // the business day ends in a minute or two, while both nodes run
    let closing = (Utc::now() + Span::seconds(80)).with_second(0).unwrap();
    let mut stack = Stack::start_with(
        ROOT,
        &[
            "time.timezone=UTC".into(),
            format!("time.closing_time={}", closing.format("%H:%M")),
        ],
    )
    .await;
    let second = stack.start_node();
    let stack = Arc::new(stack);
    let nodes = [stack.admin_port, second];
    let root = stack.token("internal", ROOT).await;
    let mut accounts = Vec::new();
    for n in 0..ACCOUNTS {
        let email = format!("twonodes{n}@bank.test");
        accounts.push(customer_with_account(&stack, &root, &email).await.1);
    }

    // deposits to every account through both nodes at once
    let mut tasks = Vec::new();
    for (a, account) in accounts.iter().enumerate() {
        for d in 0..DEPOSITS_PER_ACCOUNT {
            let n = a as u64 * DEPOSITS_PER_ACCOUNT + d;
            tasks.push(spawn_on(
                &stack,
                nodes[(n % 2) as usize],
                &root,
                DEPOSIT,
                json!({ "input": { "depositAccountId": account, "amount": deposit_amount(n),
                                   "idempotencyKey": format!("deposit-{n}") } }),
            ));
        }
    }
    // one key sent ten times to both nodes at once makes one deposit
    for k in 0..10 {
        tasks.push(spawn_on(
            &stack,
            nodes[k % 2],
            &root,
            DEPOSIT,
            json!({ "input": { "depositAccountId": accounts[0], "amount": 777,
                               "idempotencyKey": "one-key-two-nodes" } }),
        ));
    }
    let mut once = std::collections::BTreeSet::new();
    for (i, task) in tasks.into_iter().enumerate() {
        let data = task.await.unwrap();
        if i >= ACCOUNTS * DEPOSITS_PER_ACCOUNT as usize {
            once.insert(data["depositRecord"]["deposit"]["id"].to_string());
        }
    }
    assert_eq!(once.len(), 1, "the same deposit for every use of the key");

    // withdrawals through both nodes at once; the automatic approval reaches each through the
    // outbox, on whichever node's dispatcher gets there
    let mut tasks = Vec::new();
    for (a, account) in accounts.iter().enumerate() {
        for w in 0..WITHDRAWALS_PER_ACCOUNT {
            let n = a as u64 * WITHDRAWALS_PER_ACCOUNT + w;
            tasks.push(spawn_on(
                &stack,
                nodes[(n % 2) as usize],
                &root,
                WITHDRAW,
                json!({ "input": { "depositAccountId": account, "amount": withdrawal_amount(n),
                                   "idempotencyKey": format!("withdrawal-{n}") } }),
            ));
        }
    }
    let mut withdrawals = Vec::new();
    for task in tasks {
        let data = task.await.unwrap();
        let id = &data["withdrawalInitiate"]["withdrawal"]["id"];
        withdrawals.push(id.as_str().unwrap().to_owned());
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    for (n, id) in withdrawals.iter().enumerate() {
        loop {
            let w = on(&stack, nodes[n % 2], &root, WITHDRAWAL, json!({ "id": id })).await;
            if w["withdrawal"]["status"] == "APPROVED" {
                break;
            }
            assert!(Instant::now() < deadline, "withdrawal {id}: {w}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    // each confirmed on the node that did not initiate it
    let tasks: Vec<_> = withdrawals
        .iter()
        .enumerate()
        .map(|(n, id)| {
            let confirm = json!({ "input": { "withdrawalId": id } });
            spawn_on(&stack, nodes[(n + 1) % 2], &root, CONFIRM, confirm)
        })
        .collect();
    for task in tasks {
        let data = task.await.unwrap();
        assert_eq!(
            data["withdrawalConfirm"]["withdrawal"]["status"],
            "CONFIRMED"
        );
    }

    // each withdrawal was approved once, whichever node handled its conclusion
    let approvals: Vec<(Uuid, i64)> = sqlx::query_as(
        "SELECT id, count(*) FILTER (WHERE event_type = 'approved')
         FROM deposit_withdrawal_events GROUP BY id",
    )
    .fetch_all(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(approvals.len(), withdrawals.len());
    assert!(approvals.iter().all(|(_, n)| *n == 1), "{approvals:?}");
    assert_eq!(
        count(&stack, "SELECT count(*) FROM deposit_deposits").await,
        (ACCOUNTS as u64 * DEPOSITS_PER_ACCOUNT + 1) as i64
    );

    // every balance: the sum worked out here, what both nodes show, what the ledger holds
    for (a, account) in accounts.iter().enumerate() {
        let a = a as u64;
        let deposited: u64 = (a * DEPOSITS_PER_ACCOUNT..(a + 1) * DEPOSITS_PER_ACCOUNT)
            .map(deposit_amount)
            .sum::<u64>()
            + if a == 0 { 777 } else { 0 };
        let withdrawn: u64 = (a * WITHDRAWALS_PER_ACCOUNT..(a + 1) * WITHDRAWALS_PER_ACCOUNT)
            .map(withdrawal_amount)
            .sum();
        let expected = deposited - withdrawn;
        for port in nodes {
            let shown = on(&stack, port, &root, BALANCE, json!({ "id": account })).await;
            assert_eq!(
                shown["depositAccount"]["balance"],
                json!({ "settled": expected, "pending": 0, "available": expected })
            );
        }
        let ledger: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(CASE WHEN e.direction > 0 THEN -e.amount ELSE e.amount END), 0)::bigint
             FROM ledger_entries e JOIN deposit_accounts a ON a.ledger_account_id = e.account_id
             WHERE a.id = $1 AND e.currency = 'USD' AND e.layer = 0",
        )
        .bind(Uuid::parse_str(account).unwrap())
        .fetch_one(&stack.db.pool)
        .await
        .unwrap();
        assert_eq!(ledger, expected as i64);
    }

    // the day ends once: one announcement, each end-of-day handler once through it
    let ended = (closing - Span::seconds(1)).date_naive();
    let deadline = Instant::now() + Duration::from_secs(200);
    loop {
        let done: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM time_end_of_day_handlers WHERE last_date = $1 ORDER BY name",
        )
        .bind(ended)
        .fetch_all(&stack.db.pool)
        .await
        .unwrap();
        if done == ["credit.servicing", "deposit.activity"] {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the end of day of {ended} never finished: {done:?}"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert_eq!(
        count(&stack, "SELECT count(*) FROM time_ended_days").await,
        1
    );
    assert_eq!(
        count(
            &stack,
            "SELECT count(*) FROM outbox_events WHERE event_type LIKE '%end_of_day%'"
        )
        .await,
        1
    );

    // the audit sealing job chained every entry once, from either node
    let verified = run(lana_cli().args(["audit", "verify"]).args(stack.settings()));
    assert!(verified.status.success(), "{}", stderr(&verified));
    let report = String::from_utf8_lossy(&verified.stdout).into_owned();
    assert!(report.starts_with("audit log intact"), "{report}");
}
