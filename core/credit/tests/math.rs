//! The credit math against tables worked out by hand (the working is beside each row), and its
//! properties over random inputs. Only the public API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use core_credit::UsdCentsPerBtc;
use core_credit::math::{
    CollateralToLoan, LiquidationSize, MathError, collateral_value, cvl, daily_interest,
    effective_annual_rate, interest_for_days, liquidation_size, required_collateral,
    structuring_fee,
};
use core_credit::terms::{AnnualRate, CvlPercent, DurationMonths, FeeRate};
use money::{Satoshis, UsdCents};
use proptest::prelude::*;
use rust_decimal::Decimal;

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

fn rate(percent: &str) -> AnnualRate {
    AnnualRate::parse(dec(percent)).unwrap()
}

fn fee(percent: &str) -> FeeRate {
    FeeRate::parse(dec(percent)).unwrap()
}

fn threshold(percent: &str) -> CvlPercent {
    CvlPercent::parse(dec(percent)).unwrap()
}

fn months(n: u32) -> DurationMonths {
    DurationMonths::parse(n).unwrap()
}

fn usd(cents: u64) -> UsdCents {
    UsdCents::from_minor(cents)
}

fn sats(n: u64) -> Satoshis {
    Satoshis::from_minor(n)
}

fn price(cents: u64) -> UsdCentsPerBtc {
    UsdCentsPerBtc::parse(cents).unwrap()
}

/// All the bitcoin there will ever be, in satoshis.
const ALL_BITCOIN: u64 = 21_000_000 * 100_000_000;
const MAX_PRICE: u64 = 1_000_000_000_000;

#[test]
fn interest_table() {
    // daily = ceil(principal × rate / 100 / 365) = ceil(principal × rate / 36500) cents;
    // N days = N × daily.
    #[rustfmt::skip]
    let rows: &[(u64, &str, u64, u64, u64, u64)] = &[
        // (principal cents, rate %, 1 day, 30 days, 365 days, 366 days)
        // 1 × 12 / 36500 = 0.000329 → 1; 30, 365, 366 × 1.
        (1, "12", 1, 30, 365, 366),
        // 1 × 5.5 / 36500 = 0.000151 → 1.
        (1, "5.5", 1, 30, 365, 366),
        // A zero rate accrues nothing.
        (1, "0", 0, 0, 0, 0),
        // 12345 × 12 = 148140; / 36500 = 4.0586 (36500 × 4 = 146000, 2140 left) → 5;
        // 30 × 5 = 150; 365 × 5 = 1825; 366 × 5 = 1830.
        (12_345, "12", 5, 150, 1_825, 1_830),
        // 12345 × 5.5 = 67897.5; / 36500 = 1.8602 → 2; 60; 730; 732.
        (12_345, "5.5", 2, 60, 730, 732),
        (12_345, "0", 0, 0, 0, 0),
        // 10^7 × 12 = 120,000,000; / 36500 = 3287.67 (36500 × 3287 = 119,975,500, 24,500 left)
        // → 3288; 30 × 3288 = 98,640; 365 × 3288 = 1,200,120 (the exact year is 1,200,000: each
        // day rounded up adds 120 cents); 1,200,120 + 3288 = 1,203,408.
        (10_000_000, "12", 3_288, 98_640, 1_200_120, 1_203_408),
        // 10^7 × 5.5 = 55,000,000; / 36500 = 1506.85 (36500 × 1506 = 54,969,000, 31,000 left)
        // → 1507; 30 × 1507 = 45,210; 365 × 1507 = 452,100 + 97,955 = 550,055; + 1507 = 551,562.
        (10_000_000, "5.5", 1_507, 45_210, 550_055, 551_562),
        (10_000_000, "0", 0, 0, 0, 0),
        // 10^8 × 12.3456 = 1,234,560,000; / 36500 = 33823.56 (36500 × 33823 = 1,234,539,500,
        // 20,500 left) → 33,824; × 30 = 1,014,720; × 365 = 10,147,200 + 2,198,560 = 12,345,760;
        // + 33,824 = 12,379,584.
        (100_000_000, "12.3456", 33_824, 1_014_720, 12_345_760, 12_379_584),
        // 36500 × 1 / 36500 = 1 exactly: no rounding up past an exact cent.
        (36_500, "1", 1, 30, 365, 366),
        // 36501 × 1 / 36500 = 1.0000274 → 2.
        (36_501, "1", 2, 60, 730, 732),
        // 3,650,000 × 10 / 36500 = 1000 exactly; a 365-day year is exactly 10%.
        (3_650_000, "10", 1_000, 30_000, 365_000, 366_000),
        // No principal, no interest.
        (0, "12", 0, 0, 0, 0),
    ];
    for &(principal, percent, d1, d30, d365, d366) in rows {
        let (p, r) = (usd(principal), rate(percent));
        let case = format!("{principal} cents at {percent}%");
        assert_eq!(daily_interest(p, r), Ok(usd(d1)), "{case}, daily");
        assert_eq!(interest_for_days(p, r, 0), Ok(usd(0)), "{case}, 0 days");
        assert_eq!(interest_for_days(p, r, 1), Ok(usd(d1)), "{case}, 1 day");
        assert_eq!(interest_for_days(p, r, 30), Ok(usd(d30)), "{case}, 30 days");
        assert_eq!(
            interest_for_days(p, r, 365),
            Ok(usd(d365)),
            "{case}, 365 days"
        );
        assert_eq!(
            interest_for_days(p, r, 366),
            Ok(usd(d366)),
            "{case}, 366 days"
        );
    }
}

#[test]
fn structuring_fee_table() {
    // fee = ceil(amount × rate / 100) cents.
    #[rustfmt::skip]
    let rows: &[(u64, &str, u64)] = &[
        // 10^7 × 1 / 100 = 100,000 exactly.
        (10_000_000, "1", 100_000),
        // 12345 × 1 / 100 = 123.45 → 124.
        (12_345, "1", 124),
        (12_345, "0", 0),
        // 1 × 0.0001 / 100 = 0.000001 → 1.
        (1, "0.0001", 1),
        // 999,999 × 2.5 / 100 = 24,999.975 → 25,000.
        (999_999, "2.5", 25_000),
        // 100% of the amount is the amount.
        (10_000_000, "100", 10_000_000),
        (u64::MAX, "100", u64::MAX),
        (0, "5", 0),
    ];
    for &(amount, percent, expected) in rows {
        assert_eq!(
            structuring_fee(usd(amount), fee(percent)),
            Ok(usd(expected)),
            "{amount} cents at {percent}%"
        );
    }
}

#[test]
fn effective_annual_rate_table() {
    // rate + fee × 12 / months, to 4 decimal places, half away from zero.
    #[rustfmt::skip]
    let rows: &[(&str, &str, u32, &str)] = &[
        // 12 + 1 × 12 / 12 = 13.
        ("12", "1", 12, "13"),
        // 12 / 7 = 1.71428571…; 13.71428571… → 13.7143 (fifth decimal 8, up).
        ("12", "1", 7, "13.7143"),
        // 2 × 12 / 36 = 0.66666…; 6.16666… → 6.1667.
        ("5.5", "2", 36, "6.1667"),
        // 0.0001 × 12 / 24 = 0.00005 exactly; 10.00005 is a midpoint → 10.0001 (away from zero).
        ("10", "0.0001", 24, "10.0001"),
        // 0.0001 × 12 / 36 = 0.0000333…; 10.0000333… → 10.
        ("10", "0.0001", 36, "10"),
        ("0", "0", 1, "0"),
        // 100 + 100 × 12 / 1 = 1300.
        ("100", "100", 1, "1300"),
        ("12", "0", 360, "12"),
    ];
    for &(r, f, m, expected) in rows {
        assert_eq!(
            effective_annual_rate(rate(r), fee(f), months(m)),
            dec(expected),
            "{r}% + {f}% over {m} months"
        );
    }
}

#[test]
fn collateral_value_table() {
    // value = floor(sats × cents per BTC / 10^8) cents.
    #[rustfmt::skip]
    let rows: &[(u64, u64, u64)] = &[
        // 1 BTC at $100,000: 10^8 × 10^7 / 10^8 = 10^7 cents.
        (100_000_000, 10_000_000, 10_000_000),
        // 1 sat at $100,000: 10^7 / 10^8 = 0.1 cent → 0.
        (1, 10_000_000, 0),
        // 12,345,678 × 6,543,210 = 80,780,363,746,380; / 10^8 = 807,803.637… → 807,803.
        (12_345_678, 6_543_210, 807_803),
        // Half a bitcoin at 1 cent per bitcoin: 0.5 cent → 0.
        (50_000_000, 1, 0),
        // All bitcoin at $100,000: 2.1 × 10^15 × 10^7 / 10^8 = 2.1 × 10^14 cents.
        (ALL_BITCOIN, 10_000_000, 210_000_000_000_000),
        (0, 10_000_000, 0),
    ];
    for &(s, p, expected) in rows {
        assert_eq!(
            collateral_value(sats(s), price(p)),
            Ok(usd(expected)),
            "{s} sats at {p} cents"
        );
    }
    // All bitcoin at ten billion dollars: 2.1 × 10^15 × 10^12 / 10^8 = 2.1 × 10^19 cents, above
    // u64::MAX (about 1.8 × 10^19).
    assert_eq!(
        collateral_value(sats(ALL_BITCOIN), price(MAX_PRICE)),
        Err(MathError::Overflow {
            quantity: "collateral value"
        })
    );
}

#[test]
fn cvl_table() {
    // CVL% = sats × price / 10^8 / outstanding × 100, from the exact value; shown rounded down to
    // 0.01%; is_at_least compares sats × price with threshold steps × outstanding × 10^4 exactly.
    #[rustfmt::skip]
    let rows: &[(u64, u64, u64, &str, &str, &str)] = &[
        // (sats, price cents, outstanding cents, shown %, at least, not at least)
        // 1 BTC at $100,000 = $100,000 against $50,000: 200%.
        (100_000_000, 10_000_000, 5_000_000, "200", "200", "200.01"),
        // The same bitcoin at $75,000 against $50,000: 150%.
        (100_000_000, 7_500_000, 5_000_000, "150", "150", "150.01"),
        // At $50,000: 100%.
        (100_000_000, 5_000_000, 5_000_000, "100", "100", "100.01"),
        // At $62,499.99: 6,249,999 / 5,000,000 × 100 = 124.99998% → shown 124.99, and a hair
        // below a 125% threshold: 10^8 × 6,249,999 = 624,999,900,000,000 < 12,500 × 5 × 10^10
        // = 625,000,000,000,000.
        (100_000_000, 6_249_999, 5_000_000, "124.99", "124.99", "125"),
        // Exactly at a 150% threshold: 1.5 BTC at $100,000 against $100,000.
        (150_000_000, 10_000_000, 10_000_000, "150", "150", "150.01"),
        // One satoshi less: 149,999,999 × 10^7 = 1,499,999,990,000,000 < 15,000 × 10^7 × 10^4
        // = 1,500,000,000,000,000; 149.999999% shown 149.99.
        (149_999_999, 10_000_000, 10_000_000, "149.99", "149.99", "150"),
        // 0.37 BTC at $61,234.56 against $15,000: 37,000,000 × 6,123,456 = 226,567,872,000,000;
        // / (1,500,000 × 10^4) = 15,104.5248 steps = 151.045248% → 151.04.
        (37_000_000, 6_123_456, 1_500_000, "151.04", "151.04", "151.05"),
        // 1 sat at $100,000 (0.1 cent, rounded-down value 0) against 1 cent: 10%, not 0%.
        (1, 10_000_000, 1, "10", "10", "10.01"),
        // No collateral against a debt: 0%, below the smallest threshold.
        (0, 10_000_000, 1, "0", "", "0.01"),
    ];
    for &(s, p, outstanding, shown, at_least, below) in rows {
        let ratio = cvl(sats(s), price(p), usd(outstanding));
        let case = format!("{s} sats at {p} cents against {outstanding} cents");
        assert!(!ratio.is_infinite(), "{case}");
        assert_eq!(ratio.percent(), Some(dec(shown)), "{case}");
        if !at_least.is_empty() {
            assert!(
                ratio.is_at_least(threshold(at_least)),
                "{case} >= {at_least}%"
            );
        }
        assert!(!ratio.is_at_least(threshold(below)), "{case} < {below}%");
    }
}

#[test]
fn cvl_is_infinite_without_outstanding() {
    for s in [0, 1, ALL_BITCOIN] {
        let ratio = cvl(sats(s), price(10_000_000), UsdCents::ZERO);
        assert!(matches!(ratio, CollateralToLoan::Infinite));
        assert!(ratio.is_infinite());
        assert_eq!(ratio.percent(), None);
        assert!(ratio.is_at_least(threshold("100000")));
    }
    // A hand-built ratio with nothing outstanding reads as infinite rather than dividing by zero.
    let hand_built = CollateralToLoan::Ratio {
        collateral: sats(1),
        price: price(1),
        outstanding: UsdCents::ZERO,
    };
    assert!(hand_built.is_infinite());
    assert_eq!(hand_built.percent(), None);
}

#[test]
fn required_collateral_table() {
    // sats = ceil(amount × initial / 100 × 10^8 / price).
    #[rustfmt::skip]
    let rows: &[(u64, &str, u64, u64)] = &[
        // (amount cents, initial %, price cents, sats)
        // $50,000 × 2 / $100,000 = 1 BTC exactly.
        (5_000_000, "200", 10_000_000, 100_000_000),
        // $100,000 × 1.5 / $100,000 = 1.5 BTC.
        (10_000_000, "150", 10_000_000, 150_000_000),
        // $100 at 150%: 10,000 × 1.5 × 10^8 = 1.5 × 10^12; / 6,543,210: 6,543,210 × 229,245 =
        // 1,499,998,176,450, 1,823,550 left → 229,245.28 → 229,246.
        (10_000, "150", 6_543_210, 229_246),
        // 1 cent at 125.5% and $30,000: 1.255 × 10^8 / 3,000,000 = 41.83 → 42.
        (1, "125.5", 3_000_000, 42),
        // 1 cent at 100% and ten billion dollars: 10^8 / 10^12 = 0.0001 → 1.
        (1, "100", MAX_PRICE, 1),
        (0, "150", 10_000_000, 0),
    ];
    for &(amount, initial, p, expected) in rows {
        let case = format!("{amount} cents at {initial}% and {p} cents");
        assert_eq!(
            required_collateral(usd(amount), threshold(initial), price(p)),
            Ok(sats(expected)),
            "{case}"
        );
        assert!(cvl(sats(expected), price(p), usd(amount)).is_at_least(threshold(initial)));
        if expected > 0 {
            assert!(
                !cvl(sats(expected - 1), price(p), usd(amount)).is_at_least(threshold(initial))
            );
        }
    }
}

#[test]
fn overflow_is_an_error() {
    let everything = usd(u64::MAX);
    // ceil((2^64 - 1) × 100 / 36500) = ceil(18,446,744,073,709,551,615 / 365) = 50,539,024,859,478,224:
    // a day fits, but u32::MAX days of it do not.
    assert_eq!(
        daily_interest(everything, rate("100")),
        Ok(usd(50_539_024_859_478_224))
    );
    let too_much = interest_for_days(everything, rate("100"), u32::MAX);
    assert_eq!(
        too_much,
        Err(MathError::Overflow {
            quantity: "interest"
        })
    );
    assert_eq!(
        too_much.unwrap_err().to_string(),
        "the interest is too large to represent"
    );
    assert!(interest_for_days(everything, rate("100"), 366).is_err());
    assert_eq!(
        required_collateral(everything, threshold("100000"), price(1)),
        Err(MathError::Overflow {
            quantity: "required collateral"
        })
    );
    assert!(collateral_value(sats(u64::MAX), price(MAX_PRICE)).is_err());
    // The CVL itself never overflows: (2^64 - 1) × 10^12 / 10^4 steps fits a Decimal.
    let huge = cvl(sats(u64::MAX), price(MAX_PRICE), usd(1));
    assert_eq!(
        huge.percent(),
        Some(Decimal::from_i128_with_scale(
            1_844_674_407_370_955_161_500_000_000,
            2
        ))
    );
    assert!(huge.is_at_least(threshold("100000")));
    let tiny = cvl(sats(1), price(1), everything);
    assert_eq!(tiny.percent(), Some(Decimal::ZERO));
    assert!(!tiny.is_at_least(threshold("0.01")));
}

fn any_rate() -> impl Strategy<Value = AnnualRate> {
    prop_oneof![Just(0u32), 0u32..=1_000_000]
        .prop_map(|steps| AnnualRate::parse(Decimal::new(i64::from(steps), 4)).unwrap())
}

fn any_fee() -> impl Strategy<Value = FeeRate> {
    prop_oneof![Just(0u32), 0u32..=1_000_000]
        .prop_map(|steps| FeeRate::parse(Decimal::new(i64::from(steps), 4)).unwrap())
}

fn any_threshold() -> impl Strategy<Value = CvlPercent> {
    prop_oneof![10_000u32..=50_000, 1u32..=10_000_000]
        .prop_map(|steps| CvlPercent::parse(Decimal::new(i64::from(steps), 2)).unwrap())
}

fn any_price() -> impl Strategy<Value = UsdCentsPerBtc> {
    prop_oneof![1_000_000u64..=20_000_000, 1u64..=MAX_PRICE].prop_map(price)
}

/// Mostly amounts a bank lends (up to a trillion dollars), sometimes anything, sometimes zero.
fn any_cents() -> impl Strategy<Value = UsdCents> {
    prop_oneof![
        4 => 0u64..=100_000_000_000_000,
        1 => any::<u64>(),
        1 => Just(0u64),
    ]
    .prop_map(usd)
}

fn any_sats() -> impl Strategy<Value = Satoshis> {
    prop_oneof![
        4 => 0u64..=ALL_BITCOIN,
        1 => any::<u64>(),
        1 => Just(0u64),
    ]
    .prop_map(sats)
}

#[test]
fn liquidation_size_table() {
    let size = |s: u64, dollars: u64, exposure: u64, initial: &str| {
        liquidation_size(
            sats(s),
            price(dollars * 100),
            usd(exposure),
            threshold(initial),
        )
        .unwrap()
    };
    let sized = |s: u64, proceeds: u64| LiquidationSize {
        sats: sats(s),
        expected_proceeds: usd(proceeds),
    };
    // 0.11 BTC at $93,000 = $10,230 against $10,100: 101.28%. To get back to 150% sell x with
    // (1,023,000 - x) / (1,010,000 - x) = 1.5: x = (1,515,000 - 1,023,000) / 0.5 = 984,000
    // cents = 984,000 / 9,300,000 BTC = 10,580,645.16 sats -> 10,580,646, worth 984,000.08 ->
    // 984,000 cents
    assert_eq!(
        size(11_000_000, 93_000, 1_010_000, "150"),
        sized(10_580_646, 984_000)
    );
    // at $140,000 the CVL is 152.47%: nothing to sell
    assert_eq!(size(11_000_000, 140_000, 1_010_000, "150"), sized(0, 0));
    // exactly at 150% ($137,727.27.. is not a cent price; 0.1 BTC at $151,500 against
    // $10,100 is 150%): nothing
    assert_eq!(size(10_000_000, 151_500, 1_010_000, "150"), sized(0, 0));
    // under 100% ($90,000: 98.02%) selling cannot restore it: all of it, $9,900
    assert_eq!(
        size(11_000_000, 90_000, 1_010_000, "150"),
        sized(11_000_000, 990_000)
    );
    // an initial CVL of 100% or less: at 101.29% it holds already; at 98.02% selling only
    // lowers it: all of it
    assert_eq!(size(11_000_000, 93_000, 1_010_000, "100"), sized(0, 0));
    assert_eq!(
        size(11_000_000, 90_000, 1_010_000, "100"),
        sized(11_000_000, 990_000)
    );
    // 1 BTC at $100 against $80 at 125%: x = (10,000 - 10,000) / 0.25 = 0: exactly there
    assert_eq!(size(100_000_000, 100, 8_000, "125"), sized(0, 0));
    // against $90: x = (11,250 - 10,000) / 0.25 = 5,000 cents = 0.5 BTC; left 0.5 BTC = $50
    // against $40: 125%
    assert_eq!(
        size(100_000_000, 100, 9_000, "125"),
        sized(50_000_000, 5_000)
    );
}

/// Whether selling `sold` of `held` at `p`, its exact value paying `exposure` down, leaves a
/// CVL at or above `initial` (cross-multiplied: (held - sold)·p·10^4 ≥ I·(E·10^8 - sold·p)).
fn restores(
    held: Satoshis,
    sold: u64,
    p: UsdCentsPerBtc,
    exposure: UsdCents,
    initial: CvlPercent,
) -> bool {
    let (sold, p) = (u128::from(sold), u128::from(p.cents()));
    let owed = u128::from(exposure.into_minor()) * 100_000_000;
    let paid = sold * p;
    if paid >= owed {
        return true;
    }
    (u128::from(held.into_minor()) - sold) * p * 10_000
        >= u128::from(initial.hundredths_of_percent()) * (owed - paid)
}

proptest! {
    #[test]
    fn a_liquidation_sells_the_least_that_restores_the_initial_cvl(
        held in 0u64..=ALL_BITCOIN, p in any_price(),
        exposure in 0u64..=100_000_000_000_000, initial in any_threshold(),
    ) {
        let (held, exposure) = (sats(held), usd(exposure));
        let size = liquidation_size(held, p, exposure, initial).unwrap();
        let sold = size.sats.into_minor();
        prop_assert!(sold <= held.into_minor());
        prop_assert_eq!(size.expected_proceeds, collateral_value(size.sats, p).unwrap());
        if sold == 0 {
            prop_assert!(cvl(held, p, exposure).is_at_least(initial));
        } else {
            prop_assert!(!restores(held, sold - 1, p, exposure, initial));
            if sold < held.into_minor() {
                prop_assert!(restores(held, sold, p, exposure, initial));
            }
        }
    }
}

proptest! {
    #[test]
    fn interest_is_zero_only_without_principal_or_rate(
        principal in any_cents(), r in any_rate(), days in 1u32..=36_500,
    ) {
        let daily = daily_interest(principal, r).unwrap();
        prop_assert_eq!(daily.is_zero(), principal.is_zero() || r.is_zero());
        if let Ok(total) = interest_for_days(principal, r, days) {
            prop_assert_eq!(total.is_zero(), principal.is_zero() || r.is_zero());
        }
    }

    #[test]
    fn interest_is_monotone_in_principal_and_rate(
        a in any_cents(), b in any_cents(), r1 in any_rate(), r2 in any_rate(),
    ) {
        let (lo, hi) = (a.min(b), a.max(b));
        let (rlo, rhi) = (r1.min(r2), r1.max(r2));
        prop_assert!(daily_interest(lo, rlo).unwrap() <= daily_interest(hi, rlo).unwrap());
        prop_assert!(daily_interest(lo, rlo).unwrap() <= daily_interest(lo, rhi).unwrap());
    }

    #[test]
    fn interest_is_monotone_in_days(
        principal in 0u64..=100_000_000_000_000, r in any_rate(),
        d1 in 0u32..=36_500, d2 in 0u32..=36_500,
    ) {
        let (lo, hi) = (d1.min(d2), d1.max(d2));
        let principal = usd(principal);
        prop_assert!(
            interest_for_days(principal, r, lo).unwrap() <= interest_for_days(principal, r, hi).unwrap()
        );
    }

    #[test]
    fn a_years_accruals_never_undercharge_and_overcharge_under_a_cent_a_day(
        principal in any_cents(), r in any_rate(),
    ) {
        let year = interest_for_days(principal, r, 365).unwrap();
        // Exact annual interest in millionths of a cent: principal × rate steps (10^-6 of a unit).
        let exact = u128::from(principal.into_minor()) * u128::from(r.ten_thousandths_of_percent());
        let charged = u128::from(year.into_minor()) * 1_000_000;
        prop_assert!(charged >= exact);
        prop_assert!(charged < exact + 365 * 1_000_000);
    }

    #[test]
    fn interest_overflows_only_as_an_error(
        principal in any::<u64>(), r in any_rate(), days in any::<u32>(),
    ) {
        let daily = daily_interest(usd(principal), r).unwrap();
        let fits = daily.into_minor().checked_mul(u64::from(days)).is_some();
        match interest_for_days(usd(principal), r, days) {
            Ok(total) => prop_assert!(fits && total.into_minor() == daily.into_minor() * u64::from(days)),
            Err(e) => {
                prop_assert!(!fits);
                prop_assert_eq!(e, MathError::Overflow { quantity: "interest" });
            }
        }
    }

    #[test]
    fn structuring_fee_is_at_most_the_amount_and_zero_only_without_amount_or_rate(
        amount in any_cents(), f in any_fee(),
    ) {
        let charged = structuring_fee(amount, f).unwrap();
        prop_assert!(charged <= amount);
        prop_assert_eq!(charged.is_zero(), amount.is_zero() || f.is_zero());
    }

    #[test]
    fn effective_rate_is_the_rate_plus_a_spread_fee(
        r in any_rate(), f in any_fee(), m in 1u32..=360,
    ) {
        let effective = effective_annual_rate(r, f, months(m));
        prop_assert!(effective >= r.percent());
        if f.is_zero() {
            prop_assert_eq!(effective, r.percent());
        }
        prop_assert!(effective.scale() <= 4);
    }

    #[test]
    fn collateral_value_never_overvalues(s in any_sats(), p in any_price()) {
        let exact_e8 = u128::from(s.into_minor()) * u128::from(p.cents());
        match collateral_value(s, p) {
            Ok(value) => {
                let value_e8 = u128::from(value.into_minor()) * 100_000_000;
                prop_assert!(value_e8 <= exact_e8 && exact_e8 < value_e8 + 100_000_000);
            }
            Err(e) => {
                prop_assert_eq!(e, MathError::Overflow { quantity: "collateral value" });
                prop_assert!(exact_e8 / 100_000_000 > u128::from(u64::MAX));
            }
        }
    }

    #[test]
    fn required_collateral_reaches_the_initial_cvl_and_one_satoshi_less_does_not(
        amount in any_cents(), initial in any_threshold(), p in any_price(),
    ) {
        match required_collateral(amount, initial, p) {
            Ok(required) => {
                prop_assert!(cvl(required, p, amount).is_at_least(initial));
                if required.is_zero() {
                    prop_assert!(amount.is_zero());
                } else {
                    let one_less = sats(required.into_minor() - 1);
                    prop_assert!(!cvl(one_less, p, amount).is_at_least(initial));
                }
            }
            Err(e) => {
                prop_assert_eq!(e, MathError::Overflow { quantity: "required collateral" });
                // Overflow means even the most satoshis a u64 holds would not be enough.
                prop_assert!(!cvl(Satoshis::MAX, p, amount).is_at_least(initial));
            }
        }
    }

    #[test]
    fn shown_percent_agrees_with_the_exact_comparison(
        s in any_sats(), p in any_price(), outstanding in any_cents(),
    ) {
        let ratio = cvl(s, p, outstanding);
        match ratio.percent() {
            None => prop_assert!(outstanding.is_zero() && ratio.is_infinite()),
            Some(shown) => {
                prop_assert!(shown.scale() == 2);
                let step = Decimal::new(1, 2);
                // Rounded down: the shown value is reached, one step more is not.
                if shown > Decimal::ZERO && shown <= Decimal::from(100_000) {
                    prop_assert!(ratio.is_at_least(CvlPercent::parse(shown).unwrap()));
                }
                let next = shown + step;
                if next <= Decimal::from(100_000) {
                    prop_assert!(!ratio.is_at_least(CvlPercent::parse(next).unwrap()));
                }
            }
        }
    }
}
