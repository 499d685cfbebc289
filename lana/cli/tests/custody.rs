//! Custody end to end over HTTP against the fake custodians: a BitGo custodian created over
//! GraphQL, a proposal naming it, the wallet opened right after approval, the custodian's signed webhook
//! activating the facility and a later drop putting it in margin call; tampered, unsigned,
//! wrongly signed, unknown-wallet and replayed deliveries changing nothing and listed with their
//! status; the secrets nowhere in API answers, logs, the database's plain text or `show-config`;
//! and the encryption key rotated with `lana-cli custody rotate-key`, the old key refused after.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration as Span, Utc};
use common::{Stack, customer_with_account, lana_cli, ok, run, stderr, wait_for_exit};
use custodians::fake::{Delivery, FakeCredentials, FakeCustodians};
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use uuid::Uuid;

const ROOT: &str = "root@bank.test";
const OLD_KEY: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";
const NEW_KEY: &str = "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2";
const WEBHOOK_SECRET: &str = "whsec-e2e-3f9a61c0";
const PASSPHRASE: &str = "passphrase-e2e-77c1d2";

const CUSTODIAN: &str = "query($id: UUID!) { custodian(id: $id) {
    id name provider baseUrl enterpriseId coin apiUser accountXpub explorerUrl webhookPath createdAt
    wallets(first: 10) { nodes { id custodianId facilityId provider custodianRef address network balance balanceObservedAt } }
    webhooks(first: 50) { nodes { status error attempts payload } } } }";
const FACILITY: &str = "query($id: UUID!) { creditFacility(id: $id) {
    status collateralizationState collateral custodianId
    wallet { provider custodianRef address network balance balanceObservedAt } } }";
const PROPOSE: &str = "mutation($input: CreditFacilityProposalCreateInput!) {
    creditFacilityProposalCreate(input: $input) { creditFacility { id status custodianId } } }";

/// A year at 12%, 1% fee, CVL 150 / 120 / 105.
fn terms() -> Value {
    json!({
        "annualRate": "12", "durationMonths": 12, "accrualInterval": "END_OF_DAY",
        "accrualCycleInterval": "END_OF_MONTH", "interestDueAfterDays": 30,
        "overdueAfterDays": 30, "liquidationAfterDays": 90, "structuringFeeRate": "1",
        "initialCvl": "150", "marginCallCvl": "120", "liquidationCvl": "105",
        "disbursalPolicy": "SINGLE",
    })
}

async fn facility(stack: &Stack, token: &str, id: &str) -> Value {
    ok(stack, token, FACILITY, json!({ "id": id })).await["creditFacility"].clone()
}

/// The facility once `check` holds (webhooks are processed by a job, right after they arrive).
async fn wait_until(stack: &Stack, token: &str, id: &str, check: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let f = facility(stack, token, id).await;
        if check(&f) {
            return f;
        }
        assert!(Instant::now() < deadline, "never reached: {f}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn custodian(stack: &Stack, token: &str, id: &str) -> Value {
    ok(stack, token, CUSTODIAN, json!({ "id": id })).await["custodian"].clone()
}

/// How many of the custodian's deliveries have each status.
async fn statuses(stack: &Stack, token: &str, id: &str) -> Vec<(String, usize)> {
    let mut counts = std::collections::BTreeMap::<String, usize>::new();
    for node in custodian(stack, token, id).await["webhooks"]["nodes"]
        .as_array()
        .unwrap()
    {
        *counts
            .entry(node["status"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    counts.into_iter().collect()
}

/// Posts a delivery, headers and body as given, to the custodian's webhook address.
async fn deliver(stack: &Stack, custodian: &str, delivery: &Delivery) -> (u16, Value) {
    let (status, body) = delivery
        .send(&format!(
            "{}/webhook/custodian/{custodian}",
            stack.admin_url()
        ))
        .await
        .unwrap();
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

/// Every row of every table in the bank's database, as text, that contains `needle`.
async fn rows_containing(stack: &Stack, needle: &str) -> Vec<String> {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT table_name::text FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    )
    .fetch_all(&stack.db.pool)
    .await
    .unwrap();
    let mut found = Vec::new();
    for table in tables {
        let hits: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM \"{table}\" t WHERE t::text LIKE '%' || $1 || '%'"
        ))
        .bind(needle)
        .fetch_one(&stack.db.pool)
        .await
        .unwrap();
        if hits > 0 {
            found.push(table);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bitgo_wallet_activates_the_facility_on_the_custodians_webhook_and_a_drop_calls_margin() {
    let fake = FakeCustodians::start(([127, 0, 0, 1], 0).into(), FakeCredentials::default())
        .await
        .unwrap();
    let access_token = fake.credentials().bitgo_access_token.clone();
    let mut stack = Stack::start_with(
        ROOT,
        &[
            "price.initial_provider=manual".into(),
            format!("custody.encryption_key={OLD_KEY}"),
        ],
    )
    .await;
    let root = stack.token("internal", ROOT).await;
    ok(
        &stack,
        &root,
        "mutation($input: PriceManualSetInput!) { priceManualSet(input: $input) { provider { active } } }",
        json!({ "input": { "usdCentsPerBtc": 10_000_000 } }),
    )
    .await;

    // the custodian: its answer carries the public configuration only
    let created = stack
        .admin(
            &root,
            "mutation($input: CustodianCreateInput!) { custodianCreate(input: $input) { custodian {
                id name provider baseUrl enterpriseId coin network webhookPath } } }",
            json!({ "input": { "name": "BitGo test", "config": { "bitgo": {
                "baseUrl": fake.base_url(), "enterpriseId": "ent-e2e", "coin": "tbtc4",
                "accessToken": access_token, "walletPassphrase": PASSPHRASE,
                "webhookSecret": WEBHOOK_SECRET } } } }),
        )
        .await;
    let shown = created.data()["custodianCreate"]["custodian"].clone();
    let custodian_id = shown["id"].as_str().unwrap().to_owned();
    assert_eq!(
        shown,
        json!({ "id": custodian_id, "name": "BitGo test", "provider": "BITGO",
                "baseUrl": fake.base_url(), "enterpriseId": "ent-e2e", "coin": "tbtc4",
                "network": "TESTNET", "webhookPath": format!("/webhook/custodian/{custodian_id}") })
    );
    let duplicate = stack
        .admin(
            &root,
            "mutation($input: CustodianCreateInput!) { custodianCreate(input: $input) { custodian { id } } }",
            json!({ "input": { "name": "BitGo test", "config": { "manual": true } } }),
        )
        .await;
    assert_eq!(duplicate.error_code(), "CUSTODIAN_NAME_TAKEN");

    // a proposal held by that custodian: the wallet is opened at the custodian on approval
    let (customer, account) = customer_with_account(&stack, &root, "wendy@example.com").await;
    let proposed = ok(
        &stack,
        &root,
        PROPOSE,
        json!({ "input": { "customerId": customer, "depositAccountId": account,
                           "amount": 1_000_000, "terms": terms(), "custodianId": custodian_id } }),
    )
    .await["creditFacilityProposalCreate"]["creditFacility"]
        .clone();
    assert_eq!(proposed["custodianId"], custodian_id.as_str());
    let id = proposed["id"].as_str().unwrap().to_owned();
    let unknown = stack
        .admin(
            &root,
            PROPOSE,
            json!({ "input": { "customerId": customer, "depositAccountId": account,
                               "amount": 1_000_000, "terms": terms(),
                               "custodianId": Uuid::new_v4() } }),
        )
        .await;
    assert_eq!(unknown.error_code(), "NOT_FOUND");
    ok(
        &stack,
        &root,
        "mutation($input: CreditFacilityProposalConsentInput!) {
            creditFacilityProposalConsent(input: $input) { creditFacility { id } } }",
        json!({ "input": { "id": id } }),
    )
    .await;
    // the wallet is opened by a job right after the approval
    let pending = wait_until(&stack, &root, &id, |f| {
        f["status"] == "PENDING_COLLATERAL" && !f["wallet"].is_null()
    })
    .await;
    let wallet = pending["wallet"].clone();
    let generated = fake.bitgo_wallets();
    assert_eq!(generated.len(), 1, "one wallet generated at BitGo");
    let wallet_ref = wallet["custodianRef"].as_str().unwrap().to_owned();
    assert_eq!(generated[0].0, wallet_ref);
    assert_eq!(
        wallet,
        json!({ "provider": "BITGO", "custodianRef": wallet_ref, "address": generated[0].2,
                "network": "TESTNET", "balance": null, "balanceObservedAt": null })
    );
    assert_eq!(pending["collateral"], 0);
    let listed = custodian(&stack, &root, &custodian_id).await["wallets"]["nodes"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["facilityId"], id.as_str());

    // 0.15 BTC at $100,000 = $15,000 against $10,000: 150%, the facility activates
    let t0 = Utc::now();
    let enough = fake.bitgo_transfer(&wallet_ref, 15_000_000, t0, WEBHOOK_SECRET);
    let (status, answer) = deliver(&stack, &custodian_id, &enough).await;
    assert_eq!((status, answer["status"].clone()), (200, json!("accepted")));
    let active = wait_until(&stack, &root, &id, |f| f["status"] == "ACTIVE").await;
    assert_eq!(active["collateral"], 15_000_000);
    assert_eq!(active["wallet"]["balance"], 15_000_000);
    assert_eq!(active["collateralizationState"], "FULLY_COLLATERALIZED");

    // the customer sees where their collateral is held
    let wendy = stack.token("customer", "wendy@example.com").await;
    let mine = stack
        .customer(
            &wendy,
            "{ me { creditFacilities(first: 10) { nodes { id wallet { address balance } } } } }",
        )
        .await;
    assert_eq!(
        mine.data()["me"]["creditFacilities"]["nodes"],
        json!([{ "id": id, "wallet": { "address": generated[0].2, "balance": 15_000_000 } }])
    );

    // staff cannot record collateral by hand for it
    let by_hand = stack
        .admin(
            &root,
            "mutation($input: CreditFacilityCollateralUpdateInput!) {
                creditFacilityCollateralUpdate(input: $input) { creditFacility { id } } }",
            json!({ "input": { "id": id, "collateral": 99_000_000 } }),
        )
        .await;
    assert_eq!(by_hand.error_code(), "COLLATERAL_FROM_CUSTODIAN");

    // what must change nothing: a replay, a tampered body, no signature, a wrong one, and an
    // authentic report about a wallet the bank does not have
    let (status, answer) = deliver(&stack, &custodian_id, &enough).await;
    assert_eq!(
        (status, answer["status"].clone()),
        (200, json!("duplicate"))
    );
    let later = t0 + Span::minutes(1);
    let mut tampered = fake.bitgo_transfer(&wallet_ref, 15_000_000, later, WEBHOOK_SECRET);
    let text = String::from_utf8(tampered.body.clone()).unwrap();
    tampered.body = text
        .replacen(&wallet_ref, &format!("{wallet_ref}0"), 1)
        .into_bytes();
    assert_ne!(tampered.body, text.as_bytes());
    let mut unsigned = fake.bitgo_transfer(&wallet_ref, 15_000_000, later, WEBHOOK_SECRET);
    unsigned.headers.clear();
    let wrong = fake.bitgo_transfer(&wallet_ref, 15_000_000, later, "not-the-secret");
    for (refused, expected) in [
        (&tampered, "CUSTODIAN_WEBHOOK_SIGNATURE_INVALID"),
        (&unsigned, "CUSTODIAN_WEBHOOK_SIGNATURE_MISSING"),
        (&wrong, "CUSTODIAN_WEBHOOK_SIGNATURE_INVALID"),
    ] {
        let (status, answer) = deliver(&stack, &custodian_id, refused).await;
        assert_eq!(status, 401, "{answer}");
        assert_eq!(answer["errors"][0]["extensions"]["code"], expected);
    }
    let stranger = fake.bitgo_transfer(&"f".repeat(32), 500_000_000, later, WEBHOOK_SECRET);
    assert_eq!(deliver(&stack, &custodian_id, &stranger).await.0, 200);
    let deadline = Instant::now() + Duration::from_secs(20);
    while !statuses(&stack, &root, &custodian_id)
        .await
        .contains(&("IGNORED".into(), 1))
    {
        assert!(Instant::now() < deadline, "the stranger was never handled");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        statuses(&stack, &root, &custodian_id).await,
        vec![
            ("COMPLETED".into(), 1),
            ("IGNORED".into(), 1),
            ("REJECTED".into(), 3)
        ]
    );
    let unchanged = facility(&stack, &root, &id).await;
    assert_eq!(unchanged["collateral"], 15_000_000);
    assert_eq!(unchanged["status"], "ACTIVE");

    // webhooks for an unknown custodian, or a custodian that sends none, are not found
    for elsewhere in [Uuid::new_v4().to_string(), "not-an-id".into()] {
        let (status, answer) = deliver(&stack, &elsewhere, &enough).await;
        assert_eq!(status, 404);
        assert_eq!(answer["errors"][0]["extensions"]["code"], "NOT_FOUND");
    }

    // the custodian reports a drop to 0.115 BTC: $11,500 against $10,000 = 115%, under 120%
    let drop = fake.bitgo_transfer(
        &wallet_ref,
        11_500_000,
        t0 + Span::minutes(2),
        WEBHOOK_SECRET,
    );
    assert_eq!(deliver(&stack, &custodian_id, &drop).await.0, 200);
    let called = wait_until(&stack, &root, &id, |f| {
        f["collateralizationState"] == "UNDER_MARGIN_CALL_THRESHOLD"
    })
    .await;
    assert_eq!(called["collateral"], 11_500_000);
    assert_eq!(called["wallet"]["balance"], 11_500_000);

    // the secrets: in no answer, no log line, no plain text in the database
    assert!(
        !rows_containing(&stack, "ent-e2e").await.is_empty(),
        "the scan finds what is stored in plain text"
    );
    let detail = custodian(&stack, &root, &custodian_id).await.to_string();
    for secret in [WEBHOOK_SECRET, PASSPHRASE, access_token.as_str(), OLD_KEY] {
        assert!(!detail.contains(secret), "{detail}");
        assert!(!stack.lana_output().contains(secret), "a log line shows it");
        assert_eq!(rows_containing(&stack, secret).await, Vec::<String>::new());
    }
    let shown = run(lana_cli().arg("show-config").args(stack.settings()));
    assert!(shown.status.success(), "{}", stderr(&shown));
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(!shown.contains(OLD_KEY), "{shown}");
    assert!(shown.contains("encryption_key"), "{shown}");

    // the key rotated with the bank stopped: the old key is refused, the new one opens the
    // secrets (the webhook secret still verifies)
    stack.kill_lana();
    let key_file = std::env::temp_dir().join(format!("lana-custody-key-{}", Uuid::new_v4()));
    std::fs::write(&key_file, NEW_KEY).unwrap();
    let rotated = run(lana_cli()
        .args(["custody", "rotate-key", "--new-key-file"])
        .arg(&key_file)
        .args(stack.settings()));
    std::fs::remove_file(&key_file).unwrap();
    assert!(rotated.status.success(), "{}", stderr(&rotated));
    let printed = String::from_utf8_lossy(&rotated.stdout).into_owned();
    assert!(printed.contains("secrets of 1 custodians"), "{printed}");
    assert!(!printed.contains(NEW_KEY) && !stderr(&rotated).contains(NEW_KEY));

    let mut old = lana_cli()
        .arg("serve")
        .args(stack.settings())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_for_exit(&mut old, Duration::from_secs(30));
    assert!(!status.success());
    let mut refusal = String::new();
    std::io::Read::read_to_string(&mut old.stderr.take().unwrap(), &mut refusal).unwrap();
    assert!(
        refusal.contains("is not the one the secrets are under"),
        "{refusal}"
    );
    assert!(!refusal.contains(OLD_KEY), "{refusal}");

    stack.configure(&[&format!("custody.encryption_key={NEW_KEY}")]);
    stack.restart_lana();
    let back = fake.bitgo_transfer(
        &wallet_ref,
        15_000_000,
        t0 + Span::minutes(3),
        WEBHOOK_SECRET,
    );
    assert_eq!(deliver(&stack, &custodian_id, &back).await.0, 200);
    let root = stack.token("internal", ROOT).await;
    let recovered = wait_until(&stack, &root, &id, |f| {
        f["collateralizationState"] == "FULLY_COLLATERALIZED"
    })
    .await;
    assert_eq!(recovered["collateral"], 15_000_000);
    assert!(!stack.lana_output().contains(NEW_KEY));
}
