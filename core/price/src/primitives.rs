//! Value objects of the price domain, parsed once at the edge.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use std::fmt;

es::entity_id!(PriceProviderId);

/// Objects and actions this domain authorizes.
pub mod permissions {
    pub const PRICE: &str = "price/btc-usd";
    pub const PROVIDERS: &str = "price/provider";
    pub const READ: &str = "price:read";
    /// Switching providers and setting the manual price.
    pub const MANAGE: &str = "price:manage";
    /// Recording what the exchange answered: only the system does it.
    pub const FETCH: &str = "price:fetch";
}

/// Where a provider's prices come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// An exchange's public ticker, fetched by a recurring job.
    Exchange,
    /// A price staff set.
    Manual,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Exchange => "exchange",
            ProviderKind::Manual => "manual",
        }
    }
}

/// The highest price accepted: ten billion dollars per bitcoin.
pub const MAX_USD_CENTS_PER_BTC: u64 = 1_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("the price is zero")]
    Zero,
    #[error("the price is negative ({0} USD)")]
    Negative(Decimal),
    #[error(
        "the price {0} is above the highest accepted, {MAX_USD_CENTS_PER_BTC} cents (ten billion dollars)"
    )]
    TooHigh(String),
}

/// A BTC/USD price in cents per bitcoin: more than zero, at most [`MAX_USD_CENTS_PER_BTC`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u64", into = "u64")]
pub struct UsdCentsPerBtc(u64);

impl UsdCentsPerBtc {
    pub fn parse(cents: u64) -> Result<Self, InvalidValue> {
        if cents == 0 {
            Err(InvalidValue::Zero)
        } else if cents > MAX_USD_CENTS_PER_BTC {
            Err(InvalidValue::TooHigh(format!("{cents} cents")))
        } else {
            Ok(Self(cents))
        }
    }

    /// An exchange's decimal USD price, to the nearest cent (half a cent rounds away from zero).
    pub fn from_usd(usd: Decimal) -> Result<Self, InvalidValue> {
        if usd.is_sign_negative() && !usd.is_zero() {
            return Err(InvalidValue::Negative(usd));
        }
        let cents = usd
            .checked_mul(Decimal::ONE_HUNDRED)
            .map(|c| {
                c.round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
            })
            .and_then(|c| c.to_u64())
            .ok_or_else(|| InvalidValue::TooHigh(format!("{usd} USD")))?;
        Self::parse(cents)
    }

    pub fn cents(self) -> u64 {
        self.0
    }

    /// How far `self` is from `previous`, in whole percent of `previous` (rounded down).
    pub fn change_percent_from(self, previous: UsdCentsPerBtc) -> u64 {
        let difference = u128::from(self.0.abs_diff(previous.0));
        u64::try_from(difference * 100 / u128::from(previous.0)).unwrap_or(u64::MAX)
    }
}

impl TryFrom<u64> for UsdCentsPerBtc {
    type Error = InvalidValue;
    fn try_from(cents: u64) -> Result<Self, InvalidValue> {
        Self::parse(cents)
    }
}

impl From<UsdCentsPerBtc> for u64 {
    fn from(p: UsdCentsPerBtc) -> u64 {
        p.0
    }
}

impl fmt::Display for UsdCentsPerBtc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02} USD", self.0 / 100, self.0 % 100)
    }
}

/// The bank's BTC/USD price: the active provider's latest accepted quote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RealtimePrice {
    pub usd_cents_per_btc: UsdCentsPerBtc,
    /// When the provider gave it (fetched from the exchange, or set by staff).
    pub updated_at: DateTime<Utc>,
    /// The provider's name.
    pub source: String,
    pub source_kind: ProviderKind,
    /// Older than the configured age (exchange prices only: a manual price holds until staff
    /// change it). Rules that must not act on an old price refuse a stale one.
    pub stale: bool,
}

/// A provider and how it is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderView {
    pub id: PriceProviderId,
    pub name: String,
    pub kind: ProviderKind,
    pub active: bool,
    /// Its latest accepted price and when it was given.
    pub last_price: Option<(UsdCentsPerBtc, DateTime<Utc>)>,
    /// Its latest refused answer and why, if it came after the latest accepted one.
    pub last_refusal: Option<(DateTime<Utc>, String)>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn usd(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn exchange_prices_become_cents_exactly_and_half_cents_round_away_from_zero() {
        for (text, cents) in [
            ("96512.5", 9_651_250),
            ("96512", 9_651_200),
            ("0.01", 1),
            ("0.005", 1),
            ("96512.344999", 9_651_234),
            ("96512.345", 9_651_235),
            ("10000000000", 1_000_000_000_000),
        ] {
            assert_eq!(
                UsdCentsPerBtc::from_usd(usd(text)).unwrap().cents(),
                cents,
                "{text}"
            );
        }
        assert_eq!(UsdCentsPerBtc::from_usd(usd("0")), Err(InvalidValue::Zero));
        assert_eq!(
            UsdCentsPerBtc::from_usd(usd("0.004")),
            Err(InvalidValue::Zero)
        );
        assert!(matches!(
            UsdCentsPerBtc::from_usd(usd("-1")),
            Err(InvalidValue::Negative(_))
        ));
        assert!(matches!(
            UsdCentsPerBtc::from_usd(usd("10000000000.01")),
            Err(InvalidValue::TooHigh(_))
        ));
        assert!(matches!(
            UsdCentsPerBtc::from_usd(Decimal::MAX),
            Err(InvalidValue::TooHigh(_))
        ));
        assert_eq!(
            UsdCentsPerBtc::parse(9_651_250).unwrap().to_string(),
            "96512.50 USD"
        );
    }

    #[test]
    fn changes_are_whole_percent_of_the_previous_price() {
        let p = |c| UsdCentsPerBtc::parse(c).unwrap();
        assert_eq!(p(120).change_percent_from(p(100)), 20);
        assert_eq!(p(80).change_percent_from(p(100)), 20);
        assert_eq!(p(12_099).change_percent_from(p(10_000)), 20);
        assert_eq!(
            p(MAX_USD_CENTS_PER_BTC).change_percent_from(p(1)),
            99_999_999_999_900
        );
    }
}
