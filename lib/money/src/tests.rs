use super::*;
use proptest::prelude::*;
use std::str::FromStr;

fn dec(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

#[test]
fn major_units_are_exact() {
    assert_eq!(UsdCents::from_minor(12_345).to_major(), dec("123.45"));
    assert_eq!(Satoshis::from_minor(1).to_major(), dec("0.00000001"));
    assert_eq!(
        UsdCents::try_from_major(dec("0.1")).unwrap(),
        UsdCents::from_minor(10)
    );
    assert_eq!(
        UsdCents::try_from_major(dec("1.500")).unwrap(),
        UsdCents::from_minor(150)
    );
    assert_eq!(
        Satoshis::try_from_major(dec("21")).unwrap(),
        Satoshis::from_minor(2_100_000_000)
    );
    assert_eq!(UsdCents::from_minor(12_345).to_string(), "123.45 USD");
    assert_eq!(
        SignedSatoshis::from_minor(-5).to_string(),
        "-0.00000005 BTC"
    );
}

#[test]
fn precision_loss_is_refused() {
    assert!(matches!(
        UsdCents::try_from_major(dec("0.001")),
        Err(MoneyError::PrecisionLoss { scale: 2, .. })
    ));
    assert!(matches!(
        Satoshis::try_from_major(dec("0.000000001")),
        Err(MoneyError::PrecisionLoss { scale: 8, .. })
    ));
}

#[test]
fn negative_unsigned_is_refused() {
    assert_eq!(
        UsdCents::try_from_major(dec("-0.01")),
        Err(MoneyError::Negative {
            currency: Currency::Usd
        })
    );
    assert_eq!(
        UsdCents::from_minor(1).checked_sub(UsdCents::from_minor(2)),
        Err(MoneyError::Negative {
            currency: Currency::Usd
        })
    );
    assert!(SignedUsdCents::from_minor(-1).try_to_unsigned().is_err());
}

#[test]
fn overflow_is_refused() {
    assert!(UsdCents::MAX.checked_add(UsdCents::from_minor(1)).is_err());
    assert!(UsdCents::MAX.checked_mul(2).is_err());
    assert!(UsdCents::MAX.to_signed().is_err());
    assert!(SignedSatoshis::from_minor(i64::MIN).checked_neg().is_err());
    assert!(
        SignedSatoshis::from_minor(i64::MAX)
            .checked_add(SignedSatoshis::from_minor(1))
            .is_err()
    );
    assert!(UsdCents::try_from_major(dec("184467440737095516.16")).is_err());
    assert_eq!(
        UsdCents::try_from_major(dec("184467440737095516.15")).unwrap(),
        UsdCents::MAX
    );
    assert!(SignedUsdCents::try_from_major(dec("-92233720368547758.09")).is_err());
    assert_eq!(
        SignedSatoshis::from_minor(i64::MIN).abs(),
        Satoshis::from_minor(1 << 63)
    );
}

#[test]
fn serde_is_minor_units() {
    assert_eq!(
        serde_json::to_string(&UsdCents::from_minor(100)).unwrap(),
        "100"
    );
    assert_eq!(
        serde_json::from_str::<SignedSatoshis>("-7").unwrap(),
        SignedSatoshis::from_minor(-7)
    );
    assert!(serde_json::from_str::<UsdCents>("-1").is_err());
    assert!(serde_json::from_str::<UsdCents>("1.5").is_err());
    assert_eq!(serde_json::to_string(&Currency::Btc).unwrap(), "\"BTC\"");
}

proptest! {
    #[test]
    fn unsigned_round_trips_through_decimal(minor in any::<u64>()) {
        let usd = UsdCents::from_minor(minor);
        prop_assert_eq!(UsdCents::try_from_major(usd.to_major()).unwrap(), usd);
        let sats = Satoshis::from_minor(minor);
        prop_assert_eq!(Satoshis::try_from_major(sats.to_major()).unwrap(), sats);
    }

    #[test]
    fn signed_round_trips_through_decimal_and_json(minor in any::<i64>()) {
        let usd = SignedUsdCents::from_minor(minor);
        prop_assert_eq!(SignedUsdCents::try_from_major(usd.to_major()).unwrap(), usd);
        let json = serde_json::to_string(&usd).unwrap();
        prop_assert_eq!(serde_json::from_str::<SignedUsdCents>(&json).unwrap(), usd);
    }

    #[test]
    fn checked_add_matches_wide_arithmetic(a in any::<u64>(), b in any::<u64>()) {
        let wide = u128::from(a) + u128::from(b);
        let sum = UsdCents::from_minor(a).checked_add(UsdCents::from_minor(b));
        if wide > u128::from(u64::MAX) {
            prop_assert_eq!(sum, Err(MoneyError::Overflow { currency: Currency::Usd }));
        } else {
            prop_assert_eq!(u128::from(sum.unwrap().into_minor()), wide);
        }
    }

    #[test]
    fn signed_sub_matches_wide_arithmetic(a in any::<i64>(), b in any::<i64>()) {
        let wide = i128::from(a) - i128::from(b);
        let diff = SignedSatoshis::from_minor(a).checked_sub(SignedSatoshis::from_minor(b));
        match i64::try_from(wide) {
            Ok(v) => prop_assert_eq!(diff.unwrap().into_minor(), v),
            Err(_) => prop_assert!(diff.is_err()),
        }
    }

    /// Any decimal with more places than the currency allows (and a non-zero last digit) is refused,
    /// never rounded.
    #[test]
    fn excess_places_never_round(minor in 0u64..1_000_000_000_000, extra in 1u32..10, digit in 1i128..10) {
        let mantissa = i128::from(minor) * 10i128.pow(extra) + digit;
        let value = Decimal::from_i128_with_scale(mantissa, 2 + extra);
        prop_assert!(
            matches!(UsdCents::try_from_major(value), Err(MoneyError::PrecisionLoss { .. })),
            "value {} was not refused",
            value
        );
    }
}
