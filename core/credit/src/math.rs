//! The credit math: interest, the structuring fee, the effective rate, collateral value and CVL.
//!
//! Only integers and exact decimals: rates and thresholds are integer steps (see
//! [`crate::terms`]), amounts integer cents and satoshis, and every product is formed in `u128`
//! before the single division that rounds. Nothing is rounded twice. A result that does not fit its
//! type is a [`MathError`], never a panic or a wrapped value.
//!
//! Rounding rules, each chosen so that any error is in the bank's favour or shows less than is there:
//!
//! | quantity                  | rounding                                   |
//! |---------------------------|--------------------------------------------|
//! | daily interest            | up to the cent (away from zero)            |
//! | interest for N days       | N × the rounded daily interest             |
//! | structuring fee           | up to the cent (away from zero)            |
//! | effective annual rate     | 4 decimal places, half away from zero      |
//! | collateral value          | down to the cent                           |
//! | CVL comparison            | none: exact cross-multiplication           |
//! | CVL percent (display)     | down to 0.01%                              |
//! | required collateral       | up to the satoshi                          |
//! | collateral to liquidate   | up to the satoshi (never less than needed) |
//! | its expected proceeds     | down to the cent                           |
//!
//! Interest is day count actual/365: each day accrues 1/365 of the annual rate, whatever the
//! length of the year. Interest accrues on disbursed principal only (the caller passes the
//! outstanding principal, never interest), so there is no interest on interest.

use crate::terms::{AnnualRate, CvlPercent, DurationMonths, FeeRate};
use core_price::UsdCentsPerBtc;
use money::{Satoshis, UsdCents};
use rust_decimal::Decimal;

/// Satoshis in one bitcoin.
const SATS_PER_BTC: u128 = 100_000_000;
/// A percentage with 4 decimal places as an integer is the fraction × 10^6 (1% is 10_000 steps).
const RATE_STEPS_PER_UNIT: u128 = 1_000_000;
/// Actual/365.
const DAYS_PER_YEAR: u128 = 365;
/// A CVL with 2 decimal places as an integer is the fraction × 10^4 (100% is 10_000 steps).
const CVL_STEPS_PER_UNIT: u128 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MathError {
    #[error("the {quantity} is too large to represent")]
    Overflow { quantity: &'static str },
}

fn cents(value: u128, quantity: &'static str) -> Result<UsdCents, MathError> {
    u64::try_from(value)
        .map(UsdCents::from_minor)
        .map_err(|_| MathError::Overflow { quantity })
}

/// One day's interest on `principal` at the annual `rate`: principal × rate / 100 / 365, rounded
/// up to the cent.
///
/// Rounded up so that any non-zero principal at a non-zero rate accrues at least one cent a day;
/// zero principal or a zero rate accrue nothing. Computed exactly: principal × rate steps in
/// `u128`, one ceiling division. Never fails in practice (the result is below the principal).
pub fn daily_interest(principal: UsdCents, rate: AnnualRate) -> Result<UsdCents, MathError> {
    // u64 × u32 fits a u128.
    let numerator =
        u128::from(principal.into_minor()) * u128::from(rate.ten_thousandths_of_percent());
    cents(
        numerator.div_ceil(RATE_STEPS_PER_UNIT * DAYS_PER_YEAR),
        "daily interest",
    )
}

/// What `days` daily accruals post: `days` × [`daily_interest`].
///
/// Each day is posted on its own and so rounded on its own; this is not the interest of the whole
/// period rounded once, and may exceed it by less than a cent a day. With actual/365, a 366-day
/// year accrues 366/365 of the annual rate.
pub fn interest_for_days(
    principal: UsdCents,
    rate: AnnualRate,
    days: u32,
) -> Result<UsdCents, MathError> {
    daily_interest(principal, rate)?
        .checked_mul(u64::from(days))
        .map_err(|_| MathError::Overflow {
            quantity: "interest",
        })
}

/// The structuring fee on `amount`: amount × fee / 100, rounded up to the cent.
///
/// Never fails in practice (the fee is at most the amount).
pub fn structuring_fee(amount: UsdCents, fee: FeeRate) -> Result<UsdCents, MathError> {
    let numerator = u128::from(amount.into_minor()) * u128::from(fee.ten_thousandths_of_percent());
    cents(numerator.div_ceil(RATE_STEPS_PER_UNIT), "structuring fee")
}

/// The effective annual rate in percent: rate + fee × 12 / months, the one-time fee spread over
/// the facility's years; rounded to 4 decimal places, half away from zero.
///
/// For display and disclosure; the interest is always computed from the annual rate alone.
pub fn effective_annual_rate(rate: AnnualRate, fee: FeeRate, months: DurationMonths) -> Decimal {
    // In steps of 0.0001%: (rate × months + fee × 12) / months. At most 10^6 × 360 + 10^6 × 12.
    let months = u64::from(months.months());
    let numerator = u64::from(rate.ten_thousandths_of_percent()) * months
        + u64::from(fee.ten_thousandths_of_percent()) * 12;
    // Half away from zero for a non-negative quotient: floor((2n + d) / 2d).
    let steps = (2 * numerator + months) / (2 * months);
    // At most 13_000_000 steps (1300%), far inside a Decimal's 96-bit mantissa.
    Decimal::from_i128_with_scale(i128::from(steps), 4).normalize()
}

/// What `collateral` is worth at `price`: sats × cents per BTC / 10^8, rounded down to the cent
/// (the bank never overvalues collateral).
pub fn collateral_value(
    collateral: Satoshis,
    price: UsdCentsPerBtc,
) -> Result<UsdCents, MathError> {
    // u64 × u64 fits a u128.
    let value_e8 = u128::from(collateral.into_minor()) * u128::from(price.cents());
    cents(value_e8 / SATS_PER_BTC, "collateral value")
}

/// Collateral value to loan, kept exact: the inputs themselves rather than a rounded ratio.
///
/// The ratio is sats × cents per BTC / 10^8 / outstanding cents: it uses the exact collateral
/// value, not the value rounded down to the cent by [`collateral_value`] (1 satoshi at $100,000
/// against 1 cent is a CVL of 10%, not 0%).
#[derive(Debug, Clone, Copy)]
pub enum CollateralToLoan {
    /// Nothing is outstanding.
    Infinite,
    /// `outstanding` is above zero when built by [`cvl`]; a zero one is read as `Infinite`.
    Ratio {
        collateral: Satoshis,
        price: UsdCentsPerBtc,
        outstanding: UsdCents,
    },
}

/// The CVL of `collateral` at `price` against `outstanding`; infinite when nothing is outstanding.
pub fn cvl(collateral: Satoshis, price: UsdCentsPerBtc, outstanding: UsdCents) -> CollateralToLoan {
    if outstanding.is_zero() {
        CollateralToLoan::Infinite
    } else {
        CollateralToLoan::Ratio {
            collateral,
            price,
            outstanding,
        }
    }
}

impl CollateralToLoan {
    /// The CVL in steps of 0.01% as the fraction `numerator / denominator`, or `None` if infinite.
    ///
    /// CVL% × 100 = sats × price × 100 × 100 / (outstanding × 10^8) = sats × price /
    /// (outstanding × 10^4). Both fit a u128: u64 × u64, and u64 × 10^4.
    fn hundredths_of_percent(&self) -> Option<(u128, u128)> {
        match *self {
            CollateralToLoan::Ratio {
                collateral,
                price,
                outstanding,
            } if !outstanding.is_zero() => Some((
                u128::from(collateral.into_minor()) * u128::from(price.cents()),
                u128::from(outstanding.into_minor()) * (SATS_PER_BTC / CVL_STEPS_PER_UNIT),
            )),
            _ => None,
        }
    }

    pub fn is_infinite(&self) -> bool {
        self.hundredths_of_percent().is_none()
    }

    /// Whether the CVL is at or above `threshold`, decided exactly:
    /// sats × price × 100 ≥ threshold% × outstanding × 10^8, with the threshold in integer steps.
    /// Infinite is above every threshold.
    pub fn is_at_least(&self, threshold: CvlPercent) -> bool {
        match self.hundredths_of_percent() {
            None => true,
            // numerator / denominator ≥ threshold  ⇔  numerator ≥ threshold × denominator;
            // u32 × (u64 × 10^4) < 2^110 fits a u128.
            Some((numerator, denominator)) => {
                numerator >= u128::from(threshold.hundredths_of_percent()) * denominator
            }
        }
    }

    /// The CVL in percent for display, rounded down to 2 decimal places (never shows more cover
    /// than there is); `None` if infinite. Decisions use [`Self::is_at_least`], not this.
    pub fn percent(&self) -> Option<Decimal> {
        let (numerator, denominator) = self.hundredths_of_percent()?;
        let steps = numerator / denominator;
        // At most (2^64)^2 / 10^4 ≈ 3.4 × 10^34, but with a price of at most 10^12 cents at most
        // 1.9 × 10^27, inside a Decimal's 96 bits (7.9 × 10^28); saturate rather than fail anyway.
        Some(
            i128::try_from(steps)
                .ok()
                .and_then(|s| Decimal::try_from_i128_with_scale(s, 2).ok())
                .unwrap_or(Decimal::MAX),
        )
    }
}

/// The fewest satoshis whose CVL against `amount` at `price` is at least `initial`:
/// ceil(amount × initial% / 100 × 10^8 / price), rounded up to the satoshi, exact.
///
/// The same inequality as [`CollateralToLoan::is_at_least`], solved for the satoshis, so the
/// result always reaches `initial` and one satoshi less does not (when the result is above zero).
pub fn required_collateral(
    amount: UsdCents,
    initial: CvlPercent,
    price: UsdCentsPerBtc,
) -> Result<Satoshis, MathError> {
    // amount × initial steps × 10^4: u64 × u32 × 2^14 < 2^110 fits a u128. The price is above zero.
    let numerator = u128::from(amount.into_minor())
        * u128::from(initial.hundredths_of_percent())
        * (SATS_PER_BTC / CVL_STEPS_PER_UNIT);
    u64::try_from(numerator.div_ceil(u128::from(price.cents())))
        .map(Satoshis::from_minor)
        .map_err(|_| MathError::Overflow {
            quantity: "required collateral",
        })
}

/// A partial liquidation: the collateral to sell at `price` so that, once its proceeds pay
/// `exposure` down, the CVL is back at `initial`, and what selling it should bring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LiquidationSize {
    pub sats: Satoshis,
    pub expected_proceeds: UsdCents,
}

/// With V the collateral's value and E the exposure, selling x (in cents) restores the initial
/// CVL I when (V - x) / (E - x) = I, i.e. x = (I·E - V) / (I - 1); in satoshis
/// (I·E·10^8 - V·10^8) / ((I - 1)·price), all in integer steps, rounded up. Nothing when the
/// CVL is at or above `initial` already; all of it when `initial` is 100% or less, or when
/// even all of it would not restore the CVL.
pub fn liquidation_size(
    collateral: Satoshis,
    price: UsdCentsPerBtc,
    exposure: UsdCents,
    initial: CvlPercent,
) -> Result<LiquidationSize, MathError> {
    let overflow = || MathError::Overflow {
        quantity: "liquidation",
    };
    let steps = u128::from(initial.hundredths_of_percent());
    let price_cents = u128::from(price.cents());
    let all = u128::from(collateral.into_minor());
    // I·E·10^8 and V·10^8·10^4, in hundredths of percent: u32 × u64 × 10^8 and
    // u64 × u64 × 10^4 both fit a u128.
    let wanted = steps * u128::from(exposure.into_minor()) * SATS_PER_BTC;
    let held = all * price_cents * CVL_STEPS_PER_UNIT;
    let sats = if wanted <= held {
        0
    } else if steps <= CVL_STEPS_PER_UNIT {
        all
    } else {
        let denominator = (steps - CVL_STEPS_PER_UNIT) * price_cents;
        (wanted - held).div_ceil(denominator).min(all)
    };
    let sats = Satoshis::from_minor(u64::try_from(sats).map_err(|_| overflow())?);
    Ok(LiquidationSize {
        sats,
        expected_proceeds: collateral_value(sats, price)?,
    })
}
