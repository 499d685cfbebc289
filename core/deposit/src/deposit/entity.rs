use crate::primitives::{Amount, DepositAccountId, DepositId, Reference};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use ledger::TransactionId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DepositEvent {
    Initialized {
        account_id: DepositAccountId,
        amount: Amount,
        reference: Reference,
        ledger_transaction_id: TransactionId,
    },
    Reverted {
        ledger_transaction_id: TransactionId,
    },
}

/// Money received into a deposit account (settled at once).
#[derive(Debug)]
pub struct Deposit {
    pub account_id: DepositAccountId,
    pub amount: Amount,
    pub reference: Reference,
    pub ledger_transaction_id: TransactionId,
    pub reverted: bool,
    events: EntityEvents<DepositEvent>,
}

pub struct NewDeposit {
    pub id: DepositId,
    pub account_id: DepositAccountId,
    pub amount: Amount,
    pub reference: Reference,
    pub ledger_transaction_id: TransactionId,
}

impl NewDeposit {
    pub fn into_events(self) -> EntityEvents<DepositEvent> {
        EntityEvents::init(
            self.id,
            [DepositEvent::Initialized {
                account_id: self.account_id,
                amount: self.amount,
                reference: self.reference,
                ledger_transaction_id: self.ledger_transaction_id,
            }],
        )
    }
}

impl Deposit {
    /// Reverting twice appends nothing the second time.
    pub fn revert(&mut self, ledger_transaction_id: TransactionId) -> Idempotent<()> {
        if self.reverted {
            return Idempotent::AlreadyApplied;
        }
        self.reverted = true;
        self.events.push(DepositEvent::Reverted {
            ledger_transaction_id,
        });
        Idempotent::Executed(())
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Deposit {
    type Id = DepositId;
    type Event = DepositEvent;

    fn events(&self) -> &EntityEvents<DepositEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<DepositEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<DepositEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(DepositEvent::Initialized {
            account_id,
            amount,
            reference,
            ledger_transaction_id,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut reverted = false;
        for event in iter {
            match event {
                DepositEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                DepositEvent::Reverted { .. } => reverted = true,
            }
        }
        Ok(Self {
            account_id: *account_id,
            amount: *amount,
            reference: reference.clone(),
            ledger_transaction_id: *ledger_transaction_id,
            reverted,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deposit_reverts_once() {
        let mut d = Deposit::try_from_events(
            NewDeposit {
                id: DepositId::new(),
                account_id: DepositAccountId::new(),
                amount: Amount::parse(money::UsdCents::from_minor(500)).unwrap(),
                reference: Reference::default(),
                ledger_transaction_id: TransactionId::new(),
            }
            .into_events(),
        )
        .unwrap();
        assert!(d.revert(TransactionId::new()).did_execute());
        assert!(d.revert(TransactionId::new()).was_already_applied());
        assert_eq!(d.events().new_events().len(), 2);
    }
}
