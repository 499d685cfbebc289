//! Business time and the BTC/USD price end to end over HTTP with real tokens: the manual clock
//! advanced day by day (deposit account activity changing at each end of day), refused on the
//! real clock and without the permission; the price from the fake exchange, refused answers, a
//! stale price, the manual provider and switching; the retention job following the manual clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use bitfinex::fake::Mode;
use common::{Reply, Stack, code, customer_with_account, ok, staff_user};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const ROOT: &str = "root@bank.test";
const TIME: &str =
    "{ time { now businessDate nextEndOfDay clock timezone closingTime lastEndedDate } }";
const NEXT_END_OF_DAY: &str = "mutation { timeAdvanceToNextEndOfDay { endedDates time { now businessDate } handlersBehind { name lastProcessedDate } } }";
const ADVANCE: &str = "mutation($input: TimeAdvanceInput!) { timeAdvance(input: $input) { endedDates time { now businessDate } handlersBehind { name } } }";
const ACTIVITY: &str = "query($id: UUID!) { depositAccount(id: $id) { activity } }";
const PRICE: &str = "{ realtimePrice { usdCentsPerBtc updatedAt source stale } }";
const PROVIDERS: &str = "{ priceProviders { id name kind active lastPrice { usdCentsPerBtc } lastRefusal { reason } } }";

fn instant(value: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .to_utc()
}

async fn activity(stack: &Stack, token: &str, account: &str) -> String {
    ok(stack, token, ACTIVITY, json!({ "id": account })).await["depositAccount"]["activity"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn set(stack: &Stack, token: &str, key: &str, value: Value) {
    ok(
        stack,
        token,
        "mutation($input: DomainConfigUpdateInput!) { domainConfigUpdate(input: $input) { domainConfig { key } } }",
        json!({ "input": { "key": key, "value": value } }),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manual_clock_advances_day_by_day_and_the_end_of_day_work_follows() {
    let stack = Stack::start_with(
        ROOT,
        &[
            "time.clock=manual".into(),
            "time.manual_start_date=2026-01-05".into(),
            "time.timezone=America/El_Salvador".into(),
            "time.closing_time=23:59".into(),
        ],
    )
    .await;
    let root = stack.token("internal", ROOT).await;
    // El Salvador is UTC-6: business day 5 January began at 23:59 on the 4th, 05:59 UTC.
    let time = ok(&stack, &root, TIME, json!({})).await["time"].clone();
    assert_eq!(
        instant(&time["now"]).to_rfc3339(),
        "2026-01-05T05:59:00+00:00"
    );
    assert_eq!(time["businessDate"], "2026-01-05");
    assert_eq!(
        instant(&time["nextEndOfDay"]).to_rfc3339(),
        "2026-01-06T05:59:00+00:00"
    );
    assert_eq!(
        (
            &time["clock"],
            &time["timezone"],
            &time["closingTime"],
            &time["lastEndedDate"]
        ),
        (
            &json!("MANUAL"),
            &json!("America/El_Salvador"),
            &json!("23:59"),
            &json!("2026-01-04")
        )
    );

    // Inactive after 2 idle days, escheatable 3 days later.
    set(&stack, &root, "deposit-inactive-after-days", json!(2)).await;
    set(
        &stack,
        &root,
        "deposit-escheatable-after-inactive-days",
        json!(3),
    )
    .await;
    let (_, account) = customer_with_account(&stack, &root, "ana@bank.test").await;
    assert_eq!(activity(&stack, &root, &account).await, "ACTIVE");

    // End of 5 January: one idle day.
    let advanced =
        ok(&stack, &root, NEXT_END_OF_DAY, json!({})).await["timeAdvanceToNextEndOfDay"].clone();
    assert_eq!(advanced["endedDates"], json!(["2026-01-05"]));
    assert_eq!(
        instant(&advanced["time"]["now"]).to_rfc3339(),
        "2026-01-06T05:59:00+00:00"
    );
    assert_eq!(advanced["time"]["businessDate"], "2026-01-06");
    assert_eq!(advanced["handlersBehind"], json!([]));
    assert_eq!(activity(&stack, &root, &account).await, "ACTIVE");
    // End of 6 January: two idle days, inactive (the call returned after the work was done).
    ok(&stack, &root, NEXT_END_OF_DAY, json!({})).await;
    assert_eq!(activity(&stack, &root, &account).await, "INACTIVE");
    // Three more days: five idle days, escheatable.
    let advanced =
        ok(&stack, &root, ADVANCE, json!({ "input": { "days": 3 } })).await["timeAdvance"].clone();
    assert_eq!(
        advanced["endedDates"],
        json!(["2026-01-07", "2026-01-08", "2026-01-09"])
    );
    assert_eq!(advanced["time"]["businessDate"], "2026-01-10");
    assert_eq!(activity(&stack, &root, &account).await, "ESCHEATABLE");
    // A deposit, and the next end of day finds the account active again.
    ok(
        &stack,
        &root,
        "mutation($input: DepositRecordInput!) { depositRecord(input: $input) { deposit { id } } }",
        json!({ "input": { "depositAccountId": account, "amount": 100 } }),
    )
    .await;
    ok(&stack, &root, NEXT_END_OF_DAY, json!({})).await;
    assert_eq!(activity(&stack, &root, &account).await, "ACTIVE");
    // Each day was announced once, in order.
    let days: Vec<String> = sqlx::query_scalar(
        "SELECT payload->>'date' FROM outbox_events WHERE event_type = 'end_of_day' ORDER BY sequence",
    )
    .fetch_all(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(
        days,
        [
            "2026-01-05",
            "2026-01-06",
            "2026-01-07",
            "2026-01-08",
            "2026-01-09",
            "2026-01-10"
        ]
    );

    // Out of range: 1 to 31 days.
    for days in [0, 32, -1] {
        let reply = stack
            .admin(&root, ADVANCE, json!({ "input": { "days": days } }))
            .await;
        assert_eq!(code(&reply), "INVALID_INPUT", "{days}: {}", reply.body);
    }
    // A bank manager reads the time but may not move it: refused, and the refusal audited.
    let manager = staff_user(&stack, &root, "manager@bank.test", "bank-manager").await;
    assert_eq!(
        ok(&stack, &manager, TIME, json!({})).await["time"]["businessDate"],
        "2026-01-11"
    );
    let refused = stack.admin(&manager, NEXT_END_OF_DAY, json!({})).await;
    assert_eq!(code(&refused), "NOT_AUTHORIZED");
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_entries WHERE object = 'time/clock' AND action = 'time:advance' AND NOT authorized AND correlation_id = $1",
    )
    .bind(refused.request_id.as_deref().unwrap())
    .fetch_one(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(denied, 1);
    assert_eq!(
        ok(&stack, &root, TIME, json!({})).await["time"]["businessDate"],
        "2026-01-11"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_real_clock_cannot_be_advanced() {
    let stack = Stack::start(ROOT).await;
    let root = stack.token("internal", ROOT).await;
    assert_eq!(
        ok(&stack, &root, TIME, json!({})).await["time"]["clock"],
        "REAL"
    );
    let refused = stack.admin(&root, NEXT_END_OF_DAY, json!({})).await;
    assert_eq!(code(&refused), "CLOCK_NOT_MANUAL", "{}", refused.body);
    let refused = stack
        .admin(&root, ADVANCE, json!({ "input": { "days": 2 } }))
        .await;
    assert_eq!(code(&refused), "CLOCK_NOT_MANUAL");
}

/// Polls the admin API until `check` holds for the answer to `query`.
async fn await_admin(
    stack: &Stack,
    token: &str,
    query: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let data = ok(stack, token, query, json!({})).await;
        if check(&data) {
            return data;
        }
        assert!(Instant::now() < deadline, "never: {data}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn provider<'a>(providers: &'a Value, name: &str) -> &'a Value {
    providers["priceProviders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_price_from_the_exchange_refusals_staleness_and_the_manual_provider() {
    let stack = Stack::start_with(
        ROOT,
        &[
            "price.fetch_interval_secs=1".into(),
            "price.stale_after_secs=3".into(),
        ],
    )
    .await;
    let root = stack.token("internal", ROOT).await;
    // The job asks the exchange at start: 96500 USD.
    let price = await_admin(&stack, &root, PRICE, |d| !d["realtimePrice"].is_null()).await;
    assert_eq!(price["realtimePrice"]["usdCentsPerBtc"], 9_650_000);
    assert_eq!(price["realtimePrice"]["source"], "bitfinex");
    assert_eq!(price["realtimePrice"]["stale"], false);
    // Customers see the same price.
    customer_with_account(&stack, &root, "ana@bank.test").await;
    let ana = stack.token("customer", "ana@bank.test").await;
    let seen: Reply = stack.customer(&ana, PRICE).await;
    assert_eq!(seen.data()["realtimePrice"]["usdCentsPerBtc"], 9_650_000);

    // The exchange fails: refused with the reason, the last good price stays, then goes stale.
    stack.exchange.set_mode(Mode::ServerError);
    let providers = await_admin(&stack, &root, PROVIDERS, |d| {
        provider(d, "bitfinex")["lastRefusal"]["reason"]
            .as_str()
            .is_some_and(|r| r.contains("HTTP 500"))
    })
    .await;
    assert_eq!(
        provider(&providers, "bitfinex")["lastPrice"]["usdCentsPerBtc"],
        9_650_000
    );
    let stale = await_admin(&stack, &root, PRICE, |d| {
        d["realtimePrice"]["stale"] == true
    })
    .await;
    assert_eq!(stale["realtimePrice"]["usdCentsPerBtc"], 9_650_000);
    assert_eq!(
        stack.customer(&ana, PRICE).await.data()["realtimePrice"]["stale"],
        true
    );

    // Staff set a manual price and switch to it.
    let manager = staff_user(&stack, &root, "manager@bank.test", "bank-manager").await;
    let set = "mutation($input: PriceManualSetInput!) { priceManualSet(input: $input) { provider { name active lastPrice { usdCentsPerBtc } } } }";
    let refused = stack
        .admin(
            &manager,
            set,
            json!({ "input": { "usdCentsPerBtc": 9_000_000 } }),
        )
        .await;
    assert_eq!(code(&refused), "NOT_AUTHORIZED");
    for bad in [
        json!(0),
        json!(1_000_000_000_001_u64),
        json!(-5),
        json!("9e6"),
    ] {
        let reply = stack
            .admin(&root, set, json!({ "input": { "usdCentsPerBtc": bad } }))
            .await;
        assert_eq!(code(&reply), "INVALID_INPUT", "{bad}: {}", reply.body);
    }
    let manual = ok(
        &stack,
        &root,
        set,
        json!({ "input": { "usdCentsPerBtc": 9_000_000 } }),
    )
    .await;
    assert_eq!(
        manual["priceManualSet"]["provider"],
        json!({ "name": "manual", "active": false, "lastPrice": { "usdCentsPerBtc": 9_000_000 } })
    );
    let providers = ok(&stack, &root, PROVIDERS, json!({})).await;
    let activate = "mutation($input: PriceProviderActivateInput!) { priceProviderActivate(input: $input) { provider { name active } } }";
    let manual_id = provider(&providers, "manual")["id"].clone();
    let exchange_id = provider(&providers, "bitfinex")["id"].clone();
    let refused = stack
        .admin(
            &manager,
            activate,
            json!({ "input": { "priceProviderId": manual_id } }),
        )
        .await;
    assert_eq!(code(&refused), "NOT_AUTHORIZED");
    ok(
        &stack,
        &root,
        activate,
        json!({ "input": { "priceProviderId": manual_id } }),
    )
    .await;
    let price = ok(&stack, &root, PRICE, json!({})).await;
    assert_eq!(
        (
            &price["realtimePrice"]["usdCentsPerBtc"],
            &price["realtimePrice"]["source"],
            &price["realtimePrice"]["stale"]
        ),
        (&json!(9_000_000), &json!("manual"), &json!(false))
    );
    let unknown = stack
        .admin(
            &root,
            activate,
            json!({ "input": { "priceProviderId": uuid::Uuid::now_v7() } }),
        )
        .await;
    assert_eq!(code(&unknown), "NOT_FOUND");

    // Back to the exchange, which answers again: its fresh price.
    stack.exchange.set_mode(Mode::Normal);
    stack.exchange.set_price("97000.5");
    ok(
        &stack,
        &root,
        activate,
        json!({ "input": { "priceProviderId": exchange_id } }),
    )
    .await;
    let price = await_admin(&stack, &root, PRICE, |d| {
        d["realtimePrice"]["stale"] == false
    })
    .await;
    assert_eq!(price["realtimePrice"]["usdCentsPerBtc"], 9_700_050);
    assert_eq!(price["realtimePrice"]["source"], "bitfinex");

    // Each accepted change of the bank's price is on the outbox.
    let published: Vec<(i64, String)> = sqlx::query_as(
        "SELECT (payload->>'usd_cents_per_btc')::bigint, payload->>'source' FROM outbox_events WHERE event_type = 'price_updated' ORDER BY sequence",
    )
    .fetch_all(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(published.first(), Some(&(9_650_000, "bitfinex".to_owned())));
    assert!(
        published.contains(&(9_000_000, "manual".to_owned())),
        "{published:?}"
    );
    assert_eq!(published.last(), Some(&(9_700_050, "bitfinex".to_owned())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_retention_job_forgets_old_handled_events_and_keys_as_the_manual_clock_advances() {
    let stack = Stack::start_with(
        ROOT,
        &[
            "time.clock=manual".into(),
            "time.manual_start_date=2026-01-05".into(),
            "retention.outbox_days=10".into(),
            "retention.idempotency_key_days=5".into(),
        ],
    )
    .await;
    let root = stack.token("internal", ROOT).await;
    let (_, account) = customer_with_account(&stack, &root, "keeper@bank.test").await;
    const DEPOSIT: &str =
        "mutation($input: DepositRecordInput!) { depositRecord(input: $input) { deposit { id } } }";
    let deposit = async || -> String {
        let input = json!({ "input": { "depositAccountId": account, "amount": 500 } });
        let reply = stack
            .admin_with(
                &root,
                DEPOSIT,
                input,
                &[("Idempotency-Key", "retention-0001")],
            )
            .await;
        reply.data()["depositRecord"]["deposit"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let first = deposit().await;
    assert_eq!(deposit().await, first, "the key is honoured");
    ok(&stack, &root, NEXT_END_OF_DAY, json!({})).await;
    let count = async |sql: &str| -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&stack.db.pool)
            .await
            .unwrap()
    };
    const FIRST_DAY: &str = "SELECT count(*) FROM outbox_events WHERE event_type = 'end_of_day' AND payload->>'date' = '2026-01-05'";
    const KEY: &str = "SELECT count(*) FROM idempotency_keys WHERE key = 'retention-0001'";
    assert_eq!(count(FIRST_DAY).await, 1);

    // Twelve days on, every handler caught up: the job (hourly on the business clock) deletes
    // the first day's events and forgets the key.
    let advanced =
        ok(&stack, &root, ADVANCE, json!({ "input": { "days": 12 } })).await["timeAdvance"].clone();
    assert_eq!(advanced["handlersBehind"], json!([]));
    let deadline = Instant::now() + Duration::from_secs(30);
    while count(FIRST_DAY).await + count(KEY).await > 0 {
        assert!(Instant::now() < deadline, "retention did not run");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The last days' events are kept, and the forgotten key makes a new deposit.
    let kept = count(
        "SELECT count(*) FROM outbox_events WHERE event_type = 'end_of_day' AND payload->>'date' >= '2026-01-12'",
    )
    .await;
    assert_eq!(kept, 6, "the end of 12 to 17 January");
    assert_ne!(deposit().await, first);
}
