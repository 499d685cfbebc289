//! A customer's deposit account: its status (active, frozen, closed) and activity class. The money
//! is in the ledger (see `crate::ledger`); the account names its ledger accounts.

use crate::error::DepositError;
use crate::primitives::{AccountBalance, AccountStatus, Activity, CustomerId, DepositAccountId};
use chrono::{DateTime, Utc};
use core_customer::CustomerStatus;
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
    id: DepositAccountId,
    customer_id: CustomerId,
    public_id: String,
    ledger_account_id: AccountId,
    frozen_ledger_account_id: AccountId,
    omnibus_account_id: AccountId,
}

/// Where a new account's money will be kept.
pub struct LedgerAccounts {
    pub main: AccountId,
    pub frozen: AccountId,
    pub omnibus: AccountId,
}

impl NewDepositAccount {
    /// An account for a customer in `customer_status`: only active customers get one.
    pub fn try_new(
        id: DepositAccountId,
        customer_id: CustomerId,
        customer_status: CustomerStatus,
        public_id: String,
        ledger: LedgerAccounts,
    ) -> Result<Self, DepositError> {
        if customer_status != CustomerStatus::Active {
            return Err(DepositError::CustomerNotActive(customer_id));
        }
        Ok(Self {
            id,
            customer_id,
            public_id,
            ledger_account_id: ledger.main,
            frozen_ledger_account_id: ledger.frozen,
            omnibus_account_id: ledger.omnibus,
        })
    }

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

/// The class of an account last active at `last`, on `now`: inactive after `inactive_after` idle
/// days, escheatable after a further `escheatable_after`.
pub(crate) fn classify(
    last: DateTime<Utc>,
    now: DateTime<Utc>,
    inactive_after: u32,
    escheatable_after: u32,
) -> Activity {
    let idle_days = (now - last).num_days();
    let inactive_after = i64::from(inactive_after);
    if idle_days >= inactive_after + i64::from(escheatable_after) {
        Activity::Escheatable
    } else if idle_days >= inactive_after {
        Activity::Inactive
    } else {
        Activity::Active
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

    /// Closing needs an active (not frozen) account with nothing on it: `balance` as read in the
    /// use case's transaction, after it locked the account.
    pub fn close(&mut self, balance: &AccountBalance) -> Result<Idempotent<()>, DepositError> {
        match self.status {
            AccountStatus::Closed => Ok(Idempotent::AlreadyApplied),
            AccountStatus::Frozen => Err(DepositError::AccountFrozen(self.id())),
            AccountStatus::Active if !balance.is_zero() => {
                Err(DepositError::AccountHasBalance(self.id()))
            }
            AccountStatus::Active => {
                self.status = AccountStatus::Closed;
                self.events.push(DepositAccountEvent::Closed);
                Ok(Idempotent::Executed(()))
            }
        }
    }

    /// Re-evaluates the activity class as of `now` for an account last used at `last_activity`.
    /// Closed accounts keep theirs.
    pub fn evaluate_activity(
        &mut self,
        last_activity: DateTime<Utc>,
        now: DateTime<Utc>,
        inactive_after: u32,
        escheatable_after: u32,
    ) -> Result<Idempotent<Activity>, DepositError> {
        let activity = classify(last_activity, now, inactive_after, escheatable_after);
        if self.activity == activity || self.status == AccountStatus::Closed {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.activity = activity;
        self.events
            .push(DepositAccountEvent::ActivityUpdated { activity });
        Ok(Idempotent::Executed(activity))
    }

    /// A number that changes with every event: part of the external ids of freeze postings.
    pub fn version(&self) -> i32 {
        self.events.version() + i32::try_from(self.events.new_events().len()).unwrap_or(0)
    }

    pub fn created_at(&self) -> Option<DateTime<Utc>> {
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
    use chrono::TimeZone;
    use money::UsdCents;

    fn ledger() -> LedgerAccounts {
        LedgerAccounts {
            main: AccountId::new(),
            frozen: AccountId::new(),
            omnibus: AccountId::new(),
        }
    }

    fn account() -> DepositAccount {
        let new = NewDepositAccount::try_new(
            DepositAccountId::new(),
            CustomerId::new(),
            CustomerStatus::Active,
            "1000".into(),
            ledger(),
        )
        .unwrap();
        DepositAccount::try_from_events(new.into_events()).unwrap()
    }

    fn balance(settled: u64, pending: u64, frozen: u64) -> AccountBalance {
        AccountBalance {
            settled: UsdCents::from_minor(settled),
            pending: UsdCents::from_minor(pending),
            available: UsdCents::from_minor(settled - pending),
            frozen: UsdCents::from_minor(frozen),
        }
    }

    #[test]
    fn only_active_customers_get_an_account() {
        for status in [CustomerStatus::Frozen, CustomerStatus::Closed] {
            let customer = CustomerId::new();
            let refused = NewDepositAccount::try_new(
                DepositAccountId::new(),
                customer,
                status,
                "1001".into(),
                ledger(),
            );
            assert!(matches!(refused, Err(DepositError::CustomerNotActive(c)) if c == customer));
        }
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
        assert!(matches!(
            a.close(&balance(0, 0, 0)),
            Err(DepositError::AccountFrozen(_))
        ));
        // when unfrozen it closes only at zero, and a closed account stays closed
        assert!(a.unfreeze().unwrap().did_execute());
        for held in [balance(1, 0, 0), balance(5, 5, 0), balance(0, 0, 1)] {
            assert!(matches!(
                a.close(&held),
                Err(DepositError::AccountHasBalance(_))
            ));
        }
        assert!(a.close(&balance(0, 0, 0)).unwrap().did_execute());
        assert!(a.close(&balance(0, 0, 0)).unwrap().was_already_applied());
        assert!(matches!(a.freeze(), Err(DepositError::AccountClosed(_))));
        assert!(matches!(a.unfreeze(), Err(DepositError::AccountClosed(_))));
        assert!(matches!(
            a.ensure_active(),
            Err(DepositError::AccountClosed(_))
        ));
        let rebuilt = DepositAccount::try_from_events(a.events().clone()).unwrap();
        assert_eq!(rebuilt.status, AccountStatus::Closed);
    }

    #[test]
    fn activity_classes_follow_the_thresholds_and_append_once() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 5).unwrap();
        let days_ago = |d| now - chrono::Duration::days(d);
        assert_eq!(classify(days_ago(0), now, 30, 60), Activity::Active);
        assert_eq!(classify(days_ago(29), now, 30, 60), Activity::Active);
        assert_eq!(classify(days_ago(30), now, 30, 60), Activity::Inactive);
        assert_eq!(classify(days_ago(89), now, 30, 60), Activity::Inactive);
        assert_eq!(classify(days_ago(90), now, 30, 60), Activity::Escheatable);

        let mut a = account();
        let evaluate = |a: &mut DepositAccount, idle| {
            a.evaluate_activity(days_ago(idle), now, 30, 60).unwrap()
        };
        assert!(evaluate(&mut a, 1).was_already_applied());
        assert_eq!(
            evaluate(&mut a, 31),
            Idempotent::Executed(Activity::Inactive)
        );
        assert!(evaluate(&mut a, 31).was_already_applied());
        assert_eq!(a.version(), 2);
        assert!(a.close(&balance(0, 0, 0)).unwrap().did_execute());
        assert!(evaluate(&mut a, 100).was_already_applied());
    }
}
