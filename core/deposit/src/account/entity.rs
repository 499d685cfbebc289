use crate::error::DepositError;
use crate::primitives::{AccountStatus, Activity, CustomerId, DepositAccountId};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use ledger::AccountId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DepositAccountEvent {
    Initialized {
        customer_id: CustomerId,
        public_id: String,
        ledger_account_id: AccountId,
        frozen_ledger_account_id: AccountId,
        omnibus_account_id: AccountId,
    },
    Frozen,
    Unfrozen,
    Closed,
    ActivityUpdated {
        activity: Activity,
    },
}

/// A customer's deposit account. The money is in the ledger: `ledger_account_id` (a liability
/// with no overdraft) and, while frozen, `frozen_ledger_account_id`; the bank's side of every
/// posting is `omnibus_account_id`, one shard of the deposit omnibus account set.
#[derive(Debug)]
pub struct DepositAccount {
    pub customer_id: CustomerId,
    pub public_id: String,
    pub ledger_account_id: AccountId,
    pub frozen_ledger_account_id: AccountId,
    pub omnibus_account_id: AccountId,
    pub status: AccountStatus,
    pub activity: Activity,
    events: EntityEvents<DepositAccountEvent>,
}

pub struct NewDepositAccount {
    pub id: DepositAccountId,
    pub customer_id: CustomerId,
    pub public_id: String,
    pub ledger_account_id: AccountId,
    pub frozen_ledger_account_id: AccountId,
    pub omnibus_account_id: AccountId,
}

impl NewDepositAccount {
    pub fn into_events(self) -> EntityEvents<DepositAccountEvent> {
        EntityEvents::init(
            self.id,
            [DepositAccountEvent::Initialized {
                customer_id: self.customer_id,
                public_id: self.public_id,
                ledger_account_id: self.ledger_account_id,
                frozen_ledger_account_id: self.frozen_ledger_account_id,
                omnibus_account_id: self.omnibus_account_id,
            }],
        )
    }
}

impl DepositAccount {
    /// Deposits and withdrawals need an active account.
    pub fn ensure_active(&self) -> Result<(), DepositError> {
        match self.status {
            AccountStatus::Active => Ok(()),
            AccountStatus::Frozen => Err(DepositError::AccountFrozen(self.id())),
            AccountStatus::Closed => Err(DepositError::AccountClosed(self.id())),
        }
    }

    pub fn freeze(&mut self) -> Result<Idempotent<()>, DepositError> {
        match self.status {
            AccountStatus::Frozen => Ok(Idempotent::AlreadyApplied),
            AccountStatus::Closed => Err(DepositError::AccountClosed(self.id())),
            AccountStatus::Active => {
                self.status = AccountStatus::Frozen;
                self.events.push(DepositAccountEvent::Frozen);
                Ok(Idempotent::Executed(()))
            }
        }
    }

    pub fn unfreeze(&mut self) -> Result<Idempotent<()>, DepositError> {
        match self.status {
            AccountStatus::Active => Ok(Idempotent::AlreadyApplied),
            AccountStatus::Closed => Err(DepositError::AccountClosed(self.id())),
            AccountStatus::Frozen => {
                self.status = AccountStatus::Active;
                self.events.push(DepositAccountEvent::Unfrozen);
                Ok(Idempotent::Executed(()))
            }
        }
    }

    /// Closing needs an active (not frozen) account; the caller checks the balance is zero.
    pub fn close(&mut self) -> Result<Idempotent<()>, DepositError> {
        match self.status {
            AccountStatus::Closed => Ok(Idempotent::AlreadyApplied),
            AccountStatus::Frozen => Err(DepositError::AccountFrozen(self.id())),
            AccountStatus::Active => {
                self.status = AccountStatus::Closed;
                self.events.push(DepositAccountEvent::Closed);
                Ok(Idempotent::Executed(()))
            }
        }
    }

    pub fn update_activity(&mut self, activity: Activity) -> Idempotent<()> {
        if self.activity == activity || self.status == AccountStatus::Closed {
            return Idempotent::AlreadyApplied;
        }
        self.activity = activity;
        self.events
            .push(DepositAccountEvent::ActivityUpdated { activity });
        Idempotent::Executed(())
    }

    /// A number that changes with every event: part of the external ids of freeze postings.
    pub fn version(&self) -> i32 {
        self.events.version() + i32::try_from(self.events.new_events().len()).unwrap_or(0)
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for DepositAccount {
    type Id = DepositAccountId;
    type Event = DepositAccountEvent;

    fn events(&self) -> &EntityEvents<DepositAccountEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<DepositAccountEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<DepositAccountEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(DepositAccountEvent::Initialized {
            customer_id,
            public_id,
            ledger_account_id,
            frozen_ledger_account_id,
            omnibus_account_id,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (mut status, mut activity) = (AccountStatus::Active, Activity::Active);
        for event in iter {
            match event {
                DepositAccountEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                DepositAccountEvent::Frozen => status = AccountStatus::Frozen,
                DepositAccountEvent::Unfrozen => status = AccountStatus::Active,
                DepositAccountEvent::Closed => status = AccountStatus::Closed,
                DepositAccountEvent::ActivityUpdated { activity: a } => activity = *a,
            }
        }
        Ok(Self {
            customer_id: *customer_id,
            public_id: public_id.clone(),
            ledger_account_id: *ledger_account_id,
            frozen_ledger_account_id: *frozen_ledger_account_id,
            omnibus_account_id: *omnibus_account_id,
            status,
            activity,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account() -> DepositAccount {
        DepositAccount::try_from_events(
            NewDepositAccount {
                id: DepositAccountId::new(),
                customer_id: CustomerId::new(),
                public_id: "1000".into(),
                ledger_account_id: AccountId::new(),
                frozen_ledger_account_id: AccountId::new(),
                omnibus_account_id: AccountId::new(),
            }
            .into_events(),
        )
        .unwrap()
    }

    #[test]
    fn freeze_unfreeze_close_transitions() {
        // given an active account
        let mut a = account();
        assert!(a.ensure_active().is_ok());
        // when frozen: no money moves and it cannot close
        assert!(a.freeze().unwrap().did_execute());
        assert!(a.freeze().unwrap().was_already_applied());
        assert!(matches!(
            a.ensure_active(),
            Err(DepositError::AccountFrozen(_))
        ));
        assert!(matches!(a.close(), Err(DepositError::AccountFrozen(_))));
        // when unfrozen it can close, and a closed account stays closed
        assert!(a.unfreeze().unwrap().did_execute());
        assert!(a.close().unwrap().did_execute());
        assert!(a.close().unwrap().was_already_applied());
        assert!(matches!(a.freeze(), Err(DepositError::AccountClosed(_))));
        assert!(matches!(a.unfreeze(), Err(DepositError::AccountClosed(_))));
        assert!(matches!(
            a.ensure_active(),
            Err(DepositError::AccountClosed(_))
        ));
        assert!(a.update_activity(Activity::Inactive).was_already_applied());
        let rebuilt = DepositAccount::try_from_events(a.events().clone()).unwrap();
        assert_eq!(rebuilt.status, AccountStatus::Closed);
    }

    #[test]
    fn activity_changes_append_once() {
        let mut a = account();
        assert!(a.update_activity(Activity::Active).was_already_applied());
        assert!(a.update_activity(Activity::Inactive).did_execute());
        assert!(a.update_activity(Activity::Inactive).was_already_applied());
        assert_eq!(a.version(), 2);
    }
}
