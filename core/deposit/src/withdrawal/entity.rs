//! A withdrawal's life: initiated (funds held in the pending layer, approval requested) ->
//! approved or denied by governance -> confirmed (settled) by staff; cancelled by staff before it
//! is confirmed; a confirmed one can be reverted. Denial and cancellation release the hold.
//!
//! Every step is a command that returns `Idempotent`: a step already taken is `AlreadyApplied`
//! and appends nothing. Steps that post to the ledger are checked first (`ensure_*`), so nothing
//! is posted for a step that is refused or already taken, then recorded with the posting.

use crate::account::DepositAccount;
use crate::error::DepositError;
use crate::primitives::{Amount, DepositAccountId, Reference, WithdrawalId, WithdrawalStatus};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use ledger::TransactionId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WithdrawalEvent {
    Initialized {
        account_id: DepositAccountId,
        amount: Amount,
        reference: Reference,
        approval_process_id: Uuid,
        hold_transaction_id: TransactionId,
    },
    Approved,
    Denied {
        reason: Option<String>,
        release_transaction_id: TransactionId,
    },
    Cancelled {
        release_transaction_id: TransactionId,
    },
    Confirmed {
        ledger_transaction_id: TransactionId,
    },
    Reverted {
        ledger_transaction_id: TransactionId,
    },
}

#[derive(Debug)]
pub struct Withdrawal {
    pub account_id: DepositAccountId,
    pub amount: Amount,
    pub reference: Reference,
    pub approval_process_id: Uuid,
    pub hold_transaction_id: TransactionId,
    pub status: WithdrawalStatus,
    pub denial_reason: Option<String>,
    events: EntityEvents<WithdrawalEvent>,
}

/// A withdrawal decided, before its hold and approval process exist.
pub struct NewWithdrawal {
    id: WithdrawalId,
    account_id: DepositAccountId,
    amount: Amount,
    reference: Reference,
}

impl NewWithdrawal {
    /// Money leaves only an active account (the ledger's limit refuses more than is available).
    pub fn try_new(
        id: WithdrawalId,
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

    pub fn into_events(
        self,
        approval_process_id: Uuid,
        hold_transaction_id: TransactionId,
    ) -> EntityEvents<WithdrawalEvent> {
        EntityEvents::init(
            self.id,
            [WithdrawalEvent::Initialized {
                account_id: self.account_id,
                amount: self.amount,
                reference: self.reference,
                approval_process_id,
                hold_transaction_id,
            }],
        )
    }
}

impl Withdrawal {
    fn invalid(&self, action: &'static str) -> DepositError {
        DepositError::InvalidWithdrawalTransition {
            id: self.id(),
            status: self.status,
            action,
        }
    }

    /// Whether governance's conclusion still concerns the withdrawal: only one awaiting approval
    /// takes it; one cancelled meanwhile (or a redelivered conclusion) has nothing to do.
    pub fn ensure_awaiting_approval(&self) -> Result<Idempotent<()>, DepositError> {
        Ok(if self.status == WithdrawalStatus::PendingApproval {
            Idempotent::Executed(())
        } else {
            Idempotent::AlreadyApplied
        })
    }

    /// Governance approved.
    pub fn approve(&mut self) -> Result<Idempotent<()>, DepositError> {
        let check = self.ensure_awaiting_approval()?;
        if check.did_execute() {
            self.status = WithdrawalStatus::Approved;
            self.events.push(WithdrawalEvent::Approved);
        }
        Ok(check)
    }

    /// Governance denied; `release_transaction_id` released the hold.
    pub fn deny(
        &mut self,
        reason: Option<String>,
        release_transaction_id: TransactionId,
    ) -> Result<Idempotent<()>, DepositError> {
        let check = self.ensure_awaiting_approval()?;
        if check.did_execute() {
            self.status = WithdrawalStatus::Denied;
            self.denial_reason.clone_from(&reason);
            self.events.push(WithdrawalEvent::Denied {
                reason,
                release_transaction_id,
            });
        }
        Ok(check)
    }

    pub fn ensure_cancellable(&self) -> Result<Idempotent<()>, DepositError> {
        match self.status {
            WithdrawalStatus::Cancelled => Ok(Idempotent::AlreadyApplied),
            WithdrawalStatus::PendingApproval | WithdrawalStatus::Approved => {
                Ok(Idempotent::Executed(()))
            }
            _ => Err(self.invalid("cancel")),
        }
    }

    pub fn cancel(
        &mut self,
        release_transaction_id: TransactionId,
    ) -> Result<Idempotent<()>, DepositError> {
        let check = self.ensure_cancellable()?;
        if check.did_execute() {
            self.status = WithdrawalStatus::Cancelled;
            self.events.push(WithdrawalEvent::Cancelled {
                release_transaction_id,
            });
        }
        Ok(check)
    }

    pub fn ensure_confirmable(&self) -> Result<Idempotent<()>, DepositError> {
        match self.status {
            WithdrawalStatus::Confirmed => Ok(Idempotent::AlreadyApplied),
            WithdrawalStatus::Approved => Ok(Idempotent::Executed(())),
            WithdrawalStatus::PendingApproval => {
                Err(DepositError::WithdrawalNotApproved(self.id()))
            }
            _ => Err(self.invalid("confirm")),
        }
    }

    pub fn confirm(
        &mut self,
        ledger_transaction_id: TransactionId,
    ) -> Result<Idempotent<()>, DepositError> {
        let check = self.ensure_confirmable()?;
        if check.did_execute() {
            self.status = WithdrawalStatus::Confirmed;
            self.events.push(WithdrawalEvent::Confirmed {
                ledger_transaction_id,
            });
        }
        Ok(check)
    }

    pub fn ensure_revertible(&self) -> Result<Idempotent<()>, DepositError> {
        match self.status {
            WithdrawalStatus::Reverted => Ok(Idempotent::AlreadyApplied),
            WithdrawalStatus::Confirmed => Ok(Idempotent::Executed(())),
            _ => Err(self.invalid("revert")),
        }
    }

    pub fn revert(
        &mut self,
        ledger_transaction_id: TransactionId,
    ) -> Result<Idempotent<()>, DepositError> {
        let check = self.ensure_revertible()?;
        if check.did_execute() {
            self.status = WithdrawalStatus::Reverted;
            self.events.push(WithdrawalEvent::Reverted {
                ledger_transaction_id,
            });
        }
        Ok(check)
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Withdrawal {
    type Id = WithdrawalId;
    type Event = WithdrawalEvent;

    fn events(&self) -> &EntityEvents<WithdrawalEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<WithdrawalEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<WithdrawalEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(WithdrawalEvent::Initialized {
            account_id,
            amount,
            reference,
            approval_process_id,
            hold_transaction_id,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (mut status, mut denial_reason) = (WithdrawalStatus::PendingApproval, None);
        for event in iter {
            status = match event {
                WithdrawalEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                WithdrawalEvent::Approved => WithdrawalStatus::Approved,
                WithdrawalEvent::Denied { reason, .. } => {
                    denial_reason.clone_from(reason);
                    WithdrawalStatus::Denied
                }
                WithdrawalEvent::Cancelled { .. } => WithdrawalStatus::Cancelled,
                WithdrawalEvent::Confirmed { .. } => WithdrawalStatus::Confirmed,
                WithdrawalEvent::Reverted { .. } => WithdrawalStatus::Reverted,
            };
        }
        Ok(Self {
            account_id: *account_id,
            amount: *amount,
            reference: reference.clone(),
            approval_process_id: *approval_process_id,
            hold_transaction_id: *hold_transaction_id,
            status,
            denial_reason,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn withdrawal() -> Withdrawal {
        let new = NewWithdrawal {
            id: WithdrawalId::new(),
            account_id: DepositAccountId::new(),
            amount: Amount::parse(money::UsdCents::from_minor(1_000)).unwrap(),
            reference: Reference::default(),
        };
        Withdrawal::try_from_events(new.into_events(Uuid::new_v4(), TransactionId::new())).unwrap()
    }

    #[test]
    fn it_cannot_be_confirmed_before_approval_and_confirms_once() {
        let mut w = withdrawal();
        assert!(matches!(
            w.confirm(TransactionId::new()),
            Err(DepositError::WithdrawalNotApproved(_))
        ));
        assert!(w.approve().unwrap().did_execute());
        assert_eq!(w.status, WithdrawalStatus::Approved);
        // a redelivered conclusion changes nothing
        assert!(w.approve().unwrap().was_already_applied());
        assert!(w.confirm(TransactionId::new()).unwrap().did_execute());
        assert!(
            w.confirm(TransactionId::new())
                .unwrap()
                .was_already_applied()
        );
        assert!(matches!(
            w.cancel(TransactionId::new()),
            Err(DepositError::InvalidWithdrawalTransition {
                action: "cancel",
                ..
            })
        ));
        assert!(w.revert(TransactionId::new()).unwrap().did_execute());
        assert!(
            w.revert(TransactionId::new())
                .unwrap()
                .was_already_applied()
        );
        let rebuilt = Withdrawal::try_from_events(w.events().clone()).unwrap();
        assert_eq!(rebuilt.status, WithdrawalStatus::Reverted);
    }

    #[test]
    fn a_denial_ends_it() {
        let mut w = withdrawal();
        assert!(w.ensure_awaiting_approval().unwrap().did_execute());
        assert!(
            w.deny(Some("too large".into()), TransactionId::new())
                .unwrap()
                .did_execute()
        );
        assert_eq!(w.status, WithdrawalStatus::Denied);
        assert_eq!(w.denial_reason.as_deref(), Some("too large"));
        assert!(w.ensure_awaiting_approval().unwrap().was_already_applied());
        for result in [
            w.confirm(TransactionId::new()).map(|_| ()),
            w.cancel(TransactionId::new()).map(|_| ()),
            w.revert(TransactionId::new()).map(|_| ()),
        ] {
            assert!(matches!(
                result,
                Err(DepositError::InvalidWithdrawalTransition { .. })
            ));
        }
        let rebuilt = Withdrawal::try_from_events(w.events().clone()).unwrap();
        assert_eq!(rebuilt.denial_reason.as_deref(), Some("too large"));
    }

    #[test]
    fn a_cancelled_withdrawal_ignores_a_late_approval() {
        let mut w = withdrawal();
        assert!(w.cancel(TransactionId::new()).unwrap().did_execute());
        assert!(
            w.cancel(TransactionId::new())
                .unwrap()
                .was_already_applied()
        );
        assert!(w.approve().unwrap().was_already_applied());
        assert_eq!(w.status, WithdrawalStatus::Cancelled);
    }
}
