//! The deposit domain against a real PostgreSQL: the services it needs (customers, governance,
//! settings, ledger, outbox), helpers to make customers and accounts, to deliver the outbox to a
//! handler, and to read balances straight from the ledger's entries.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use audit::Audit;
use authz::{Actor, Authorization, Subject};
use clock::Clock;
use core_customer::{
    CustomerConfig, CustomerId, CustomerType, Customers, ManualConversionAllowed, ProspectInput,
    TelegramHandle,
};
use core_deposit::{
    Amount, CustomerEventsHandler, DepositAccount, Deposits, EscheatableAfterInactiveDays,
    InactiveAfterDays, Reference, WithdrawalApprovalHandler,
};
use core_domain_config::{Declarations, DomainConfigs};
use core_governance::{Governance, ProcessType, StaffDirectory};
use es::{DbOp, EsEntity};
use outbox::{DispatcherConfig, Outbox, OutboxHandler};
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
    Actor::system("deposit-test").with_correlation_id(Some("deposit-test".into()))
}

pub fn cents(n: u64) -> Amount {
    Amount::parse(money::UsdCents::from_minor(n)).unwrap()
}

pub fn no_reference() -> Reference {
    Reference::default()
}

pub async fn harness() -> Harness {
    let migrator = es::migrations::combine(&[
        &es::MIGRATOR,
        &outbox::MIGRATOR,
        &audit::MIGRATOR,
        &authz::MIGRATOR,
        &ledger::MIGRATOR,
        &idempotency::MIGRATOR,
        &core_domain_config::MIGRATOR,
        &core_governance::MIGRATOR,
        &core_customer::MIGRATOR,
        &core_deposit::MIGRATOR,
    ])
    .await
    .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    let clock = Clock::real();
    let audit = Audit::new(db.pool.clone(), clock.clone());
    let authz = Authorization::init(db.pool.clone(), audit).await.unwrap();
    // The customer role, as the composition root declares it, and a role for voting staff.
    authz
        .seed(
            &[
                authz::PermissionSetDef {
                    name: "customer-self-service",
                    description: "own accounts",
                    permissions: &[("deposit/account", "deposit:read")],
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
        clock,
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
            .declare::<EscheatableAfterInactiveDays>(),
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
        &[ProcessType::WITHDRAW],
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
        use_cases,
        &outbox,
        ledger,
        governance.clone(),
        customers.clone(),
        configs,
        core_time::BusinessCalendar::new(
            core_time::Timezone::utc(),
            core_time::ClosingTime::midnight(),
        ),
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
    }
}

use core_domain_config::ConfigKey;

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

    pub async fn account(&self, customer: CustomerId) -> DepositAccount {
        self.deposits
            .create_account(&staff(), customer)
            .await
            .unwrap()
    }

    /// A customer with one account holding `amount` cents.
    pub async fn funded_account(&self, email: &str, amount: u64) -> DepositAccount {
        let customer = self.customer(email).await;
        let account = self.account(customer).await;
        self.deposits
            .record_deposit(&staff(), account.id(), cents(amount), no_reference(), None)
            .await
            .unwrap();
        account
    }

    /// A staff user who may vote, and withdrawals needing that user's approval.
    pub async fn withdrawals_need_approval(&self) -> Actor {
        let voter = Uuid::now_v7();
        let subject = Subject::User(voter);
        let mut op = DbOp::init(&self.db.pool, &Clock::real()).await.unwrap();
        self.authz
            .assign_role_in_op(&mut op, &subject, VOTER_ROLE)
            .await
            .unwrap();
        op.commit().await.unwrap();
        self.authz.reload().await.unwrap();
        let committee = self
            .governance
            .create_committee(
                &staff(),
                core_governance::CommitteeName::parse("Withdrawals").unwrap(),
                vec![voter],
            )
            .await
            .unwrap();
        let policy = self
            .governance
            .find_policy_by_process_type(&staff(), &ProcessType::WITHDRAW)
            .await
            .unwrap()
            .unwrap();
        self.governance
            .assign_committee(&staff(), policy.id(), committee.id())
            .await
            .unwrap();
        Actor::new(subject, "voter")
    }

    pub async fn reload(&self, account: &DepositAccount) -> DepositAccount {
        self.deposits
            .find_account(&staff(), account.id())
            .await
            .unwrap()
            .unwrap()
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

    pub async fn deliver_customer_events(&self) {
        self.deliver(CustomerEventsHandler::new(self.deposits.clone()))
            .await;
    }

    pub async fn deliver_approvals(&self) {
        self.deliver(WithdrawalApprovalHandler::new(self.deposits.clone()))
            .await;
    }

    /// (settled, pending) of the account's main ledger account, and its frozen one's settled,
    /// summed straight from the ledger's entries (credit positive: a liability).
    pub async fn ledger_sums(&self, account: &DepositAccount) -> (i64, i64, i64) {
        let sum = |account_id: ::ledger::AccountId, layer: i16| {
            let pool = self.db.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(
                    "SELECT coalesce(sum(CASE WHEN direction > 0 THEN -amount ELSE amount END), 0)::bigint
                     FROM ledger_entries WHERE account_id = $1 AND layer = $2",
                )
                .bind(Uuid::from(account_id))
                .bind(layer)
                .fetch_one(&pool)
                .await
                .unwrap()
            }
        };
        (
            sum(account.ledger_account_id, 0).await,
            sum(account.ledger_account_id, 1).await,
            sum(account.frozen_ledger_account_id, 0).await,
        )
    }

    /// The outbox events of `event_type`, oldest first, with their correlation ids.
    pub async fn published(&self, event_type: &str) -> Vec<(serde_json::Value, Option<String>)> {
        sqlx::query_as(
            "SELECT payload, correlation_id FROM outbox_events WHERE event_type = $1 ORDER BY id",
        )
        .bind(event_type)
        .fetch_all(&self.db.pool)
        .await
        .unwrap()
    }
}

/// A customer acting through the customer API.
pub fn as_customer(customer: CustomerId) -> Actor {
    Actor::new(Subject::Customer(customer.into()), "customer-test")
}
