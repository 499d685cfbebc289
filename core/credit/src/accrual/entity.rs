//! An interest accrual cycle of an active facility: from its first day to the end of its month
//! (or the day before maturity, whichever comes first), one accrual per day, each that day's
//! interest on the principal outstanding at its end; when the cycle's last day has accrued it
//! completes, and its accruals (with the structuring fee in the first cycle) become one interest
//! obligation.
//!
//! A day is accrued at most once: a day already in the cycle is `AlreadyApplied` (and its ledger
//! posting has a unique external id besides).

use crate::primitives::{AccrualCycleId, CreditFacilityId, ObligationId};
use chrono::{Datelike, Days, Months, NaiveDate};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use ledger::TransactionId;
use money::UsdCents;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AccrualCycleEvent {
    Started {
        facility_id: CreditFacilityId,
        /// 1 for the first cycle of the facility.
        number: u32,
        first_day: NaiveDate,
        last_day: NaiveDate,
    },
    Accrued {
        date: NaiveDate,
        /// The principal outstanding at the end of `date`.
        principal: UsdCents,
        amount: UsdCents,
        /// `None` when nothing accrued (no principal outstanding).
        ledger_transaction_id: Option<TransactionId>,
    },
    Completed {
        /// The interest obligation; `None` when the cycle (and fee) came to nothing.
        obligation_id: Option<ObligationId>,
        amount: UsdCents,
    },
}

#[derive(Debug)]
pub struct AccrualCycle {
    pub facility_id: CreditFacilityId,
    pub number: u32,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// The day accrued last, if any.
    pub accrued_through: Option<NaiveDate>,
    /// What the cycle has accrued so far.
    pub accrued: UsdCents,
    pub completed: bool,
    events: EntityEvents<AccrualCycleEvent>,
}

/// The last day of `date`'s month.
pub fn end_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1)
        .and_then(|first| first.checked_add_months(Months::new(1)))
        .and_then(|next| next.pred_opt())
        .unwrap_or(date)
}

/// The cycle starting on `first_day` of a facility maturing on `maturity`: to the end of the
/// month, or to the day before maturity if that comes first; `None` when no day is left.
pub fn cycle_from(first_day: NaiveDate, maturity: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    let last_before_maturity = maturity.pred_opt()?;
    (first_day <= last_before_maturity)
        .then(|| (first_day, end_of_month(first_day).min(last_before_maturity)))
}

pub fn start_cycle(
    id: AccrualCycleId,
    facility_id: CreditFacilityId,
    number: u32,
    (first_day, last_day): (NaiveDate, NaiveDate),
) -> EntityEvents<AccrualCycleEvent> {
    EntityEvents::init(
        id,
        [AccrualCycleEvent::Started {
            facility_id,
            number,
            first_day,
            last_day,
        }],
    )
}

impl AccrualCycle {
    /// Whether `date` is this cycle's next day to accrue: `AlreadyApplied` for a day already
    /// accrued (or any day of a completed cycle); `None` for a day outside the cycle.
    pub fn ensure_accrues(&self, date: NaiveDate) -> Option<Idempotent<()>> {
        if self.completed || self.accrued_through.is_some_and(|d| date <= d) {
            return Some(Idempotent::AlreadyApplied);
        }
        (self.first_day <= date && date <= self.last_day).then_some(Idempotent::Executed(()))
    }

    pub fn accrue(
        &mut self,
        date: NaiveDate,
        principal: UsdCents,
        amount: UsdCents,
        ledger_transaction_id: Option<TransactionId>,
    ) {
        self.accrued_through = Some(date);
        self.accrued = UsdCents::from_minor(
            self.accrued
                .into_minor()
                .saturating_add(amount.into_minor()),
        );
        self.events.push(AccrualCycleEvent::Accrued {
            date,
            principal,
            amount,
            ledger_transaction_id,
        });
    }

    /// The cycle's last day has accrued and it is not completed yet.
    pub fn ensure_completes(&self) -> Idempotent<()> {
        if !self.completed && self.accrued_through == Some(self.last_day) {
            Idempotent::Executed(())
        } else {
            Idempotent::AlreadyApplied
        }
    }

    pub fn complete(&mut self, obligation_id: Option<ObligationId>, amount: UsdCents) {
        self.completed = true;
        self.events.push(AccrualCycleEvent::Completed {
            obligation_id,
            amount,
        });
    }

    /// The next cycle's first day.
    pub fn next_first_day(&self) -> Option<NaiveDate> {
        self.last_day.checked_add_days(Days::new(1))
    }
}

impl EsEntity for AccrualCycle {
    type Id = AccrualCycleId;
    type Event = AccrualCycleEvent;

    fn events(&self) -> &EntityEvents<AccrualCycleEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<AccrualCycleEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<AccrualCycleEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(AccrualCycleEvent::Started {
            facility_id,
            number,
            first_day,
            last_day,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut cycle = Self {
            facility_id: *facility_id,
            number: *number,
            first_day: *first_day,
            last_day: *last_day,
            accrued_through: None,
            accrued: UsdCents::ZERO,
            completed: false,
            events: EntityEvents::init(events.entity_id(), []),
        };
        for event in iter {
            match event {
                AccrualCycleEvent::Started { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "started twice".into(),
                    });
                }
                AccrualCycleEvent::Accrued { date, amount, .. } => {
                    cycle.accrued_through = Some(*date);
                    cycle.accrued = UsdCents::from_minor(
                        cycle
                            .accrued
                            .into_minor()
                            .saturating_add(amount.into_minor()),
                    );
                }
                AccrualCycleEvent::Completed { .. } => cycle.completed = true,
            }
        }
        cycle.events = events;
        Ok(cycle)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn cycles_end_with_the_month_or_the_day_before_maturity() {
        let maturity = date("2028-01-15");
        assert_eq!(
            cycle_from(date("2027-01-15"), maturity),
            Some((date("2027-01-15"), date("2027-01-31")))
        );
        assert_eq!(
            cycle_from(date("2027-02-01"), maturity),
            Some((date("2027-02-01"), date("2027-02-28")))
        );
        assert_eq!(
            cycle_from(date("2028-01-01"), maturity),
            Some((date("2028-01-01"), date("2028-01-14")))
        );
        assert_eq!(cycle_from(date("2028-01-15"), maturity), None);
        assert_eq!(end_of_month(date("2028-02-03")), date("2028-02-29"));
    }

    #[test]
    fn each_day_accrues_once_and_the_last_one_completes_it() {
        let events = start_cycle(
            AccrualCycleId::new(),
            CreditFacilityId::new(),
            1,
            (date("2027-01-30"), date("2027-01-31")),
        );
        let mut cycle = AccrualCycle::try_from_events(events).unwrap();
        assert_eq!(cycle.ensure_accrues(date("2027-01-29")), None);
        assert_eq!(
            cycle.ensure_accrues(date("2027-01-30")),
            Some(Idempotent::Executed(()))
        );
        cycle.accrue(
            date("2027-01-30"),
            UsdCents::from_minor(1_000_000),
            UsdCents::from_minor(329),
            None,
        );
        assert_eq!(
            cycle.ensure_accrues(date("2027-01-30")),
            Some(Idempotent::AlreadyApplied)
        );
        assert!(cycle.ensure_completes().was_already_applied());
        cycle.accrue(
            date("2027-01-31"),
            UsdCents::from_minor(1_000_000),
            UsdCents::from_minor(329),
            None,
        );
        assert!(cycle.ensure_completes().did_execute());
        cycle.complete(None, UsdCents::from_minor(658));
        let rebuilt = AccrualCycle::try_from_events(cycle.events().clone()).unwrap();
        assert_eq!(rebuilt.accrued, UsdCents::from_minor(658));
        assert!(rebuilt.completed);
        assert_eq!(
            rebuilt.ensure_accrues(date("2027-01-31")),
            Some(Idempotent::AlreadyApplied)
        );
        assert_eq!(rebuilt.next_first_day(), Some(date("2027-02-01")));
    }
}
