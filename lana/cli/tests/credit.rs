//! Credit origination end to end over HTTP with real tokens: a template, a proposal, the
//! customer's consent on the customer API, a two-member committee, collateral that is not enough,
//! a price rise that activates the facility, the money in the deposit account and out again; the
//! declined, denied, frozen-customer and other-customer paths with their codes; disbursals of a
//! multiple-policy facility, 20 at once. After every step the figures the API shows are compared
//! with sums read straight from the ledger's entries. Expected figures are worked out by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Datelike, NaiveDate};
use common::{Stack, code, customer_with_account, ok, staff_user};
use core_credit::ledger::FacilityAccount;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use uuid::Uuid;

const ROOT: &str = "root@bank.test";

const FACILITY: &str = "query($id: UUID!) { creditFacility(id: $id) {
    id status collateralizationState amount collateral activatedOn maturityDate
    firstCycleEndsOn structuringFee approvalProcessId refusalReason
    balances { facility remaining held disbursed interest outstanding unapplied collateral
               cvl { infinite percent } }
    disbursals(first: 50) { nodes { amount status } } } }";
const PROPOSE: &str = "mutation($input: CreditFacilityProposalCreateInput!) {
    creditFacilityProposalCreate(input: $input) { creditFacility { id status } } }";
const CONSENT: &str = "mutation($input: CreditFacilityProposalConsentInput!) {
    creditFacilityProposalConsent(input: $input) { creditFacility { id status approvalProcessId } } }";
const DECLINE: &str = "mutation($input: CreditFacilityProposalDeclineInput!) {
    creditFacilityProposalDecline(input: $input) { creditFacility { id status refusalReason } } }";
const COLLATERAL: &str = "mutation($input: CreditFacilityCollateralUpdateInput!) {
    creditFacilityCollateralUpdate(input: $input) { creditFacility { status collateralizationState } } }";
const DISBURSE: &str = "mutation($input: CreditFacilityDisbursalInitiateInput!) {
    creditFacilityDisbursalInitiate(input: $input) { disbursal { id status amount } } }";
const APPROVE: &str = "mutation($input: ApprovalProcessApproveInput!) {
    approvalProcessApprove(input: $input) { approvalProcess { id status } } }";
const DENY: &str = "mutation($input: ApprovalProcessDenyInput!) {
    approvalProcessDeny(input: $input) { approvalProcess { id status } } }";
const BALANCE: &str =
    "query($id: UUID!) { depositAccount(id: $id) { balance { settled available } } }";

/// A year at 12%, 1% fee, CVL 150 / 120 / 105.
fn terms(policy: &str) -> Value {
    json!({
        "annualRate": "12", "durationMonths": 12, "accrualInterval": "END_OF_DAY",
        "accrualCycleInterval": "END_OF_MONTH", "interestDueAfterDays": 30,
        "overdueAfterDays": 30, "liquidationAfterDays": 90, "structuringFeeRate": "1",
        "initialCvl": "150", "marginCallCvl": "120", "liquidationCvl": "105",
        "disbursalPolicy": policy,
    })
}

/// The bank's price, set by staff on the manual provider (the stack starts with it active).
async fn set_price(stack: &Stack, root: &str, dollars: u64) {
    ok(
        stack,
        root,
        "mutation($input: PriceManualSetInput!) { priceManualSet(input: $input) { provider { active } } }",
        json!({ "input": { "usdCentsPerBtc": dollars * 100 } }),
    )
    .await;
}

async fn facility(stack: &Stack, token: &str, id: &str) -> Value {
    ok(stack, token, FACILITY, json!({ "id": id })).await["creditFacility"].clone()
}

/// The facility once an outbox handler has moved it to `status` (approvals and price changes
/// are reactions, applied right after the call that caused them).
async fn wait_for(stack: &Stack, token: &str, id: &str, status: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let f = facility(stack, token, id).await;
        if f["status"] == status {
            return f;
        }
        assert!(Instant::now() < deadline, "never {status}: {f}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A settled balance summed straight from the ledger's entries, positive on the side given.
async fn ledger_sum(stack: &Stack, account: Uuid, currency: &str, layer: i16, debit: bool) -> i64 {
    let credit_positive: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(CASE WHEN direction > 0 THEN -amount ELSE amount END), 0)::bigint
         FROM ledger_entries WHERE account_id = $1 AND currency = $2 AND layer = $3",
    )
    .bind(account)
    .bind(currency)
    .bind(layer)
    .fetch_one(&stack.db.pool)
    .await
    .unwrap();
    if debit {
        -credit_positive
    } else {
        credit_positive
    }
}

async fn facility_sum(stack: &Stack, id: &str, kinds: &[FacilityAccount]) -> i64 {
    let id = core_credit::CreditFacilityId::from(Uuid::parse_str(id).unwrap());
    let mut total = 0;
    for kind in kinds {
        let debit = kind.normal_side() == ledger::Side::Debit;
        total += ledger_sum(stack, kind.of(id).into(), "USD", 0, debit).await;
    }
    total
}

/// The deposit account's ledger account, as the deposit domain recorded it.
async fn deposit_ledger_account(stack: &Stack, account: &str) -> Uuid {
    sqlx::query_scalar("SELECT ledger_account_id FROM deposit_accounts WHERE id = $1")
        .bind(Uuid::parse_str(account).unwrap())
        .fetch_one(&stack.db.pool)
        .await
        .unwrap()
}

/// Every figure the API shows for the facility and its deposit account equals the ledger.
async fn assert_api_matches_ledger(stack: &Stack, root: &str, id: &str, account: &str) {
    let f = facility(stack, root, id).await;
    let b = &f["balances"];
    let (disbursed, interest) = (
        facility_sum(stack, id, &FacilityAccount::DISBURSED).await,
        facility_sum(stack, id, &FacilityAccount::INTEREST).await,
    );
    assert_eq!(b["disbursed"], disbursed, "{f}");
    assert_eq!(b["interest"], interest, "{f}");
    assert_eq!(b["outstanding"], disbursed + interest, "{f}");
    assert_eq!(
        b["unapplied"],
        facility_sum(stack, id, &[FacilityAccount::PaymentHolding]).await,
        "{f}"
    );
    let facility_id = core_credit::CreditFacilityId::from(Uuid::parse_str(id).unwrap());
    if f["status"] == "ACTIVE" || f["status"] == "PENDING_COLLATERAL" {
        let limit = FacilityAccount::Facility.of(facility_id).into();
        let remaining = ledger_sum(stack, limit, "USD", 0, false).await
            + ledger_sum(stack, limit, "USD", 1, false).await;
        assert_eq!(b["remaining"], remaining, "{f}");
    }
    let collateral = ledger_sum(
        stack,
        FacilityAccount::Collateral.of(facility_id).into(),
        "BTC",
        0,
        false,
    )
    .await;
    assert_eq!(b["collateral"], collateral, "{f}");
    let settled = ledger_sum(
        stack,
        deposit_ledger_account(stack, account).await,
        "USD",
        0,
        false,
    )
    .await;
    let shown = ok(stack, root, BALANCE, json!({ "id": account })).await;
    assert_eq!(
        shown["depositAccount"]["balance"]["settled"], settled,
        "{shown}"
    );
}

async fn user_id(stack: &Stack, token: &str) -> String {
    ok(stack, token, "{ me { user { id } } }", json!({})).await["me"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A committee of two bank managers deciding `process_type`; returns their tokens.
async fn committee(stack: &Stack, root: &str, process_type: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let mut ids = Vec::new();
    for n in 1..=2 {
        let email = format!("{process_type}-{n}@bank.test");
        let token = staff_user(stack, root, &email, "bank-manager").await;
        ids.push(user_id(stack, &token).await);
        tokens.push(token);
    }
    let committee = ok(
        stack,
        root,
        "mutation($input: CommitteeCreateInput!) { committeeCreate(input: $input) { committee { id } } }",
        json!({ "input": { "name": format!("{process_type} committee"), "memberIds": ids } }),
    )
    .await["committeeCreate"]["committee"]["id"]
        .clone();
    let policies = ok(
        stack,
        root,
        "{ policies(first: 10) { nodes { id processType } } }",
        json!({}),
    )
    .await;
    let policy = policies["policies"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["processType"] == process_type)
        .unwrap()["id"]
        .clone();
    ok(
        stack,
        root,
        "mutation($input: PolicyCommitteeAssignInput!) { policyCommitteeAssign(input: $input) { policy { id } } }",
        json!({ "input": { "policyId": policy, "committeeId": committee } }),
    )
    .await;
    tokens
}

async fn propose(stack: &Stack, root: &str, customer: &str, account: &str, amount: u64) -> String {
    let template = ok(
        stack,
        root,
        "mutation($input: TermsTemplateCreateInput!) { termsTemplateCreate(input: $input) { termsTemplate { id } } }",
        json!({ "input": { "name": format!("Single {}", Uuid::new_v4()), "terms": terms("SINGLE") } }),
    )
    .await["termsTemplateCreate"]["termsTemplate"]["id"]
        .clone();
    ok(
        stack,
        root,
        PROPOSE,
        json!({ "input": { "customerId": customer, "depositAccountId": account, "amount": amount,
                           "termsTemplateId": template, "idempotencyKey": Uuid::new_v4().to_string() } }),
    )
    .await["creditFacilityProposalCreate"]["creditFacility"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Staff consent on the customer's behalf (the proposal policy is automatic), then `sats` of
/// collateral, enough to activate: the active facility.
async fn activate(stack: &Stack, root: &str, id: &str, sats: u64) -> Value {
    ok(stack, root, CONSENT, json!({ "input": { "id": id } })).await;
    wait_for(stack, root, id, "PENDING_COLLATERAL").await;
    ok(
        stack,
        root,
        COLLATERAL,
        json!({ "input": { "id": id, "collateral": sats } }),
    )
    .await;
    wait_for(stack, root, id, "ACTIVE").await
}

/// A stack on the manual clock from 2027-01-15 (UTC days ending at midnight) with the manual
/// price provider at $100,000, and the superuser's token.
async fn manual_clock_stack() -> (Stack, String) {
    let stack = Stack::start_with(
        ROOT,
        &[
            "price.initial_provider=manual".into(),
            "time.clock=manual".into(),
            "time.manual_start_date=2027-01-15".into(),
            "time.timezone=UTC".into(),
            "time.closing_time=00:00".into(),
        ],
    )
    .await;
    let root = stack.token("internal", ROOT).await;
    set_price(&stack, &root, 100_000).await;
    (stack, root)
}

fn manual_price() -> Vec<String> {
    vec!["price.initial_provider=manual".into()]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proposal_becomes_an_active_facility_and_the_money_reaches_the_customer() {
    let stack = Stack::start_with(ROOT, &manual_price()).await;
    let root = stack.token("internal", ROOT).await;
    set_price(&stack, &root, 100_000).await;
    let voters = committee(&stack, &root, "credit-facility-proposal").await;
    let (customer, account) = customer_with_account(&stack, &root, "ana@example.com").await;
    // $10,000.00
    let id = propose(&stack, &root, &customer, &account, 1_000_000).await;
    assert_api_matches_ledger(&stack, &root, &id, &account).await;

    // the customer sees the proposal and consents on the customer API
    let ana = stack.token("customer", "ana@example.com").await;
    let mine = stack
        .customer(
            &ana,
            "{ me { creditFacilities(first: 10) { nodes { id status amount } } } }",
        )
        .await;
    assert_eq!(
        mine.data()["me"]["creditFacilities"]["nodes"],
        json!([{ "id": id, "status": "PENDING_CUSTOMER_APPROVAL", "amount": 1_000_000 }])
    );
    let consented = stack
        .customer_with(&ana, CONSENT, json!({ "input": { "id": id } }))
        .await;
    let consented = &consented.data()["creditFacilityProposalConsent"]["creditFacility"];
    assert_eq!(consented["status"], "PENDING_APPROVAL");
    let process = consented["approvalProcessId"].clone();

    // both members must approve
    ok(
        &stack,
        &voters[0],
        APPROVE,
        json!({ "input": { "approvalProcessId": process } }),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        facility(&stack, &root, &id).await["status"],
        "PENDING_APPROVAL"
    );
    ok(
        &stack,
        &voters[1],
        APPROVE,
        json!({ "input": { "approvalProcessId": process } }),
    )
    .await;
    let pending = wait_for(&stack, &root, &id, "PENDING_COLLATERAL").await;
    assert_eq!(pending["balances"]["remaining"], 1_000_000);
    assert_api_matches_ledger(&stack, &root, &id, &account).await;

    // 0.11 BTC at $100,000 = $11,000 against $10,000 = 110%: under the 120% margin call
    let short = ok(
        &stack,
        &root,
        COLLATERAL,
        json!({ "input": { "id": id, "collateral": 11_000_000 } }),
    )
    .await["creditFacilityCollateralUpdate"]["creditFacility"]
        .clone();
    assert_eq!(
        short,
        json!({ "status": "PENDING_COLLATERAL", "collateralizationState": "UNDER_MARGIN_CALL_THRESHOLD" })
    );
    assert_eq!(
        facility(&stack, &root, &id).await["balances"]["cvl"],
        json!({ "infinite": false, "percent": "110.00" })
    );
    assert_api_matches_ledger(&stack, &root, &id, &account).await;

    // the price rises to $120,000: $13,200 against $10,000 = 132%: active
    set_price(&stack, &root, 120_000).await;
    let active = wait_for(&stack, &root, &id, "ACTIVE").await;
    // fee 1% of $10,000 = $100.00 = 10,000 cents, owed with the interest
    assert_eq!(active["structuringFee"], 10_000);
    assert_eq!(active["firstCycleEndsOn"].as_str().unwrap().len(), 10);
    assert_eq!(
        active["balances"],
        json!({
            "facility": 1_000_000, "remaining": 0, "held": 0, "disbursed": 1_000_000,
            "interest": 10_000, "outstanding": 1_010_000, "unapplied": 0,
            "collateral": 11_000_000,
            // 0.11 x $120,000 = $13,200 = 1,320,000 cents / 1,010,000 = 130.693..% -> 130.69
            "cvl": { "infinite": false, "percent": "130.69" },
        })
    );
    assert_eq!(active["collateralizationState"], "FULLY_COLLATERALIZED");
    assert_eq!(
        active["disbursals"]["nodes"],
        json!([{ "amount": 1_000_000, "status": "SETTLED" }])
    );
    assert_eq!(
        facility_sum(&stack, &id, &[FacilityAccount::FeeIncome]).await,
        10_000
    );
    assert_api_matches_ledger(&stack, &root, &id, &account).await;

    // the customer sees the money, in the account's history as the facility's payout...
    let history = stack
        .customer_with(
            &ana,
            "query($id: UUID!) { depositAccountHistory(depositAccountId: $id, first: 10) {
                nodes { kind amountIn amountOut pending } } }",
            json!({ "id": account }),
        )
        .await;
    assert_eq!(
        history.data()["depositAccountHistory"]["nodes"],
        json!([{ "kind": "CREDIT_DISBURSAL", "amountIn": 1_000_000, "amountOut": 0, "pending": false }])
    );
    // ...and takes $4,000 out
    let balance = stack
        .customer_with(&ana, BALANCE, json!({ "id": account }))
        .await;
    assert_eq!(
        balance.data()["depositAccount"]["balance"],
        json!({ "settled": 1_000_000, "available": 1_000_000 })
    );
    let withdrawal = ok(
        &stack,
        &root,
        "mutation($input: WithdrawalInitiateInput!) { withdrawalInitiate(input: $input) { withdrawal { id } } }",
        json!({ "input": { "depositAccountId": account, "amount": 400_000, "idempotencyKey": "w-1" } }),
    )
    .await["withdrawalInitiate"]["withdrawal"]["id"]
        .clone();
    ok(
        &stack,
        &root,
        "mutation($input: WithdrawalConfirmInput!) { withdrawalConfirm(input: $input) { withdrawal { status } } }",
        json!({ "input": { "withdrawalId": withdrawal } }),
    )
    .await;
    let after = stack
        .customer_with(&ana, BALANCE, json!({ "id": account }))
        .await;
    assert_eq!(
        after.data()["depositAccount"]["balance"],
        json!({ "settled": 600_000, "available": 600_000 })
    );
    assert_api_matches_ledger(&stack, &root, &id, &account).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declined_denied_frozen_and_other_customers_proposals_are_refused_with_their_codes() {
    let stack = Stack::start_with(ROOT, &manual_price()).await;
    let root = stack.token("internal", ROOT).await;
    set_price(&stack, &root, 100_000).await;
    let voters = committee(&stack, &root, "credit-facility-proposal").await;
    let (ana_id, ana_account) = customer_with_account(&stack, &root, "ana@example.com").await;
    let (_, bo_account) = customer_with_account(&stack, &root, "bo@example.com").await;
    let ana = stack.token("customer", "ana@example.com").await;
    let bo = stack.token("customer", "bo@example.com").await;

    // another customer's proposal: not found, on reads and on consent
    let id = propose(&stack, &root, &ana_id, &ana_account, 50_000).await;
    let read = stack
        .customer_with(
            &bo,
            "query($id: UUID!) { creditFacility(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(code(&read), "NOT_FOUND");
    let consent = stack
        .customer_with(&bo, CONSENT, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(code(&consent), "NOT_FOUND");
    let listed = stack
        .customer(&bo, "{ creditFacilities(first: 10) { nodes { id } } }")
        .await;
    assert_eq!(listed.data()["creditFacilities"]["nodes"], json!([]));

    // declined by the customer: final
    let declined = stack
        .customer_with(
            &ana,
            DECLINE,
            json!({ "input": { "id": id, "reason": "rate too high" } }),
        )
        .await;
    assert_eq!(
        declined.data()["creditFacilityProposalDecline"]["creditFacility"],
        json!({ "id": id, "status": "CUSTOMER_DECLINED", "refusalReason": "rate too high" })
    );
    let late = stack
        .customer_with(&ana, CONSENT, json!({ "input": { "id": id } }))
        .await;
    assert_eq!(code(&late), "INVALID_FACILITY_TRANSITION");

    // denied by one member of the committee: final, and no collateral is taken
    let denied = propose(&stack, &root, &ana_id, &ana_account, 50_000).await;
    let process = stack
        .customer_with(&ana, CONSENT, json!({ "input": { "id": denied } }))
        .await
        .data()["creditFacilityProposalConsent"]["creditFacility"]["approvalProcessId"]
        .clone();
    ok(
        &stack,
        &voters[0],
        DENY,
        json!({ "input": { "approvalProcessId": process, "reason": "thin file" } }),
    )
    .await;
    let denied_facility = wait_for(&stack, &root, &denied, "DENIED").await;
    assert_eq!(denied_facility["refusalReason"], "thin file");
    let collateral = stack
        .admin(
            &root,
            COLLATERAL,
            json!({ "input": { "id": denied, "collateral": 1_000 } }),
        )
        .await;
    assert_eq!(code(&collateral), "INVALID_FACILITY_TRANSITION");
    assert_api_matches_ledger(&stack, &root, &denied, &ana_account).await;

    // refused proposals: another customer's account, zero, too large, unknown ids, frozen
    let refused = |customer: &str, account: &str, amount: u64| {
        json!({ "input": { "customerId": customer, "depositAccountId": account,
                           "amount": amount, "terms": terms("SINGLE") } })
    };
    for (variables, expected) in [
        (
            refused(&ana_id, &bo_account, 10_000),
            "DEPOSIT_ACCOUNT_OF_ANOTHER_CUSTOMER",
        ),
        (refused(&ana_id, &ana_account, 0), "INVALID_INPUT"),
        (
            refused(&ana_id, &ana_account, 100_000_000_000_001),
            "INVALID_INPUT",
        ),
        (
            refused(&Uuid::new_v4().to_string(), &ana_account, 10_000),
            "NOT_FOUND",
        ),
        (
            refused(&ana_id, &Uuid::new_v4().to_string(), 10_000),
            "NOT_FOUND",
        ),
    ] {
        let reply = stack.admin(&root, PROPOSE, variables.clone()).await;
        assert_eq!(code(&reply), expected, "{variables}: {}", reply.body);
    }
    let mut bad_terms = terms("SINGLE");
    bad_terms["marginCallCvl"] = json!("150");
    let reply = stack
        .admin(
            &root,
            PROPOSE,
            json!({ "input": { "customerId": ana_id, "depositAccountId": ana_account,
                               "amount": 10_000, "terms": bad_terms } }),
        )
        .await;
    assert_eq!(code(&reply), "INVALID_TERMS");
    assert!(
        reply.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("marginCallCvl"),
        "{}",
        reply.body
    );
    ok(
        &stack,
        &root,
        "mutation($input: CustomerFreezeInput!) { customerFreeze(input: $input) { customer { status } } }",
        json!({ "input": { "customerId": ana_id } }),
    )
    .await;
    let frozen = stack
        .admin(&root, PROPOSE, refused(&ana_id, &ana_account, 10_000))
        .await;
    assert_eq!(code(&frozen), "CUSTOMER_NOT_ACTIVE");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_disbursals_at_once_never_go_beyond_the_facility() {
    let stack = Stack::start_with(ROOT, &manual_price()).await;
    let root = stack.token("internal", ROOT).await;
    set_price(&stack, &root, 100_000).await;
    let (customer, account) = customer_with_account(&stack, &root, "cy@example.com").await;
    let id = ok(
        &stack,
        &root,
        PROPOSE,
        json!({ "input": { "customerId": customer, "depositAccountId": account,
                           "amount": 1_000_000, "terms": terms("MULTIPLE") } }),
    )
    .await["creditFacilityProposalCreate"]["creditFacility"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // 0.125 BTC at $100,000 = $12,500 against $10,000 = 125% >= 120%: active, nothing paid out
    let active = activate(&stack, &root, &id, 12_500_000).await;
    assert_eq!(active["balances"]["disbursed"], 0);
    assert_eq!(active["disbursals"]["nodes"], json!([]));

    // at $90,000 the collateral is worth $11,250; the whole $10,000 would make 1,010,000 cents
    // owed with the fee: 111.4% < 120%: refused
    set_price(&stack, &root, 90_000).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let below = stack
        .admin(
            &root,
            DISBURSE,
            json!({ "input": { "facilityId": id, "amount": 1_000_000 } }),
        )
        .await;
    assert_eq!(code(&below), "DISBURSAL_BELOW_MARGIN_CALL");
    // at $1,000,000 the collateral ($125,000) covers everything the facility can lend
    set_price(&stack, &root, 1_000_000).await;
    tokio::time::sleep(Duration::from_millis(300)).await;

    // twenty requests of $1,000 (a tenth) at once: ten fit
    let admin_url = format!("{}/graphql", stack.admin_url());
    let client = reqwest::Client::new();
    let requests = (0..20).map(|n| {
        let body = json!({ "query": DISBURSE, "variables": { "input": {
            "facilityId": id, "amount": 100_000, "idempotencyKey": format!("d-{n}") } } });
        client
            .post(&admin_url)
            .bearer_auth(&root)
            .json(&body)
            .send()
    });
    let mut settled = 0;
    let mut refused = 0;
    for reply in futures::future::join_all(requests).await {
        let body: Value = reply.unwrap().json().await.unwrap();
        match body["errors"][0]["extensions"]["code"].as_str() {
            None => {
                assert_eq!(
                    body["data"]["creditFacilityDisbursalInitiate"]["disbursal"]["status"],
                    "SETTLED"
                );
                settled += 1;
            }
            Some(code) => {
                assert_eq!(code, "DISBURSAL_EXCEEDS_FACILITY", "{body}");
                refused += 1;
            }
        }
    }
    assert_eq!((settled, refused), (10, 10));
    let f = facility(&stack, &root, &id).await;
    assert_eq!(f["balances"]["disbursed"], 1_000_000);
    assert_eq!(f["balances"]["remaining"], 0);
    assert_eq!(
        facility_sum(&stack, &id, &[FacilityAccount::DisbursedNotYetDue]).await,
        1_000_000
    );
    assert_api_matches_ledger(&stack, &root, &id, &account).await;
    let one_more = stack
        .admin(
            &root,
            DISBURSE,
            json!({ "input": { "facilityId": id, "amount": 1 } }),
        )
        .await;
    assert_eq!(code(&one_more), "DISBURSAL_EXCEEDS_FACILITY");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interest_accrues_as_the_manual_clock_advances_and_the_plan_shows_it() {
    let (stack, root) = manual_clock_stack().await;
    let (customer, account) = customer_with_account(&stack, &root, "di@example.com").await;
    // $10,000 at 12% for 12 months with a 1% fee, activated on 2027-01-15 (automatic approval)
    let id = propose(&stack, &root, &customer, &account, 1_000_000).await;
    let active = activate(&stack, &root, &id, 100_000_000).await;
    assert_eq!(active["activatedOn"], "2027-01-15");

    // the ends of January 15 to 31: 17 days x 329 cents (1,000,000 x 12% / 365 = 328.77,
    // rounded up) = 5,593, plus the 10,000 fee: one obligation of 15,593 due 30 days after the
    // 31st, on March 2
    let advanced = ok(
        &stack,
        &root,
        "mutation($input: TimeAdvanceInput!) { timeAdvance(input: $input) { endedDates handlersBehind { name } } }",
        json!({ "input": { "days": 17 } }),
    )
    .await;
    assert_eq!(advanced["timeAdvance"]["handlersBehind"], json!([]));
    assert_eq!(
        advanced["timeAdvance"]["endedDates"]
            .as_array()
            .unwrap()
            .len(),
        17
    );
    const PLAN: &str = "query($id: UUID!) { creditFacility(id: $id) {
        balances { interest outstanding }
        obligations(first: 10) { nodes { kind amount status dueDate overdueDate defaultedDate } } } }";
    let expected = json!({
        "balances": { "interest": 15_593, "outstanding": 1_015_593 },
        "obligations": { "nodes": [
            { "kind": "PRINCIPAL", "amount": 1_000_000, "status": "NOT_YET_DUE",
              "dueDate": "2028-01-15", "overdueDate": "2028-02-14", "defaultedDate": "2028-04-14" },
            { "kind": "INTEREST", "amount": 15_593, "status": "NOT_YET_DUE",
              "dueDate": "2027-03-02", "overdueDate": "2027-04-01", "defaultedDate": "2027-05-31" },
        ] },
    });
    let staff_view = ok(&stack, &root, PLAN, json!({ "id": id })).await;
    assert_eq!(staff_view["creditFacility"], expected);
    // the customer sees the same plan
    let di = stack.token("customer", "di@example.com").await;
    let own = stack.customer_with(&di, PLAN, json!({ "id": id })).await;
    assert_eq!(own.data()["creditFacility"], expected);
    assert_eq!(
        facility_sum(&stack, &id, &[FacilityAccount::InterestIncome]).await,
        17 * 329
    );
    assert_api_matches_ledger(&stack, &root, &id, &account).await;

    // The books, with every credit and deposit set attached under the default chart (after
    // the fact: the sets bring their history): the $10,000 lent and paid into the account, the
    // fee and 17 days of interest earned and owed.
    common::default_books(&stack, &root, "2027-01-01").await;
    const STATEMENTS: &str = "{
        profitAndLoss(from: \"2027-01-01\", to: \"2027-01-31\") { totalRevenue netIncome revenue { code balance } }
        balanceSheet(asOf: \"2027-01-31\") { totalAssets totalLiabilities totalEquity balanced }
        trialBalance(from: \"2027-01-01\", to: \"2027-01-31\") { totalDebits totalCredits } }";
    let books = ok(&stack, &root, STATEMENTS, json!({})).await;
    let earned = 17 * 329 + 10_000;
    assert_eq!(books["profitAndLoss"]["totalRevenue"], json!(earned));
    assert_eq!(books["profitAndLoss"]["netIncome"], json!(earned));
    let revenue = books["profitAndLoss"]["revenue"].as_array().unwrap();
    assert!(revenue.contains(&json!({ "code": "41", "balance": 17 * 329 })));
    assert!(revenue.contains(&json!({ "code": "42", "balance": 10_000 })));
    assert_eq!(
        books["balanceSheet"],
        json!({ "totalAssets": 1_000_000 + earned, "totalLiabilities": 1_000_000,
                "totalEquity": earned, "balanced": true })
    );
    assert_eq!(
        books["trialBalance"]["totalDebits"],
        books["trialBalance"]["totalCredits"]
    );
}

const PAY: &str = "mutation($input: CreditFacilityPaymentRecordInput!) {
    creditFacilityPaymentRecord(input: $input) { payment {
        id amount unapplied source depositAccountId effectiveDate
        allocations { amount date } } } }";

#[tokio::test]
async fn payments_pay_what_is_due_in_order_over_http_and_are_refused_with_their_codes() {
    let (stack, root) = manual_clock_stack().await;
    let (customer, account) = customer_with_account(&stack, &root, "pat@example.com").await;
    let id = propose(&stack, &root, &customer, &account, 1_000_000).await;
    activate(&stack, &root, &id, 100_000_000).await;
    // January 15 to March 1 end: January's 17 x 329 + 10,000 fee = 15,593 is due from March 2;
    // February's 28 x 329 = 9,212 from March 30
    for days in [17, 28, 1] {
        let advanced = ok(
            &stack,
            &root,
            "mutation($input: TimeAdvanceInput!) { timeAdvance(input: $input) { handlersBehind { name } } }",
            json!({ "input": { "days": days } }),
        )
        .await;
        assert_eq!(advanced["timeAdvance"]["handlersBehind"], json!([]));
    }
    let from_account = |cents: u64| {
        json!({ "input": { "facilityId": id, "amount": cents, "source": "DEPOSIT_ACCOUNT",
                           "depositAccountId": account } })
    };

    // refusals: no account named, beyond everything owed, a date without the permission
    let missing = stack
        .admin(
            &root,
            PAY,
            json!({ "input": { "facilityId": id, "amount": 100, "source": "DEPOSIT_ACCOUNT" } }),
        )
        .await;
    assert_eq!(code(&missing), "INVALID_INPUT");
    // owed: 1,000,000 + 15,593 + 9,212 + March 1 (329) = 1,025,134
    let too_much = stack
        .admin(
            &root,
            PAY,
            json!({ "input": { "facilityId": id, "amount": 1_025_135, "source": "EXTERNAL" } }),
        )
        .await;
    assert_eq!(code(&too_much), "PAYMENT_EXCEEDS_OUTSTANDING");
    let manager = staff_user(&stack, &root, "manager@bank.test", "bank-manager").await;
    let dated = json!({ "input": { "facilityId": id, "amount": 100, "source": "EXTERNAL",
                                   "effectiveDate": "2027-03-01" } });
    let refused = stack.admin(&manager, PAY, dated.clone()).await;
    assert_eq!(code(&refused), "NOT_AUTHORIZED");

    // 20,000 from the account, twice under one key: one payment; January takes 15,593
    let headers = [("Idempotency-Key", "march-payment")];
    let first = stack
        .admin_with(&root, PAY, from_account(20_000), &headers)
        .await;
    let again = stack
        .admin_with(&root, PAY, from_account(20_000), &headers)
        .await;
    let payment = &first.data()["creditFacilityPaymentRecord"]["payment"];
    assert_eq!(
        again.data()["creditFacilityPaymentRecord"]["payment"]["id"],
        payment["id"]
    );
    assert_eq!(
        (
            &payment["amount"],
            &payment["unapplied"],
            &payment["source"],
            &payment["effectiveDate"]
        ),
        (
            &json!(20_000),
            &json!(4_407),
            &json!("DEPOSIT_ACCOUNT"),
            &json!("2027-03-02")
        )
    );
    assert_eq!(
        payment["allocations"],
        json!([{ "amount": 15_593, "date": "2027-03-02" }])
    );
    // the manager may record today's payments (the bank-manager role writes credit)
    let by_manager = stack.admin(&manager, PAY, from_account(1_000)).await;
    assert_eq!(
        by_manager.data()["creditFacilityPaymentRecord"]["payment"]["unapplied"],
        1_000
    );
    // a back-dated external payment by the admin: nothing was due on March 1 but January,
    // already paid, so it waits
    let dated = ok(&stack, &root, PAY, dated).await;
    assert_eq!(
        dated["creditFacilityPaymentRecord"]["payment"]["effectiveDate"],
        "2027-03-01"
    );
    assert_eq!(
        dated["creditFacilityPaymentRecord"]["payment"]["unapplied"],
        100
    );

    const PAID: &str = "query($id: UUID!) { creditFacility(id: $id) {
        balances { interest outstanding unapplied }
        obligations(first: 10) { nodes { kind amount outstanding status paidOn } }
        payments(first: 10) { nodes { amount unapplied source } } } }";
    let expected = json!({
        "balances": { "interest": 9_212 + 329, "outstanding": 1_000_000 + 9_212 + 329,
                      "unapplied": 4_407 + 1_000 + 100 },
        "obligations": { "nodes": [
            { "kind": "PRINCIPAL", "amount": 1_000_000, "outstanding": 1_000_000,
              "status": "NOT_YET_DUE", "paidOn": null },
            { "kind": "INTEREST", "amount": 15_593, "outstanding": 0, "status": "PAID",
              "paidOn": "2027-03-02" },
            { "kind": "INTEREST", "amount": 9_212, "outstanding": 9_212,
              "status": "NOT_YET_DUE", "paidOn": null },
        ] },
        "payments": { "nodes": [
            { "amount": 20_000, "unapplied": 4_407, "source": "DEPOSIT_ACCOUNT" },
            { "amount": 1_000, "unapplied": 1_000, "source": "DEPOSIT_ACCOUNT" },
            { "amount": 100, "unapplied": 100, "source": "EXTERNAL" },
        ] },
    });
    assert_eq!(
        ok(&stack, &root, PAID, json!({ "id": id })).await["creditFacility"],
        expected
    );
    // the customer sees the same, and the money leaving their account
    let pat = stack.token("customer", "pat@example.com").await;
    let own = stack.customer_with(&pat, PAID, json!({ "id": id })).await;
    assert_eq!(own.data()["creditFacility"], expected);
    let history = stack
        .customer_with(
            &pat,
            "query($id: UUID!) { depositAccountHistory(depositAccountId: $id, first: 10) {
                nodes { kind amountIn amountOut } } }",
            json!({ "id": account }),
        )
        .await;
    assert_eq!(
        history.data()["depositAccountHistory"]["nodes"],
        json!([
            { "kind": "CREDIT_PAYMENT", "amountIn": 0, "amountOut": 1_000 },
            { "kind": "CREDIT_PAYMENT", "amountIn": 0, "amountOut": 20_000 },
            { "kind": "CREDIT_DISBURSAL", "amountIn": 1_000_000, "amountOut": 0 },
        ])
    );
    assert_eq!(
        facility_sum(&stack, &id, &[FacilityAccount::PaymentHolding]).await,
        4_407 + 1_000 + 100
    );
    assert_api_matches_ledger(&stack, &root, &id, &account).await;

    // to the end of March 29: February (9,212) falls due on the 30th and takes the 5,507 held
    ok(
        &stack,
        &root,
        "mutation($input: TimeAdvanceInput!) { timeAdvance(input: $input) { endedDates } }",
        json!({ "input": { "days": 28 } }),
    )
    .await;
    let after = ok(&stack, &root, PAID, json!({ "id": id })).await;
    assert_eq!(
        after["creditFacility"]["obligations"]["nodes"][2],
        json!({ "kind": "INTEREST", "amount": 9_212, "outstanding": 9_212 - 5_507,
                "status": "DUE", "paidOn": null })
    );
    assert_eq!(after["creditFacility"]["balances"]["unapplied"], 0);
    assert_eq!(
        facility_sum(&stack, &id, &[FacilityAccount::PaymentHolding]).await,
        0
    );
    assert_api_matches_ledger(&stack, &root, &id, &account).await;
}

/// One accrual cycle of the hand-made plan and the interest obligation it becomes.
struct Cycle {
    last: NaiveDate,
    interest: i64,
    due: NaiveDate,
}

/// The plan of a $10,000, 12-month facility at 12% with a 1% fee from 2027-01-15, worked out
/// here: a day's interest is 1,000,000 x 12 / (100 x 365) = 328.77 cents, charged up to the cent
/// (329); each calendar month (the first from the 15th, the last to the day before maturity) is
/// one cycle whose interest (the first with the 10,000 fee) is due 30 days after its last day.
fn hand_plan() -> Vec<Cycle> {
    let daily = (1_000_000u64 * 12).div_ceil(100 * 365) as i64;
    assert_eq!(daily, 329);
    let start = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    let maturity = NaiveDate::from_ymd_opt(2028, 1, 15).unwrap();
    let mut cycles = Vec::new();
    let mut first = start;
    while first < maturity {
        let next_month = if first.month() == 12 {
            NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
        }
        .unwrap();
        let last = next_month.min(maturity).pred_opt().unwrap();
        let days = (last - first).num_days() + 1;
        let fee = if cycles.is_empty() { 10_000 } else { 0 };
        cycles.push(Cycle {
            last,
            interest: days * daily + fee,
            due: last + chrono::Days::new(30),
        });
        first = last.succ_opt().unwrap();
    }
    cycles
}

const PAY_OWN: &str = "mutation($input: CreditFacilityPaymentMakeInput!) {
    creditFacilityPaymentMake(input: $input) { payment { unapplied allocations { amount date } } } }";
const LIFE: &str = "query($id: UUID!) { creditFacility(id: $id) { status completedOn
    balances { disbursed interest outstanding unapplied }
    obligations(first: 20) { nodes { kind amount outstanding status dueDate paidOn } } } }";

#[tokio::test]
async fn a_year_of_interest_paid_monthly_then_the_principal_at_maturity_completes_the_facility() {
    let (stack, root) = manual_clock_stack().await;
    let (customer, account) = customer_with_account(&stack, &root, "lia@example.com").await;
    // $2,000 of her own besides the $10,000 paid out, for the interest
    ok(
        &stack,
        &root,
        "mutation($input: DepositRecordInput!) { depositRecord(input: $input) { deposit { id } } }",
        json!({ "input": { "depositAccountId": account, "amount": 200_000 } }),
    )
    .await;
    let id = propose(&stack, &root, &customer, &account, 1_000_000).await;
    let active = activate(&stack, &root, &id, 100_000_000).await;
    assert_eq!(
        (&active["activatedOn"], &active["maturityDate"]),
        (&json!("2027-01-15"), &json!("2028-01-15"))
    );
    let lia = stack.token("customer", "lia@example.com").await;
    let plan = hand_plan();
    assert_eq!(plan.len(), 13);
    let maturity = NaiveDate::from_ymd_opt(2028, 1, 15).unwrap();
    let pay = |cents: i64, key: String| {
        json!({ "input": { "facilityId": id, "depositAccountId": account, "amount": cents,
                           "idempotencyKey": key } })
    };

    let mut today = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    let end = NaiveDate::from_ymd_opt(2028, 2, 15).unwrap();
    while today < end {
        let advanced = ok(
            &stack,
            &root,
            "mutation { timeAdvanceToNextEndOfDay { endedDates handlersBehind { name } } }",
            json!({}),
        )
        .await;
        assert_eq!(
            advanced["timeAdvanceToNextEndOfDay"]["endedDates"],
            json!([today.to_string()])
        );
        assert_eq!(
            advanced["timeAdvanceToNextEndOfDay"]["handlersBehind"],
            json!([]),
            "{today}"
        );
        let ended = today;
        today = today.succ_opt().unwrap();

        if today == maturity {
            // the principal and the two interest obligations left (December, due January 30;
            // January 1-14, due February 13): interest first, then the principal
            let rest: Vec<&Cycle> = plan.iter().filter(|c| c.due > maturity).collect();
            let owed = 1_000_000 + rest.iter().map(|c| c.interest).sum::<i64>();
            let paid = stack
                .customer_with(&lia, PAY_OWN, pay(owed, "payoff".into()))
                .await;
            let mut expected: Vec<Value> = rest
                .iter()
                .map(|c| json!({ "amount": c.interest, "date": maturity.to_string() }))
                .collect();
            expected.push(json!({ "amount": 1_000_000, "date": maturity.to_string() }));
            assert_eq!(
                paid.data()["creditFacilityPaymentMake"]["payment"],
                json!({ "unapplied": 0, "allocations": expected })
            );
        } else if let Some(cycle) = plan.iter().find(|c| c.due == today && c.due < maturity) {
            // the customer pays each month's interest the day it falls due
            let paid = stack
                .customer_with(
                    &lia,
                    PAY_OWN,
                    pay(cycle.interest, format!("interest-{today}")),
                )
                .await;
            assert_eq!(
                paid.data()["creditFacilityPaymentMake"]["payment"],
                json!({ "unapplied": 0, "allocations": [
                    { "amount": cycle.interest, "date": today.to_string() } ] })
            );
        }

        // at each month end: the plan so far as worked out here, and the ledger behind the API
        if today.day() == 1 || today == maturity {
            let shown = ok(&stack, &root, LIFE, json!({ "id": id })).await;
            let shown = &shown["creditFacility"];
            let billed: Vec<&Cycle> = plan.iter().filter(|c| c.last <= ended).collect();
            let nodes = shown["obligations"]["nodes"].as_array().unwrap();
            assert_eq!(nodes.len(), 1 + billed.len(), "{today}: {shown}");
            for (cycle, node) in billed.iter().zip(&nodes[1..]) {
                let paid = cycle.due <= today || today >= maturity;
                assert_eq!(
                    (
                        &node["amount"],
                        &node["dueDate"],
                        &node["status"],
                        &node["outstanding"]
                    ),
                    (
                        &json!(cycle.interest),
                        &json!(cycle.due.to_string()),
                        &json!(if paid { "PAID" } else { "NOT_YET_DUE" }),
                        &json!(if paid { 0 } else { cycle.interest })
                    ),
                    "{today}: {node}"
                );
            }
            // interest earned so far: a day's 329 for every day from January 15 to the day
            // ended (never past maturity), and the fee
            let accrued_days = (ended.min(maturity.pred_opt().unwrap())
                - NaiveDate::from_ymd_opt(2027, 1, 15).unwrap())
            .num_days()
                + 1;
            assert_eq!(
                facility_sum(&stack, &id, &[FacilityAccount::InterestIncome]).await,
                accrued_days * 329,
                "{today}"
            );
            assert_eq!(
                facility_sum(&stack, &id, &[FacilityAccount::FeeIncome]).await,
                10_000
            );
            assert_api_matches_ledger(&stack, &root, &id, &account).await;
        }
    }

    // paid off at maturity: completed, nothing owed, every obligation paid
    let done = ok(&stack, &root, LIFE, json!({ "id": id })).await;
    let done = &done["creditFacility"];
    assert_eq!(
        (&done["status"], &done["completedOn"]),
        (&json!("COMPLETED"), &json!("2028-01-15"))
    );
    assert_eq!(
        done["balances"],
        json!({ "disbursed": 0, "interest": 0, "outstanding": 0, "unapplied": 0 })
    );
    let nodes = done["obligations"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 14);
    assert!(
        nodes
            .iter()
            .all(|n| n["status"] == "PAID" && n["outstanding"] == 0)
    );
    assert_eq!(nodes[0]["paidOn"], "2028-01-15");
    // all the interest: 365 days x 329 + the 10,000 fee, which is what the customer paid
    let interest: i64 = plan.iter().map(|c| c.interest).sum();
    assert_eq!(interest, 365 * 329 + 10_000);
    assert_eq!(
        facility_sum(&stack, &id, &[FacilityAccount::InterestIncome]).await,
        365 * 329
    );
    let balance = ok(&stack, &root, BALANCE, json!({ "id": account })).await;
    assert_eq!(
        balance["depositAccount"]["balance"]["settled"],
        1_200_000 - 1_000_000 - interest
    );
    // a paid-off facility takes no payment; its collateral is returned, and cannot grow again
    let refused = stack
        .customer_with(&lia, PAY_OWN, pay(1, "late".into()))
        .await;
    assert_eq!(code(&refused), "INVALID_FACILITY_TRANSITION");
    let returned = ok(
        &stack,
        &root,
        COLLATERAL,
        json!({ "input": { "id": id, "collateral": 0 } }),
    )
    .await;
    assert_eq!(
        returned["creditFacilityCollateralUpdate"]["creditFacility"]["status"],
        "COMPLETED"
    );
    let more = stack
        .admin(
            &root,
            COLLATERAL,
            json!({ "input": { "id": id, "collateral": 1 } }),
        )
        .await;
    assert_eq!(code(&more), "INVALID_FACILITY_TRANSITION");
    assert_eq!(
        facility(&stack, &root, &id).await["balances"]["collateral"],
        0
    );
}

/// Waits until the bank has taken the exchange's price and the credit domain has evaluated
/// every facility at it.
async fn exchange_price(stack: &Stack, root: &str, dollars: &str) {
    stack.exchange.set_price(dollars);
    let cents: u64 = dollars.parse::<u64>().unwrap() * 100;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let price = ok(
            stack,
            root,
            "{ realtimePrice { usdCentsPerBtc } }",
            json!({}),
        )
        .await;
        let handled: bool = sqlx::query_scalar(
            "SELECT coalesce((SELECT position FROM outbox_handlers WHERE name = 'credit.price-changes'), 0)
                 >= (SELECT coalesce(max(sequence), 0) FROM outbox_events WHERE event_type = 'price_updated')",
        )
        .fetch_one(&stack.db.pool)
        .await
        .unwrap();
        if price["realtimePrice"]["usdCentsPerBtc"] == cents && handled {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the price never reached {dollars}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

const LIQUIDATIONS: &str = "query($id: UUID!) { creditFacility(id: $id) {
    collateralizationState collateral balances { outstanding unapplied cvl { percent } }
    liquidations { id status price collateral exposure satsToSell expectedProceeds satsSent
                   proceeds paymentId } } }";

#[tokio::test]
async fn the_exchange_price_moves_a_facility_into_margin_call_and_out_then_into_a_partial_liquidation()
 {
    let stack = Stack::start_with(
        ROOT,
        &[
            "price.fetch_interval_secs=1".into(),
            "price.max_jump_percent=50".into(),
        ],
    )
    .await;
    let root = stack.token("internal", ROOT).await;
    exchange_price(&stack, &root, "120000").await;
    let (customer, account) = customer_with_account(&stack, &root, "max@example.com").await;
    // $10,000 paid out against 0.11 BTC: $13,200 / $10,100 owed (with the fee) = 130.69%
    let id = propose(&stack, &root, &customer, &account, 1_000_000).await;
    activate(&stack, &root, &id, 11_000_000).await;
    let state = async || {
        ok(&stack, &root, LIQUIDATIONS, json!({ "id": id })).await["creditFacility"]
            ["collateralizationState"]
            .clone()
    };
    assert_eq!(state().await, "FULLY_COLLATERALIZED");
    // $104,000: 1,144,000 / 1,010,000 = 113.27%: margin call
    exchange_price(&stack, &root, "104000").await;
    assert_eq!(state().await, "UNDER_MARGIN_CALL_THRESHOLD");
    // $112,000: 121.98%, above 120% but inside the 5-point buffer: still a margin call
    exchange_price(&stack, &root, "112000").await;
    assert_eq!(state().await, "UNDER_MARGIN_CALL_THRESHOLD");
    // $116,000: 126.34%: fully collateralized again
    exchange_price(&stack, &root, "116000").await;
    assert_eq!(state().await, "FULLY_COLLATERALIZED");

    // $93,000: 101.29% < 105%: a partial liquidation, sized (by hand) to restore 150%: sell
    // x = (1.5 x 1,010,000 - 1,023,000) / 0.5 = 984,000 cents = 10,580,645.16 sats -> 10,580,646
    exchange_price(&stack, &root, "93000").await;
    let seen = ok(&stack, &root, LIQUIDATIONS, json!({ "id": id })).await;
    let f = &seen["creditFacility"];
    assert_eq!(f["collateralizationState"], "UNDER_LIQUIDATION_THRESHOLD");
    let liquidation = &f["liquidations"][0];
    assert_eq!(
        liquidation,
        &json!({ "id": liquidation["id"], "status": "AWAITING_COLLATERAL", "price": 9_300_000,
                 "collateral": 11_000_000, "exposure": 1_010_000, "satsToSell": 10_580_646,
                 "expectedProceeds": 984_000, "satsSent": null, "proceeds": null,
                 "paymentId": null })
    );
    let liquidation_id = liquidation["id"].as_str().unwrap().to_owned();
    // the customer sees it too
    let max = stack.token("customer", "max@example.com").await;
    let own = stack
        .customer_with(
            &max,
            "query($id: UUID!) { creditFacility(id: $id) { liquidations { satsToSell } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(
        own.data()["creditFacility"]["liquidations"],
        json!([{ "satsToSell": 10_580_646 }])
    );

    ok(
        &stack,
        &root,
        "mutation($input: CreditFacilityLiquidationCollateralSentInput!) {
            creditFacilityLiquidationCollateralSent(input: $input) { liquidation { status } } }",
        json!({ "input": { "liquidationId": liquidation_id, "sats": 10_580_646 } }),
    )
    .await;
    let proceeds = "mutation($input: CreditFacilityLiquidationProceedsRecordInput!) {
        creditFacilityLiquidationProceedsRecord(input: $input) { payment { id amount unapplied source liquidationId } } }";
    let paid = ok(
        &stack,
        &root,
        proceeds,
        json!({ "input": { "liquidationId": liquidation_id, "amount": 984_000 } }),
    )
    .await;
    let payment = &paid["creditFacilityLiquidationProceedsRecord"]["payment"];
    assert_eq!(
        (
            &payment["amount"],
            &payment["unapplied"],
            &payment["source"],
            &payment["liquidationId"]
        ),
        (
            &json!(984_000),
            &json!(984_000),
            &json!("LIQUIDATION"),
            &json!(liquidation_id)
        )
    );
    let again = stack
        .admin(
            &root,
            proceeds,
            json!({ "input": { "liquidationId": liquidation_id, "amount": 984_000 } }),
        )
        .await;
    assert_eq!(code(&again), "INVALID_FACILITY_TRANSITION");
    // 419,354 sats x $93,000 = $389.99 against $10,100 - $9,840 = $260: 149.99%
    let after = ok(&stack, &root, LIQUIDATIONS, json!({ "id": id })).await;
    let f = &after["creditFacility"];
    assert_eq!(f["collateralizationState"], "FULLY_COLLATERALIZED");
    assert_eq!(f["collateral"], 419_354);
    assert_eq!(
        f["balances"],
        json!({ "outstanding": 1_010_000, "unapplied": 984_000, "cvl": { "percent": "149.99" } })
    );
    assert_eq!(f["liquidations"][0]["status"], "COMPLETED");
    assert_eq!(f["liquidations"][0]["paymentId"], payment["id"]);
    // every change of state was published (notifications tell the customer of a margin call)
    let states: Vec<String> = sqlx::query_scalar(
        "SELECT payload->>'state' FROM outbox_events
         WHERE event_type = 'facility_collateralization_changed' AND payload->>'facility_id' = $1
         ORDER BY sequence",
    )
    .bind(&id)
    .fetch_all(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(
        states,
        [
            "under_liquidation_threshold",
            "fully_collateralized",
            "under_margin_call_threshold",
            "fully_collateralized",
            "under_liquidation_threshold",
            "fully_collateralized"
        ]
    );
    assert_api_matches_ledger(&stack, &root, &id, &account).await;
}

#[tokio::test]
async fn a_runner_killed_in_the_middle_of_an_end_of_day_leaves_each_facility_one_accrual_for_it() {
    let (mut stack, root) = manual_clock_stack().await;
    // one facility per transaction, so that a kill lands between facilities
    ok(
        &stack,
        &root,
        "mutation($input: DomainConfigUpdateInput!) { domainConfigUpdate(input: $input) { domainConfig { key } } }",
        json!({ "input": { "key": "credit-end-of-day-batch", "value": 1 } }),
    )
    .await;
    let (customer, account) = customer_with_account(&stack, &root, "ned@example.com").await;
    const FACILITIES: usize = 24;
    let mut ids = Vec::new();
    for _ in 0..FACILITIES {
        // $1,000 each, against 0.02 BTC ($2,000 at $100,000)
        let id = propose(&stack, &root, &customer, &account, 100_000).await;
        activate(&stack, &root, &id, 2_000_000).await;
        ids.push(id);
    }
    let serviced = async |stack: &Stack, day: NaiveDate| -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM credit_facility_servicing WHERE last_day = $1")
            .bind(day)
            .fetch_one(&stack.db.pool)
            .await
            .unwrap()
    };

    // end days until the runner is caught (and killed) with some facilities of the day done
    let mut day = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
    let crashed_on = loop {
        assert!(
            day < NaiveDate::from_ymd_opt(2027, 1, 25).unwrap(),
            "never caught an end of day in the middle"
        );
        let advance = stack.admin(
            &root,
            "mutation { timeAdvanceToNextEndOfDay { endedDates } }",
            json!({}),
        );
        let partial = async {
            loop {
                let done = serviced(&stack, day).await;
                if done > 0 && done < FACILITIES as i64 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        };
        let caught = tokio::select! {
            _ = advance => false,
            () = partial => true,
        };
        if caught {
            stack.kill_lana();
            break day;
        }
        day = day.succ_opt().unwrap();
    };
    let done_before = serviced(&stack, crashed_on).await;
    assert!(
        done_before > 0 && done_before < FACILITIES as i64,
        "{done_before} of {FACILITIES} serviced when killed"
    );

    // after the restart the day is taken up again and finished: every facility once
    stack.restart_lana();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let last: Option<NaiveDate> = sqlx::query_scalar(
            "SELECT last_date FROM time_end_of_day_handlers WHERE name = 'credit.servicing'",
        )
        .fetch_optional(&stack.db.pool)
        .await
        .unwrap()
        .flatten();
        if last.is_some_and(|d| d >= crashed_on) {
            break;
        }
        assert!(Instant::now() < deadline, "the day was never finished");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(serviced(&stack, crashed_on).await, FACILITIES as i64);
    let (postings, facilities): (i64, i64) = sqlx::query_as(
        "SELECT count(*), count(DISTINCT split_part(external_id, ':', 2)) FROM ledger_transactions
         WHERE external_id LIKE 'credit-interest-accrual:%:' || $1::text",
    )
    .bind(crashed_on.to_string())
    .fetch_one(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(
        (postings, facilities),
        (FACILITIES as i64, FACILITIES as i64)
    );
    // and every facility earned exactly its days: 100,000 x 12% / 365 = 32.88 -> 33 cents a day
    // from January 15 through the crashed day
    let days = (crashed_on - NaiveDate::from_ymd_opt(2027, 1, 15).unwrap()).num_days() + 1;
    for id in &ids {
        assert_eq!(
            facility_sum(&stack, id, &[FacilityAccount::InterestIncome]).await,
            days * 33,
            "{id}"
        );
    }
}
