//! A fiscal year: its months close in order; December closes with the year, whose closing
//! transactions move the year's result into retained earnings.

use crate::error::AccountingError;
use crate::primitives::{FiscalYearId, Month, TransactionId};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FiscalYearEvent {
    Opened { year: i32, first_month: u32 },
    MonthClosed { month: u32 },
    YearClosed { transactions: Vec<TransactionId> },
}

#[derive(Debug)]
pub struct FiscalYear {
    pub year: i32,
    /// The first month of the books in this year (the inception month, else January).
    pub first_month: u32,
    /// The last month closed, if any.
    pub closed_through: Option<u32>,
    pub closed: bool,
    pub closing_transactions: Vec<TransactionId>,
    events: EntityEvents<FiscalYearEvent>,
}

pub(crate) fn open_year(
    id: FiscalYearId,
    year: i32,
    first_month: u32,
) -> EntityEvents<FiscalYearEvent> {
    EntityEvents::init(id, [FiscalYearEvent::Opened { year, first_month }])
}

impl FiscalYear {
    /// The month that closes next (`None` once the year is closed).
    pub fn next_open_month(&self) -> Option<Month> {
        if self.closed {
            return None;
        }
        let month = self.closed_through.map_or(self.first_month, |m| m + 1);
        Some(Month {
            year: self.year,
            month,
        })
    }

    /// Whether `month` is closed in this year (months before the books started count as
    /// closed: nothing of the bank's is in them).
    pub fn is_closed(&self, month: Month) -> bool {
        self.closed
            || month.year < self.year
            || (month.year == self.year
                && (month.month < self.first_month
                    || self.closed_through.is_some_and(|m| month.month <= m)))
    }

    pub(crate) fn close_month(&mut self, month: Month) -> Result<Idempotent<()>, AccountingError> {
        if self.is_closed(month) {
            return Ok(Idempotent::AlreadyApplied);
        }
        let open = self.next_open_month().unwrap_or(month);
        if month != open {
            return Err(AccountingError::PeriodNotNext { month, open });
        }
        if month.month == 12 {
            return Err(AccountingError::YearCloseRequired(self.year));
        }
        self.closed_through = Some(month.month);
        self.events
            .push(FiscalYearEvent::MonthClosed { month: month.month });
        Ok(Idempotent::Executed(()))
    }

    /// Checks the year can close now: every month before December closed.
    pub(crate) fn ensure_closes(&self) -> Result<Idempotent<()>, AccountingError> {
        if self.closed {
            return Ok(Idempotent::AlreadyApplied);
        }
        let december = Month {
            year: self.year,
            month: 12,
        };
        match self.next_open_month() {
            Some(open) if open != december => Err(AccountingError::PeriodNotNext {
                month: december,
                open,
            }),
            _ => Ok(Idempotent::Executed(())),
        }
    }

    pub(crate) fn close_year(
        &mut self,
        transactions: Vec<TransactionId>,
    ) -> Result<Idempotent<()>, AccountingError> {
        if self.ensure_closes()?.was_already_applied() {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.closed_through = Some(12);
        self.closed = true;
        self.closing_transactions.clone_from(&transactions);
        self.events.push(FiscalYearEvent::MonthClosed { month: 12 });
        self.events
            .push(FiscalYearEvent::YearClosed { transactions });
        Ok(Idempotent::Executed(()))
    }
}

impl EsEntity for FiscalYear {
    type Id = FiscalYearId;
    type Event = FiscalYearEvent;

    fn events(&self) -> &EntityEvents<FiscalYearEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<FiscalYearEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<FiscalYearEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(FiscalYearEvent::Opened { year, first_month }) = iter.next() else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut fy = FiscalYear {
            year: *year,
            first_month: *first_month,
            closed_through: None,
            closed: false,
            closing_transactions: Vec::new(),
            events: EntityEvents::init(FiscalYearId::new(), []),
        };
        for event in iter {
            match event {
                FiscalYearEvent::Opened { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "opened twice".into(),
                    });
                }
                FiscalYearEvent::MonthClosed { month } => fy.closed_through = Some(*month),
                FiscalYearEvent::YearClosed { transactions } => {
                    fy.closed = true;
                    fy.closing_transactions.clone_from(transactions);
                }
            }
        }
        fy.events = events;
        Ok(fy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(m: u32) -> Month {
        Month::parse(2027, m).unwrap()
    }

    #[test]
    fn months_close_in_order_and_december_only_with_the_year() {
        let mut fy = FiscalYear::try_from_events(open_year(FiscalYearId::new(), 2027, 10)).unwrap();
        assert!(fy.is_closed(month(9)), "before the books started");
        assert!(matches!(
            fy.close_month(month(11)),
            Err(AccountingError::PeriodNotNext { .. })
        ));
        assert!(matches!(
            fy.ensure_closes(),
            Err(AccountingError::PeriodNotNext { .. })
        ));
        assert!(fy.close_month(month(10)).unwrap().did_execute());
        assert!(fy.close_month(month(10)).unwrap().was_already_applied());
        assert!(fy.close_month(month(11)).unwrap().did_execute());
        assert!(matches!(
            fy.close_month(month(12)),
            Err(AccountingError::YearCloseRequired(2027))
        ));
        let tx = TransactionId::new();
        assert!(fy.close_year(vec![tx]).unwrap().did_execute());
        assert!(fy.close_year(vec![]).unwrap().was_already_applied());
        let rebuilt = FiscalYear::try_from_events(fy.events().clone()).unwrap();
        assert!(rebuilt.closed && rebuilt.closing_transactions == vec![tx]);
        assert_eq!(rebuilt.next_open_month(), None);
    }
}
