//! Scalars for money and dates.

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
}
