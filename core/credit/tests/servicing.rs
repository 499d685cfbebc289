//! Servicing at the end of each day, against PostgreSQL: daily interest, monthly cycles that
//! become interest obligations (the first with the structuring fee), principal obligations at
//! maturity, and obligations ageing through the receivable accounts. Every figure is worked out
//! by hand here; the ledger is read straight from its entries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use chrono::NaiveDate;
use core_credit::ledger::FacilityAccount;
use core_credit::terms::DisbursalPolicy;
use core_credit::{CreditFacility, Obligation, ObligationKind, ObligationStatus};
use es::EsEntity;
use harness::{Harness, harness, staff, usd};
use money::UsdCents;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// (kind, amount, due date, status) of each obligation, oldest first.
fn rows(plan: &[Obligation]) -> Vec<(ObligationKind, u64, NaiveDate, ObligationStatus)> {
    plan.iter()
        .map(|o| (o.kind, o.amount.into_minor(), o.due_date, o.status))
        .collect()
}

async fn receivables(h: &Harness, facility: &CreditFacility) -> [i64; 4] {
    let mut sums = [0; 4];
    for (sum, kind) in sums.iter_mut().zip(FacilityAccount::INTEREST) {
        *sum = h.usd_sum(facility.id(), kind).await;
    }
    sums
}

/// The daily interest on $10,000.00 at 12%: 1,000,000 x 0.12 / 365 = 328.767.. cents, rounded
/// up: 329 cents.
const DAILY: u64 = 329;

#[tokio::test]
async fn interest_accrues_each_day_and_each_month_becomes_an_obligation_that_ages() {
    use ObligationKind::{Interest, Principal};
    use ObligationStatus::{Defaulted, Due, NotYetDue, Overdue};
    let h = harness().await;
    h.set_price(100_000).await;
    // $10,000 for 12 months at 12%, 1% fee, activated 2027-01-15: matures 2028-01-15
    let (_, _, facility) = h
        .active_facility(
            "ana@example.com",
            1_000_000,
            DisbursalPolicy::Single,
            100_000_000,
        )
        .await;
    assert_eq!(facility.activated_on, Some(date("2027-01-15")));
    // the payout made the principal obligation, due at maturity
    assert_eq!(
        rows(&h.plan(facility.id()).await),
        [(Principal, 1_000_000, date("2028-01-15"), NotYetDue)]
    );

    // January 15 to 31: 17 days x 329 = 5,593, plus the 10,000 fee = 15,593, due 30 days after
    // the 31st: March 2 (overdue 30 days later, April 1; defaulted 90 days later, May 31)
    h.end_days("2027-01-15", "2027-01-31").await;
    let january = (Interest, 5_593 + 10_000, date("2027-03-02"), NotYetDue);
    assert_eq!(rows(&h.plan(facility.id()).await)[1..], [january]);
    assert_eq!(
        h.usd_sum(facility.id(), FacilityAccount::InterestIncome)
            .await,
        17 * 329
    );

    // a replayed end of day changes nothing
    h.end_days("2027-01-31", "2027-01-31").await;
    assert_eq!(h.plan(facility.id()).await.len(), 2);
    assert_eq!(
        h.usd_sum(facility.id(), FacilityAccount::InterestIncome)
            .await,
        17 * 329
    );

    // February: 28 days x 329 = 9,212, due March 30. After the end of February 28 the January
    // obligation is not due yet (March 1 is before March 2)...
    h.end_days("2027-02-01", "2027-02-28").await;
    let february = (Interest, 28 * DAILY, date("2027-03-30"), NotYetDue);
    assert_eq!(rows(&h.plan(facility.id()).await)[1..], [january, february]);
    // ...after the end of March 1 it is (March 2 has begun)
    h.end_days("2027-03-01", "2027-03-01").await;
    assert_eq!(h.plan(facility.id()).await[1].status, Due);
    assert_eq!(receivables(&h, &facility).await[1], 15_593);

    // through June 1: March 31 x 329 = 10,199 due April 30; April 30 x 329 = 9,870 due May 30;
    // May 31 x 329 = 10,199 due June 30. As of June 2:
    // - January (due March 2): defaulted since May 31
    // - February (due March 30): overdue since April 29, defaulted only on June 28
    // - March (due April 30): overdue since May 30
    // - April (due May 30): due, overdue on June 29
    // - May (due June 30): not yet due
    h.end_days("2027-03-02", "2027-06-01").await;
    let plan = h.plan(facility.id()).await;
    assert_eq!(
        rows(&plan),
        [
            (Principal, 1_000_000, date("2028-01-15"), NotYetDue),
            (Interest, 15_593, date("2027-03-02"), Defaulted),
            (Interest, 9_212, date("2027-03-30"), Overdue),
            (Interest, 31 * DAILY, date("2027-04-30"), Overdue),
            (Interest, 30 * DAILY, date("2027-05-30"), Due),
            (Interest, 31 * DAILY, date("2027-06-30"), NotYetDue),
        ]
    );
    assert_eq!(plan[1].overdue_date, Some(date("2027-04-01")));
    assert_eq!(plan[1].defaulted_date, Some(date("2027-05-31")));
    // 138 days accrued (17 + 28 + 31 + 30 + 31 + June 1) x 329 = 45,402
    assert_eq!(
        h.usd_sum(facility.id(), FacilityAccount::InterestIncome)
            .await,
        138 * 329
    );
    // receivables by stage: not yet due = May (10,199) + June 1 (329); due = April (9,870);
    // overdue = February + March (9,212 + 10,199); defaulted = January (15,593)
    assert_eq!(
        receivables(&h, &facility).await,
        [10_199 + 329, 9_870, 9_212 + 10_199, 15_593]
    );
    let figures = h
        .credit
        .facility_figures(&staff(), &[&h.facility(facility.id()).await])
        .await
        .unwrap()[0]
        .balances;
    // what the customer owes: the principal and 45,402 interest + 10,000 fee
    assert_eq!(figures.interest, UsdCents::from_minor(55_402));
    assert_eq!(figures.outstanding, UsdCents::from_minor(1_055_402));
}

#[tokio::test]
async fn the_last_cycle_ends_the_day_before_maturity_and_the_principal_falls_due() {
    use ObligationKind::{Interest, Principal};
    use ObligationStatus::{Due, NotYetDue};
    let h = harness().await;
    // one month: activated 2027-01-15, matures 2027-02-15
    let (_, facility) = h.paid_out("bo@example.com", 1).await;
    assert_eq!(facility.maturity_date, Some(date("2027-02-15")));
    h.end_days("2027-01-15", "2027-02-20").await;
    // January 15-31: 17 days (5,593 + fee 10,000), due March 2; February 1-14: 14 x 329 =
    // 4,606, due March 16; nothing accrues from maturity on; the principal is due from
    // February 15 (after the end of February 14)
    assert_eq!(
        rows(&h.plan(facility.id()).await),
        [
            (Principal, 1_000_000, date("2027-02-15"), Due),
            (Interest, 15_593, date("2027-03-02"), NotYetDue),
            (Interest, 4_606, date("2027-03-16"), NotYetDue),
        ]
    );
    assert_eq!(
        h.usd_sum(facility.id(), FacilityAccount::InterestIncome)
            .await,
        31 * 329
    );
    assert_eq!(
        h.usd_sum(facility.id(), FacilityAccount::DisbursedDue)
            .await,
        1_000_000
    );
    assert_eq!(
        h.usd_sum(facility.id(), FacilityAccount::DisbursedNotYetDue)
            .await,
        0
    );
}

#[tokio::test]
async fn nothing_accrues_without_principal_but_the_fee_is_still_owed() {
    let h = harness().await;
    h.set_price(100_000).await;
    // multiple policy, nothing disbursed: no interest; the first cycle's obligation is the fee
    let (_, _, facility) = h
        .active_facility(
            "cy@example.com",
            1_000_000,
            DisbursalPolicy::Multiple,
            100_000_000,
        )
        .await;
    h.end_days("2027-01-15", "2027-01-31").await;
    assert_eq!(
        rows(&h.plan(facility.id()).await),
        [(
            ObligationKind::Interest,
            10_000,
            date("2027-03-02"),
            ObligationStatus::NotYetDue
        )]
    );
    // a disbursal of $5,000 on February 1: from that day 500,000 x 0.12 / 365 = 164.38 -> 165
    h.manual
        .set("2027-02-01T10:00:00Z".parse().unwrap())
        .unwrap();
    h.credit
        .initiate_disbursal(&staff(), facility.id(), usd(500_000), None)
        .await
        .unwrap();
    h.end_days("2027-02-01", "2027-02-28").await;
    assert_eq!(
        h.usd_sum(facility.id(), FacilityAccount::InterestIncome)
            .await,
        28 * 165
    );
    let plan = h.plan(facility.id()).await;
    // the disbursal's principal (due at maturity, 2028-01-15) and February's interest
    assert_eq!(plan.len(), 3);
    assert_eq!(
        (plan[1].kind, plan[1].amount.into_minor(), plan[1].due_date),
        (ObligationKind::Principal, 500_000, date("2028-01-15"))
    );
    assert_eq!(plan[2].amount.into_minor(), 28 * 165);
}
