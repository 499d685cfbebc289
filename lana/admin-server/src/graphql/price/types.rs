use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use graphql_kit::UsdCents;
use graphql_types::price::usd_cents;
use uuid::Uuid;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_price::ProviderKind")]
pub enum PriceProviderKind {
    /// An exchange's public ticker, asked every minute (configurable).
    Exchange,
    /// A price staff set.
    Manual,
}

/// A price a provider gave.
#[derive(SimpleObject)]
pub struct ProviderPrice {
    usd_cents_per_btc: UsdCents,
    at: DateTime<Utc>,
}

/// An answer the bank refused, and why (the last good price stayed).
#[derive(SimpleObject)]
pub struct ProviderRefusal {
    at: DateTime<Utc>,
    reason: String,
}

/// A source of the BTC/USD price; one is active.
#[derive(SimpleObject)]
pub struct PriceProvider {
    id: Uuid,
    name: String,
    kind: PriceProviderKind,
    active: bool,
    last_price: Option<ProviderPrice>,
    /// The latest refused answer, when it came after the latest accepted one.
    last_refusal: Option<ProviderRefusal>,
}

impl From<core_price::ProviderView> for PriceProvider {
    fn from(p: core_price::ProviderView) -> Self {
        Self {
            id: p.id.into(),
            name: p.name,
            kind: p.kind.into(),
            active: p.active,
            last_price: p.last_price.map(|(price, at)| ProviderPrice {
                usd_cents_per_btc: usd_cents(price),
                at,
            }),
            last_refusal: p
                .last_refusal
                .map(|(at, reason)| ProviderRefusal { at, reason }),
        }
    }
}
