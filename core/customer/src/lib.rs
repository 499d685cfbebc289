//! Customers: prospects that staff create, their identity verification (KYC) with a Sumsub-style
//! provider, and the customers they become.
//!
//! **Onboarding.** Staff create a prospect and ask the provider for a verification link
//! ([`Customers::create_kyc_link`]; the prospect id is the provider's external user id). The
//! provider's signed webhooks are verified at the HTTP edge, stored once in the inbox and handed to
//! [`KycWebhookHandler`] by a job; an approval creates the customer with the prospect's id in the
//! same transaction. Staff may convert a prospect without the provider only while the setting
//! `customer-manual-conversion-allowed` is true.
//!
//! **Customers** are frozen, unfrozen, closed, and change email; each of these is published on the
//! outbox ([`public::CustomerPublicEvent`]) so the deposit domain carries it to the accounts.
//!
//! Laid out like the example domain (`core/deposit`).

mod config;
mod customer;
mod error;
mod handlers;
pub mod primitives;
mod prospect;
pub mod public;

pub use config::{CustomerConfig, ManualConversionAllowed};
pub use customer::{Customer, CustomerEvent};
pub use error::{CODES, CustomerError, KYC_PROVIDER_NOT_CONFIGURED};
pub use handlers::{KYC_WEBHOOK_SOURCE, KycWebhookHandler};
pub use primitives::{
    CustomerId, CustomerStatus, CustomerType, KycLevel, KycStatus, KycUpdate, ProspectId,
    ProspectInput, TelegramHandle,
};
pub use prospect::{Prospect, ProspectEvent};

use core_domain_config::DomainConfigs;
use customer::CustomerRepo;
use outbox::Outbox;
use prospect::ProspectRepo;
use public::CustomerPublisher;
use sumsub::SumsubClient;
use use_case::UseCases;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Customers {
    use_cases: UseCases,
    configs: DomainConfigs,
    kyc: Option<SumsubClient>,
    config: CustomerConfig,
    prospects: ProspectRepo,
    customers: CustomerRepo,
}

impl Customers {
    pub fn new(
        use_cases: UseCases,
        outbox: &Outbox,
        configs: DomainConfigs,
        kyc: Option<SumsubClient>,
        config: CustomerConfig,
    ) -> Self {
        let (pool, clock) = (use_cases.pool().clone(), use_cases.clock().clone());
        Self {
            prospects: ProspectRepo::new(pool.clone(), clock.clone()),
            customers: CustomerRepo::new(pool, clock)
                .with_hook(CustomerPublisher::new(outbox.clone())),
            use_cases,
            configs,
            kyc,
            config,
        }
    }

    pub(crate) fn config(&self) -> &CustomerConfig {
        &self.config
    }
}
