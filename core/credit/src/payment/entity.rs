//! A payment: money received for a facility (from the customer's deposit account or from
//! outside the bank) into its payment holding account, then allocated to obligations as they
//! fall due. What is not allocated yet is its unapplied part.

use crate::primitives::{CreditFacilityId, ObligationId, PaymentId, PaymentSource};
use chrono::NaiveDate;
use es::{EntityEvents, EsEntity, EsEntityError};
use ledger::TransactionId;
use money::UsdCents;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PaymentEvent {
    Recorded {
        facility_id: CreditFacilityId,
        amount: UsdCents,
        source: PaymentSource,
        /// The business date it was paid on (before today only when back-dated).
        effective: NaiveDate,
        ledger_transaction_id: TransactionId,
    },
    /// `amount` applied to `obligation_id` as of `date` by `ledger_transaction_id`.
    Allocated {
        obligation_id: ObligationId,
        amount: UsdCents,
        date: NaiveDate,
        ledger_transaction_id: TransactionId,
    },
}

/// One allocation of a payment to an obligation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allocation {
    pub obligation_id: ObligationId,
    pub amount: UsdCents,
    pub date: NaiveDate,
}

#[derive(Debug)]
pub struct Payment {
    pub facility_id: CreditFacilityId,
    pub amount: UsdCents,
    pub source: PaymentSource,
    pub effective: NaiveDate,
    pub allocations: Vec<Allocation>,
    allocated: UsdCents,
    events: EntityEvents<PaymentEvent>,
}

pub struct NewPayment {
    pub id: PaymentId,
    pub facility_id: CreditFacilityId,
    pub amount: UsdCents,
    pub source: PaymentSource,
    pub effective: NaiveDate,
}

impl NewPayment {
    pub fn into_events(self, ledger_transaction_id: TransactionId) -> EntityEvents<PaymentEvent> {
        EntityEvents::init(
            self.id,
            [PaymentEvent::Recorded {
                facility_id: self.facility_id,
                amount: self.amount,
                source: self.source,
                effective: self.effective,
                ledger_transaction_id,
            }],
        )
    }
}

impl Payment {
    /// What is not allocated yet.
    pub fn unapplied(&self) -> UsdCents {
        self.amount
            .checked_sub(self.allocated)
            .unwrap_or(UsdCents::ZERO)
    }

    /// `amount` (at most the unapplied part: the caller took the smaller of it and what the
    /// obligation owes) applied to `obligation_id` as of `date`.
    pub fn allocate(
        &mut self,
        obligation_id: ObligationId,
        amount: UsdCents,
        date: NaiveDate,
        ledger_transaction_id: TransactionId,
    ) {
        self.apply(obligation_id, amount, date);
        self.events.push(PaymentEvent::Allocated {
            obligation_id,
            amount,
            date,
            ledger_transaction_id,
        });
    }

    fn apply(&mut self, obligation_id: ObligationId, amount: UsdCents, date: NaiveDate) {
        self.allocated = self.allocated.checked_add(amount).unwrap_or(self.amount);
        self.allocations.push(Allocation {
            obligation_id,
            amount,
            date,
        });
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Payment {
    type Id = PaymentId;
    type Event = PaymentEvent;

    fn events(&self) -> &EntityEvents<PaymentEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<PaymentEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<PaymentEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(PaymentEvent::Recorded {
            facility_id,
            amount,
            source,
            effective,
            ..
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut payment = Self {
            facility_id: *facility_id,
            amount: *amount,
            source: *source,
            effective: *effective,
            allocations: Vec::new(),
            allocated: UsdCents::ZERO,
            events: EntityEvents::init(events.entity_id(), []),
        };
        for event in iter {
            match event {
                PaymentEvent::Recorded { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "recorded twice".into(),
                    });
                }
                PaymentEvent::Allocated {
                    obligation_id,
                    amount,
                    date,
                    ..
                } => payment.apply(*obligation_id, *amount, *date),
            }
        }
        payment.events = events;
        Ok(payment)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_unapplied_part_shrinks_with_each_allocation_and_is_rebuilt_from_events() {
        let new = NewPayment {
            id: PaymentId::new(),
            facility_id: CreditFacilityId::new(),
            amount: UsdCents::from_minor(25_000),
            source: PaymentSource::External,
            effective: "2027-03-02".parse().unwrap(),
        };
        let mut p = Payment::try_from_events(new.into_events(TransactionId::new())).unwrap();
        assert_eq!(p.unapplied(), UsdCents::from_minor(25_000));
        let (a, b) = (ObligationId::new(), ObligationId::new());
        let day = "2027-03-02".parse().unwrap();
        p.allocate(a, UsdCents::from_minor(15_593), day, TransactionId::new());
        p.allocate(b, UsdCents::from_minor(9_212), day, TransactionId::new());
        assert_eq!(p.unapplied(), UsdCents::from_minor(195));
        let rebuilt = Payment::try_from_events(p.events().clone()).unwrap();
        assert_eq!(rebuilt.unapplied(), UsdCents::from_minor(195));
        assert_eq!(rebuilt.allocations, p.allocations);
        assert_eq!(rebuilt.allocations[1].obligation_id, b);
    }
}
