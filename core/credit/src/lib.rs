//! Credit: bitcoin-collateralized credit facilities, from proposal to money in the customer's
//! deposit account, and their servicing (interest accrual, obligations and their ageing,
//! payments and their allocation, partial liquidation, completion).
//!
//! Laid out like `core/deposit` (ARCHITECTURE.md, "The shape of a domain"):
//! - `terms.rs` (the terms value set and its validation) and `math.rs` (interest, fee, effective
//!   rate, CVL, required collateral, each with its rounding rule);
//! - `terms_template/`, `facility/` (proposal -> customer consent -> approval -> pending facility
//!   -> active: the locks and the evaluation rules are in `facility/mod.rs`), `disbursal/`,
//!   `accrual/` (interest accrual cycles: what runs at the end of each day), `obligation/`,
//!   `payment/` (payments and their allocation to obligations), `liquidation/` (partial
//!   liquidations under the liquidation threshold);
//! - `ledger/` (the accounts per facility and the posting templates), `public/`, `handlers/`
//!   (governance conclusions, price changes, the end of each day);
//! - `tests/`: the use cases against PostgreSQL, with a shared harness.

mod accrual;
mod config;
mod disbursal;
mod error;
mod facility;
mod handlers;
pub mod ledger;
mod liquidation;
pub mod math;
mod obligation;
mod payment;
pub mod primitives;
pub mod public;
pub mod terms;
mod terms_template;

pub use accrual::{AccrualCycle, AccrualCycleEvent};
pub use config::{EndOfDayBatch, MarginCallUpgradeBuffer};
pub use disbursal::{Disbursal, DisbursalEvent};
pub use error::{CODES, CreditError};
pub use facility::{
    CreditFacility, CreditFacilityEvent, FacilityFigures, FacilityFilter, ProposalRequest,
    ProposalTerms,
};
pub use handlers::{
    CreditApprovalHandler, CustodianCollateral, PriceChangeHandler, ServicingOnEndOfDay,
};
pub use liquidation::{Liquidation, LiquidationEvent};
pub use obligation::{Obligation, ObligationEvent};
pub use payment::{Allocation, Payment, PaymentEvent, PaymentInput};
pub use primitives::*;
pub use terms_template::{TermsTemplate, TermsTemplateEvent};

use accrual::AccrualCycleRepo;
use core_custody::Custody;
use core_customer::Customers;
use core_deposit::Deposits;
use core_domain_config::DomainConfigs;
use core_governance::Governance;
use core_price::Prices;
use core_time::BusinessCalendar;
use disbursal::DisbursalRepo;
use facility::CreditFacilityRepo;
use ledger::CreditLedger;
use liquidation::LiquidationRepo;
use obligation::ObligationRepo;
use outbox::Outbox;
use payment::PaymentRepo;
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
    custody: Custody,
    configs: DomainConfigs,
    calendar: BusinessCalendar,
    ledger: CreditLedger,
    templates: TermsTemplateRepo,
    facilities: CreditFacilityRepo,
    disbursals: DisbursalRepo,
    cycles: AccrualCycleRepo,
    obligations: ObligationRepo,
    payments: PaymentRepo,
    liquidations: LiquidationRepo,
}

/// The domains credit works with.
pub struct CreditDependencies {
    pub governance: Governance,
    pub customers: Customers,
    pub deposits: Deposits,
    pub prices: Prices,
    /// Where the collateral is held: a proposal naming a custodian gets a wallet there at
    /// approval.
    pub custody: Custody,
    /// Settings (`MarginCallUpgradeBuffer`, `EndOfDayBatch`).
    pub configs: DomainConfigs,
    /// Business dates (activation, maturity) are the bank's calendar's.
    pub calendar: BusinessCalendar,
}

impl Credit {
    /// This domain's ledger account sets a chart of accounts may attach.
    pub fn attachable_sets(&self) -> Vec<::ledger::AttachableSet> {
        self.ledger.attachable_sets()
    }

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
            disbursals: DisbursalRepo::new(pool.clone(), clock.clone()).with_hook(publisher),
            cycles: AccrualCycleRepo::new(pool.clone(), clock.clone()),
            obligations: ObligationRepo::new(pool.clone(), clock.clone()),
            payments: PaymentRepo::new(pool.clone(), clock.clone()),
            liquidations: LiquidationRepo::new(pool, clock),
            ledger: CreditLedger::init(ledger).await?,
            use_cases,
            governance: dependencies.governance,
            customers: dependencies.customers,
            deposits: dependencies.deposits,
            prices: dependencies.prices,
            custody: dependencies.custody,
            configs: dependencies.configs,
            calendar: dependencies.calendar,
        })
    }
}
