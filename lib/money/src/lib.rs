//! Money as integer minor units that know their currency.
//!
//! `UsdCents` and `Satoshis` are non-negative amounts; `SignedUsdCents` and `SignedSatoshis` may go
//! below zero (balances, adjustments). Arithmetic is checked and returns [`MoneyError`] instead of
//! wrapping or panicking. Conversions to a major-unit `rust_decimal::Decimal` (dollars, bitcoin) are
//! exact; conversions back refuse anything that would lose precision (more decimal places than the
//! currency has), go negative for an unsigned amount, or overflow. There are no floats here.
//!
//! Serialization is the bare integer of minor units, so a value survives JSON unchanged.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The currencies the bank holds, with the number of decimal places of their minor unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Usd,
    Btc,
}

impl Currency {
    /// Decimal places of the minor unit: cents for USD, satoshis for BTC.
    pub const fn scale(self) -> u32 {
        match self {
            Currency::Usd => 2,
            Currency::Btc => 8,
        }
    }

    pub const fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Btc => "BTC",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("{currency} amount out of range")]
    Overflow { currency: Currency },
    #[error("{currency} amount may not be negative")]
    Negative { currency: Currency },
    #[error("{value} has more than the {scale} decimal places of {currency}")]
    PrecisionLoss {
        currency: Currency,
        value: Decimal,
        scale: u32,
    },
}

/// Converts a major-unit decimal to minor units, refusing precision loss and values outside `i128`.
fn decimal_to_minor(currency: Currency, value: Decimal) -> Result<i128, MoneyError> {
    let scale = currency.scale();
    let normalized = value.normalize();
    if normalized.scale() > scale {
        return Err(MoneyError::PrecisionLoss {
            currency,
            value,
            scale,
        });
    }
    // Mantissa * 10^(scale - s) is exact: `s <= scale`, and the mantissa has at most 96 bits, so the
    // product of it with at most 10^8 fits an i128.
    let factor = 10i128.pow(scale - normalized.scale());
    normalized
        .mantissa()
        .checked_mul(factor)
        .ok_or(MoneyError::Overflow { currency })
}

fn minor_to_decimal(currency: Currency, minor: i128) -> Decimal {
    // Every u64 and i64 fits the 96-bit mantissa of a Decimal, so this never fails for our types.
    Decimal::from_i128_with_scale(minor, currency.scale())
}

macro_rules! amount_types {
    ($unsigned:ident, $signed:ident, $currency:expr, $minor:literal) => {
        #[doc = concat!("A non-negative amount in ", $minor, ".")]
        #[derive(
            Debug,
            Clone,
            Copy,
            Default,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            Serialize,
            Deserialize,
        )]
        #[serde(transparent)]
        pub struct $unsigned(u64);

        #[doc = concat!("An amount in ", $minor, " that may be negative.")]
        #[derive(
            Debug,
            Clone,
            Copy,
            Default,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            Serialize,
            Deserialize,
        )]
        #[serde(transparent)]
        pub struct $signed(i64);

        impl $unsigned {
            pub const CURRENCY: Currency = $currency;
            pub const ZERO: Self = Self(0);
            pub const MAX: Self = Self(u64::MAX);

            pub const fn from_minor(minor: u64) -> Self {
                Self(minor)
            }

            pub const fn into_minor(self) -> u64 {
                self.0
            }

            pub const fn is_zero(self) -> bool {
                self.0 == 0
            }

            pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
                self.0
                    .checked_add(other.0)
                    .map(Self)
                    .ok_or(MoneyError::Overflow {
                        currency: $currency,
                    })
            }

            /// Fails with `Negative` when `other` is larger than `self`.
            pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
                self.0
                    .checked_sub(other.0)
                    .map(Self)
                    .ok_or(MoneyError::Negative {
                        currency: $currency,
                    })
            }

            pub fn checked_mul(self, factor: u64) -> Result<Self, MoneyError> {
                self.0
                    .checked_mul(factor)
                    .map(Self)
                    .ok_or(MoneyError::Overflow {
                        currency: $currency,
                    })
            }

            /// The amount in major units (exact).
            pub fn to_major(self) -> Decimal {
                minor_to_decimal($currency, i128::from(self.0))
            }

            /// From major units; refuses negative values, precision loss and overflow.
            pub fn try_from_major(value: Decimal) -> Result<Self, MoneyError> {
                let minor = decimal_to_minor($currency, value)?;
                if minor < 0 {
                    return Err(MoneyError::Negative {
                        currency: $currency,
                    });
                }
                u64::try_from(minor)
                    .map(Self)
                    .map_err(|_| MoneyError::Overflow {
                        currency: $currency,
                    })
            }

            pub fn to_signed(self) -> Result<$signed, MoneyError> {
                i64::try_from(self.0)
                    .map($signed)
                    .map_err(|_| MoneyError::Overflow {
                        currency: $currency,
                    })
            }
        }

        impl $signed {
            pub const CURRENCY: Currency = $currency;
            pub const ZERO: Self = Self(0);

            pub const fn from_minor(minor: i64) -> Self {
                Self(minor)
            }

            pub const fn into_minor(self) -> i64 {
                self.0
            }

            pub const fn is_zero(self) -> bool {
                self.0 == 0
            }

            pub const fn is_negative(self) -> bool {
                self.0 < 0
            }

            pub fn checked_add(self, other: Self) -> Result<Self, MoneyError> {
                self.0
                    .checked_add(other.0)
                    .map(Self)
                    .ok_or(MoneyError::Overflow {
                        currency: $currency,
                    })
            }

            pub fn checked_sub(self, other: Self) -> Result<Self, MoneyError> {
                self.0
                    .checked_sub(other.0)
                    .map(Self)
                    .ok_or(MoneyError::Overflow {
                        currency: $currency,
                    })
            }

            pub fn checked_neg(self) -> Result<Self, MoneyError> {
                self.0.checked_neg().map(Self).ok_or(MoneyError::Overflow {
                    currency: $currency,
                })
            }

            /// The magnitude as an unsigned amount (never fails: |i64::MIN| fits a u64).
            pub const fn abs(self) -> $unsigned {
                $unsigned(self.0.unsigned_abs())
            }

            /// The unsigned amount; refuses a negative value.
            pub fn try_to_unsigned(self) -> Result<$unsigned, MoneyError> {
                u64::try_from(self.0)
                    .map($unsigned)
                    .map_err(|_| MoneyError::Negative {
                        currency: $currency,
                    })
            }

            pub fn to_major(self) -> Decimal {
                minor_to_decimal($currency, i128::from(self.0))
            }

            /// From major units; refuses precision loss and overflow.
            pub fn try_from_major(value: Decimal) -> Result<Self, MoneyError> {
                let minor = decimal_to_minor($currency, value)?;
                i64::try_from(minor)
                    .map(Self)
                    .map_err(|_| MoneyError::Overflow {
                        currency: $currency,
                    })
            }
        }

        impl fmt::Display for $unsigned {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.to_major(), $currency)
            }
        }

        impl fmt::Display for $signed {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{} {}", self.to_major(), $currency)
            }
        }

        impl From<$unsigned> for Decimal {
            fn from(amount: $unsigned) -> Decimal {
                amount.to_major()
            }
        }

        impl TryFrom<Decimal> for $unsigned {
            type Error = MoneyError;
            fn try_from(value: Decimal) -> Result<Self, MoneyError> {
                Self::try_from_major(value)
            }
        }
    };
}

amount_types!(UsdCents, SignedUsdCents, Currency::Usd, "US cents");
amount_types!(Satoshis, SignedSatoshis, Currency::Btc, "satoshis");

#[cfg(test)]
mod tests;
