//! The bank's BTC/USD price, as both APIs show it.

use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use graphql_kit::UsdCents;

/// The bank's BTC/USD price: the active provider's latest accepted price.
#[derive(SimpleObject)]
pub struct RealtimePrice {
    /// US cents per whole bitcoin.
    usd_cents_per_btc: UsdCents,
    /// When the provider gave it (fetched from the exchange, or set by staff).
    updated_at: DateTime<Utc>,
    /// The provider's name (`bitfinex`, `manual`).
    source: String,
    /// Older than the configured age (exchange prices only): rules that need a current price
    /// refuse to act on a stale one.
    stale: bool,
}

/// A price as the APIs' money scalar.
pub fn usd_cents(price: core_price::UsdCentsPerBtc) -> UsdCents {
    UsdCents(money::UsdCents::from_minor(price.cents()))
}

impl From<core_price::RealtimePrice> for RealtimePrice {
    fn from(p: core_price::RealtimePrice) -> Self {
        Self {
            usd_cents_per_btc: usd_cents(p.usd_cents_per_btc),
            updated_at: p.updated_at,
            source: p.source,
            stale: p.stale,
        }
    }
}
