//! The price domain's static configuration (the `price` section of the bank's configuration).

use crate::primitives::ProviderKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PriceConfig {
    /// The exchange's base URL; its ticker is `GET {exchange_url}/v2/ticker/tBTCUSD`.
    pub exchange_url: String,
    /// How often the exchange is asked.
    pub fetch_interval_secs: u64,
    /// How long one request may take.
    pub request_timeout_ms: u64,
    /// An exchange price older than this is stale.
    pub stale_after_secs: u64,
    /// An exchange price further than this (percent) from the last accepted one is refused,
    /// unless that one is stale by now.
    pub max_jump_percent: u64,
    /// The provider active on a new bank (staff switch it later; the choice is kept).
    pub initial_provider: ProviderKind,
}

impl Default for PriceConfig {
    fn default() -> Self {
        Self {
            exchange_url: "https://api-pub.bitfinex.com".into(),
            fetch_interval_secs: 60,
            request_timeout_ms: 5_000,
            stale_after_secs: 300,
            max_jump_percent: 20,
            initial_provider: ProviderKind::Exchange,
        }
    }
}

impl PriceConfig {
    /// The setting that is wrong and why, if one is.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        let url = self.exchange_url.as_str();
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
            return Err((
                "price.exchange_url",
                format!("{url:?} is not an http(s) URL, e.g. https://api-pub.bitfinex.com"),
            ));
        }
        if self.fetch_interval_secs == 0 {
            return Err(("price.fetch_interval_secs", "must be at least 1".into()));
        }
        if !(100..=60_000).contains(&self.request_timeout_ms) {
            return Err((
                "price.request_timeout_ms",
                "must be between 100 and 60000".into(),
            ));
        }
        if self.stale_after_secs == 0 {
            return Err(("price.stale_after_secs", "must be at least 1".into()));
        }
        if !(1..=1_000).contains(&self.max_jump_percent) {
            return Err((
                "price.max_jump_percent",
                "must be between 1 and 1000".into(),
            ));
        }
        Ok(())
    }
}
