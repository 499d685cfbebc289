//! The price of bitcoin in dollars: what the bank's collateral is worth.
//!
//! Two providers, one active (staff switch): the exchange's public ticker (Bitfinex-style,
//! `lib/bitfinex`), asked every `price.fetch_interval_secs` by a recurring job, and a manual price
//! staff set. Every answer is recorded (`price_quotes`): accepted, or refused with the reason,
//! the last good price staying. The bank's price is the active provider's latest accepted one;
//! an exchange price older than `price.stale_after_secs` is stale, and the API says so. Each
//! change of the bank's price is published (`PricePublicEvent::PriceUpdated`). No floats: the
//! exchange's decimal is parsed exactly and rounded to the cent.
//!
//! Laid out like `core/deposit` (ARCHITECTURE.md, "The shape of a domain"): `provider/` (the
//! entity: activation), `quote/` (the price log and the use cases on it), `public/`, `jobs/`.

mod config;
mod error;
mod jobs;
pub mod primitives;
mod provider;
pub mod public;
mod quote;

pub use config::PriceConfig;
pub use error::{CODES, PriceError};
pub use jobs::FetchPriceJob;
pub use primitives::*;
pub use provider::{PriceProvider, PriceProviderEvent};
pub use quote::Fetched;

use bitfinex::TickerClient;
use outbox::Outbox;
use provider::PriceProviderRepo;
use public::PricePublisher;
use quote::QuoteRepo;
use std::time::Duration;
use use_case::UseCases;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Prices {
    use_cases: UseCases,
    providers: PriceProviderRepo,
    quotes: QuoteRepo,
    publisher: PricePublisher,
    client: TickerClient,
    fetch_interval: chrono::Duration,
    stale_after: chrono::Duration,
    max_jump_percent: u64,
}

impl Prices {
    /// Creates the providers on a new bank and schedules the fetch job (first run at once).
    pub async fn init(
        use_cases: UseCases,
        outbox: &Outbox,
        jobs: &::jobs::Jobs,
        config: &PriceConfig,
    ) -> Result<Self, PriceError> {
        let seconds = |s: u64| chrono::Duration::seconds(i64::try_from(s).unwrap_or(i64::MAX));
        let (pool, clock) = (use_cases.pool().clone(), use_cases.clock().clone());
        let prices = Self {
            providers: PriceProviderRepo::new(pool.clone(), clock),
            quotes: QuoteRepo::new(pool),
            publisher: PricePublisher::new(outbox.clone()),
            client: TickerClient::new(
                &config.exchange_url,
                Duration::from_millis(config.request_timeout_ms),
            )?,
            fetch_interval: seconds(config.fetch_interval_secs),
            stale_after: seconds(config.stale_after_secs),
            max_jump_percent: config.max_jump_percent,
            use_cases,
        };
        prices.ensure_providers(config.initial_provider).await?;
        jobs.register(FetchPriceJob::new(prices.clone()));
        jobs.spawn(::jobs::NewJob::recurring(FetchPriceJob::JOB_TYPE))
            .await?;
        Ok(prices)
    }
}
