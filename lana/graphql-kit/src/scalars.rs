//! Scalars for money, exact decimals and dates.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

fn parse_minor(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
            s.parse().ok()
        }
        _ => None,
    }
}

macro_rules! money_scalar {
    ($name:ident, $inner:ty, $what:literal, $unit:literal) => {
        #[doc = concat!("An amount in ", $what, ": a non-negative integer (a JSON number or a decimal string).")]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(pub $inner);

        #[doc = concat!(
            "An amount of money in ", $what, " (", $unit, "), as a non-negative integer: no ",
            "fractions, no floats. Accepted as a JSON number or as a string of decimal digits ",
            "(for amounts beyond 2^53, which some JSON parsers cannot hold); returned as a number. ",
            "Up to 18446744073709551615."
        )]
        #[Scalar]
        impl ScalarType for $name {
            fn parse(value: Value) -> InputValueResult<Self> {
                parse_minor(&value)
                    .map(|minor| Self(<$inner>::from_minor(minor)))
                    .ok_or_else(|| InputValueError::custom(concat!("expected a non-negative integer amount of ", $what)))
            }

            fn to_value(&self) -> Value {
                Value::Number(self.0.into_minor().into())
            }
        }
    };
}

money_scalar!(UsdCents, money::UsdCents, "US cents", "100 to the dollar");
money_scalar!(
    Satoshis,
    money::Satoshis,
    "satoshis",
    "100,000,000 to the bitcoin"
);

/// A signed amount in some currency's minor units, for figures whose currency is given beside
/// them (a statement's lines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MinorUnits(pub i64);

/// A signed amount in the minor units of the currency named beside it (cents for USD,
/// satoshis for BTC): an integer, no fractions, no floats. Accepted as a JSON number or a
/// string of decimal digits with an optional `-`; returned as a number. From
/// -9223372036854775808 to 9223372036854775807.
#[Scalar]
impl ScalarType for MinorUnits {
    fn parse(value: Value) -> InputValueResult<Self> {
        let parsed = match &value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => {
                let digits = s.strip_prefix('-').unwrap_or(s);
                (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| s.parse().ok())
                    .flatten()
            }
            _ => None,
        };
        parsed
            .map(Self)
            .ok_or_else(|| InputValueError::custom("expected an integer amount of minor units"))
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Date(pub chrono::NaiveDate);

/// A calendar date without a time or zone, `YYYY-MM-DD` (ISO 8601), e.g. an accounting date.
#[Scalar]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Self)
                .map_err(|_| InputValueError::custom("expected a date as YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// Any JSON value (for settings, whose type depends on the key).
#[derive(Debug, Clone, PartialEq)]
pub struct Json(pub serde_json::Value);

/// Any JSON value: object, array, string, number, boolean or null. Where it is accepted (a
/// setting's value), the field's description says which shape is expected.
#[Scalar(name = "JSON")]
impl ScalarType for Json {
    fn parse(value: Value) -> InputValueResult<Self> {
        value
            .into_json()
            .map(Self)
            .map_err(|e| InputValueError::custom(format!("not a JSON value: {e}")))
    }

    fn to_value(&self) -> Value {
        Value::from_json(self.0.clone()).unwrap_or(Value::Null)
    }
}

/// The longest decimal text accepted: far more digits than any percentage needs, and a bound
/// on what a client can make the parser read.
const DECIMAL_MAX_CHARS: usize = 40;

/// An exact decimal number (a percentage, e.g. `"12.5"` for 12.5%).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal(pub rust_decimal::Decimal);

/// True for `-?digits(.digits)?`: no exponent, no sign `+`, no separators, no blanks.
fn plain_decimal(text: &str) -> bool {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    digits(whole) && fraction.is_none_or(digits)
}

/// An exact decimal number as a JSON string of digits with an optional sign and decimal point
/// (`"150"`, `"12.5"`, `"0.0001"`): never a float, never rounded. Given as a string (a JSON number
/// is refused: it may have gone through a float on its way); returned as a string, with the
/// decimal places the value has (a CVL is returned with two, `"150.00"`). At most 40 characters.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        let Value::String(text) = &value else {
            return Err(InputValueError::custom(
                "expected an exact decimal as a string, e.g. \"12.5\"",
            ));
        };
        if text.len() > DECIMAL_MAX_CHARS || !plain_decimal(text) {
            return Err(InputValueError::custom(format!(
                "expected an exact decimal as a string of at most {DECIMAL_MAX_CHARS} characters \
                 (digits, an optional leading '-' and one '.'), e.g. \"12.5\""
            )));
        }
        rust_decimal::Decimal::from_str_exact(text)
            .map(Self)
            .map_err(|_| InputValueError::custom("the decimal has too many digits to be exact"))
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_accepts_integers_and_digit_strings_only() {
        assert_eq!(
            UsdCents::parse(Value::from(150)).unwrap(),
            UsdCents(money::UsdCents::from_minor(150))
        );
        assert_eq!(
            Satoshis::parse(Value::String("18446744073709551615".into()))
                .unwrap()
                .0,
            money::Satoshis::MAX
        );
        for bad in [
            Value::from(-1),
            Value::from(1.5),
            Value::String("1e3".into()),
            Value::String(String::new()),
        ] {
            assert!(UsdCents::parse(bad.clone()).is_err(), "{bad:?}");
        }
        assert!(Satoshis::parse(Value::String("18446744073709551616".into())).is_err());
        assert_eq!(
            UsdCents(money::UsdCents::from_minor(7)).to_value(),
            Value::from(7)
        );
    }

    #[test]
    fn dates_are_iso() {
        assert!(Date::parse(Value::String("2026-02-29".into())).is_err());
        assert_eq!(
            Date::parse(Value::String("2028-02-29".into()))
                .unwrap()
                .to_value(),
            Value::String("2028-02-29".into())
        );
    }

    fn parsed(text: &str) -> InputValueResult<Decimal> {
        <Decimal as ScalarType>::parse(Value::String(text.into()))
    }

    #[test]
    fn decimals_are_exact_strings() {
        for (text, mantissa, scale) in [
            ("12.5", 125, 1),
            ("0.0001", 1, 4),
            ("150", 150, 0),
            ("-0", 0, 0),
            ("100000.01", 10_000_001, 2),
        ] {
            assert_eq!(
                parsed(text).unwrap().0,
                rust_decimal::Decimal::new(mantissa, scale),
                "{text}"
            );
        }
        for garbage in [
            "", "-", ".", "1.", ".5", "+1", "1e3", "1_000", " 1", "1 ", "1.2.3", "abc", "0x10",
            "NaN", "1,5",
        ] {
            assert!(parsed(garbage).is_err(), "{garbage:?}");
        }
        assert!(parsed(&"9".repeat(41)).is_err());
        // more digits than a Decimal holds exactly
        assert!(parsed(&format!("0.{}", "1".repeat(35))).is_err());
        // numbers may have gone through a float
        assert!(<Decimal as ScalarType>::parse(Value::from(12)).is_err());
        assert_eq!(
            Decimal(rust_decimal::Decimal::new(15000, 2)).to_value(),
            Value::String("150.00".into())
        );
    }
}
