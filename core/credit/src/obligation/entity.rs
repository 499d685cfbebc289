//! An obligation: an amount the customer owes on a date, interest (a closed accrual cycle, the
//! structuring fee with the first one) or principal (a settled disbursal, due at maturity). It
//! ages at the end of each day: not yet due -> due -> overdue -> defaulted, each step moving its
//! outstanding amount to the receivable account of the new stage (payments come later).
//!
//! A stage applies from the start of its date: at the end of day D, an obligation takes the
//! stage it has on D + 1 (an obligation due on March 2 is due when March 2 begins, i.e. after
//! the end of March 1).

use crate::ledger::FacilityAccount;
use crate::primitives::{CreditFacilityId, ObligationId, ObligationKind, ObligationStatus};
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
    pub status: ObligationStatus,
    /// Not paid yet (payments come with a later slice: the whole amount).
    pub outstanding: UsdCents,
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
    /// The receivable account an obligation of `kind` sits in at this stage.
    pub fn account(self, kind: ObligationKind) -> FacilityAccount {
        use FacilityAccount as A;
        match (kind, self) {
            (ObligationKind::Interest, Self::NotYetDue) => A::InterestNotYetDue,
            (ObligationKind::Interest, Self::Due) => A::InterestDue,
            (ObligationKind::Interest, Self::Overdue) => A::InterestOverdue,
            (ObligationKind::Interest, Self::Defaulted) => A::InterestDefaulted,
            (ObligationKind::Principal, Self::NotYetDue) => A::DisbursedNotYetDue,
            (ObligationKind::Principal, Self::Due) => A::DisbursedDue,
            (ObligationKind::Principal, Self::Overdue) => A::DisbursedOverdue,
            (ObligationKind::Principal, Self::Defaulted) => A::DisbursedDefaulted,
        }
    }
}

impl Obligation {
    /// The stage the obligation has on `date`.
    pub fn status_on(&self, date: NaiveDate) -> ObligationStatus {
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
    /// changes; `AlreadyApplied` when it has it already.
    pub fn ensure_ages(&self, day: NaiveDate) -> Idempotent<ObligationStatus> {
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
        let mut status = ObligationStatus::NotYetDue;
        for event in iter {
            match event {
                ObligationEvent::Created { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "created twice".into(),
                    });
                }
                ObligationEvent::Aged { status: s, .. } => status = *s,
            }
        }
        Ok(Self {
            facility_id: *facility_id,
            kind: *kind,
            amount: *amount,
            source_id: *source_id,
            due_date: *due_date,
            overdue_date: *overdue_date,
            defaulted_date: *defaulted_date,
            status,
            outstanding: *amount,
            events,
        })
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
            FacilityAccount::InterestDefaulted
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
            FacilityAccount::DisbursedDue
        );
    }
}
