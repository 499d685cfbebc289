//! Credit: bitcoin-collateralized credit facilities, from proposal to money in the customer's
//! deposit account (servicing comes later).
//!
//! Laid out like `core/deposit` (ARCHITECTURE.md, "The shape of a domain"):
//! - `terms.rs` (the terms value set and its validation) and `math.rs` (interest, fee, effective
//!   rate, CVL, required collateral, each with its rounding rule);
//! - `terms_template/`, `facility/` (proposal -> customer consent -> approval -> pending facility
//!   -> active: the locks and the evaluation rules are in `facility/mod.rs`), `disbursal/`;
//! - `ledger/` (the accounts per facility and the posting templates), `public/`, `handlers/`
//!   (governance conclusions, price changes);
//! - `tests/`: the use cases against PostgreSQL, with a shared harness.

mod disbursal;
mod error;
mod facility;
mod handlers;
pub mod ledger;
pub mod math;
pub mod primitives;
pub mod public;
pub mod terms;
mod terms_template;

pub use disbursal::{Disbursal, DisbursalEvent};
pub use error::{CODES, CreditError};
pub use facility::{
    CreditFacility, CreditFacilityEvent, FacilityFigures, FacilityFilter, ProposalTerms,
};
pub use handlers::{CreditApprovalHandler, PriceChangeHandler};
pub use primitives::*;
pub use terms_template::{TermsTemplate, TermsTemplateEvent};

use core_customer::Customers;
use core_deposit::Deposits;
use core_governance::Governance;
use core_price::Prices;
use core_time::BusinessCalendar;
use disbursal::DisbursalRepo;
use facility::CreditFacilityRepo;
use ledger::CreditLedger;
use outbox::Outbox;
use public::CreditPublisher;
use terms_template::TermsTemplateRepo;
use use_case::UseCases;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Credit {
    use_cases: UseCases,
    governance: Governance,
    customers: Customers,
    deposits: Deposits,
    prices: Prices,
    calendar: BusinessCalendar,
    ledger: CreditLedger,
    templates: TermsTemplateRepo,
    facilities: CreditFacilityRepo,
    disbursals: DisbursalRepo,
}

/// The domains credit works with.
pub struct CreditDependencies {
    pub governance: Governance,
    pub customers: Customers,
    pub deposits: Deposits,
    pub prices: Prices,
    /// Business dates (activation, maturity) are the bank's calendar's.
    pub calendar: BusinessCalendar,
}

impl Credit {
    /// Creates the domain's account sets and omnibus accounts when missing.
    pub async fn init(
        use_cases: UseCases,
        outbox: &Outbox,
        ledger: ::ledger::Ledger,
        dependencies: CreditDependencies,
    ) -> Result<Self, CreditError> {
        let publisher = CreditPublisher::new(outbox.clone());
        let (pool, clock) = (use_cases.pool().clone(), use_cases.clock().clone());
        Ok(Self {
            templates: TermsTemplateRepo::new(pool.clone(), clock.clone()),
            facilities: CreditFacilityRepo::new(pool.clone(), clock.clone())
                .with_hook(publisher.clone()),
            disbursals: DisbursalRepo::new(pool, clock).with_hook(publisher),
            ledger: CreditLedger::init(ledger).await?,
            use_cases,
            governance: dependencies.governance,
            customers: dependencies.customers,
            deposits: dependencies.deposits,
            prices: dependencies.prices,
            calendar: dependencies.calendar,
        })
    }
}
