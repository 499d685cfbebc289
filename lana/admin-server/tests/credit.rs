//! The credit API over the admin schema: from a template to active facilities, their figures
//! (a page of facilities with balances, CVL and history takes the same number of statements
//! whatever its size), and the codes of refused input. Answers go through `respond`, as the HTTP
//! handler's do, so the codes are the ones clients see.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use admin_server::AdminSchema;
use authz::Actor;
use clock::Clock;
use core_customer::{CustomerType, ProspectInput, TelegramHandle};
use es::EsEntity;
use graphql_kit::{CorrelationId, GraphqlConfig};
use graphql_types::credit::CreditLoaders;
use graphql_types::deposit::DepositLoaders;
use lana_app::{AppConfig, LanaApp};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use tracing_subscriber::layer::SubscriberExt;

/// Counts the statements sqlx runs (one `sqlx::query` event each).
#[derive(Clone, Default)]
struct Statements(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Statements {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

struct Api {
    app: LanaApp,
    schema: AdminSchema,
    _db: test_db::TestDb,
}

impl Api {
    /// A bank on the manual price provider at $100,000 a bitcoin.
    async fn new() -> Self {
        let db = test_db::TestDb::new(&es::migrations::combine(&[]).await.unwrap()).await;
        let mut config = AppConfig::for_database(db.url());
        config.price.initial_provider = core_price::ProviderKind::Manual;
        let app = LanaApp::init(&config, Clock::real()).await.unwrap();
        let staff = staff();
        app.configs()
            .update(
                &staff,
                "customer-manual-conversion-allowed",
                serde_json::json!(true),
            )
            .await
            .unwrap();
        app.prices()
            .set_manual_price(
                &staff,
                core_price::UsdCentsPerBtc::parse(10_000_000).unwrap(),
            )
            .await
            .unwrap();
        Self {
            app,
            schema: admin_server::build_schema(&GraphqlConfig::default()),
            _db: db,
        }
    }

    /// One request, as the server makes it (its own actor and loaders); the answer as JSON.
    async fn call(&self, query: &str, variables: Value) -> Value {
        let staff = staff();
        let request = async_graphql::Request::new(query)
            .variables(async_graphql::Variables::from_json(variables))
            .data(DepositLoaders::new(
                self.app.deposits().clone(),
                staff.clone(),
            ))
            .data(CreditLoaders::new(self.app.credit().clone(), staff.clone()))
            .data(staff)
            .data(self.app.clone())
            .data(CorrelationId("credit-test".into()));
        let response = graphql_kit::respond(
            self.schema.execute(request).await,
            &CorrelationId("credit-test".into()),
        );
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    /// The data of an answer that must have no error.
    async fn data(&self, query: &str, variables: Value) -> Value {
        let answer = self.call(query, variables).await;
        assert!(answer.get("errors").is_none(), "{answer}");
        answer["data"].clone()
    }

    /// The code and message of an answer's only error.
    async fn refused(&self, query: &str, variables: Value) -> (String, String) {
        let answer = self.call(query, variables).await;
        let errors = answer["errors"].as_array().expect("an error");
        assert_eq!(errors.len(), 1, "{answer}");
        (
            errors[0]["extensions"]["code"].as_str().unwrap().to_owned(),
            errors[0]["message"].as_str().unwrap().to_owned(),
        )
    }

    /// An active customer with a deposit account.
    async fn borrower(&self, n: usize) -> (String, String) {
        let staff = staff();
        let prospect = self
            .app
            .customers()
            .create_prospect(
                &staff,
                ProspectInput {
                    email: email::Email::parse(&format!("b{n}@bank.test")).unwrap(),
                    telegram_handle: TelegramHandle::parse(&format!("borrower_{n}")).unwrap(),
                    customer_type: CustomerType::Individual,
                },
            )
            .await
            .unwrap();
        let customer = self
            .app
            .customers()
            .convert_prospect(&staff, prospect.id())
            .await
            .unwrap();
        let account = self
            .app
            .deposits()
            .create_account(&staff, customer.id())
            .await
            .unwrap();
        (customer.id().to_string(), account.id().to_string())
    }
}

fn staff() -> Actor {
    Actor::new(authz::Subject::System("credit-test".into()), "credit-test")
}

/// 12% a year for 12 months, a 1% fee, CVL 150 / 125 / 105, paid out at activation.
fn terms() -> Value {
    json!({
        "annualRate": "12",
        "durationMonths": 12,
        "accrualInterval": "END_OF_DAY",
        "accrualCycleInterval": "END_OF_MONTH",
        "interestDueAfterDays": 0,
        "overdueAfterDays": 30,
        "liquidationAfterDays": 60,
        "structuringFeeRate": "1",
        "initialCvl": "150",
        "marginCallCvl": "125",
        "liquidationCvl": "105",
        "disbursalPolicy": "SINGLE",
    })
}

const TEMPLATE_CREATE: &str = "mutation($input: TermsTemplateCreateInput!) {
    termsTemplateCreate(input: $input) { termsTemplate { id name terms {
        annualRate structuringFeeRate initialCvl marginCallCvl liquidationCvl
        durationMonths overdueAfterDays disbursalPolicy effectiveAnnualRate } } } }";

const PROPOSAL_CREATE: &str = "mutation($input: CreditFacilityProposalCreateInput!) {
    creditFacilityProposalCreate(input: $input) { creditFacility { id status termsTemplateId
        terms { annualRate } } } }";

const CONSENT: &str = "mutation($input: CreditFacilityProposalConsentInput!) {
    creditFacilityProposalConsent(input: $input) { creditFacility { id status approvalProcessId } } }";

const COLLATERAL: &str = "mutation($input: CreditFacilityCollateralUpdateInput!) {
    creditFacilityCollateralUpdate(input: $input) { creditFacility { id status collateral
        collateralizationState activatedOn maturityDate structuringFee } } }";

const PAGE: &str = "query($first: Int!) { creditFacilities(first: $first) { nodes {
    id status amount collateral terms { annualRate effectiveAnnualRate }
    balances { facility remaining held disbursed interest outstanding collateral
               cvl { infinite percent } }
    history { kind amount collateral structuringFee }
    disbursals(first: 5) { nodes { amount status } }
    obligations(first: 5) { nodes { kind amount outstanding status } } } } }";

#[tokio::test]
async fn facilities_from_a_template_to_active_with_their_figures() {
    let api = Api::new().await;
    let template = api
        .data(
            TEMPLATE_CREATE,
            json!({ "input": { "name": " Standard ", "terms": terms() } }),
        )
        .await["termsTemplateCreate"]["termsTemplate"]
        .clone();
    assert_eq!(template["name"], "Standard");
    assert_eq!(
        template["terms"],
        json!({
            "annualRate": "12", "structuringFeeRate": "1", "initialCvl": "150",
            "marginCallCvl": "125", "liquidationCvl": "105", "durationMonths": 12,
            "overdueAfterDays": 30, "disbursalPolicy": "SINGLE",
            // 12 + 1 × 12 / 12
            "effectiveAnnualRate": "13",
        })
    );
    let template_id = template["id"].as_str().unwrap().to_owned();

    let mut facilities = Vec::new();
    for n in 0..20 {
        let (customer, account) = api.borrower(n).await;
        let input = json!({ "input": {
            "customerId": customer, "depositAccountId": account, "amount": 1_000_000,
            "termsTemplateId": template_id, "idempotencyKey": format!("proposal-{n}"),
        }});
        let proposal = api.data(PROPOSAL_CREATE, input.clone()).await["creditFacilityProposalCreate"]
            ["creditFacility"]
            .clone();
        assert_eq!(proposal["status"], "PENDING_CUSTOMER_APPROVAL");
        assert_eq!(proposal["termsTemplateId"], template_id.as_str());
        // the same key and request: the same proposal
        let again = api.data(PROPOSAL_CREATE, input).await;
        assert_eq!(
            again["creditFacilityProposalCreate"]["creditFacility"]["id"],
            proposal["id"]
        );
        let id = proposal["id"].as_str().unwrap().to_owned();
        // automatic approval: a pending facility at once
        let consented = api.data(CONSENT, json!({ "input": { "id": id } })).await;
        let consented = &consented["creditFacilityProposalConsent"]["creditFacility"];
        assert_eq!(consented["status"], "PENDING_COLLATERAL");
        assert!(consented["approvalProcessId"].is_string());
        // 0.2 BTC at $100,000 is $20,000: 200% of $10,000, above the margin call
        let active = api
            .data(
                COLLATERAL,
                json!({ "input": { "id": id, "collateral": 20_000_000 } }),
            )
            .await;
        let active = &active["creditFacilityCollateralUpdate"]["creditFacility"];
        assert_eq!(active["status"], "ACTIVE", "{active}");
        assert_eq!(active["collateral"], 20_000_000);
        assert_eq!(active["structuringFee"], 10_000);
        assert!(active["maturityDate"].is_string());
        facilities.push(id);
    }

    // a single-policy facility takes no other disbursal; its payout is listed
    let (code, _) = api
        .refused(
            "mutation($input: CreditFacilityDisbursalInitiateInput!) {
                creditFacilityDisbursalInitiate(input: $input) { disbursal { id } } }",
            json!({ "input": { "facilityId": facilities[0], "amount": 100 } }),
        )
        .await;
    assert_eq!(code, "SINGLE_DISBURSAL_FACILITY");
    let disbursals = api
        .data(
            "query($id: UUID!) { disbursals(first: 10, facilityId: $id) { nodes {
                facilityId amount status approvalProcessId dueDate } } }",
            json!({ "id": facilities[0] }),
        )
        .await;
    let nodes = disbursals["disbursals"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["amount"], 1_000_000);
    assert_eq!(nodes[0]["status"], "SETTLED");
    assert_eq!(nodes[0]["approvalProcessId"], Value::Null);

    // one more customer with a proposal left waiting: a proposal, not a facility
    let (customer, account) = api.borrower(99).await;
    let waiting = api
        .data(
            PROPOSAL_CREATE,
            json!({ "input": {
                "customerId": customer, "depositAccountId": account, "amount": 500_000,
                "terms": terms(),
            }}),
        )
        .await;
    assert_eq!(
        waiting["creditFacilityProposalCreate"]["creditFacility"]["termsTemplateId"],
        Value::Null
    );
    let proposals = api
        .data(
            "{ creditFacilityProposals(first: 10) { nodes { status
                balances { facility outstanding cvl { infinite percent } } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        proposals["creditFacilityProposals"]["nodes"],
        json!([{ "status": "PENDING_CUSTOMER_APPROVAL",
                 "balances": { "facility": 500_000, "outstanding": 0,
                               "cvl": { "infinite": false, "percent": "0.00" } } }])
    );
    let filtered = api
        .data(
            "{ pending: creditFacilities(first: 10, status: PENDING_COLLATERAL) { nodes { id } }
               full: creditFacilities(first: 100, collateralizationState: FULLY_COLLATERALIZED)
                 { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(filtered["pending"]["nodes"], json!([]));
    assert_eq!(filtered["full"]["nodes"].as_array().unwrap().len(), 20);

    let statements = Statements::default();
    let subscriber = tracing_subscriber::registry().with(statements.clone());
    let _guard = tracing::subscriber::set_default(subscriber);
    let mut counted = Vec::new();
    for first in [5, 20] {
        let before = statements.0.load(Ordering::SeqCst);
        let page = api.data(PAGE, json!({ "first": first })).await;
        counted.push(statements.0.load(Ordering::SeqCst) - before);
        let nodes = page["creditFacilities"]["nodes"].as_array().unwrap();
        assert_eq!(nodes.len(), first);
        for node in nodes {
            assert_eq!(node["status"], "ACTIVE");
            assert_eq!(
                node["balances"],
                json!({
                    "facility": 1_000_000, "remaining": 0, "held": 0, "disbursed": 1_000_000,
                    "interest": 10_000, "outstanding": 1_010_000, "collateral": 20_000_000,
                    // $20,000 / $10,100 = 198.0198..%, rounded down
                    "cvl": { "infinite": false, "percent": "198.01" },
                }),
                "{node}"
            );
            let history = node["history"].as_array().unwrap();
            assert_eq!(
                history[0],
                json!({ "kind": "PROPOSED", "amount": 1_000_000, "collateral": null,
                        "structuringFee": null })
            );
            let kinds: Vec<&str> = history
                .iter()
                .map(|h| h["kind"].as_str().unwrap())
                .collect();
            for kind in [
                "CUSTOMER_CONSENTED",
                "APPROVED",
                "COLLATERAL_UPDATED",
                "ACTIVATED",
            ] {
                assert!(kinds.contains(&kind), "{kinds:?}");
            }
            let activated = history.iter().find(|h| h["kind"] == "ACTIVATED").unwrap();
            assert_eq!(activated["structuringFee"], 10_000);
            // the single policy's payout of the whole amount
            assert_eq!(
                node["disbursals"]["nodes"],
                json!([{ "amount": 1_000_000, "status": "SETTLED" }])
            );
            // its principal, due at maturity (no day has ended yet: no interest obligation)
            assert_eq!(
                node["obligations"]["nodes"],
                json!([{ "kind": "PRINCIPAL", "amount": 1_000_000, "outstanding": 1_000_000,
                         "status": "NOT_YET_DUE" }])
            );
        }
    }
    println!(
        "statements for 5 and for 20 facilities with figures, disbursals and obligations: {counted:?}"
    );
    assert_eq!(counted[0], counted[1], "{counted:?}");
}

#[tokio::test]
async fn refused_input_has_its_code() {
    let api = Api::new().await;
    let create = |terms: Value| json!({ "input": { "name": "T", "terms": terms } });
    let with = |field: &str, value: Value| {
        let mut t = terms();
        t[field] = value;
        create(t)
    };

    // not a decimal, or a JSON number (which may have been a float): refused as input
    for bad in [
        json!("12.5.5"),
        json!("1e1"),
        json!(""),
        json!(12),
        json!(12.5),
    ] {
        let (code, message) = api
            .refused(TEMPLATE_CREATE, with("annualRate", bad.clone()))
            .await;
        assert_eq!(code, "INVALID_INPUT", "{bad}: {message}");
    }
    // decimals the terms refuse: the code names it, the message names the field
    for (field, value, says) in [
        (
            "annualRate",
            "12.34567",
            "annualRate: must have at most 4 decimal places",
        ),
        (
            "annualRate",
            "100.5",
            "annualRate: must be between 0% and 100%",
        ),
        (
            "marginCallCvl",
            "150",
            "marginCallCvl: must be below the initial CVL",
        ),
        (
            "liquidationCvl",
            "0",
            "liquidationCvl: must be more than 0%",
        ),
    ] {
        let (code, message) = api
            .refused(TEMPLATE_CREATE, with(field, json!(value)))
            .await;
        assert_eq!(code, "INVALID_TERMS", "{message}");
        assert!(message.contains(says), "{message}");
    }
    let (code, message) = api
        .refused(TEMPLATE_CREATE, with("durationMonths", json!(0)))
        .await;
    assert_eq!(code, "INVALID_TERMS");
    assert!(message.contains("durationMonths"), "{message}");
    let (code, _) = api
        .refused(
            TEMPLATE_CREATE,
            json!({ "input": { "name": "  ", "terms": terms() } }),
        )
        .await;
    assert_eq!(code, "INVALID_INPUT");

    // a template name is taken once
    api.data(TEMPLATE_CREATE, create(terms())).await;
    let (code, _) = api.refused(TEMPLATE_CREATE, create(terms())).await;
    assert_eq!(code, "TEMPLATE_NAME_TAKEN");

    // a proposal's terms: exactly one of a template and terms in full
    let (customer, account) = api.borrower(1).await;
    let proposal = |extra: Value| {
        let mut input = json!({
            "customerId": customer, "depositAccountId": account, "amount": 100_000,
        });
        for (k, v) in extra.as_object().unwrap() {
            input[k] = v.clone();
        }
        json!({ "input": input })
    };
    let template = uuid::Uuid::new_v4().to_string();
    for extra in [
        json!({}),
        json!({ "termsTemplateId": template, "terms": terms() }),
    ] {
        let (code, message) = api.refused(PROPOSAL_CREATE, proposal(extra)).await;
        assert_eq!(code, "INVALID_INPUT", "{message}");
    }
    let (code, _) = api
        .refused(
            PROPOSAL_CREATE,
            proposal(json!({ "termsTemplateId": template })),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
    let (code, _) = api
        .refused(
            PROPOSAL_CREATE,
            proposal(json!({ "terms": terms(), "amount": 0 })),
        )
        .await;
    assert_eq!(code, "INVALID_INPUT");
    let (code, _) = api
        .refused(
            PROPOSAL_CREATE,
            proposal(json!({ "terms": terms(), "idempotencyKey": "" })),
        )
        .await;
    assert_eq!(code, "INVALID_IDEMPOTENCY_KEY");

    // a proposal takes no collateral; more than 21 million bitcoin is refused before that
    let id = api
        .data(PROPOSAL_CREATE, proposal(json!({ "terms": terms() })))
        .await["creditFacilityProposalCreate"]["creditFacility"]["id"]
        .clone();
    let (code, _) = api
        .refused(
            COLLATERAL,
            json!({ "input": { "id": id, "collateral": 2_100_000_000_000_001u64 } }),
        )
        .await;
    assert_eq!(code, "INVALID_INPUT");
    let (code, _) = api
        .refused(
            COLLATERAL,
            json!({ "input": { "id": id, "collateral": 1 } }),
        )
        .await;
    assert_eq!(code, "INVALID_FACILITY_TRANSITION");

    // declined on the customer's behalf, with the reason in its history
    let declined = api
        .data(
            "mutation($input: CreditFacilityProposalDeclineInput!) {
                creditFacilityProposalDecline(input: $input) { creditFacility {
                    status refusalReason history { kind reason } } } }",
            json!({ "input": { "id": id, "reason": " too expensive " } }),
        )
        .await;
    let declined = &declined["creditFacilityProposalDecline"]["creditFacility"];
    assert_eq!(declined["status"], "CUSTOMER_DECLINED");
    assert_eq!(declined["refusalReason"], "too expensive");
    assert_eq!(
        declined["history"][1],
        json!({ "kind": "CUSTOMER_DECLINED", "reason": "too expensive" })
    );
    let (code, _) = api.refused(CONSENT, json!({ "input": { "id": id } })).await;
    assert_eq!(code, "INVALID_FACILITY_TRANSITION");

    // unknown ids
    let unknown = uuid::Uuid::new_v4().to_string();
    let found = api
        .data(
            "query($id: UUID!) { creditFacility(id: $id) { id } disbursal(id: $id) { id }
                termsTemplate(id: $id) { id } }",
            json!({ "id": unknown }),
        )
        .await;
    assert_eq!(
        found,
        json!({ "creditFacility": null, "disbursal": null, "termsTemplate": null })
    );
    let (code, _) = api
        .refused(CONSENT, json!({ "input": { "id": unknown } }))
        .await;
    assert_eq!(code, "NOT_FOUND");
}
