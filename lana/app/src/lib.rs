//! `lana-app` wires the bank together. The servers and the CLI talk to [`LanaApp`] only.
//!
//! It owns the database pool and schema, the platform services every use case uses (jobs, outbox,
//! inbox, audit log, authorization seeded with the bank's permission sets and roles from
//! [`authorization`], the use-case runner, the ledger), and the domain services: business time,
//! the BTC/USD price, access, domain settings, governance, customers, deposits, credit and
//! accounting (which is given the deposit and credit account sets a chart may attach). It connects domains through
//! adapters where one needs another's knowledge (governance asks access who is staff), registers
//! the domains' background work (the inbox handler of the KYC provider's webhooks, the end-of-day
//! handlers (deposit account activity, credit servicing), the outbox handlers that carry governance conclusions and
//! customer changes to deposit accounts, governance conclusions and price changes to credit
//! facilities, the ledger's set totals projection), and collects every crate's error codes into one
//! registry ([`error_codes`]).

pub mod authorization;
mod retention;

use audit::{Audit, ReadAudits, SealJob};
use authz::Authorization;
use clock::{Clock, ManualClock};
use core_access::Access;
use core_accounting::{Accounting, AccountingConfig};
use core_credit::{
    Credit, CreditApprovalHandler, CreditDependencies, CustodianCollateral, EndOfDayBatch,
    MarginCallUpgradeBuffer, PriceChangeHandler, ServicingOnEndOfDay,
};
use core_custody::{Custody, CustodyConfig};
use core_customer::{CustomerConfig, Customers, KycWebhookHandler, ManualConversionAllowed};
use core_deposit::{
    ActivityOnEndOfDay, CustomerEventsHandler, Deposits, EscheatableAfterInactiveDays,
    InactiveAfterDays, WithdrawalApprovalHandler,
};
use core_domain_config::{Declarations, DomainConfigs};
use core_governance::{Governance, ProcessType, StaffDirectory};
use core_price::{PriceConfig, Prices};
use core_time::{Time, TimeConfig};
use error_code::ErrorCode;
use es::DbOp;
use inbox::Inbox;
use jobs::{Jobs, JobsConfig, NewJob, RunnerHandle};
use ledger::{Ledger, LedgerConfig};
use outbox::{DispatcherConfig, DispatcherHandle, Outbox};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::migrate::MigrateError;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use sumsub::{SumsubClient, SumsubConfig};
use use_case::{PlatformError, UseCases};
use uuid::Uuid;

pub use retention::{RetentionConfig, RetentionJob};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DbConfig {
    /// PostgreSQL connection URL.
    pub pg_con: String,
    pub max_connections: u32,
    /// How long a use case waits for a free connection before failing.
    pub acquire_timeout_secs: u64,
    /// Server-side limit for any one statement.
    pub statement_timeout_secs: u64,
    /// Run pending migrations when the app starts.
    pub auto_migrate: bool,
}

impl Default for DbConfig {
    fn default() -> Self {
        Self {
            pg_con: "postgres://postgres@127.0.0.1:5432/lana".into(),
            max_connections: 20,
            acquire_timeout_secs: 5,
            statement_timeout_secs: 30,
            auto_migrate: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditConfig {
    /// How often new audit entries are chained.
    pub seal_interval_secs: u64,
    /// How a read's audit entry is committed before the read is answered: `durable` (flushed to
    /// disk, kept through a crash) or `asynchronous` (a crash can lose the last moments' read
    /// entries; changes and denials are always durable). Entries are batched either way.
    pub read_audits: ReadAudits,
}

impl Default for AuditConfig {
    fn default() -> Self {
        Self {
            seal_interval_secs: 5,
            read_audits: ReadAudits::Durable,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccessConfig {
    /// The staff user made superuser at every start (created if missing). Unset: nobody is.
    pub superuser_email: Option<String>,
}

/// Everything `LanaApp` needs to start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppConfig {
    pub db: DbConfig,
    pub jobs: JobsConfig,
    pub audit: AuditConfig,
    pub access: AccessConfig,
    pub ledger: LedgerConfig,
    pub outbox: DispatcherConfig,
    pub retention: RetentionConfig,
    pub customer: CustomerConfig,
    pub time: TimeConfig,
    pub price: PriceConfig,
    pub accounting: AccountingConfig,
    pub custody: CustodyConfig,
    /// The KYC provider; unset: verification links cannot be made and webhooks are refused.
    pub sumsub: Option<SumsubConfig>,
}

impl AppConfig {
    /// The defaults, on the database at `pg_con`.
    pub fn for_database(pg_con: impl Into<String>) -> Self {
        Self {
            db: DbConfig {
                pg_con: pg_con.into(),
                ..DbConfig::default()
            },
            ..Self::default()
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid db.pg_con: {0}")]
    InvalidConnectionUrl(sqlx::Error),
    #[error("cannot connect to PostgreSQL at {url}: {source}")]
    Connect { url: String, source: sqlx::Error },
    #[error("migrations failed: {0}")]
    Migrate(#[from] MigrateError),
    #[error("access setup failed: {0}")]
    Access(#[from] core_access::AccessError),
    #[error("authorization setup failed: {0}")]
    Authz(#[from] authz::AuthzError),
    #[error("background jobs setup failed: {0}")]
    Jobs(#[from] jobs::JobsError),
    #[error(transparent)]
    Audit(#[from] audit::AuditError),
    #[error("ledger setup failed: {0}")]
    Ledger(#[from] ledger::LedgerError),
    #[error("governance setup failed: {0}")]
    Governance(#[from] core_governance::GovernanceError),
    #[error("business time setup failed: {0}")]
    Time(#[from] core_time::TimeError),
    #[error("price setup failed: {0}")]
    Price(#[from] core_price::PriceError),
    #[error("deposit setup failed: {0}")]
    Deposit(#[from] core_deposit::DepositError),
    #[error("credit setup failed: {0}")]
    Credit(#[from] core_credit::CreditError),
    #[error("accounting setup failed: {0}")]
    Accounting(#[from] core_accounting::AccountingError),
    #[error("custody setup failed: {0}")]
    Custody(#[from] core_custody::CustodyError),
    #[error("KYC provider configuration: {0}")]
    Sumsub(#[from] sumsub::SumsubError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

/// The URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

pub use lana_schema::migrator;

pub async fn connect(config: &DbConfig) -> Result<PgPool, AppError> {
    let options = PgConnectOptions::from_str(&config.pg_con)
        .map_err(AppError::InvalidConnectionUrl)?
        .options([(
            "statement_timeout",
            format!("{}s", config.statement_timeout_secs),
        )])
        .application_name("lana");
    PgPoolOptions::new()
        .max_connections(config.max_connections)
        .acquire_timeout(Duration::from_secs(config.acquire_timeout_secs))
        .connect_with(options)
        .await
        .map_err(|source| AppError::Connect {
            url: redact_url(&config.pg_con),
            source,
        })
}

/// A migration the database has applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    pub version: i64,
    pub description: String,
}

/// Applies pending migrations and returns the full applied history.
pub async fn migrate(pool: &PgPool) -> Result<Vec<AppliedMigration>, AppError> {
    migrator().await?.run(pool).await?;
    let applied = sqlx::query_as!(
        AppliedMigration,
        "SELECT version, description FROM _sqlx_migrations WHERE success ORDER BY version"
    )
    .fetch_all(pool)
    .await?;
    Ok(applied)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Health {
    pub database: bool,
}

impl Health {
    pub fn is_healthy(&self) -> bool {
        self.database
    }
}

/// Every error code a client can meet, from every crate (the servers add their own layer's and
/// publish the whole as the SDL's `ErrorCode` enum).
pub fn error_codes() -> Vec<ErrorCode> {
    let lists: [&[ErrorCode]; 15] = [
        error_code::CODES,
        idempotency::CODES,
        &[email::EMAIL_TAKEN],
        sumsub::CODES,
        custodians::CODES,
        core_access::CODES,
        core_time::CODES,
        core_price::CODES,
        core_domain_config::CODES,
        core_governance::CODES,
        core_customer::CODES,
        core_deposit::CODES,
        core_credit::CODES,
        core_accounting::CODES,
        core_custody::CODES,
    ];
    let mut codes: Vec<ErrorCode> = Vec::new();
    for code in lists.into_iter().flatten() {
        if !codes.contains(code) {
            codes.push(*code);
        }
    }
    codes.sort_by_key(ErrorCode::as_str);
    codes
}

/// Governance's view of who is staff, answered by the access domain.
struct AccessStaff(Access);

#[async_trait::async_trait]
impl StaffDirectory for AccessStaff {
    async fn unknown_in_op(
        &self,
        op: &mut DbOp,
        users: &[Uuid],
    ) -> Result<Vec<Uuid>, PlatformError> {
        self.0.unknown_users_in_op(op, users).await
    }
}

/// The bank's services, shared: a clone is one reference count (the servers clone it for every
/// request).
#[derive(Clone)]
pub struct LanaApp(Arc<Services>);

struct Services {
    pool: PgPool,
    clock: Clock,
    time: Time,
    prices: Prices,
    jobs: Jobs,
    outbox: Outbox,
    audit: Audit,
    authz: Authorization,
    access: Access,
    configs: DomainConfigs,
    governance: Governance,
    customers: Customers,
    deposits: Arc<Deposits>,
    credit: Arc<Credit>,
    accounting: Accounting,
    custody: Custody,
    inbox: Inbox,
    dispatcher_config: DispatcherConfig,
    webhook_secret: Option<String>,
}

/// The background work of one process: the job runner and the outbox dispatchers.
pub struct Background {
    runner: RunnerHandle,
    dispatchers: Vec<DispatcherHandle>,
}

impl Background {
    /// Stops taking work and waits for what is running.
    pub async fn shutdown(self) {
        for dispatcher in self.dispatchers {
            dispatcher.shutdown().await;
        }
        self.runner.shutdown().await;
    }
}

/// The process types the bank's domains start approvals for.
const PROCESS_TYPES: [ProcessType; 3] = [
    ProcessType::WITHDRAW,
    ProcessType::DISBURSAL,
    ProcessType::CREDIT_FACILITY_PROPOSAL,
];

impl LanaApp {
    /// Connects, migrates (when configured), seeds the roles and registers the platform's jobs.
    pub async fn init(config: &AppConfig, clock: Clock) -> Result<Self, AppError> {
        let pool = connect(&config.db).await?;
        if config.db.auto_migrate {
            let applied = migrate(&pool).await?;
            tracing::info!(migrations = applied.len(), "database schema is current");
        }
        let jobs = Jobs::new(pool.clone(), clock.clone(), config.jobs.clone());
        let outbox = Outbox::new(pool.clone(), clock.clone());
        let audit =
            Audit::new(pool.clone(), clock.clone()).with_read_audits(config.audit.read_audits);
        let authz = Authorization::init(pool.clone(), audit.clone()).await?;
        authz
            .seed(&authorization::permission_sets(), authorization::ROLES)
            .await?;
        let use_cases = UseCases::new(pool.clone(), clock.clone(), authz.clone());
        let time = Time::init(use_cases.clone(), &outbox, &jobs, &config.time).await?;
        let prices = Prices::init(use_cases.clone(), &outbox, &jobs, &config.price).await?;
        let superuser = config
            .access
            .superuser_email
            .as_deref()
            .map(|email| (email, authorization::SUPERUSER));
        let access = Access::init(
            use_cases.clone(),
            audit.clone(),
            authorization::ROLES,
            superuser,
        )
        .await?;

        let seal_interval = chrono::Duration::seconds(
            i64::try_from(config.audit.seal_interval_secs.max(1)).unwrap_or(i64::MAX),
        );
        jobs.register(SealJob {
            audit: audit.clone(),
            interval: seal_interval,
        });
        jobs.spawn(NewJob::recurring(SealJob::JOB_TYPE)).await?;
        jobs.register(RetentionJob {
            pool: pool.clone(),
            outbox: outbox.clone(),
            config: config.retention.clone(),
        });
        jobs.spawn(NewJob::recurring(RetentionJob::JOB_TYPE))
            .await?;

        let ledger =
            Ledger::init(pool.clone(), clock.clone(), outbox.clone(), &config.ledger).await?;
        let configs = DomainConfigs::new(
            use_cases.clone(),
            Declarations::default()
                .declare::<ManualConversionAllowed>()
                .declare::<InactiveAfterDays>()
                .declare::<EscheatableAfterInactiveDays>()
                .declare::<MarginCallUpgradeBuffer>()
                .declare::<EndOfDayBatch>(),
        );
        let governance = Governance::init(
            use_cases.clone(),
            &outbox,
            Arc::new(AccessStaff(access.clone())),
            &PROCESS_TYPES,
        )
        .await?;
        let kyc = config.sumsub.clone().map(SumsubClient::new).transpose()?;
        let customers = Customers::new(
            use_cases.clone(),
            &outbox,
            configs.clone(),
            kyc,
            config.customer.clone(),
        );
        let deposits = Deposits::init(
            use_cases.clone(),
            &outbox,
            ledger.clone(),
            governance.clone(),
            customers.clone(),
            configs.clone(),
            *time.calendar(),
        )
        .await?;
        let inbox = Inbox::new(pool.clone(), clock.clone(), jobs.clone());
        let custody = Custody::init(
            use_cases.clone(),
            inbox.clone(),
            jobs.clone(),
            &config.custody,
        )
        .await?;
        let credit = Credit::init(
            use_cases.clone(),
            &outbox,
            ledger.clone(),
            CreditDependencies {
                governance: governance.clone(),
                customers: customers.clone(),
                deposits: deposits.clone(),
                prices: prices.clone(),
                custody: custody.clone(),
                configs: configs.clone(),
                calendar: *time.calendar(),
            },
        )
        .await?;
        custody
            .connect(Arc::new(CustodianCollateral::new(credit.clone())))
            .await?;
        let attachable = deposits
            .attachable_sets()
            .into_iter()
            .chain(credit.attachable_sets())
            .collect();
        let accounting = Accounting::init(
            use_cases,
            ledger,
            time.clone(),
            &jobs,
            &config.accounting,
            attachable,
        )
        .await?;
        inbox.register(KycWebhookHandler::new(customers.clone()));
        time.register_end_of_day(ActivityOnEndOfDay::new(deposits.clone()));
        time.register_end_of_day(ServicingOnEndOfDay::new(credit.clone()));
        Ok(Self(Arc::new(Services {
            pool,
            clock,
            time,
            prices,
            jobs,
            outbox,
            audit,
            authz,
            access,
            configs,
            governance,
            customers,
            deposits: Arc::new(deposits),
            credit: Arc::new(credit),
            accounting,
            custody,
            inbox,
            dispatcher_config: config.outbox.clone(),
            webhook_secret: config.sumsub.as_ref().map(|s| s.webhook_secret.clone()),
        })))
    }

    pub fn clock(&self) -> &Clock {
        &self.0.clock
    }

    pub fn time(&self) -> &Time {
        &self.0.time
    }

    pub fn prices(&self) -> &Prices {
        &self.0.prices
    }

    /// Runs the bank on `manual` (the clock `init` was given): see `Time::attach_manual_clock`.
    pub async fn attach_manual_clock(&self, manual: ManualClock) -> Result<(), AppError> {
        Ok(self.0.time.attach_manual_clock(manual).await?)
    }

    pub fn jobs(&self) -> &Jobs {
        &self.0.jobs
    }

    pub fn outbox(&self) -> &Outbox {
        &self.0.outbox
    }

    pub fn audit(&self) -> &Audit {
        &self.0.audit
    }

    pub fn authz(&self) -> &Authorization {
        &self.0.authz
    }

    pub fn access(&self) -> &Access {
        &self.0.access
    }

    pub fn configs(&self) -> &DomainConfigs {
        &self.0.configs
    }

    pub fn governance(&self) -> &Governance {
        &self.0.governance
    }

    pub fn customers(&self) -> &Customers {
        &self.0.customers
    }

    pub fn deposits(&self) -> &Arc<Deposits> {
        &self.0.deposits
    }

    pub fn accounting(&self) -> &Accounting {
        &self.0.accounting
    }

    pub fn credit(&self) -> &Arc<Credit> {
        &self.0.credit
    }

    pub fn custody(&self) -> &Custody {
        &self.0.custody
    }

    pub fn inbox(&self) -> &Inbox {
        &self.0.inbox
    }

    /// The secret the KYC provider signs its webhooks with, when one is configured.
    pub fn kyc_webhook_secret(&self) -> Option<&str> {
        self.0.webhook_secret.as_deref()
    }

    /// Starts this process's job runner and outbox dispatchers (the end-of-day handlers
    /// included); stop them with [`Background::shutdown`].
    pub fn start_background(&self) -> Background {
        let config = &self.0.dispatcher_config;
        let mut dispatchers = vec![
            self.0.outbox.start_dispatcher(
                WithdrawalApprovalHandler::new(Deposits::clone(&self.0.deposits)),
                config.clone(),
            ),
            self.0.outbox.start_dispatcher(
                CustomerEventsHandler::new(Deposits::clone(&self.0.deposits)),
                config.clone(),
            ),
            self.0.outbox.start_dispatcher(
                CreditApprovalHandler::new(Credit::clone(&self.0.credit)),
                config.clone(),
            ),
            self.0.outbox.start_dispatcher(
                PriceChangeHandler::new(Credit::clone(&self.0.credit)),
                config.clone(),
            ),
            self.0
                .outbox
                .start_dispatcher(ledger::SetTotalsProjector, config.clone()),
        ];
        for end_of_day in self.0.time.end_of_day_dispatchers() {
            dispatchers.push(self.0.outbox.start_dispatcher(end_of_day, config.clone()));
        }
        Background {
            runner: self.0.jobs.start_runner(),
            dispatchers,
        }
    }

    /// Whether the database answers within a second.
    pub async fn health(&self) -> Health {
        let ping = sqlx::query_scalar!(r#"SELECT 1 AS "one!""#).fetch_one(&self.0.pool);
        let database = matches!(
            tokio::time::timeout(Duration::from_secs(1), ping).await,
            Ok(Ok(1))
        );
        Health { database }
    }

    /// Health in the shape the servers' health endpoints report.
    pub async fn health_report(&self) -> (bool, Health) {
        let health = self.health().await;
        (health.is_healthy(), health)
    }

    pub async fn shutdown(&self) {
        self.0.pool.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_code_is_declared_once_with_one_meaning() {
        let codes = error_codes();
        assert!(
            error_code::check_registry(&codes).is_empty(),
            "{:?}",
            error_code::check_registry(&codes)
        );
        for expected in [
            "NOT_FOUND",
            "ACCOUNT_FROZEN",
            "EMAIL_TAKEN",
            "ALREADY_VOTED",
        ] {
            assert!(codes.iter().any(|c| c.as_str() == expected), "{expected}");
        }
    }

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("postgres://h/db"), "postgres://h/db");
    }
}
