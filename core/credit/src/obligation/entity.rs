//! An obligation: an amount the customer owes on a date, interest (a closed accrual cycle, the
//! structuring fee with the first one) or principal (a settled disbursal, due at maturity). It
//! ages at the end of each day: not yet due -> due -> overdue -> defaulted, each step moving its
//! outstanding amount to the receivable account of the new stage. Payments are allocated to it
//! (see `payment/mod.rs`); once nothing is outstanding it is paid and ages no more.
//!
//! A stage applies from the start of its date: at the end of day D, an obligation takes the
//! stage it has on D + 1 (an obligation due on March 2 is due when March 2 begins, i.e. after
//! the end of March 1).

use crate::ledger::FacilityAccount;
use crate::primitives::{
    CreditFacilityId, ObligationId, ObligationKind, ObligationStatus, PaymentId,
};
use chrono::{Days, NaiveDate};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use ledger::TransactionId;
use money::UsdCents;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ObligationEvent {
    Created {
        facility_id: CreditFacilityId,
        kind: ObligationKind,
        amount: UsdCents,
        /// The accrual cycle or the disbursal it comes from.
        source_id: Uuid,
        due_date: NaiveDate,
        overdue_date: Option<NaiveDate>,
        defaulted_date: Option<NaiveDate>,
    },
    /// Moved to `status`'s receivable account by `ledger_transaction_id`.
    Aged {
        status: ObligationStatus,
        ledger_transaction_id: TransactionId,
    },
    /// `amount` of `payment_id` applied to it (as of `date`) by `ledger_transaction_id`.
    PaymentAllocated {
        payment_id: PaymentId,
        amount: UsdCents,
        date: NaiveDate,
        ledger_transaction_id: TransactionId,
    },
}

#[derive(Debug)]
pub struct Obligation {
    pub facility_id: CreditFacilityId,
    pub kind: ObligationKind,
    pub amount: UsdCents,
    pub source_id: Uuid,
    pub due_date: NaiveDate,
    pub overdue_date: Option<NaiveDate>,
    pub defaulted_date: Option<NaiveDate>,
    /// Its ageing stage, or `Paid`.
    pub status: ObligationStatus,
    /// Not paid yet.
    pub outstanding: UsdCents,
    /// The date of the allocation that paid the rest of it.
    pub paid_on: Option<NaiveDate>,
    events: EntityEvents<ObligationEvent>,
}

pub struct NewObligation {
    pub id: ObligationId,
    pub facility_id: CreditFacilityId,
    pub kind: ObligationKind,
    pub amount: UsdCents,
    pub source_id: Uuid,
    pub due_date: NaiveDate,
    /// Days after the due date until overdue, and until defaulted (the terms').
    pub overdue_after_days: Option<u32>,
    pub defaulted_after_days: Option<u32>,
}

impl NewObligation {
    pub fn into_events(self) -> EntityEvents<ObligationEvent> {
        let after = |days: Option<u32>| {
            days.and_then(|d| self.due_date.checked_add_days(Days::new(u64::from(d))))
        };
        EntityEvents::init(
            self.id,
            [ObligationEvent::Created {
                facility_id: self.facility_id,
                kind: self.kind,
                amount: self.amount,
                source_id: self.source_id,
                due_date: self.due_date,
                overdue_date: after(self.overdue_after_days),
                defaulted_date: after(self.defaulted_after_days),
            }],
        )
    }
}

impl ObligationStatus {
    /// The receivable account an obligation of `kind` sits in at this stage; none once paid.
    pub fn account(self, kind: ObligationKind) -> Option<FacilityAccount> {
        use FacilityAccount as A;
        Some(match (kind, self) {
            (ObligationKind::Interest, Self::NotYetDue) => A::InterestNotYetDue,
            (ObligationKind::Interest, Self::Due) => A::InterestDue,
            (ObligationKind::Interest, Self::Overdue) => A::InterestOverdue,
            (ObligationKind::Interest, Self::Defaulted) => A::InterestDefaulted,
            (ObligationKind::Principal, Self::NotYetDue) => A::DisbursedNotYetDue,
            (ObligationKind::Principal, Self::Due) => A::DisbursedDue,
            (ObligationKind::Principal, Self::Overdue) => A::DisbursedOverdue,
            (ObligationKind::Principal, Self::Defaulted) => A::DisbursedDefaulted,
            (_, Self::Paid) => return None,
        })
    }
}

impl Obligation {
    /// The stage the obligation has on `date` (paid from the day it was paid).
    pub fn status_on(&self, date: NaiveDate) -> ObligationStatus {
        if self.paid_on.is_some_and(|paid| date >= paid) {
            return ObligationStatus::Paid;
        }
        let reached = |d: Option<NaiveDate>| d.is_some_and(|d| date >= d);
        if reached(self.defaulted_date) {
            ObligationStatus::Defaulted
        } else if reached(self.overdue_date) {
            ObligationStatus::Overdue
        } else if date >= self.due_date {
            ObligationStatus::Due
        } else {
            ObligationStatus::NotYetDue
        }
    }

    /// The stage it moves to at the end of `day` (the one it has on the next day), if it
    /// changes; `AlreadyApplied` when it has it already or is paid.
    pub fn ensure_ages(&self, day: NaiveDate) -> Idempotent<ObligationStatus> {
        if self.status == ObligationStatus::Paid {
            return Idempotent::AlreadyApplied;
        }
        let next = day
            .checked_add_days(Days::new(1))
            .map_or(self.status, |d| self.status_on(d));
        if next == self.status {
            Idempotent::AlreadyApplied
        } else {
            Idempotent::Executed(next)
        }
    }

    /// Moved to `status` by `ledger_transaction_id`.
    pub fn age(&mut self, status: ObligationStatus, ledger_transaction_id: TransactionId) {
        self.status = status;
        self.events.push(ObligationEvent::Aged {
            status,
            ledger_transaction_id,
        });
    }

    /// Whether payments can be allocated to it as of `date`: not paid, and due by then or its
    /// facility `matured` (nothing more accrues: whatever remains can be paid off).
    pub fn payable_on(&self, date: NaiveDate, matured: bool) -> bool {
        !self.outstanding.is_zero() && (matured || self.due_date <= date)
    }

    /// Applies up to `available` of `payment_id` as of `date`; returns what it took (its
    /// outstanding amount or `available`, the smaller), which the caller posts as
    /// `ledger_transaction_id`.
    pub fn allocate(
        &mut self,
        payment_id: PaymentId,
        available: UsdCents,
        date: NaiveDate,
        ledger_transaction_id: TransactionId,
    ) -> UsdCents {
        let amount = self.outstanding.min(available);
        if amount.is_zero() {
            return amount;
        }
        self.apply_allocation(amount, date);
        self.events.push(ObligationEvent::PaymentAllocated {
            payment_id,
            amount,
            date,
            ledger_transaction_id,
        });
        amount
    }

    fn apply_allocation(&mut self, amount: UsdCents, date: NaiveDate) {
        self.outstanding = self
            .outstanding
            .checked_sub(amount)
            .unwrap_or(UsdCents::ZERO);
        if self.outstanding.is_zero() {
            self.status = ObligationStatus::Paid;
            self.paid_on = Some(date);
        }
    }
}

impl EsEntity for Obligation {
    type Id = ObligationId;
    type Event = ObligationEvent;

    fn events(&self) -> &EntityEvents<ObligationEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<ObligationEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<ObligationEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(ObligationEvent::Created {
            facility_id,
            kind,
            amount,
            source_id,
            due_date,
            overdue_date,
            defaulted_date,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut obligation = Self {
            facility_id: *facility_id,
            kind: *kind,
            amount: *amount,
            source_id: *source_id,
            due_date: *due_date,
            overdue_date: *overdue_date,
            defaulted_date: *defaulted_date,
            status: ObligationStatus::NotYetDue,
            outstanding: *amount,
            paid_on: None,
            events: EntityEvents::init(events.entity_id(), []),
        };
        for event in iter {
            match event {
                ObligationEvent::Created { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "created twice".into(),
                    });
                }
                ObligationEvent::Aged { status, .. } => obligation.status = *status,
                ObligationEvent::PaymentAllocated { amount, date, .. } => {
                    obligation.apply_allocation(*amount, *date);
                }
            }
        }
        obligation.events = events;
        Ok(obligation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn obligation() -> Obligation {
        let new = NewObligation {
            id: ObligationId::new(),
            facility_id: CreditFacilityId::new(),
            kind: ObligationKind::Interest,
            amount: UsdCents::from_minor(15_593),
            source_id: Uuid::new_v4(),
            due_date: date("2027-03-02"),
            overdue_after_days: Some(30),
            defaulted_after_days: Some(90),
        };
        Obligation::try_from_events(new.into_events()).unwrap()
    }

    #[test]
    fn it_ages_from_the_start_of_each_stage_date() {
        let mut o = obligation();
        // due 2027-03-02; overdue 30 days later (April 1), defaulted 90 days later (May 31)
        assert_eq!(o.overdue_date, Some(date("2027-04-01")));
        assert_eq!(o.defaulted_date, Some(date("2027-05-31")));
        assert!(o.ensure_ages(date("2027-02-28")).was_already_applied());
        assert_eq!(
            o.ensure_ages(date("2027-03-01")),
            Idempotent::Executed(ObligationStatus::Due)
        );
        o.age(ObligationStatus::Due, TransactionId::new());
        assert!(o.ensure_ages(date("2027-03-30")).was_already_applied());
        assert_eq!(
            o.ensure_ages(date("2027-03-31")),
            Idempotent::Executed(ObligationStatus::Overdue)
        );
        o.age(ObligationStatus::Overdue, TransactionId::new());
        assert_eq!(
            o.ensure_ages(date("2027-05-30")),
            Idempotent::Executed(ObligationStatus::Defaulted)
        );
        o.age(ObligationStatus::Defaulted, TransactionId::new());
        let rebuilt = Obligation::try_from_events(o.events().clone()).unwrap();
        assert_eq!(rebuilt.status, ObligationStatus::Defaulted);
        assert_eq!(
            rebuilt.status.account(rebuilt.kind),
            Some(FacilityAccount::InterestDefaulted)
        );
    }

    #[test]
    fn without_overdue_or_default_days_it_stays_due() {
        let new = NewObligation {
            id: ObligationId::new(),
            facility_id: CreditFacilityId::new(),
            kind: ObligationKind::Principal,
            amount: UsdCents::from_minor(1),
            source_id: Uuid::new_v4(),
            due_date: date("2028-01-15"),
            overdue_after_days: None,
            defaulted_after_days: None,
        };
        let o = Obligation::try_from_events(new.into_events()).unwrap();
        assert_eq!(o.status_on(date("2099-01-01")), ObligationStatus::Due);
        assert_eq!(
            ObligationStatus::Due.account(o.kind),
            Some(FacilityAccount::DisbursedDue)
        );
    }

    #[test]
    fn payments_take_the_smaller_of_what_is_owed_and_what_is_left_and_a_paid_one_stops_ageing() {
        let mut o = obligation();
        let (first, second) = (PaymentId::new(), PaymentId::new());
        assert!(!o.payable_on(date("2027-03-01"), false));
        assert!(o.payable_on(date("2027-03-01"), true));
        assert!(o.payable_on(date("2027-03-02"), false));
        // 15,593 owed: 10,000 of the first payment, then 5,593 of the second's 9,000
        let took = o.allocate(
            first,
            UsdCents::from_minor(10_000),
            date("2027-03-02"),
            TransactionId::new(),
        );
        assert_eq!(took, UsdCents::from_minor(10_000));
        assert_eq!(o.outstanding, UsdCents::from_minor(5_593));
        assert_eq!(o.status, ObligationStatus::NotYetDue);
        let took = o.allocate(
            second,
            UsdCents::from_minor(9_000),
            date("2027-04-05"),
            TransactionId::new(),
        );
        assert_eq!(took, UsdCents::from_minor(5_593));
        assert_eq!(o.status, ObligationStatus::Paid);
        assert_eq!(o.paid_on, Some(date("2027-04-05")));
        assert!(!o.payable_on(date("2027-05-01"), true));
        // nothing left: nothing taken, nothing recorded
        let events = o.events().iter_all().count();
        let took = o.allocate(
            first,
            UsdCents::from_minor(1),
            date("2027-05-01"),
            TransactionId::new(),
        );
        assert!(took.is_zero());
        assert_eq!(o.events().iter_all().count(), events);
        // paid: no stage change ever again (it would have been overdue on April 1)
        assert!(o.ensure_ages(date("2027-06-30")).was_already_applied());
        assert_eq!(o.status_on(date("2027-04-04")), ObligationStatus::Overdue);
        let rebuilt = Obligation::try_from_events(o.events().clone()).unwrap();
        assert_eq!(
            (rebuilt.status, rebuilt.outstanding, rebuilt.paid_on),
            (
                ObligationStatus::Paid,
                UsdCents::ZERO,
                Some(date("2027-04-05"))
            )
        );
    }
}
