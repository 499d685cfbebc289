//! A deposit: money received into an account, settled at once; it can be reverted once.

use crate::account::DepositAccount;
use crate::error::DepositError;
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

/// A deposit decided, before its posting.
pub struct NewDeposit {
    id: DepositId,
    account_id: DepositAccountId,
    amount: Amount,
    reference: Reference,
}

impl NewDeposit {
    /// Money comes in only on an active account.
    pub fn try_new(
        id: DepositId,
        account: &DepositAccount,
        amount: Amount,
        reference: Reference,
    ) -> Result<Self, DepositError> {
        account.ensure_active()?;
        Ok(Self {
            id,
            account_id: account.id(),
            amount,
            reference,
        })
    }

    pub fn into_events(self, ledger_transaction_id: TransactionId) -> EntityEvents<DepositEvent> {
        EntityEvents::init(
            self.id,
            [DepositEvent::Initialized {
                account_id: self.account_id,
                amount: self.amount,
                reference: self.reference,
                ledger_transaction_id,
            }],
        )
    }
}

impl Deposit {
    /// Whether a revert has anything to do; the account's state is the use case's to check.
    pub fn ensure_revertible(&self) -> Result<Idempotent<()>, DepositError> {
        Ok(if self.reverted {
            Idempotent::AlreadyApplied
        } else {
            Idempotent::Executed(())
        })
    }

    /// Records the posting that took the money back out; a second revert appends nothing.
    pub fn revert(
        &mut self,
        ledger_transaction_id: TransactionId,
    ) -> Result<Idempotent<()>, DepositError> {
        let check = self.ensure_revertible()?;
        if check.did_execute() {
            self.reverted = true;
            self.events.push(DepositEvent::Reverted {
                ledger_transaction_id,
            });
        }
        Ok(check)
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

    fn deposit() -> Deposit {
        let new = NewDeposit {
            id: DepositId::new(),
            account_id: DepositAccountId::new(),
            amount: Amount::parse(money::UsdCents::from_minor(500)).unwrap(),
            reference: Reference::default(),
        };
        Deposit::try_from_events(new.into_events(TransactionId::new())).unwrap()
    }

    #[test]
    fn a_deposit_reverts_once() {
        // given a deposit
        let mut d = deposit();
        // when reverted twice
        assert!(d.revert(TransactionId::new()).unwrap().did_execute());
        assert!(
            d.revert(TransactionId::new())
                .unwrap()
                .was_already_applied()
        );
        // then one revert event was appended
        assert_eq!(d.events().new_events().len(), 2);
        assert!(d.ensure_revertible().unwrap().was_already_applied());
        assert!(
            Deposit::try_from_events(d.events().clone())
                .unwrap()
                .reverted
        );
    }
}
