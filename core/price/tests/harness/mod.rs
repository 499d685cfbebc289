//! The price domain against a real PostgreSQL and the fake exchange over HTTP, on a manual clock.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use audit::Audit;
use authz::{Actor, Authorization};
use bitfinex::fake::FakeExchange;
use chrono::{DateTime, Utc};
use clock::{Clock, ManualClock};
use core_price::{PriceConfig, PriceProviderId, Prices, ProviderKind};
use jobs::{Jobs, JobsConfig};
use serde_json::Value;

pub fn staff() -> Actor {
    Actor::system("price-test").with_correlation_id(Some("price-test".into()))
}

pub struct Harness {
    pub db: test_db::TestDb,
    pub prices: Prices,
    pub exchange: FakeExchange,
    pub manual: ManualClock,
    pub jobs: Jobs,
}

pub async fn harness() -> Harness {
    let migrator = es::migrations::combine(&[
        &es::MIGRATOR,
        &jobs::MIGRATOR,
        &outbox::MIGRATOR,
        &audit::MIGRATOR,
        &authz::MIGRATOR,
        &core_price::MIGRATOR,
    ])
    .await
    .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    let exchange = FakeExchange::start(([127, 0, 0, 1], 0).into(), "96512.5")
        .await
        .unwrap();
    let (clock, manual) = Clock::manual("2026-03-02T15:00:00Z".parse().unwrap());
    let audit = Audit::new(db.pool.clone(), clock.clone());
    let authz = Authorization::init(db.pool.clone(), audit).await.unwrap();
    let use_cases = use_case::UseCases::new(db.pool.clone(), clock.clone(), authz);
    let jobs = Jobs::new(
        db.pool.clone(),
        clock.clone(),
        JobsConfig {
            poll_interval_ms: 50,
            ..JobsConfig::default()
        },
    );
    let outbox = outbox::Outbox::new(db.pool.clone(), clock);
    let config = PriceConfig {
        exchange_url: exchange.base_url().to_owned(),
        request_timeout_ms: 300,
        ..PriceConfig::default()
    };
    let prices = Prices::init(use_cases, &outbox, &jobs, &config)
        .await
        .unwrap();
    Harness {
        db,
        prices,
        exchange,
        manual,
        jobs,
    }
}

impl Harness {
    pub async fn provider(&self, kind: ProviderKind) -> PriceProviderId {
        self.prices
            .providers(&staff())
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.kind == kind)
            .unwrap()
            .id
    }

    /// The bank's price (there is one).
    pub async fn price(&self) -> core_price::RealtimePrice {
        self.prices.realtime_price(&staff()).await.unwrap().unwrap()
    }

    /// (the exchange, the manual provider)
    pub async fn providers(&self) -> (PriceProviderId, PriceProviderId) {
        (
            self.provider(ProviderKind::Exchange).await,
            self.provider(ProviderKind::Manual).await,
        )
    }

    /// The `price_updated` events on the outbox, in order: (cents, source, updated_at).
    pub async fn published(&self) -> Vec<(u64, String, DateTime<Utc>)> {
        let rows: Vec<(Value,)> = sqlx::query_as(
            "SELECT payload FROM outbox_events WHERE event_type = 'price_updated' ORDER BY sequence",
        )
        .fetch_all(&self.db.pool)
        .await
        .unwrap();
        rows.into_iter()
            .map(|(p,)| {
                (
                    p["usd_cents_per_btc"].as_u64().unwrap(),
                    p["source"].as_str().unwrap().to_owned(),
                    p["updated_at"].as_str().unwrap().parse().unwrap(),
                )
            })
            .collect()
    }

    pub fn advance_secs(&self, seconds: i64) {
        self.manual
            .advance(chrono::Duration::seconds(seconds))
            .unwrap();
    }
}
