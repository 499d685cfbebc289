//! The terms of a credit facility: the value set a proposal carries and a terms template names.
//!
//! Every value is parsed once ("parse, don't validate"): a value object that exists is in range, and
//! [`Terms::try_new`] also checks the rules between fields (liquidation after overdue, CVL thresholds
//! strictly ordered). Percentages are exact decimals, held as integers of their smallest step (12.5%
//! is 125_000 ten-thousandths of a percent), so the math never meets a float or a rounded input.
//!
//! In JSON (events) percentages are strings (`"12.5"`), months and days integers, the enums
//! snake_case. Deserializing parses again, so a stored value that breaks a rule is refused, not
//! loaded; a number where a percentage string is expected is refused too, since JSON numbers go
//! through a float.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Why a single value was refused; [`InvalidTerms`] adds which field it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("must be {range}, got {value}")]
    OutOfRange { range: &'static str, value: String },
    #[error("must have at most {max} decimal places, got {value}")]
    TooManyDecimals { max: u32, value: String },
}

/// Why terms were refused: the API's (camelCase) name of the field and a reason for the bank's staff.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct InvalidTerms {
    pub field: &'static str,
    pub reason: String,
}

impl InvalidTerms {
    fn new(field: &'static str, reason: impl fmt::Display) -> Self {
        Self {
            field,
            reason: reason.to_string(),
        }
    }
}

/// Whether zero itself is an accepted percentage.
#[derive(Clone, Copy)]
enum Lowest {
    Zero,
    AboveZero,
}

/// `percent` in integer steps of 10^-`decimal_places` percent, refused if below `lowest`, above
/// `max` percent, or finer than one step. `range` words the bounds for the refusal.
fn percent_steps(
    percent: Decimal,
    decimal_places: u32,
    lowest: Lowest,
    max: u32,
    range: &'static str,
) -> Result<u32, InvalidValue> {
    // Normalized, "12.50" counts two decimal places as "12.5" does, and -0 is 0.
    let value = percent.normalize();
    let out_of_range = || InvalidValue::OutOfRange {
        range,
        value: format!("{value}%"),
    };
    let below = match lowest {
        Lowest::Zero => value.is_sign_negative(),
        Lowest::AboveZero => value.is_sign_negative() || value.is_zero(),
    };
    if below || value > Decimal::from(max) {
        return Err(out_of_range());
    }
    if value.scale() > decimal_places {
        return Err(InvalidValue::TooManyDecimals {
            max: decimal_places,
            value: format!("{value}%"),
        });
    }
    // Exact: the scale is at most `decimal_places`, and the value at most `max` (a few digits).
    value
        .mantissa()
        .checked_mul(10i128.pow(decimal_places - value.scale()))
        .and_then(|steps| u32::try_from(steps).ok())
        .ok_or_else(out_of_range)
}

fn steps_to_percent(steps: u32, decimal_places: u32) -> Decimal {
    Decimal::new(i64::from(steps), decimal_places).normalize()
}

/// A percentage held as integer steps of 10^-`places` percent, from `lowest` to `max`:
/// `parse`, `percent` (12.5 for 12.5%), the steps the math computes with, `is_zero`; displayed
/// as `12.5%`; JSON as the string `"12.5"`; `TryFrom<Decimal>` and `Into<Decimal>` in percent.
macro_rules! percent_type {
    (
        $(#[$doc:meta])*
        $name:ident, places: $places:literal, lowest: $lowest:expr, max: $max:literal,
        range: $range:literal, $(#[$steps_doc:meta])* steps: $steps:ident
    ) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(u32);

        impl $name {
            pub const DECIMAL_PLACES: u32 = $places;

            pub fn parse(percent: Decimal) -> Result<Self, InvalidValue> {
                percent_steps(percent, Self::DECIMAL_PLACES, $lowest, $max, $range).map(Self)
            }

            /// The value in percent (12.5 for 12.5%).
            pub fn percent(self) -> Decimal {
                steps_to_percent(self.0, Self::DECIMAL_PLACES)
            }

            $(#[$steps_doc])*
            pub fn $steps(self) -> u32 {
                self.0
            }

            pub fn is_zero(self) -> bool {
                self.0 == 0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}%", self.percent())
            }
        }

        impl TryFrom<Decimal> for $name {
            type Error = InvalidValue;
            fn try_from(percent: Decimal) -> Result<Self, InvalidValue> {
                Self::parse(percent)
            }
        }

        impl From<$name> for Decimal {
            fn from(value: $name) -> Decimal {
                value.percent()
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                rust_decimal::serde::str::serialize(&self.percent(), serializer)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let percent = rust_decimal::serde::str::deserialize(deserializer)?;
                Self::parse(percent).map_err(serde::de::Error::custom)
            }
        }
    };
}

percent_type!(
    /// An annual interest rate in percent: 0% to 100%, in steps of 0.0001%.
    AnnualRate, places: 4, lowest: Lowest::Zero, max: 100, range: "between 0% and 100%",
    /// The rate in integer steps of 0.0001% (12.5% is 125_000): what the math computes with.
    steps: ten_thousandths_of_percent
);

percent_type!(
    /// A fee rate in percent of an amount: 0% to 100%, in steps of 0.0001%.
    FeeRate, places: 4, lowest: Lowest::Zero, max: 100, range: "between 0% and 100%",
    /// The rate in integer steps of 0.0001% (1.5% is 15_000): what the math computes with.
    steps: ten_thousandths_of_percent
);

percent_type!(
    /// A collateral value to loan (CVL) threshold in percent: above 0%, at most 100000%, in
    /// steps of 0.01%.
    CvlPercent, places: 2, lowest: Lowest::AboveZero, max: 100_000,
    range: "more than 0% and at most 100000%",
    /// The threshold in integer steps of 0.01% (150% is 15_000): what the math compares with.
    steps: hundredths_of_percent
);

impl CvlPercent {
    /// This threshold raised by `points` percentage points (the margin-call upgrade buffer).
    pub fn raised_by(self, points: u32) -> Self {
        Self(self.0.saturating_add(points.saturating_mul(100)))
    }
}

/// The duration of a facility: 1 to 360 months (thirty years).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct DurationMonths(u32);

impl DurationMonths {
    pub const MAX: u32 = 360;

    pub fn parse(months: u32) -> Result<Self, InvalidValue> {
        if (1..=Self::MAX).contains(&months) {
            Ok(Self(months))
        } else {
            Err(InvalidValue::OutOfRange {
                range: "between 1 and 360 months",
                value: format!("{months} months"),
            })
        }
    }

    pub fn months(self) -> u32 {
        self.0
    }
}

impl fmt::Display for DurationMonths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} months", self.0)
    }
}

impl TryFrom<u32> for DurationMonths {
    type Error = InvalidValue;
    fn try_from(months: u32) -> Result<Self, InvalidValue> {
        Self::parse(months)
    }
}

impl From<DurationMonths> for u32 {
    fn from(d: DurationMonths) -> u32 {
        d.0
    }
}

/// How often interest accrues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccrualInterval {
    EndOfDay,
}

impl AccrualInterval {
    pub fn as_str(self) -> &'static str {
        match self {
            AccrualInterval::EndOfDay => "end_of_day",
        }
    }
}

/// How often the accruals of a cycle become one interest obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccrualCycleInterval {
    EndOfMonth,
}

impl AccrualCycleInterval {
    pub fn as_str(self) -> &'static str {
        match self {
            AccrualCycleInterval::EndOfMonth => "end_of_month",
        }
    }
}

/// Whether the facility pays out once (the whole amount at activation) or in several disbursals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisbursalPolicy {
    Single,
    Multiple,
}

impl DisbursalPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            DisbursalPolicy::Single => "single",
            DisbursalPolicy::Multiple => "multiple",
        }
    }
}

/// The longest period, in days, any of the day counts of the terms may be (about ten years).
pub const MAX_DAYS: u32 = 3650;

/// The terms as they arrive, before parsing; the same shape as [`Terms`] in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsInput {
    #[serde(with = "rust_decimal::serde::str")]
    pub annual_rate: Decimal,
    pub duration_months: u32,
    pub accrual_interval: AccrualInterval,
    pub accrual_cycle_interval: AccrualCycleInterval,
    pub interest_due_after_days: u32,
    pub overdue_after_days: Option<u32>,
    pub liquidation_after_days: Option<u32>,
    #[serde(with = "rust_decimal::serde::str")]
    pub structuring_fee_rate: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub initial_cvl: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub margin_call_cvl: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub liquidation_cvl: Decimal,
    pub disbursal_policy: DisbursalPolicy,
}

/// The terms of a credit facility, every value and every rule between them checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TermsInput")]
pub struct Terms {
    pub annual_rate: AnnualRate,
    pub duration_months: DurationMonths,
    pub accrual_interval: AccrualInterval,
    pub accrual_cycle_interval: AccrualCycleInterval,
    /// Days from the end of an accrual cycle until its interest obligation is due (0 to 3650).
    pub interest_due_after_days: u32,
    /// Days from due until an obligation is overdue (1 to 3650); never overdue when absent.
    pub overdue_after_days: Option<u32>,
    /// Days from due until an obligation is liquidated (1 to 3650, and after overdue when both
    /// are set); never when absent.
    pub liquidation_after_days: Option<u32>,
    /// Charged once at activation, on the facility amount.
    pub structuring_fee_rate: FeeRate,
    /// CVL required to activate (strictly above the margin call).
    pub initial_cvl: CvlPercent,
    /// CVL below which the customer is called for more collateral (strictly above liquidation).
    pub margin_call_cvl: CvlPercent,
    /// CVL below which collateral is liquidated.
    pub liquidation_cvl: CvlPercent,
    pub disbursal_policy: DisbursalPolicy,
}

fn days(field: &'static str, days: u32, min: u32) -> Result<u32, InvalidTerms> {
    if (min..=MAX_DAYS).contains(&days) {
        return Ok(days);
    }
    let range = if min == 0 {
        "between 0 and 3650 days"
    } else {
        "between 1 and 3650 days"
    };
    Err(InvalidTerms::new(
        field,
        InvalidValue::OutOfRange {
            range,
            value: format!("{days} days"),
        },
    ))
}

impl Terms {
    /// Parses every field, then checks the rules between them; the first refusal is returned, in
    /// the order of the fields.
    pub fn try_new(input: TermsInput) -> Result<Terms, InvalidTerms> {
        let annual_rate =
            AnnualRate::parse(input.annual_rate).map_err(|e| InvalidTerms::new("annualRate", e))?;
        let duration_months = DurationMonths::parse(input.duration_months)
            .map_err(|e| InvalidTerms::new("durationMonths", e))?;
        let interest_due_after_days =
            days("interestDueAfterDays", input.interest_due_after_days, 0)?;
        let overdue_after_days = input
            .overdue_after_days
            .map(|d| days("overdueAfterDays", d, 1))
            .transpose()?;
        let liquidation_after_days = input
            .liquidation_after_days
            .map(|d| days("liquidationAfterDays", d, 1))
            .transpose()?;
        if let (Some(overdue), Some(liquidation)) = (overdue_after_days, liquidation_after_days)
            && liquidation <= overdue
        {
            return Err(InvalidTerms::new(
                "liquidationAfterDays",
                format!(
                    "must be more than the days until overdue ({overdue} days), got {liquidation} days"
                ),
            ));
        }
        let structuring_fee_rate = FeeRate::parse(input.structuring_fee_rate)
            .map_err(|e| InvalidTerms::new("structuringFeeRate", e))?;
        let initial_cvl =
            CvlPercent::parse(input.initial_cvl).map_err(|e| InvalidTerms::new("initialCvl", e))?;
        let margin_call_cvl = CvlPercent::parse(input.margin_call_cvl)
            .map_err(|e| InvalidTerms::new("marginCallCvl", e))?;
        let liquidation_cvl = CvlPercent::parse(input.liquidation_cvl)
            .map_err(|e| InvalidTerms::new("liquidationCvl", e))?;
        // Equal thresholds would leave an empty zone between two states, so the order is strict.
        if margin_call_cvl >= initial_cvl {
            return Err(InvalidTerms::new(
                "marginCallCvl",
                format!("must be below the initial CVL ({initial_cvl}), got {margin_call_cvl}"),
            ));
        }
        if liquidation_cvl >= margin_call_cvl {
            return Err(InvalidTerms::new(
                "liquidationCvl",
                format!(
                    "must be below the margin call CVL ({margin_call_cvl}), got {liquidation_cvl}"
                ),
            ));
        }
        Ok(Terms {
            annual_rate,
            duration_months,
            accrual_interval: input.accrual_interval,
            accrual_cycle_interval: input.accrual_cycle_interval,
            interest_due_after_days,
            overdue_after_days,
            liquidation_after_days,
            structuring_fee_rate,
            initial_cvl,
            margin_call_cvl,
            liquidation_cvl,
            disbursal_policy: input.disbursal_policy,
        })
    }
}

impl TryFrom<TermsInput> for Terms {
    type Error = InvalidTerms;
    fn try_from(input: TermsInput) -> Result<Terms, InvalidTerms> {
        Terms::try_new(input)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn input() -> TermsInput {
        TermsInput {
            annual_rate: d("12"),
            duration_months: 12,
            accrual_interval: AccrualInterval::EndOfDay,
            accrual_cycle_interval: AccrualCycleInterval::EndOfMonth,
            interest_due_after_days: 0,
            overdue_after_days: Some(30),
            liquidation_after_days: Some(60),
            structuring_fee_rate: d("1"),
            initial_cvl: d("150"),
            margin_call_cvl: d("125"),
            liquidation_cvl: d("105"),
            disbursal_policy: DisbursalPolicy::Single,
        }
    }

    fn accepted(change: impl FnOnce(&mut TermsInput)) -> Terms {
        let mut i = input();
        change(&mut i);
        Terms::try_new(i).unwrap()
    }

    /// The refusal as `field: reason`.
    fn refused(change: impl FnOnce(&mut TermsInput)) -> String {
        let mut i = input();
        change(&mut i);
        Terms::try_new(i).unwrap_err().to_string()
    }

    #[test]
    fn valid_terms_keep_their_values() {
        let t = accepted(|_| {});
        assert_eq!(t.annual_rate.percent(), d("12"));
        assert_eq!(t.annual_rate.ten_thousandths_of_percent(), 120_000);
        assert_eq!(t.duration_months.months(), 12);
        assert_eq!(t.interest_due_after_days, 0);
        assert_eq!(t.overdue_after_days, Some(30));
        assert_eq!(t.liquidation_after_days, Some(60));
        assert_eq!(t.structuring_fee_rate.ten_thousandths_of_percent(), 10_000);
        assert_eq!(t.initial_cvl.hundredths_of_percent(), 15_000);
        assert_eq!(t.margin_call_cvl.hundredths_of_percent(), 12_500);
        assert_eq!(t.liquidation_cvl.hundredths_of_percent(), 10_500);
        assert_eq!(t.disbursal_policy, DisbursalPolicy::Single);
    }

    #[test]
    fn annual_rate_bounds() {
        assert!(accepted(|i| i.annual_rate = d("0")).annual_rate.is_zero());
        assert_eq!(
            accepted(|i| i.annual_rate = d("100"))
                .annual_rate
                .ten_thousandths_of_percent(),
            1_000_000
        );
        assert_eq!(
            accepted(|i| i.annual_rate = d("0.0001"))
                .annual_rate
                .ten_thousandths_of_percent(),
            1
        );
        assert_eq!(
            refused(|i| i.annual_rate = d("100.0001")),
            "annualRate: must be between 0% and 100%, got 100.0001%"
        );
        assert_eq!(
            refused(|i| i.annual_rate = d("101")),
            "annualRate: must be between 0% and 100%, got 101%"
        );
        assert_eq!(
            refused(|i| i.annual_rate = d("-0.0001")),
            "annualRate: must be between 0% and 100%, got -0.0001%"
        );
    }

    #[test]
    fn annual_rate_decimals() {
        assert_eq!(
            accepted(|i| i.annual_rate = d("12.3456"))
                .annual_rate
                .ten_thousandths_of_percent(),
            123_456
        );
        assert_eq!(
            refused(|i| i.annual_rate = d("12.34567")),
            "annualRate: must have at most 4 decimal places, got 12.34567%"
        );
        // Trailing zeros are not decimal places of the value.
        let t = accepted(|i| i.annual_rate = d("12.500000"));
        assert_eq!(t.annual_rate, AnnualRate::parse(d("12.5")).unwrap());
        assert_eq!(t.annual_rate.to_string(), "12.5%");
        // -0 is zero, not a negative rate.
        assert!(accepted(|i| i.annual_rate = d("-0")).annual_rate.is_zero());
    }

    #[test]
    fn structuring_fee_rate_bounds_and_decimals() {
        assert!(
            accepted(|i| i.structuring_fee_rate = d("0"))
                .structuring_fee_rate
                .is_zero()
        );
        assert_eq!(
            accepted(|i| i.structuring_fee_rate = d("100"))
                .structuring_fee_rate
                .ten_thousandths_of_percent(),
            1_000_000
        );
        assert_eq!(
            refused(|i| i.structuring_fee_rate = d("100.0001")),
            "structuringFeeRate: must be between 0% and 100%, got 100.0001%"
        );
        assert_eq!(
            refused(|i| i.structuring_fee_rate = d("-1")),
            "structuringFeeRate: must be between 0% and 100%, got -1%"
        );
        assert_eq!(
            refused(|i| i.structuring_fee_rate = d("0.00001")),
            "structuringFeeRate: must have at most 4 decimal places, got 0.00001%"
        );
    }

    #[test]
    fn duration_bounds() {
        assert_eq!(
            refused(|i| i.duration_months = 0),
            "durationMonths: must be between 1 and 360 months, got 0 months"
        );
        assert_eq!(
            accepted(|i| i.duration_months = 1).duration_months.months(),
            1
        );
        assert_eq!(
            accepted(|i| i.duration_months = 360)
                .duration_months
                .months(),
            360
        );
        assert_eq!(
            refused(|i| i.duration_months = 361),
            "durationMonths: must be between 1 and 360 months, got 361 months"
        );
    }

    #[test]
    fn interest_due_days_bounds() {
        assert_eq!(
            accepted(|i| i.interest_due_after_days = 0).interest_due_after_days,
            0
        );
        assert_eq!(
            accepted(|i| i.interest_due_after_days = 3650).interest_due_after_days,
            3650
        );
        assert_eq!(
            refused(|i| i.interest_due_after_days = 3651),
            "interestDueAfterDays: must be between 0 and 3650 days, got 3651 days"
        );
    }

    #[test]
    fn overdue_days_bounds() {
        let none = accepted(|i| {
            i.overdue_after_days = None;
            i.liquidation_after_days = None;
        });
        assert_eq!(none.overdue_after_days, None);
        assert_eq!(none.liquidation_after_days, None);
        assert_eq!(
            refused(|i| i.overdue_after_days = Some(0)),
            "overdueAfterDays: must be between 1 and 3650 days, got 0 days"
        );
        assert_eq!(
            accepted(|i| i.overdue_after_days = Some(1)).overdue_after_days,
            Some(1)
        );
        let max = accepted(|i| {
            i.overdue_after_days = Some(3650);
            i.liquidation_after_days = None;
        });
        assert_eq!(max.overdue_after_days, Some(3650));
        assert_eq!(
            refused(|i| i.overdue_after_days = Some(3651)),
            "overdueAfterDays: must be between 1 and 3650 days, got 3651 days"
        );
    }

    #[test]
    fn liquidation_days_bounds() {
        let only = |days| {
            move |i: &mut TermsInput| {
                i.overdue_after_days = None;
                i.liquidation_after_days = days;
            }
        };
        assert_eq!(
            refused(only(Some(0))),
            "liquidationAfterDays: must be between 1 and 3650 days, got 0 days"
        );
        assert_eq!(accepted(only(Some(1))).liquidation_after_days, Some(1));
        assert_eq!(
            accepted(only(Some(3650))).liquidation_after_days,
            Some(3650)
        );
        assert_eq!(
            refused(only(Some(3651))),
            "liquidationAfterDays: must be between 1 and 3650 days, got 3651 days"
        );
    }

    #[test]
    fn liquidation_days_come_after_overdue() {
        let both = |overdue, liquidation| {
            move |i: &mut TermsInput| {
                i.overdue_after_days = Some(overdue);
                i.liquidation_after_days = Some(liquidation);
            }
        };
        assert_eq!(
            refused(both(30, 30)),
            "liquidationAfterDays: must be more than the days until overdue (30 days), got 30 days"
        );
        assert_eq!(
            refused(both(30, 29)),
            "liquidationAfterDays: must be more than the days until overdue (30 days), got 29 days"
        );
        assert_eq!(accepted(both(30, 31)).liquidation_after_days, Some(31));
        assert_eq!(
            accepted(both(3649, 3650)).liquidation_after_days,
            Some(3650)
        );
    }

    #[test]
    fn cvl_bounds_and_decimals() {
        // Each threshold alone, the others moved out of the way of the ordering rule.
        assert_eq!(
            refused(|i| i.liquidation_cvl = d("0")),
            "liquidationCvl: must be more than 0% and at most 100000%, got 0%"
        );
        assert_eq!(
            refused(|i| i.liquidation_cvl = d("-5")),
            "liquidationCvl: must be more than 0% and at most 100000%, got -5%"
        );
        assert_eq!(
            accepted(|i| i.liquidation_cvl = d("0.01"))
                .liquidation_cvl
                .hundredths_of_percent(),
            1
        );
        assert_eq!(
            refused(|i| i.liquidation_cvl = d("0.001")),
            "liquidationCvl: must have at most 2 decimal places, got 0.001%"
        );
        let top = accepted(|i| i.initial_cvl = d("100000"));
        assert_eq!(top.initial_cvl.hundredths_of_percent(), 10_000_000);
        assert_eq!(
            refused(|i| i.initial_cvl = d("100000.01")),
            "initialCvl: must be more than 0% and at most 100000%, got 100000.01%"
        );
        assert_eq!(
            refused(|i| i.margin_call_cvl = d("125.125")),
            "marginCallCvl: must have at most 2 decimal places, got 125.125%"
        );
        assert_eq!(
            accepted(|i| i.margin_call_cvl = d("125.10"))
                .margin_call_cvl
                .to_string(),
            "125.1%"
        );
    }

    #[test]
    fn cvl_thresholds_strictly_ordered() {
        assert_eq!(
            refused(|i| i.margin_call_cvl = d("150")),
            "marginCallCvl: must be below the initial CVL (150%), got 150%"
        );
        assert_eq!(
            refused(|i| i.margin_call_cvl = d("160")),
            "marginCallCvl: must be below the initial CVL (150%), got 160%"
        );
        assert_eq!(
            refused(|i| i.liquidation_cvl = d("125")),
            "liquidationCvl: must be below the margin call CVL (125%), got 125%"
        );
        assert_eq!(
            refused(|i| i.liquidation_cvl = d("151")),
            "liquidationCvl: must be below the margin call CVL (125%), got 151%"
        );
        // All three equal: the first broken rule is the margin call's.
        assert_eq!(
            refused(|i| {
                i.initial_cvl = d("120");
                i.margin_call_cvl = d("120");
                i.liquidation_cvl = d("120");
            }),
            "marginCallCvl: must be below the initial CVL (120%), got 120%"
        );
        // One step apart is enough.
        let tight = accepted(|i| {
            i.initial_cvl = d("100.02");
            i.margin_call_cvl = d("100.01");
            i.liquidation_cvl = d("100");
        });
        assert_eq!(tight.liquidation_cvl.hundredths_of_percent(), 10_000);
    }

    #[test]
    fn refusal_names_the_field_and_reason_separately() {
        let mut i = input();
        i.margin_call_cvl = d("150");
        let e = Terms::try_new(i).unwrap_err();
        assert_eq!(e.field, "marginCallCvl");
        assert_eq!(e.reason, "must be below the initial CVL (150%), got 150%");
    }

    #[test]
    fn enums_as_str_match_their_json() {
        for (json, text) in [
            (
                serde_json::to_string(&AccrualInterval::EndOfDay).unwrap(),
                AccrualInterval::EndOfDay.as_str(),
            ),
            (
                serde_json::to_string(&AccrualCycleInterval::EndOfMonth).unwrap(),
                AccrualCycleInterval::EndOfMonth.as_str(),
            ),
            (
                serde_json::to_string(&DisbursalPolicy::Single).unwrap(),
                DisbursalPolicy::Single.as_str(),
            ),
            (
                serde_json::to_string(&DisbursalPolicy::Multiple).unwrap(),
                DisbursalPolicy::Multiple.as_str(),
            ),
        ] {
            assert_eq!(json, format!("\"{text}\""));
        }
        assert_eq!(AccrualInterval::EndOfDay.as_str(), "end_of_day");
        assert_eq!(AccrualCycleInterval::EndOfMonth.as_str(), "end_of_month");
        assert_eq!(DisbursalPolicy::Multiple.as_str(), "multiple");
    }

    #[test]
    fn terms_survive_json_with_decimals_as_strings() {
        let t = accepted(|i| {
            i.annual_rate = d("12.3456");
            i.liquidation_after_days = None;
            i.disbursal_policy = DisbursalPolicy::Multiple;
        });
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "annual_rate": "12.3456",
                "duration_months": 12,
                "accrual_interval": "end_of_day",
                "accrual_cycle_interval": "end_of_month",
                "interest_due_after_days": 0,
                "overdue_after_days": 30,
                "liquidation_after_days": null,
                "structuring_fee_rate": "1",
                "initial_cvl": "150",
                "margin_call_cvl": "125",
                "liquidation_cvl": "105",
                "disbursal_policy": "multiple",
            })
        );
        let back: Terms = serde_json::from_value(json).unwrap();
        assert_eq!(back, t);
    }

    #[test]
    fn json_that_breaks_a_rule_is_refused() {
        let mut json = serde_json::to_value(accepted(|_| {})).unwrap();
        json["margin_call_cvl"] = serde_json::json!("150");
        let e = serde_json::from_value::<Terms>(json)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("marginCallCvl: must be below the initial CVL"),
            "{e}"
        );

        // A number would go through a float: only strings are read as percentages.
        assert!(serde_json::from_str::<AnnualRate>("12.5").is_err());
        assert!(serde_json::from_str::<AnnualRate>("\"101\"").is_err());
        assert!(serde_json::from_str::<CvlPercent>("\"0\"").is_err());
        assert!(serde_json::from_str::<DurationMonths>("0").is_err());
        assert_eq!(
            serde_json::from_str::<FeeRate>("\"0.5\"").unwrap(),
            FeeRate::parse(d("0.5")).unwrap()
        );
        assert_eq!(
            serde_json::from_str::<DurationMonths>("360")
                .unwrap()
                .months(),
            360
        );
    }

    #[test]
    fn value_objects_convert_to_and_from_decimal() {
        let rate = AnnualRate::try_from(d("5.5")).unwrap();
        assert_eq!(Decimal::from(rate), d("5.5"));
        assert_eq!(rate.to_string(), "5.5%");
        assert_eq!(
            CvlPercent::try_from(d("100000.001")),
            Err(InvalidValue::OutOfRange {
                range: "more than 0% and at most 100000%",
                value: "100000.001%".to_string(),
            })
        );
        assert_eq!(
            DurationMonths::try_from(24).unwrap().to_string(),
            "24 months"
        );
    }
}
