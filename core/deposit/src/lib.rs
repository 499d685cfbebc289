//! Deposits: customers' deposit accounts, deposits, and withdrawals under governance approval,
//! with the money in the ledger.
//!
//! This crate is the example every domain copies (ARCHITECTURE.md, "The shape of a domain"):
//! - `lib.rs`: the service [`Deposits`], its construction, the re-exports;
//! - `primitives.rs` (ids, value objects, permissions), `error.rs` (the error type and its
//!   codes), `config.rs` (the settings it declares);
//! - a folder per entity (`account/`, `deposit/`, `withdrawal/`): `entity.rs` (events, the fold,
//!   the commands that decide), `repo.rs` (its tables), `mod.rs` (its use cases, as methods of
//!   [`Deposits`], each run by `use_case::UseCases`);
//! - `ledger/` (the accounts and the typed posting templates), `public/` (the events other
//!   domains see, and the publisher that writes them as entity events are persisted),
//!   `handlers/` (reactions to other domains' events and to the end of each business day),
//!   `jobs/` (its background jobs; deposits has none);
//! - `tests/`: the use cases against PostgreSQL, with a shared harness.
//!
//! The locks and the freeze rules are in `account/mod.rs`, the postings in `ledger/mod.rs`.

mod account;
mod config;
mod deposit;
mod error;
mod handlers;
pub mod ledger;
pub mod primitives;
pub mod public;
mod withdrawal;

pub use account::{DepositAccount, DepositAccountEvent};
pub use config::{EscheatableAfterInactiveDays, InactiveAfterDays};
pub use deposit::{Deposit, DepositEvent};
pub use error::{CODES, CUSTOMER_NOT_ACTIVE, DepositError};
pub use handlers::{ActivityOnEndOfDay, CustomerEventsHandler, WithdrawalApprovalHandler};
pub use primitives::*;
pub use withdrawal::{Withdrawal, WithdrawalEvent};

use account::DepositAccountRepo;
use core_customer::Customers;
use core_domain_config::DomainConfigs;
use core_governance::Governance;
use core_time::BusinessCalendar;
use deposit::DepositRepo;
use ledger::DepositLedger;
use outbox::Outbox;
use public::DepositPublisher;
use use_case::UseCases;
use withdrawal::WithdrawalRepo;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Deposits {
    use_cases: UseCases,
    governance: Governance,
    customers: Customers,
    configs: DomainConfigs,
    ledger: DepositLedger,
    calendar: BusinessCalendar,
    accounts: DepositAccountRepo,
    deposits: DepositRepo,
    withdrawals: WithdrawalRepo,
}

impl Deposits {
    /// This domain's ledger account sets a chart of accounts may attach.
    pub fn attachable_sets(&self) -> Vec<::ledger::AttachableSet> {
        self.ledger.attachable_sets()
    }

    /// The bank's business date of the use case (what its postings are dated): a posting after
    /// midnight UTC but before the business day ends belongs to that business day, as the
    /// accounting periods count it.
    pub(crate) fn business_date(&self, op: &es::DbOp) -> chrono::NaiveDate {
        self.calendar.business_date(op.now())
    }

    /// Creates the domain's ledger journal, account sets and omnibus shards when missing.
    pub async fn init(
        use_cases: UseCases,
        outbox: &Outbox,
        ledger: ::ledger::Ledger,
        governance: Governance,
        customers: Customers,
        configs: DomainConfigs,
        calendar: BusinessCalendar,
    ) -> Result<Self, DepositError> {
        let publisher = DepositPublisher::new(outbox.clone());
        let (pool, clock) = (use_cases.pool().clone(), use_cases.clock().clone());
        Ok(Self {
            accounts: DepositAccountRepo::new(pool.clone(), clock.clone())
                .with_hook(publisher.clone()),
            deposits: DepositRepo::new(pool.clone(), clock.clone()).with_hook(publisher.clone()),
            withdrawals: WithdrawalRepo::new(pool, clock).with_hook(publisher),
            ledger: DepositLedger::init(ledger).await?,
            calendar,
            use_cases,
            governance,
            customers,
            configs,
        })
    }
}
