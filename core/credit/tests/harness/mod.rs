//! The credit domain against a real PostgreSQL: the services it needs (customers, deposits,
//! governance, the price with the fake exchange, the ledger, the outbox) on a manual clock,
//! helpers to make customers, accounts, templates and committees, to deliver the outbox to the
//! credit handlers, and to read balances straight from the ledger's entries.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use audit::Audit;
use authz::{Actor, Authorization, Subject};
use bitfinex::fake::FakeExchange;
use chrono::NaiveDate;
use clock::{Clock, ManualClock};
use core_credit::ledger::FacilityAccount;
use core_credit::terms::{
    AccrualCycleInterval, AccrualInterval, DisbursalPolicy, Terms, TermsInput,
};
use core_credit::{
    Amount, Collateral, Credit, CreditApprovalHandler, CreditDependencies, CreditFacility,
    CreditFacilityId, CustodianId, EndOfDayBatch, MarginCallUpgradeBuffer, PriceChangeHandler,
    ProposalRequest, ProposalTerms, ServicingOnEndOfDay, TemplateName, TermsTemplate,
    UsdCentsPerBtc,
};
use core_custody::{Custody, CustodyConfig};
use core_customer::{
    CustomerConfig, CustomerId, CustomerType, Customers, ManualConversionAllowed, ProspectInput,
    TelegramHandle,
};
use core_deposit::{DepositAccount, Deposits, EscheatableAfterInactiveDays, InactiveAfterDays};
use core_domain_config::{ConfigKey, Declarations, DomainConfigs};
use core_governance::{Governance, ProcessType, StaffDirectory};
use core_price::{PriceConfig, Prices, ProviderKind};
use core_time::{BusinessCalendar, ClosingTime, EndOfDayHandler, EndedDay, Timezone};
use es::{DbOp, EsEntity};
use money::{Satoshis, UsdCents};
use outbox::{DispatcherConfig, Outbox, OutboxHandler};
use rust_decimal::Decimal;
use std::sync::Arc;
use std::time::{Duration, Instant};
use use_case::{PlatformError, UseCases};
use uuid::Uuid;

pub struct Harness {
    pub db: test_db::TestDb,
    pub authz: Authorization,
    pub outbox: Outbox,
    pub governance: Governance,
    pub customers: Customers,
    pub deposits: Deposits,
    pub prices: Prices,
    pub custody: Custody,
    pub credit: Credit,
    pub exchange: FakeExchange,
    pub manual: ManualClock,
}

/// Every user is staff here (the access domain is not part of these tests).
struct AllStaff;

#[async_trait::async_trait]
impl StaffDirectory for AllStaff {
    async fn unknown_in_op(&self, _: &mut DbOp, _: &[Uuid]) -> Result<Vec<Uuid>, PlatformError> {
        Ok(Vec::new())
    }
}

const VOTER_ROLE: &str = "voter";

/// Staff acting with every permission (the system), under a correlation id.
pub fn staff() -> Actor {
    Actor::system("credit-test").with_correlation_id(Some("credit-test".into()))
}

/// A customer acting through the customer API.
pub fn as_customer(customer: CustomerId) -> Actor {
    Actor::new(Subject::Customer(customer.into()), "customer-test")
}

pub fn usd(cents: u64) -> Amount {
    Amount::parse(UsdCents::from_minor(cents)).unwrap()
}

pub fn sats(n: u64) -> Collateral {
    Collateral::parse(Satoshis::from_minor(n)).unwrap()
}

/// One bitcoin at `dollars`.
pub fn price(dollars: u64) -> UsdCentsPerBtc {
    UsdCentsPerBtc::parse(dollars * 100).unwrap()
}

/// A year at 12%, 1% fee, CVL 150 / 120 / 105, monthly cycles, due after 30 days.
pub fn terms(policy: DisbursalPolicy) -> Terms {
    Terms::try_new(TermsInput {
        annual_rate: Decimal::new(12, 0),
        duration_months: 12,
        accrual_interval: AccrualInterval::EndOfDay,
        accrual_cycle_interval: AccrualCycleInterval::EndOfMonth,
        interest_due_after_days: 30,
        overdue_after_days: Some(30),
        liquidation_after_days: Some(90),
        structuring_fee_rate: Decimal::new(1, 0),
        initial_cvl: Decimal::new(150, 0),
        margin_call_cvl: Decimal::new(120, 0),
        liquidation_cvl: Decimal::new(105, 0),
        disbursal_policy: policy,
    })
    .unwrap()
}

/// The key custodian secrets are sealed under in these tests.
pub const TEST_CUSTODY_KEY: &str =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

/// The bank opens on 2027-01-15 (UTC business days ending at midnight).
pub const START: &str = "2027-01-15T10:00:00Z";

pub async fn harness() -> Harness {
    let migrator = es::migrations::combine(&[
        &es::MIGRATOR,
        &jobs::MIGRATOR,
        &outbox::MIGRATOR,
        &audit::MIGRATOR,
        &authz::MIGRATOR,
        &ledger::MIGRATOR,
        &idempotency::MIGRATOR,
        &core_domain_config::MIGRATOR,
        &core_governance::MIGRATOR,
        &core_customer::MIGRATOR,
        &core_deposit::MIGRATOR,
        &core_price::MIGRATOR,
        &inbox::MIGRATOR,
        &core_custody::MIGRATOR,
        &core_credit::MIGRATOR,
    ])
    .await
    .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    let (clock, manual) = Clock::manual(START.parse().unwrap());
    let audit = Audit::new(db.pool.clone(), clock.clone());
    let authz = Authorization::init(db.pool.clone(), audit).await.unwrap();
    // The customer role as the composition root declares it, and a role for voting staff.
    authz
        .seed(
            &[
                authz::PermissionSetDef {
                    name: "customer-self-service",
                    description: "own accounts and credit",
                    permissions: &[
                        ("deposit/account", "deposit:read"),
                        ("credit/facility", "credit:read"),
                        ("credit/facility", "credit:consent"),
                        ("credit/disbursal", "credit:read"),
                        ("credit/payment", "credit:read"),
                        ("credit/payment", "credit:write"),
                        ("credit/liquidation", "credit:read"),
                    ],
                },
                authz::PermissionSetDef {
                    name: "governance-writer",
                    description: "votes",
                    permissions: &[("governance/*", "governance:write")],
                },
            ],
            &[
                authz::RoleDef {
                    name: authz::CUSTOMER_ROLE,
                    permission_sets: &["customer-self-service"],
                },
                authz::RoleDef {
                    name: VOTER_ROLE,
                    permission_sets: &["governance-writer"],
                },
            ],
        )
        .await
        .unwrap();
    let use_cases = UseCases::new(db.pool.clone(), clock.clone(), authz.clone());
    let outbox = Outbox::new(db.pool.clone(), clock.clone());
    let ledger = ledger::Ledger::init(
        db.pool.clone(),
        clock.clone(),
        outbox.clone(),
        &ledger::LedgerConfig::default(),
    )
    .await
    .unwrap();
    let configs = DomainConfigs::new(
        use_cases.clone(),
        Declarations::default()
            .declare::<ManualConversionAllowed>()
            .declare::<InactiveAfterDays>()
            .declare::<EscheatableAfterInactiveDays>()
            .declare::<MarginCallUpgradeBuffer>()
            .declare::<EndOfDayBatch>(),
    );
    configs
        .update(
            &staff(),
            ManualConversionAllowed::KEY,
            serde_json::json!(true),
        )
        .await
        .unwrap();
    let governance = Governance::init(
        use_cases.clone(),
        &outbox,
        Arc::new(AllStaff),
        &[
            ProcessType::WITHDRAW,
            ProcessType::DISBURSAL,
            ProcessType::CREDIT_FACILITY_PROPOSAL,
        ],
    )
    .await
    .unwrap();
    let customers = Customers::new(
        use_cases.clone(),
        &outbox,
        configs.clone(),
        None,
        CustomerConfig::default(),
    );
    let deposits = Deposits::init(
        use_cases.clone(),
        &outbox,
        ledger.clone(),
        governance.clone(),
        customers.clone(),
        configs.clone(),
        BusinessCalendar::new(Timezone::utc(), ClosingTime::midnight()),
    )
    .await
    .unwrap();
    let exchange = FakeExchange::start(([127, 0, 0, 1], 0).into(), "100000")
        .await
        .unwrap();
    let jobs = jobs::Jobs::new(db.pool.clone(), clock.clone(), jobs::JobsConfig::default());
    let prices = Prices::init(
        use_cases.clone(),
        &outbox,
        &jobs,
        &PriceConfig {
            exchange_url: exchange.base_url().to_owned(),
            request_timeout_ms: 300,
            initial_provider: ProviderKind::Manual,
            ..PriceConfig::default()
        },
    )
    .await
    .unwrap();
    let inbox = inbox::Inbox::new(db.pool.clone(), clock.clone(), jobs.clone());
    let custody = Custody::init(
        use_cases.clone(),
        inbox,
        jobs.clone(),
        &CustodyConfig {
            encryption_key: Some(TEST_CUSTODY_KEY.into()),
            ..CustodyConfig::default()
        },
    )
    .await
    .unwrap();
    let credit = Credit::init(
        use_cases,
        &outbox,
        ledger,
        CreditDependencies {
            governance: governance.clone(),
            customers: customers.clone(),
            deposits: deposits.clone(),
            prices: prices.clone(),
            custody: custody.clone(),
            configs,
            calendar: BusinessCalendar::new(Timezone::utc(), ClosingTime::midnight()),
        },
    )
    .await
    .unwrap();
    Harness {
        db,
        authz,
        outbox,
        governance,
        customers,
        deposits,
        prices,
        custody,
        credit,
        exchange,
        manual,
    }
}

impl Harness {
    /// An active customer (a prospect converted by staff).
    pub async fn customer(&self, email: &str) -> CustomerId {
        let handle = format!("tg_{}_{}", email.split('@').next().unwrap(), email.len());
        let prospect = self
            .customers
            .create_prospect(
                &staff(),
                ProspectInput {
                    email: email::Email::parse(email).unwrap(),
                    telegram_handle: TelegramHandle::parse(&handle).unwrap(),
                    customer_type: CustomerType::Individual,
                },
            )
            .await
            .unwrap();
        self.customers
            .convert_prospect(&staff(), prospect.id())
            .await
            .unwrap()
            .id()
    }

    /// A customer and a deposit account of theirs.
    pub async fn borrower(&self, email: &str) -> (CustomerId, DepositAccount) {
        let customer = self.customer(email).await;
        let account = self
            .deposits
            .create_account(&staff(), customer)
            .await
            .unwrap();
        (customer, account)
    }

    pub async fn template(&self, name: &str, terms: Terms) -> TermsTemplate {
        self.credit
            .create_terms_template(&staff(), TemplateName::parse(name).unwrap(), terms)
            .await
            .unwrap()
    }

    /// The bank's price (the manual provider is active), re-evaluated by the credit handler.
    pub async fn set_price(&self, dollars: u64) {
        self.prices
            .set_manual_price(&staff(), price(dollars))
            .await
            .unwrap();
        self.deliver(PriceChangeHandler::new(self.credit.clone()))
            .await;
    }

    /// A proposal for `amount` cents with `terms`, its collateral held by `custodian` if given,
    /// consented to by the customer.
    pub async fn consented_held_by(
        &self,
        customer: CustomerId,
        account: &DepositAccount,
        amount: u64,
        terms: Terms,
        custodian: Option<CustodianId>,
    ) -> CreditFacility {
        let proposal = self
            .credit
            .create_proposal(
                &staff(),
                ProposalRequest {
                    customer_id: customer,
                    deposit_account_id: account.id(),
                    amount: usd(amount),
                    terms: ProposalTerms::Custom(terms),
                    custodian_id: custodian,
                },
                None,
            )
            .await
            .unwrap();
        self.credit
            .consent_to_proposal(&as_customer(customer), proposal.id())
            .await
            .unwrap()
    }

    /// A proposal for `amount` cents with `terms`, consented to by the customer.
    pub async fn consented(
        &self,
        customer: CustomerId,
        account: &DepositAccount,
        amount: u64,
        terms: Terms,
    ) -> CreditFacility {
        self.consented_held_by(customer, account, amount, terms, None)
            .await
    }

    /// A pending facility (automatic approval), fully collateralized at `price_dollars`:
    /// active.
    pub async fn active_facility(
        &self,
        email: &str,
        amount: u64,
        policy: DisbursalPolicy,
        collateral: u64,
    ) -> (CustomerId, DepositAccount, CreditFacility) {
        let (customer, account) = self.borrower(email).await;
        let facility = self
            .consented(customer, &account, amount, terms(policy))
            .await;
        let facility = self
            .credit
            .update_collateral(&staff(), facility.id(), sats(collateral))
            .await
            .unwrap();
        (customer, account, facility)
    }

    /// A $10,000 single-disbursal facility of `months` for a new customer `email`, at $100,000
    /// with a whole bitcoin of collateral: active since 2027-01-15 and paid out into the
    /// customer's deposit account.
    pub async fn paid_out(&self, email: &str, months: u32) -> (DepositAccount, CreditFacility) {
        self.set_price(100_000).await;
        let (customer, account) = self.borrower(email).await;
        let mut terms = terms(DisbursalPolicy::Single);
        terms.duration_months = core_credit::terms::DurationMonths::parse(months).unwrap();
        let facility = self.consented(customer, &account, 1_000_000, terms).await;
        let facility = self
            .credit
            .update_collateral(&staff(), facility.id(), sats(100_000_000))
            .await
            .unwrap();
        (account, facility)
    }

    /// Staff users who may vote, forming the committee that decides `process_type`.
    pub async fn committee_decides(
        &self,
        process_type: &ProcessType,
        members: usize,
    ) -> Vec<Actor> {
        let mut voters = Vec::new();
        let mut op = DbOp::init(&self.db.pool, &Clock::real()).await.unwrap();
        for _ in 0..members {
            let id = Uuid::now_v7();
            self.authz
                .assign_role_in_op(&mut op, &Subject::User(id), VOTER_ROLE)
                .await
                .unwrap();
            voters.push(id);
        }
        op.commit().await.unwrap();
        self.authz.reload().await.unwrap();
        let committee = self
            .governance
            .create_committee(
                &staff(),
                core_governance::CommitteeName::parse(&format!("{process_type} committee"))
                    .unwrap(),
                voters.clone(),
            )
            .await
            .unwrap();
        let policy = self
            .governance
            .find_policy_by_process_type(&staff(), process_type)
            .await
            .unwrap()
            .unwrap();
        self.governance
            .assign_committee(&staff(), policy.id(), committee.id())
            .await
            .unwrap();
        voters
            .into_iter()
            .map(|id| Actor::new(Subject::User(id), "voter"))
            .collect()
    }

    pub async fn facility(&self, id: CreditFacilityId) -> CreditFacility {
        self.credit
            .find_facility(&staff(), id)
            .await
            .unwrap()
            .unwrap()
    }

    /// The facility's repayment plan: its obligations, oldest first.
    pub async fn plan(&self, id: CreditFacilityId) -> Vec<core_credit::Obligation> {
        self.credit
            .list_obligations(&staff(), id, es::ListQuery::first(100))
            .await
            .unwrap()
            .entities
    }

    /// Delivers everything published so far to `handler`, as the outbox would, and waits for it.
    pub async fn deliver(&self, handler: impl OutboxHandler) {
        let name = handler.name();
        let last = self.outbox.last_sequence().await.unwrap();
        let dispatcher = self.outbox.start_dispatcher(
            handler,
            DispatcherConfig {
                poll_interval_ms: 20,
                ..DispatcherConfig::default()
            },
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.outbox.handler_position(name).await.unwrap() < last {
            assert!(Instant::now() < deadline, "{name} never caught up");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        dispatcher.shutdown().await;
    }

    pub async fn deliver_approvals(&self) {
        self.deliver(CreditApprovalHandler::new(self.credit.clone()))
            .await;
    }

    /// The settled balance of a ledger account in `currency`, summed straight from the
    /// ledger's entries, positive on the side `debit_normal` says.
    pub async fn ledger_sum(
        &self,
        account: ::ledger::AccountId,
        currency: &str,
        layer: i16,
        debit_normal: bool,
    ) -> i64 {
        let credit_positive: i64 = sqlx::query_scalar(
            "SELECT coalesce(sum(CASE WHEN direction > 0 THEN -amount ELSE amount END), 0)::bigint
             FROM ledger_entries WHERE account_id = $1 AND currency = $2 AND layer = $3",
        )
        .bind(Uuid::from(account))
        .bind(currency)
        .bind(layer)
        .fetch_one(&self.db.pool)
        .await
        .unwrap();
        if debit_normal {
            -credit_positive
        } else {
            credit_positive
        }
    }

    /// A facility's account of `kind`, settled, in USD, positive on its normal side.
    pub async fn usd_sum(&self, facility: CreditFacilityId, kind: FacilityAccount) -> i64 {
        let debit = kind.normal_side() == ::ledger::Side::Debit;
        self.ledger_sum(kind.of(facility), "USD", 0, debit).await
    }

    /// Runs the end of every day from `first` through `last` (inclusive), one transaction a
    /// day, as the end-of-day dispatch does.
    pub async fn end_days(&self, first: &str, last: &str) {
        let handler = ServicingOnEndOfDay::new(self.credit.clone());
        let (first, last): (NaiveDate, NaiveDate) = (first.parse().unwrap(), last.parse().unwrap());
        for date in first.iter_days().take_while(|d| *d <= last) {
            let mut op = DbOp::init(&self.db.pool, self.manual.clock())
                .await
                .unwrap();
            let day = EndedDay {
                date,
                ended_at: date.and_hms_opt(23, 59, 59).unwrap().and_utc(),
                correlation_id: None,
            };
            handler.run(&mut op, &day).await.unwrap();
            op.commit().await.unwrap();
        }
    }

    /// The deposit account's settled balance, from its ledger entries.
    pub async fn deposit_sum(&self, account: &DepositAccount) -> i64 {
        self.ledger_sum(account.ledger_account_id, "USD", 0, false)
            .await
    }
}
