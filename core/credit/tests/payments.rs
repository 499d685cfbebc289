//! Payments against PostgreSQL: recorded from the customer's deposit account or from outside,
//! allocated interest before principal and oldest first to what is due (to everything left once
//! the facility matured), the rest unapplied until obligations fall due; a matured facility paid
//! off completes; refusals leave nothing behind. Every figure is worked out by hand here
//! (the facility of `servicing.rs`: $10,000 at 12% from 2027-01-15, 329 cents a day, a $100
//! fee with January's interest) and the ledger is read straight from its entries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use chrono::NaiveDate;
use core_credit::ledger::FacilityAccount;
use core_credit::terms::DisbursalPolicy;
use core_credit::{
    CreditError, CreditFacility, FacilityStatus, ObligationKind, ObligationStatus, Payment,
    PaymentInput, PaymentSource,
};
use core_deposit::DepositAccount;
use es::{EsEntity, ListQuery};
use harness::{Harness, as_customer, harness, staff, terms, usd};
use money::UsdCents;
use use_case::DomainError;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn code(e: &CreditError) -> &'static str {
    e.code().as_str()
}

fn from_account(account: &DepositAccount, cents: u64) -> PaymentInput {
    PaymentInput {
        amount: usd(cents),
        source: PaymentSource::DepositAccount {
            account_id: account.id(),
        },
        effective: None,
    }
}

async fn pay(
    h: &Harness,
    facility: &CreditFacility,
    input: PaymentInput,
) -> Result<Payment, CreditError> {
    h.credit
        .record_payment(&staff(), facility.id(), input, None)
        .await
}

/// (kind, amount, outstanding, status) of each obligation, oldest first.
async fn rows(
    h: &Harness,
    facility: &CreditFacility,
) -> Vec<(ObligationKind, u64, u64, ObligationStatus)> {
    h.plan(facility.id())
        .await
        .iter()
        .map(|o| {
            (
                o.kind,
                o.amount.into_minor(),
                o.outstanding.into_minor(),
                o.status,
            )
        })
        .collect()
}

/// The facility's interest receivable per stage (not yet due, due, overdue, defaulted) and its
/// payment holding account, from the ledger's entries.
async fn ledger(h: &Harness, facility: &CreditFacility) -> ([i64; 4], [i64; 4], i64) {
    let mut interest = [0; 4];
    for (sum, kind) in interest.iter_mut().zip(FacilityAccount::INTEREST) {
        *sum = h.usd_sum(facility.id(), kind).await;
    }
    let mut principal = [0; 4];
    for (sum, kind) in principal.iter_mut().zip(FacilityAccount::DISBURSED) {
        *sum = h.usd_sum(facility.id(), kind).await;
    }
    let holding = h
        .usd_sum(facility.id(), FacilityAccount::PaymentHolding)
        .await;
    (interest, principal, holding)
}

async fn unapplied(h: &Harness, facility: &CreditFacility) -> u64 {
    h.credit
        .facility_figures(&staff(), &[&h.facility(facility.id()).await])
        .await
        .unwrap()[0]
        .balances
        .unapplied
        .into_minor()
}

/// Ends every day from the activation through `last`, then opens the next morning.
async fn through(h: &Harness, last: &str) {
    h.end_days("2027-01-15", last).await;
    let next = date(last).succ_opt().unwrap();
    h.manual
        .set(next.and_hms_opt(9, 0, 0).unwrap().and_utc())
        .unwrap();
}

/// `Harness::paid_out`, checking the payout reached the deposit account.
async fn active(h: &Harness, email: &str, months: u32) -> (DepositAccount, CreditFacility) {
    let (account, facility) = h.paid_out(email, months).await;
    assert_eq!(h.deposit_sum(&account).await, 1_000_000);
    (account, facility)
}

#[tokio::test]
async fn a_payment_pays_what_is_due_and_the_rest_waits_for_the_next_obligation() {
    use ObligationKind::{Interest, Principal};
    use ObligationStatus::{Due, NotYetDue, Paid};
    let h = harness().await;
    let (account, facility) = active(&h, "ana@example.com", 12).await;
    // January (17 x 329 + 10,000 fee = 15,593) is due from March 2; February (28 x 329 =
    // 9,212) from March 30
    through(&h, "2027-03-01").await;
    let payment = pay(&h, &facility, from_account(&account, 20_000))
        .await
        .unwrap();
    // January takes 15,593; 4,407 waits (February is not due yet)
    assert_eq!(payment.unapplied(), UsdCents::from_minor(4_407));
    assert_eq!(payment.effective, date("2027-03-02"));
    assert_eq!(payment.allocations.len(), 1);
    assert_eq!(payment.allocations[0].amount, UsdCents::from_minor(15_593));
    assert_eq!(
        rows(&h, &facility).await,
        [
            (Principal, 1_000_000, 1_000_000, NotYetDue),
            (Interest, 15_593, 0, Paid),
            (Interest, 9_212, 9_212, NotYetDue),
        ]
    );
    assert_eq!(
        h.plan(facility.id()).await[1].paid_on,
        Some(date("2027-03-02"))
    );
    assert_eq!(h.deposit_sum(&account).await, 1_000_000 - 20_000);
    // interest not yet due: February 9,212 + March 1 (329); due: nothing; 4,407 held
    let (interest, principal, holding) = ledger(&h, &facility).await;
    assert_eq!(interest, [9_212 + 329, 0, 0, 0]);
    assert_eq!(principal, [1_000_000, 0, 0, 0]);
    assert_eq!(holding, 4_407);
    assert_eq!(unapplied(&h, &facility).await, 4_407);

    // when February falls due (after the end of March 29) the 4,407 goes to it: 4,805 left
    h.end_days("2027-03-02", "2027-03-29").await;
    assert_eq!(
        rows(&h, &facility).await[2],
        (Interest, 9_212, 9_212 - 4_407, Due)
    );
    let (interest, _, holding) = ledger(&h, &facility).await;
    assert_eq!(interest[1], 4_805);
    assert_eq!(holding, 0);
    let payments = h
        .credit
        .list_payments(&staff(), facility.id(), ListQuery::first(10))
        .await
        .unwrap()
        .entities;
    assert_eq!(payments.len(), 1);
    assert!(payments[0].unapplied().is_zero());
    assert_eq!(
        payments[0]
            .allocations
            .iter()
            .map(|a| (a.amount.into_minor(), a.date))
            .collect::<Vec<_>>(),
        [(15_593, date("2027-03-02")), (4_407, date("2027-03-30"))]
    );
    // the customer sees their payments; another customer does not
    let own = h
        .credit
        .list_payments(
            &as_customer(facility.customer_id),
            facility.id(),
            ListQuery::first(10),
        )
        .await
        .unwrap();
    assert_eq!(own.entities.len(), 1);
    let (stranger, _) = h.borrower("eve@example.com").await;
    let refused = h
        .credit
        .list_payments(&as_customer(stranger), facility.id(), ListQuery::first(10))
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "NOT_FOUND");
}

#[tokio::test]
async fn a_late_payment_pays_the_oldest_interest_first_and_leaves_the_rest_unapplied() {
    use ObligationKind::{Interest, Principal};
    use ObligationStatus::{NotYetDue, Paid};
    let h = harness().await;
    let (account, facility) = active(&h, "bo@example.com", 12).await;
    // as of June 2 (the table of servicing.rs): January 15,593 defaulted, February 9,212 and
    // March 10,199 overdue, April 9,870 due, May 10,199 not yet due
    through(&h, "2027-06-01").await;
    let (interest, _, _) = ledger(&h, &facility).await;
    assert_eq!(interest, [10_199 + 329, 9_870, 9_212 + 10_199, 15_593]);
    // 50,000: the four due ones take 15,593 + 9,212 + 10,199 + 9,870 = 44,874; 5,126 waits
    let payment = pay(&h, &facility, from_account(&account, 50_000))
        .await
        .unwrap();
    assert_eq!(
        payment
            .allocations
            .iter()
            .map(|a| a.amount.into_minor())
            .collect::<Vec<_>>(),
        [15_593, 9_212, 10_199, 9_870]
    );
    assert_eq!(payment.unapplied(), UsdCents::from_minor(5_126));
    assert_eq!(
        rows(&h, &facility).await,
        [
            (Principal, 1_000_000, 1_000_000, NotYetDue),
            (Interest, 15_593, 0, Paid),
            (Interest, 9_212, 0, Paid),
            (Interest, 10_199, 0, Paid),
            (Interest, 9_870, 0, Paid),
            (Interest, 10_199, 10_199, NotYetDue),
        ]
    );
    // each stage's receivable is cleared; only May and June 1 are owed; 5,126 held
    let (interest, _, holding) = ledger(&h, &facility).await;
    assert_eq!(interest, [10_199 + 329, 0, 0, 0]);
    assert_eq!(holding, 5_126);
    // a paid obligation ages no more: January would have defaulted... it stays paid
    h.end_days("2027-06-02", "2027-06-02").await;
    assert_eq!(rows(&h, &facility).await[1].3, Paid);
}

#[tokio::test]
async fn interest_is_paid_before_older_principal_and_a_payoff_completes_the_facility() {
    use ObligationKind::{Interest, Principal};
    use ObligationStatus::{Overdue, Paid};
    let h = harness().await;
    // one month: the principal is due February 15 (overdue March 17), January's 15,593 from
    // March 2, February 1-14 (14 x 329 = 4,606) from March 16
    let (account, facility) = active(&h, "cy@example.com", 1).await;
    through(&h, "2027-03-16").await;
    // 18,000 received by wire: interest first although the principal is older: January
    // 15,593, then 2,407 of February; nothing for the principal
    let wire = PaymentInput {
        amount: usd(18_000),
        source: PaymentSource::External,
        effective: None,
    };
    let payment = pay(&h, &facility, wire).await.unwrap();
    assert!(payment.unapplied().is_zero());
    assert_eq!(
        rows(&h, &facility).await,
        [
            (Principal, 1_000_000, 1_000_000, Overdue),
            (Interest, 15_593, 0, Paid),
            (Interest, 4_606, 4_606 - 2_407, ObligationStatus::Due),
        ]
    );
    // the deposit account was not touched; the omnibus for outside money was
    assert_eq!(h.deposit_sum(&account).await, 1_000_000);

    // everything owed now: 1,000,000 + 2,199; one cent more is refused, naming the most
    let most = 1_000_000 + 2_199;
    let too_much = PaymentInput {
        amount: usd(most + 1),
        source: PaymentSource::External,
        effective: None,
    };
    let refused = pay(&h, &facility, too_much).await.unwrap_err();
    assert_eq!(code(&refused), "PAYMENT_EXCEEDS_OUTSTANDING");
    assert!(
        refused
            .to_string()
            .contains(&format!("at most {most} cents"))
    );
    // the customer's account holds 1,000,000: paying 1,002,199 from it is refused, nothing moves
    let refused = pay(&h, &facility, from_account(&account, most))
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "INSUFFICIENT_BALANCE");
    assert_eq!(h.deposit_sum(&account).await, 1_000_000);
    // 1,000,000 from the account and 2,199 by wire pay everything off
    pay(&h, &facility, from_account(&account, 1_000_000))
        .await
        .unwrap();
    let rest = PaymentInput {
        amount: usd(2_199),
        source: PaymentSource::External,
        effective: None,
    };
    pay(&h, &facility, rest).await.unwrap();
    assert!(
        rows(&h, &facility)
            .await
            .iter()
            .all(|row| (row.2, row.3) == (0, Paid))
    );
    let (interest, principal, holding) = ledger(&h, &facility).await;
    assert_eq!((interest, principal, holding), ([0; 4], [0; 4], 0));
    assert_eq!(h.deposit_sum(&account).await, 0);
    let figures = h
        .credit
        .facility_figures(&staff(), &[&h.facility(facility.id()).await])
        .await
        .unwrap()[0]
        .balances;
    assert!(figures.outstanding.is_zero());
    // matured and paid off: completed, and it takes no more payments
    let completed = h.facility(facility.id()).await;
    assert_eq!(
        (completed.status, completed.completed_on),
        (FacilityStatus::Completed, Some(date("2027-03-17")))
    );
    let refused = pay(&h, &facility, from_account(&account, 1))
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "INVALID_FACILITY_TRANSITION");
    // its collateral is returned (recorded), and cannot grow again
    let returned = h
        .credit
        .update_collateral(&staff(), facility.id(), harness::sats(0))
        .await
        .unwrap();
    assert_eq!(returned.status, FacilityStatus::Completed);
    assert_eq!(
        h.ledger_sum(
            FacilityAccount::Collateral.of(facility.id()),
            "BTC",
            0,
            false
        )
        .await,
        0
    );
    let refused = h
        .credit
        .update_collateral(&staff(), facility.id(), harness::sats(1))
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "INVALID_FACILITY_TRANSITION");
    assert_eq!(
        h.credit
            .list_payments(&staff(), facility.id(), ListQuery::first(10))
            .await
            .unwrap()
            .entities
            .len(),
        3
    );
}

#[tokio::test]
async fn refused_payments_leave_nothing_behind() {
    let h = harness().await;
    let (account, facility) = active(&h, "dee@example.com", 12).await;
    through(&h, "2027-01-20").await;
    // another customer's account
    let (_, stranger_account) = h.borrower("eve@example.com").await;
    let refused = pay(&h, &facility, from_account(&stranger_account, 100))
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "DEPOSIT_ACCOUNT_OF_ANOTHER_CUSTOMER");
    // a date after today, or before the activation
    for day in ["2027-01-22", "2027-01-14"] {
        let dated = PaymentInput {
            effective: Some(date(day)),
            ..from_account(&account, 100)
        };
        let refused = pay(&h, &facility, dated).await.unwrap_err();
        assert_eq!(code(&refused), "INVALID_PAYMENT_DATE", "{day}");
    }
    // a customer pays only their own facility, from their own account, today
    let borrower = as_customer(facility.customer_id);
    let attempts = [
        (
            facility.id(),
            from_account(&stranger_account, 100),
            "DEPOSIT_ACCOUNT_OF_ANOTHER_CUSTOMER",
        ),
        (
            facility.id(),
            PaymentInput {
                source: PaymentSource::External,
                ..from_account(&account, 100)
            },
            "INVALID_INPUT",
        ),
        (
            facility.id(),
            PaymentInput {
                effective: Some(date("2027-01-20")),
                ..from_account(&account, 100)
            },
            "NOT_AUTHORIZED",
        ),
    ];
    for (id, input, expected) in attempts {
        let refused = h
            .credit
            .record_payment(&borrower, id, input, None)
            .await
            .unwrap_err();
        assert_eq!(code(&refused), expected);
    }
    let stranger = as_customer(stranger_account.customer_id);
    let refused = h
        .credit
        .record_payment(
            &stranger,
            facility.id(),
            from_account(&stranger_account, 100),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "NOT_FOUND");
    // a frozen account
    h.deposits
        .change_account_status(
            &staff(),
            account.id(),
            core_deposit::AccountStatusChange::Freeze,
        )
        .await
        .unwrap();
    let refused = pay(&h, &facility, from_account(&account, 100))
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "ACCOUNT_FROZEN");
    // a facility that is not active
    let (customer, other_account) = h.borrower("fay@example.com").await;
    let pending = h
        .consented(
            customer,
            &other_account,
            500_000,
            terms(DisbursalPolicy::Single),
        )
        .await;
    let refused = pay(&h, &pending, from_account(&other_account, 100))
        .await
        .unwrap_err();
    assert_eq!(code(&refused), "INVALID_FACILITY_TRANSITION");
    assert!(
        h.credit
            .list_payments(&staff(), facility.id(), ListQuery::first(10))
            .await
            .unwrap()
            .entities
            .is_empty()
    );
    let (_, _, holding) = ledger(&h, &facility).await;
    assert_eq!(holding, 0);
    // unfrozen, the customer pays 100 of their own: nothing is due yet, so it waits
    h.deposits
        .change_account_status(
            &staff(),
            account.id(),
            core_deposit::AccountStatusChange::Unfreeze,
        )
        .await
        .unwrap();
    let own = h
        .credit
        .record_payment(&borrower, facility.id(), from_account(&account, 100), None)
        .await
        .unwrap();
    assert_eq!(own.unapplied(), UsdCents::from_minor(100));
    assert_eq!(h.deposit_sum(&account).await, 1_000_000 - 100);
}

#[tokio::test]
async fn a_back_dated_payment_is_allocated_as_of_its_date() {
    use ObligationStatus::{Overdue, Paid};
    let h = harness().await;
    let (account, facility) = active(&h, "gil@example.com", 12).await;
    // January's 15,593 was due March 2 and is overdue from April 1; the customer paid on
    // March 20, recorded only on April 3
    through(&h, "2027-04-02").await;
    assert_eq!(rows(&h, &facility).await[1].3, Overdue);
    let dated = PaymentInput {
        effective: Some(date("2027-03-20")),
        ..from_account(&account, 30_000)
    };
    let payment = pay(&h, &facility, dated).await.unwrap();
    // as of March 20 only January was due (15,593); as of today February (9,212, due March
    // 30) takes 9,212 more; 5,195 waits for March's interest
    assert_eq!(
        payment
            .allocations
            .iter()
            .map(|a| (a.amount.into_minor(), a.date))
            .collect::<Vec<_>>(),
        [(15_593, date("2027-03-20")), (9_212, date("2027-04-03"))]
    );
    assert_eq!(
        payment.unapplied(),
        UsdCents::from_minor(30_000 - 15_593 - 9_212)
    );
    let plan = h.plan(facility.id()).await;
    assert_eq!(
        (plan[1].status, plan[1].paid_on),
        (Paid, Some(date("2027-03-20")))
    );
    assert_eq!(
        (plan[2].status, plan[2].paid_on),
        (Paid, Some(date("2027-04-03")))
    );
    // the ledger postings carry the dates
    let effective: Vec<NaiveDate> = sqlx::query_scalar(
        "SELECT DISTINCT e.effective FROM ledger_entries e WHERE e.account_id = $1 ORDER BY 1",
    )
    .bind(uuid::Uuid::from(
        FacilityAccount::PaymentHolding.of(facility.id()),
    ))
    .fetch_all(&h.db.pool)
    .await
    .unwrap();
    assert_eq!(effective, [date("2027-03-20"), date("2027-04-03")]);
}

#[tokio::test]
async fn a_repeated_key_records_one_payment_and_concurrent_payments_never_exceed_what_is_owed() {
    let h = harness().await;
    let (account, facility) = active(&h, "hal@example.com", 1).await;
    // everything has accrued: 1,000,000 + 15,593 + 4,606 = 1,020,199 owed
    through(&h, "2027-02-20").await;
    let key = idempotency::IdempotencyKey::parse("pay-1").unwrap();
    let mut recorded = Vec::new();
    for _ in 0..2 {
        let payment = h
            .credit
            .record_payment(
                &staff(),
                facility.id(),
                from_account(&account, 1_000),
                Some(&key),
            )
            .await
            .unwrap();
        recorded.push(payment.id());
    }
    assert_eq!(recorded[0], recorded[1]);
    assert_eq!(h.deposit_sum(&account).await, 1_000_000 - 1_000);
    // ten wires of 200,000 at once: at most 1,019,199 more fits, so five are taken
    let wires: Vec<_> = (0..10)
        .map(|_| {
            let credit = h.credit.clone();
            let id = facility.id();
            tokio::spawn(async move {
                let wire = PaymentInput {
                    amount: usd(200_000),
                    source: PaymentSource::External,
                    effective: None,
                };
                credit.record_payment(&staff(), id, wire, None).await
            })
        })
        .collect();
    let mut taken = 0;
    for wire in wires {
        match wire.await.unwrap() {
            Ok(_) => taken += 1,
            Err(e) => assert_eq!(code(&e), "PAYMENT_EXCEEDS_OUTSTANDING"),
        }
    }
    assert_eq!(taken, 5);
    // 1,001,000 paid after maturity, when everything left is payable: the interest first
    // (15,593 + 4,606), then 980,801 of the principal; 19,199 is still owed, nothing waits
    let (interest, principal, holding) = ledger(&h, &facility).await;
    assert_eq!(interest, [0; 4]);
    assert_eq!(principal.iter().sum::<i64>(), 1_000_000 - 980_801);
    assert_eq!(holding, 0);
    assert_eq!(
        h.facility(facility.id()).await.status,
        FacilityStatus::Active
    );
}
