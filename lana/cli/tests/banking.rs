//! End to end over HTTP with real tokens: the first banking slice (customers and KYC webhooks,
//! deposit accounts, deposits and withdrawals under governance approval).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Reply, Stack, code, customer_with_account, ok};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use sumsub::fake::FakeSumsub;
use sumsub::{ReviewAnswer, WebhookType};

const ROOT: &str = "root@bank.test";

const ACCOUNT: &str = "query($id: UUID!) { depositAccount(id: $id) { id status
    balance { settled pending available frozen } } }";
const DEPOSIT: &str = "mutation($input: DepositRecordInput!) { depositRecord(input: $input) { deposit { id amount } } }";
const WITHDRAW: &str = "mutation($input: WithdrawalInitiateInput!) { withdrawalInitiate(input: $input) { withdrawal { id status approvalProcessId } } }";
const WITHDRAWAL: &str = "query($id: UUID!) { withdrawal(id: $id) { id status denialReason } }";

async fn staff_id(stack: &Stack, token: &str) -> String {
    ok(stack, token, "{ me { user { id } } }", json!({})).await["me"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn deposit(stack: &Stack, token: &str, account: &str, cents: u64) -> Reply {
    stack
        .admin(
            token,
            DEPOSIT,
            json!({ "input": { "depositAccountId": account, "amount": cents } }),
        )
        .await
}

async fn withdraw(stack: &Stack, token: &str, account: &str, cents: u64) -> Reply {
    stack
        .admin(
            token,
            WITHDRAW,
            json!({ "input": { "depositAccountId": account, "amount": cents } }),
        )
        .await
}

async fn mutate_withdrawal(stack: &Stack, token: &str, verb: &str, id: &str) -> Reply {
    let query = format!(
        "mutation($input: Withdrawal{verb}Input!) {{ withdrawal{verb}(input: $input) {{ withdrawal {{ id status }} }} }}"
    );
    stack
        .admin(token, &query, json!({ "input": { "withdrawalId": id } }))
        .await
}

async fn account_op(stack: &Stack, token: &str, verb: &str, id: &str) -> Reply {
    let query = format!(
        "mutation($input: DepositAccount{verb}Input!) {{ depositAccount{verb}(input: $input) {{ account {{ id status }} }} }}"
    );
    stack
        .admin(
            token,
            &query,
            json!({ "input": { "depositAccountId": id } }),
        )
        .await
}

async fn vote(stack: &Stack, token: &str, process: &str, deny: Option<&str>) -> Reply {
    match deny {
        None => {
            stack
                .admin(
                    token,
                    "mutation($input: ApprovalProcessApproveInput!) { approvalProcessApprove(input: $input) { approvalProcess { id status } } }",
                    json!({ "input": { "approvalProcessId": process } }),
                )
                .await
        }
        Some(reason) => {
            stack
                .admin(
                    token,
                    "mutation($input: ApprovalProcessDenyInput!) { approvalProcessDeny(input: $input) { approvalProcess { id status } } }",
                    json!({ "input": { "approvalProcessId": process, "reason": reason } }),
                )
                .await
        }
    }
}

/// Polls until the withdrawal reaches `status` (the outbox carries approvals asynchronously).
async fn await_withdrawal(stack: &Stack, token: &str, id: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let w = ok(stack, token, WITHDRAWAL, json!({ "id": id })).await["withdrawal"].clone();
        if w["status"] == status {
            return w;
        }
        assert!(
            Instant::now() < deadline,
            "withdrawal {id} stuck at {}",
            w["status"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Makes every withdrawal need the approval of these staff users.
async fn committee_for_withdrawals(stack: &Stack, token: &str, members: &[&str]) -> String {
    let committee = ok(
        stack,
        token,
        "mutation($input: CommitteeCreateInput!) { committeeCreate(input: $input) { committee { id memberIds } } }",
        json!({ "input": { "name": format!("withdrawals-{}", members.len()), "memberIds": members } }),
    )
    .await["committeeCreate"]["committee"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let policies = ok(
        stack,
        token,
        "{ policies(first: 10) { edges { node { id processType committeeId } } } }",
        json!({}),
    )
    .await;
    let policy = policies["policies"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["processType"] == "withdraw")
        .unwrap()["node"]["id"]
        .clone();
    let assigned = ok(
        stack,
        token,
        "mutation($input: PolicyCommitteeAssignInput!) { policyCommitteeAssign(input: $input) { policy { committeeId } } }",
        json!({ "input": { "policyId": policy, "committeeId": committee } }),
    )
    .await;
    assert_eq!(
        assigned["policyCommitteeAssign"]["policy"]["committeeId"],
        committee.as_str()
    );
    committee
}

/// The account's balances as the API reports them, checked against the ledger's own tables:
/// (settled, pending, available, frozen).
async fn balances(stack: &Stack, token: &str, account: &str) -> (u64, u64, u64, u64) {
    let api =
        ok(stack, token, ACCOUNT, json!({ "id": account })).await["depositAccount"]["balance"]
            .clone();
    let get = |k: &str| api[k].as_u64().unwrap();
    let api = (
        get("settled"),
        get("pending"),
        get("available"),
        get("frozen"),
    );
    // The ledger, read directly: a credit-normal balance is credits minus debits, per layer.
    let pool = &stack.db.pool;
    let (main, frozen): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "SELECT ledger_account_id, frozen_ledger_account_id FROM deposit_accounts WHERE id = $1",
    )
    .bind(uuid::Uuid::parse_str(account).unwrap())
    .fetch_one(pool)
    .await
    .unwrap();
    let layer = |acct: uuid::Uuid, layer: i16| async move {
        let sum: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(-direction * amount), 0)::bigint FROM ledger_entries WHERE account_id = $1 AND layer = $2",
        )
        .bind(acct)
        .bind(layer)
        .fetch_one(pool)
        .await
        .unwrap();
        sum
    };
    let (settled, pending, frozen_settled) = (
        layer(main, 0).await,
        layer(main, 1).await,
        layer(frozen, 0).await,
    );
    assert!(
        settled >= 0 && settled + pending >= 0,
        "the ledger went negative: {settled} {pending}"
    );
    let ledger = (
        settled.unsigned_abs(),
        pending.unsigned_abs(),
        (settled + pending).unsigned_abs(),
        frozen_settled.unsigned_abs(),
    );
    assert_eq!(api, ledger, "API balances differ from the ledger's");
    api
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_checking_account_flow() {
    let stack = Stack::start(ROOT).await;
    let root = stack.token("internal", ROOT).await;
    let me = staff_id(&stack, &root).await;
    committee_for_withdrawals(&stack, &root, &[&me]).await;
    let (_, account) = customer_with_account(&stack, &root, "alice@bank.test").await;
    assert_eq!(balances(&stack, &root, &account).await, (0, 0, 0, 0));

    // deposit
    deposit(&stack, &root, &account, 1_000).await.data();
    assert_eq!(
        balances(&stack, &root, &account).await,
        (1_000, 0, 1_000, 0)
    );

    // cancel a withdrawal: the hold comes back
    let w = withdraw(&stack, &root, &account, 300).await;
    let w = w.data()["withdrawalInitiate"]["withdrawal"].clone();
    assert_eq!(w["status"], "PENDING_APPROVAL");
    assert_eq!(
        balances(&stack, &root, &account).await,
        (1_000, 300, 700, 0)
    );
    let cancelled = mutate_withdrawal(&stack, &root, "Cancel", w["id"].as_str().unwrap()).await;
    assert_eq!(
        cancelled.data()["withdrawalCancel"]["withdrawal"]["status"],
        "CANCELLED"
    );
    assert_eq!(
        balances(&stack, &root, &account).await,
        (1_000, 0, 1_000, 0)
    );

    // withdraw through approval and confirm
    let w = withdraw(&stack, &root, &account, 400).await.data()["withdrawalInitiate"]["withdrawal"]
        .clone();
    let id = w["id"].as_str().unwrap();
    let early = mutate_withdrawal(&stack, &root, "Confirm", id).await;
    assert_eq!(code(&early), "WITHDRAWAL_NOT_APPROVED");
    vote(
        &stack,
        &root,
        w["approvalProcessId"].as_str().unwrap(),
        None,
    )
    .await
    .data();
    await_withdrawal(&stack, &root, id, "APPROVED").await;
    let confirmed = mutate_withdrawal(&stack, &root, "Confirm", id).await;
    assert_eq!(
        confirmed.data()["withdrawalConfirm"]["withdrawal"]["status"],
        "CONFIRMED"
    );
    assert_eq!(balances(&stack, &root, &account).await, (600, 0, 600, 0));
    let again = mutate_withdrawal(&stack, &root, "Cancel", id).await;
    assert_eq!(code(&again), "INVALID_WITHDRAWAL_TRANSITION");

    // revert the confirmed withdrawal
    let reverted = mutate_withdrawal(&stack, &root, "Revert", id).await;
    assert_eq!(
        reverted.data()["withdrawalRevert"]["withdrawal"]["status"],
        "REVERTED"
    );
    assert_eq!(
        balances(&stack, &root, &account).await,
        (1_000, 0, 1_000, 0)
    );

    // freeze: the money moves aside; no withdrawal, no deposit, no close
    let frozen = account_op(&stack, &root, "Freeze", &account).await;
    assert_eq!(
        frozen.data()["depositAccountFreeze"]["account"]["status"],
        "FROZEN"
    );
    assert_eq!(balances(&stack, &root, &account).await, (0, 0, 0, 1_000));
    assert_eq!(
        code(&withdraw(&stack, &root, &account, 10).await),
        "ACCOUNT_FROZEN"
    );
    assert_eq!(
        code(&deposit(&stack, &root, &account, 10).await),
        "ACCOUNT_FROZEN"
    );
    assert_eq!(
        code(&account_op(&stack, &root, "Close", &account).await),
        "ACCOUNT_FROZEN"
    );
    assert_eq!(balances(&stack, &root, &account).await, (0, 0, 0, 1_000));

    // unfreeze, deposit and withdraw again
    let unfrozen = account_op(&stack, &root, "Unfreeze", &account).await;
    assert_eq!(
        unfrozen.data()["depositAccountUnfreeze"]["account"]["status"],
        "ACTIVE"
    );
    assert_eq!(
        balances(&stack, &root, &account).await,
        (1_000, 0, 1_000, 0)
    );
    deposit(&stack, &root, &account, 500).await.data();
    assert_eq!(
        balances(&stack, &root, &account).await,
        (1_500, 0, 1_500, 0)
    );

    // close refused while there is a balance
    assert_eq!(
        code(&account_op(&stack, &root, "Close", &account).await),
        "ACCOUNT_HAS_BALANCE"
    );
    let w =
        withdraw(&stack, &root, &account, 1_500).await.data()["withdrawalInitiate"]["withdrawal"]
            .clone();
    let id = w["id"].as_str().unwrap();
    assert_eq!(
        code(&account_op(&stack, &root, "Close", &account).await),
        "ACCOUNT_HAS_BALANCE"
    );
    vote(
        &stack,
        &root,
        w["approvalProcessId"].as_str().unwrap(),
        None,
    )
    .await
    .data();
    await_withdrawal(&stack, &root, id, "APPROVED").await;
    mutate_withdrawal(&stack, &root, "Confirm", id).await.data();
    assert_eq!(balances(&stack, &root, &account).await, (0, 0, 0, 0));

    // close at zero; the closed account takes nothing more
    let closed = account_op(&stack, &root, "Close", &account).await;
    assert_eq!(
        closed.data()["depositAccountClose"]["account"]["status"],
        "CLOSED"
    );
    assert_eq!(
        code(&deposit(&stack, &root, &account, 10).await),
        "ACCOUNT_CLOSED"
    );
    assert_eq!(balances(&stack, &root, &account).await, (0, 0, 0, 0));

    // the history, as the ledger recorded it: 2 deposits, 3 holds, 1 release, 2 confirms (2
    // entries each), 1 revert, freeze and unfreeze
    let history = ok(
        &stack,
        &root,
        "query($id: UUID!) { depositAccount(id: $id) { history(first: 100) { edges { node { kind amountIn amountOut pending } } } } }",
        json!({ "id": account }),
    )
    .await;
    let kinds: Vec<String> = history["depositAccount"]["history"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap().to_owned())
        .collect();
    let count = |k: &str| kinds.iter().filter(|x| *x == k).count();
    assert_eq!(
        (
            count("DEPOSIT"),
            count("WITHDRAWAL_HOLD"),
            count("WITHDRAWAL_RELEASE"),
            count("WITHDRAWAL_CONFIRM"),
            count("WITHDRAWAL_REVERT"),
            count("FREEZE"),
            count("UNFREEZE")
        ),
        (2, 3, 1, 4, 1, 1, 1),
        "{kinds:?}"
    );

    // invalid amounts have codes
    assert_eq!(
        code(&deposit(&stack, &root, &account, 0).await),
        "INVALID_INPUT"
    );
    let huge = stack
        .admin(
            &root,
            DEPOSIT,
            json!({ "input": { "depositAccountId": account, "amount": "100000000000000000" } }),
        )
        .await;
    assert_eq!(code(&huge), "INVALID_INPUT");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_withdrawal_under_a_two_member_committee() {
    let stack = Stack::start(ROOT).await;
    let root = stack.token("internal", ROOT).await;
    let roles = ok(
        &stack,
        &root,
        "{ roles(first: 10) { edges { node { id name } } } }",
        json!({}),
    )
    .await;
    let manager_role = roles["roles"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["name"] == "bank-manager")
        .unwrap()["node"]["id"]
        .clone();
    let mut members = Vec::new();
    let mut tokens = Vec::new();
    for email in ["m1@bank.test", "m2@bank.test"] {
        let user = ok(
            &stack,
            &root,
            "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } } }",
            json!({ "input": { "email": email, "roleId": manager_role } }),
        )
        .await["userCreate"]["user"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        members.push(user);
        tokens.push(stack.token("internal", email).await);
    }
    committee_for_withdrawals(&stack, &root, &[&members[0], &members[1]]).await;
    let (_, account) = customer_with_account(&stack, &root, "bob@bank.test").await;
    deposit(&stack, &root, &account, 1_000).await.data();

    // both approvals are needed
    let w = withdraw(&stack, &tokens[0], &account, 100).await.data()["withdrawalInitiate"]["withdrawal"].clone();
    let (id, process) = (
        w["id"].as_str().unwrap(),
        w["approvalProcessId"].as_str().unwrap(),
    );
    let first = vote(&stack, &tokens[0], process, None).await;
    assert_eq!(
        first.data()["approvalProcessApprove"]["approvalProcess"]["status"],
        "IN_PROGRESS"
    );
    // the same approval again changes nothing; a denial after it is refused
    let again = vote(&stack, &tokens[0], process, None).await;
    assert_eq!(
        again.data()["approvalProcessApprove"]["approvalProcess"]["status"],
        "IN_PROGRESS"
    );
    assert_eq!(
        code(&vote(&stack, &tokens[0], process, Some("changed my mind")).await),
        "ALREADY_VOTED"
    );
    assert_eq!(
        code(&vote(&stack, &root, process, None).await),
        "NOT_AN_ELIGIBLE_VOTER"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        ok(&stack, &root, WITHDRAWAL, json!({ "id": id })).await["withdrawal"]["status"],
        "PENDING_APPROVAL"
    );
    let second = vote(&stack, &tokens[1], process, None).await;
    assert_eq!(
        second.data()["approvalProcessApprove"]["approvalProcess"]["status"],
        "APPROVED"
    );
    await_withdrawal(&stack, &root, id, "APPROVED").await;
    assert_eq!(
        balances(&stack, &root, &account).await,
        (1_000, 100, 900, 0)
    );

    // one denial denies and releases the funds
    let w = withdraw(&stack, &tokens[1], &account, 200).await.data()["withdrawalInitiate"]["withdrawal"].clone();
    let (id, process) = (
        w["id"].as_str().unwrap(),
        w["approvalProcessId"].as_str().unwrap(),
    );
    assert_eq!(
        balances(&stack, &root, &account).await,
        (1_000, 300, 700, 0)
    );
    vote(&stack, &tokens[0], process, None).await.data();
    let denied = vote(&stack, &tokens[1], process, Some("not today")).await;
    assert_eq!(
        denied.data()["approvalProcessDeny"]["approvalProcess"]["status"],
        "DENIED"
    );
    let w = await_withdrawal(&stack, &root, id, "DENIED").await;
    assert_eq!(w["denialReason"], "not today");
    assert_eq!(
        balances(&stack, &root, &account).await,
        (1_000, 100, 900, 0)
    );
    // the first voter's approval repeated changes nothing; another vote is refused
    assert_eq!(
        vote(&stack, &tokens[0], process, None).await.data()["approvalProcessApprove"]["approvalProcess"]
            ["status"],
        "DENIED"
    );
    assert_eq!(
        code(&vote(&stack, &tokens[0], process, Some("late")).await),
        "APPROVAL_PROCESS_CONCLUDED"
    );
    assert_eq!(
        code(&mutate_withdrawal(&stack, &root, "Confirm", id).await),
        "INVALID_WITHDRAWAL_TRANSITION"
    );

    // the votes are in the audit log
    let audit = ok(
        &stack,
        &root,
        "{ audit(first: 100, filter: { action: \"governance:write\" }) { edges { node { subject authorized } } } }",
        json!({}),
    )
    .await;
    let votes = audit["audit"]["edges"].as_array().unwrap();
    assert!(votes.len() >= 5, "{votes:?}");
    assert!(votes.iter().any(|v| v["node"]["authorized"] == true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_concurrent_withdrawals_of_ten_against_one_hundred() {
    let stack = Stack::start(ROOT).await;
    let root = stack.token("internal", ROOT).await;
    let (_, account) = customer_with_account(&stack, &root, "carol@bank.test").await;
    deposit(&stack, &root, &account, 100).await.data();
    let stack = std::sync::Arc::new(stack);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (stack, root, account) = (stack.clone(), root.clone(), account.clone());
            tokio::spawn(async move { withdraw(&stack, &root, &account, 10).await })
        })
        .collect();
    let mut codes = Vec::new();
    for t in tasks {
        let reply = t.await.unwrap();
        codes.push(if reply.body["errors"].is_null() {
            "OK".to_owned()
        } else {
            code(&reply)
        });
    }
    let initiated = codes.iter().filter(|c| *c == "OK").count();
    let refused = codes
        .iter()
        .filter(|c| *c == "INSUFFICIENT_BALANCE")
        .count();
    assert_eq!((initiated, refused), (10, 10), "{codes:?}");
    // automatic approval: all ten holds stand, nothing is left and nothing went below zero
    assert_eq!(balances(&stack, &root, &account).await, (100, 100, 0, 0));
    let holds: i64 =
        sqlx::query_scalar("SELECT count(*) FROM deposit_withdrawals WHERE account_id = $1")
            .bind(uuid::Uuid::parse_str(&account).unwrap())
            .fetch_one(&stack.db.pool)
            .await
            .unwrap();
    assert_eq!(holds, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_deposits_with_one_idempotency_key_make_one_deposit() {
    let stack = std::sync::Arc::new(Stack::start(ROOT).await);
    let root = stack.token("internal", ROOT).await;
    let (_, account) = customer_with_account(&stack, &root, "dave@bank.test").await;
    let input = json!({ "input": { "depositAccountId": account, "amount": 2_500, "reference": "wire 42" } });
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (stack, root, input) = (stack.clone(), root.clone(), input.clone());
            tokio::spawn(async move {
                stack
                    .admin_with(&root, DEPOSIT, input, &[("Idempotency-Key", "dep-0001")])
                    .await
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        let reply = t.await.unwrap();
        ids.push(
            reply.data()["depositRecord"]["deposit"]["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every caller got the one deposit");
    assert_eq!(
        balances(&stack, &root, &account).await,
        (2_500, 0, 2_500, 0)
    );
    let deposits: i64 = sqlx::query_scalar("SELECT count(*) FROM deposit_deposits")
        .fetch_one(&stack.db.pool)
        .await
        .unwrap();
    assert_eq!(deposits, 1);
    // the same key with another input is refused; the key in the input works like the header
    let other = json!({ "input": { "depositAccountId": account, "amount": 2_600, "reference": "wire 42" } });
    let reused = stack
        .admin_with(&root, DEPOSIT, other, &[("Idempotency-Key", "dep-0001")])
        .await;
    assert_eq!(code(&reused), "IDEMPOTENCY_KEY_REUSED");
    let by_field = json!({ "input": { "depositAccountId": account, "amount": 2_500, "reference": "wire 42", "idempotencyKey": "dep-0001" } });
    let replay = stack.admin(&root, DEPOSIT, by_field).await;
    assert_eq!(
        replay.data()["depositRecord"]["deposit"]["id"],
        ids[0].as_str()
    );
    let bad = stack
        .admin_with(&root, DEPOSIT, input, &[("Idempotency-Key", "has space")])
        .await;
    assert_eq!(code(&bad), "INVALID_IDEMPOTENCY_KEY");
    assert_eq!(
        balances(&stack, &root, &account).await,
        (2_500, 0, 2_500, 0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customer_sees_only_their_own_accounts() {
    let stack = Stack::start(ROOT).await;
    let root = stack.token("internal", ROOT).await;
    let (_, a_account) = customer_with_account(&stack, &root, "ann@bank.test").await;
    let (_, b_account) = customer_with_account(&stack, &root, "ben@bank.test").await;
    deposit(&stack, &root, &a_account, 700).await.data();
    deposit(&stack, &root, &b_account, 900).await.data();
    let ann = stack.token("customer", "ann@bank.test").await;

    // staff see each customer with their own accounts (loaded for the whole page at once)
    let page = ok(
        &stack,
        &root,
        "{ customers(first: 20) { edges { node { email depositAccounts(first: 10) { nodes { id } } } } } }",
        json!({}),
    )
    .await;
    let mut seen: Vec<(String, String)> = page["customers"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let accounts = e["node"]["depositAccounts"]["nodes"].as_array().unwrap();
            assert_eq!(accounts.len(), 1);
            (
                e["node"]["email"].as_str().unwrap().to_owned(),
                accounts[0]["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("ann@bank.test".to_owned(), a_account.clone()),
            ("ben@bank.test".to_owned(), b_account.clone())
        ]
    );

    let mine = stack
        .customer(&ann, "{ me { customerId depositAccounts(first: 10) { nodes { id balance { settled } history(first: 10) { edges { node { kind amountIn } } } } } } }")
        .await;
    let accounts = mine.data()["me"]["depositAccounts"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(accounts.len(), 1);
    assert_eq!(accounts[0]["id"], a_account.as_str());
    assert_eq!(accounts[0]["balance"]["settled"], 700);
    assert_eq!(
        accounts[0]["history"]["edges"][0]["node"]["kind"],
        "DEPOSIT"
    );

    let own = stack
        .customer_with(
            &ann,
            "query($id: UUID!) { depositAccount(id: $id) { id balance { available } } }",
            json!({ "id": a_account }),
        )
        .await;
    assert_eq!(own.data()["depositAccount"]["balance"]["available"], 700);
    for query in [
        "query($id: UUID!) { depositAccount(id: $id) { id balance { available } } }",
        "query($id: UUID!) { depositAccountHistory(depositAccountId: $id, first: 10) { edges { node { amountIn } } } }",
    ] {
        for id in [b_account.clone(), uuid::Uuid::new_v4().to_string()] {
            let theirs = stack.customer_with(&ann, query, json!({ "id": id })).await;
            assert_eq!(code(&theirs), "NOT_FOUND", "{}", theirs.body);
            assert!(
                theirs.body["data"].is_null()
                    || theirs.body["data"].to_string().find("900").is_none()
            );
        }
    }
    // someone with a customer-realm token who is not a customer sees nothing at all
    let stranger = stack.token("customer", "nobody@bank.test").await;
    let none = stack
        .customer(
            &stranger,
            "{ me { customerId depositAccounts(first: 10) { nodes { id } } } }",
        )
        .await;
    assert!(none.data()["me"]["customerId"].is_null());
    assert_eq!(none.data()["me"]["depositAccounts"]["nodes"], json!([]));
    let theirs = stack
        .customer_with(
            &stranger,
            "query($id: UUID!) { depositAccount(id: $id) { id } }",
            json!({ "id": a_account }),
        )
        .await;
    assert_eq!(code(&theirs), "NOT_FOUND");
}

async fn inbox_rows(stack: &Stack) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM inbox_events WHERE source = 'sumsub'")
        .fetch_one(&stack.db.pool)
        .await
        .unwrap()
}

async fn prospect(stack: &Stack, token: &str, email: &str) -> String {
    ok(
        stack,
        token,
        "mutation($input: ProspectCreateInput!) { prospectCreate(input: $input) { prospect { id kycStatus } } }",
        json!({ "input": { "email": email, "telegramHandle": "@tg_handle", "customerType": "PRIVATE_COMPANY" } }),
    )
    .await["prospectCreate"]["prospect"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn await_kyc(stack: &Stack, token: &str, id: &str, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let p = ok(
            stack,
            token,
            "query($id: UUID!) { prospect(id: $id) { kycStatus } }",
            json!({ "id": id }),
        )
        .await;
        if p["prospect"]["kycStatus"] == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "prospect {id} stuck at {}",
            p["prospect"]["kycStatus"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn onboarding_by_signed_webhooks() {
    let fake = FakeSumsub::start("app-token", "app-secret", "hook-secret")
        .await
        .unwrap();
    let base = fake.base_url().to_owned();
    let stack = Stack::start_with(
        ROOT,
        &[
            format!("sumsub.base_url={base}"),
            "sumsub.app_token=app-token".into(),
            "sumsub.secret_key=app-secret".into(),
            "sumsub.webhook_secret=hook-secret".into(),
        ],
    )
    .await;
    let root = stack.token("internal", ROOT).await;
    let hook = format!("{}/webhook/sumsub", stack.admin_url());

    // manual conversion is off by default
    let green = prospect(&stack, &root, "green@bank.test").await;
    let refused = stack
        .admin(&root, "mutation($input: ProspectConvertInput!) { prospectConvert(input: $input) { customer { id } } }", json!({ "input": { "prospectId": green } }))
        .await;
    assert_eq!(code(&refused), "MANUAL_CONVERSION_DISABLED");

    // the verification link comes from the provider, through a signed request
    let link = ok(
        &stack,
        &root,
        "mutation($input: ProspectKycLinkCreateInput!) { prospectKycLinkCreate(input: $input) { url } }",
        json!({ "input": { "prospectId": green } }),
    )
    .await;
    assert!(
        link["prospectKycLinkCreate"]["url"]
            .as_str()
            .unwrap()
            .starts_with(&base)
    );
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.authenticated && r.path.contains("websdkLink"))
    );

    // GREEN path: created -> pending -> reviewed GREEN -> a customer with the prospect's id
    for kind in [WebhookType::ApplicantCreated, WebhookType::ApplicantPending] {
        let r = fake.send_webhook(&hook, kind, &green, None).await.unwrap();
        assert_eq!(r.status(), 200);
    }
    await_kyc(&stack, &root, &green, "PENDING").await;
    let (body, digest) = fake.webhook(
        WebhookType::ApplicantReviewed,
        &green,
        Some(ReviewAnswer::Green),
    );
    let first = fake
        .send_raw(&hook, body.clone(), Some(&digest))
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    await_kyc(&stack, &root, &green, "APPROVED").await;
    let customer = ok(
        &stack,
        &root,
        "query($id: UUID!) { customer(id: $id) { id email kycLevel status } }",
        json!({ "id": green }),
    )
    .await;
    assert_eq!(customer["customer"]["id"], green.as_str());
    assert_eq!(customer["customer"]["kycLevel"], "BASIC");
    assert_eq!(customer["customer"]["status"], "ACTIVE");

    // a duplicate delivery is stored once and changes nothing
    let before = inbox_rows(&stack).await;
    let dup = fake
        .send_raw(&hook, body.clone(), Some(&digest))
        .await
        .unwrap();
    assert_eq!(dup.status(), 200);
    assert_eq!(dup.json::<Value>().await.unwrap()["status"], "duplicate");
    assert_eq!(inbox_rows(&stack).await, before);

    // a bad signature: 401, nothing stored
    let mut forged = body.clone();
    forged.extend_from_slice(b" ");
    for (body, digest) in [
        (forged, Some(digest.as_str())),
        (body.clone(), Some("00ff")),
        (body, None),
    ] {
        let r = fake.send_raw(&hook, body, digest).await.unwrap();
        assert_eq!(r.status(), 401);
        let error: Value = r.json().await.unwrap();
        assert!(
            error["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap()
                .starts_with("WEBHOOK_")
        );
    }
    assert_eq!(inbox_rows(&stack).await, before);

    // RED path: declined, no customer
    let red = prospect(&stack, &root, "red@bank.test").await;
    fake.send_webhook(&hook, WebhookType::ApplicantCreated, &red, None)
        .await
        .unwrap();
    fake.send_webhook(&hook, WebhookType::ApplicantOnHold, &red, None)
        .await
        .unwrap();
    await_kyc(&stack, &root, &red, "ON_HOLD").await;
    fake.send_webhook(
        &hook,
        WebhookType::ApplicantReviewed,
        &red,
        Some(ReviewAnswer::Red),
    )
    .await
    .unwrap();
    await_kyc(&stack, &root, &red, "DECLINED").await;
    let none = ok(
        &stack,
        &root,
        "query($id: UUID!) { customer(id: $id) { id } }",
        json!({ "id": red }),
    )
    .await;
    assert!(none["customer"].is_null());
    let customers = ok(
        &stack,
        &root,
        "{ customers(first: 10) { edges { node { id } } } }",
        json!({}),
    )
    .await;
    assert_eq!(customers["customers"]["edges"].as_array().unwrap().len(), 1);
}

/// Polls until the deposit account shows `status` (customer changes arrive through the outbox).
async fn await_account(stack: &Stack, token: &str, id: &str, status: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let a = ok(stack, token, ACCOUNT, json!({ "id": id })).await["depositAccount"].clone();
        if a["status"] == status {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "account {id} stuck at {}",
            a["status"]
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn customer_op(stack: &Stack, token: &str, verb: &str, id: &str) -> Value {
    let query = format!(
        "mutation($input: Customer{verb}Input!) {{ customer{verb}(input: $input) {{ customer {{ id status }} }} }}"
    );
    ok(
        stack,
        token,
        &query,
        json!({ "input": { "customerId": id } }),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_customers_freeze_unfreeze_and_close_reach_their_accounts() {
    let stack = Stack::start(ROOT).await;
    let root = stack.token("internal", ROOT).await;
    let (customer, account) = customer_with_account(&stack, &root, "fay@bank.test").await;
    deposit(&stack, &root, &account, 100).await.data();

    let frozen = customer_op(&stack, &root, "Freeze", &customer).await;
    assert_eq!(frozen["customerFreeze"]["customer"]["status"], "FROZEN");
    await_account(&stack, &root, &account, "FROZEN").await;
    assert_eq!(balances(&stack, &root, &account).await, (0, 0, 0, 100));
    assert_eq!(
        code(&deposit(&stack, &root, &account, 10).await),
        "ACCOUNT_FROZEN"
    );

    customer_op(&stack, &root, "Unfreeze", &customer).await;
    await_account(&stack, &root, &account, "ACTIVE").await;
    assert_eq!(balances(&stack, &root, &account).await, (100, 0, 100, 0));

    // closing a customer whose account still holds money freezes the account instead
    customer_op(&stack, &root, "Close", &customer).await;
    await_account(&stack, &root, &account, "FROZEN").await;
    assert_eq!(balances(&stack, &root, &account).await, (0, 0, 0, 100));

    // an empty account of a closed customer closes
    let (other, empty) = customer_with_account(&stack, &root, "gus@bank.test").await;
    let closed = customer_op(&stack, &root, "Close", &other).await;
    assert_eq!(closed["customerClose"]["customer"]["status"], "CLOSED");
    await_account(&stack, &root, &empty, "CLOSED").await;
    assert_eq!(
        code(&deposit(&stack, &root, &empty, 10).await),
        "ACCOUNT_CLOSED"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_correlation_id_ties_the_answer_to_the_audit_entry_and_the_events() {
    let stack = Stack::start(ROOT).await;
    let root = stack.token("internal", ROOT).await;
    let (_, account) = customer_with_account(&stack, &root, "corr@bank.test").await;

    // the client's request id is the correlation id of everything the mutation wrote
    let reply = stack
        .admin_with(
            &root,
            DEPOSIT,
            json!({ "input": { "depositAccountId": account, "amount": 1234 } }),
            &[("x-request-id", "corr-e2e-1")],
        )
        .await;
    assert_eq!(reply.request_id.as_deref(), Some("corr-e2e-1"));
    let deposit = reply.data()["depositRecord"]["deposit"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let audit: Vec<(String, String, bool)> = sqlx::query_as(
        "SELECT object, action, authorized FROM audit_entries WHERE correlation_id = 'corr-e2e-1'",
    )
    .fetch_all(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(
        audit,
        [(
            "deposit/deposit".to_owned(),
            "deposit:write".to_owned(),
            true
        )]
    );
    let event: (Option<String>, Option<String>) = sqlx::query_as(
        "SELECT context->>'correlation_id', context->>'subject' FROM deposit_deposit_events WHERE id = $1::uuid",
    )
    .bind(&deposit)
    .fetch_one(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(event.0.as_deref(), Some("corr-e2e-1"));
    assert!(event.1.unwrap().starts_with("user:"));
    let published: Vec<String> = sqlx::query_scalar(
        "SELECT event_type FROM outbox_events WHERE correlation_id = 'corr-e2e-1' ORDER BY id",
    )
    .fetch_all(&stack.db.pool)
    .await
    .unwrap();
    assert!(
        published.contains(&"deposit_recorded".to_owned()),
        "{published:?}"
    );

    // without one, the server makes one, and an error names the same id
    let refused = stack
        .admin(
            &root,
            DEPOSIT,
            json!({ "input": { "depositAccountId": account, "amount": 0 } }),
        )
        .await;
    assert_eq!(code(&refused), "INVALID_INPUT");
    let generated = refused.request_id.clone().unwrap();
    assert_eq!(
        refused.body["errors"][0]["extensions"]["correlationId"],
        generated.as_str()
    );
    // an identity that is no staff user is refused, the answer carrying the request's id
    let stranger = stack.token("internal", "stranger@bank.test").await;
    let forbidden = stack
        .admin_with(
            &stranger,
            "{ me { user { id } } }",
            json!({}),
            &[("x-request-id", "corr-e2e-2")],
        )
        .await;
    assert_eq!(
        (forbidden.status, code(&forbidden).as_str()),
        (403, "FORBIDDEN")
    );
    assert_eq!(forbidden.request_id.as_deref(), Some("corr-e2e-2"));

    // a refusal by the rules is audited under the request's id too
    let roles = ok(
        &stack,
        &root,
        "{ roles(first: 20) { nodes { id name } } }",
        json!({}),
    )
    .await;
    let accountant = roles["roles"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "accountant")
        .unwrap()["id"]
        .clone();
    ok(
        &stack,
        &root,
        "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id } } }",
        json!({ "input": { "email": "clerk@bank.test", "roleId": accountant } }),
    )
    .await;
    let clerk = stack.token("internal", "clerk@bank.test").await;
    let denied = stack
        .admin_with(
            &clerk,
            DEPOSIT,
            json!({ "input": { "depositAccountId": account, "amount": 5 } }),
            &[("x-request-id", "corr-e2e-3")],
        )
        .await;
    assert_eq!(code(&denied), "NOT_AUTHORIZED");
    let refusals: Vec<(String, bool)> = sqlx::query_as(
        "SELECT action, authorized FROM audit_entries WHERE correlation_id = 'corr-e2e-3'",
    )
    .fetch_all(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(refusals, [("deposit:write".to_owned(), false)]);
}
