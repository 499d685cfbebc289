use super::DepositPublicEvent;
use crate::account::{DepositAccount, DepositAccountEvent};
use crate::deposit::{Deposit, DepositEvent};
use crate::withdrawal::{Withdrawal, WithdrawalEvent};
use es::{DbOp, EsEntity, EsRepoError, PersistHook, PersistedEvent};
use outbox::Outbox;

/// Publishes the public event of each persisted entity event, in the same transaction (a hook
/// on every repository of this domain).
#[derive(Clone)]
pub(crate) struct DepositPublisher {
    outbox: Outbox,
}

impl DepositPublisher {
    pub(crate) fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }

    async fn publish(
        &self,
        op: &mut DbOp,
        events: Vec<DepositPublicEvent>,
    ) -> Result<(), EsRepoError> {
        Ok(self.outbox.publish_all_in_op(op, &events).await?)
    }
}

#[async_trait::async_trait]
impl PersistHook<DepositAccount> for DepositPublisher {
    async fn persisted(
        &self,
        op: &mut DbOp,
        account: &DepositAccount,
        new_events: &[PersistedEvent<DepositAccountEvent>],
    ) -> Result<(), EsRepoError> {
        use DepositPublicEvent as P;
        let account_id = account.id();
        let events = new_events
            .iter()
            .map(|e| match &e.event {
                DepositAccountEvent::Initialized { customer_id, .. } => P::DepositAccountOpened {
                    account_id,
                    customer_id: *customer_id,
                },
                DepositAccountEvent::Frozen => P::DepositAccountFrozen { account_id },
                DepositAccountEvent::Unfrozen => P::DepositAccountUnfrozen { account_id },
                DepositAccountEvent::Closed => P::DepositAccountClosed { account_id },
                DepositAccountEvent::ActivityUpdated { activity } => {
                    P::DepositAccountActivityChanged {
                        account_id,
                        activity: *activity,
                    }
                }
            })
            .collect();
        self.publish(op, events).await
    }
}

#[async_trait::async_trait]
impl PersistHook<Deposit> for DepositPublisher {
    async fn persisted(
        &self,
        op: &mut DbOp,
        deposit: &Deposit,
        new_events: &[PersistedEvent<DepositEvent>],
    ) -> Result<(), EsRepoError> {
        let (deposit_id, account_id, amount) =
            (deposit.id(), deposit.account_id, deposit.amount.cents());
        let events = new_events
            .iter()
            .map(|e| match e.event {
                DepositEvent::Initialized { .. } => DepositPublicEvent::DepositRecorded {
                    deposit_id,
                    account_id,
                    amount,
                },
                DepositEvent::Reverted { .. } => DepositPublicEvent::DepositReverted {
                    deposit_id,
                    account_id,
                    amount,
                },
            })
            .collect();
        self.publish(op, events).await
    }
}

#[async_trait::async_trait]
impl PersistHook<Withdrawal> for DepositPublisher {
    async fn persisted(
        &self,
        op: &mut DbOp,
        withdrawal: &Withdrawal,
        new_events: &[PersistedEvent<WithdrawalEvent>],
    ) -> Result<(), EsRepoError> {
        use DepositPublicEvent as P;
        let (withdrawal_id, account_id, amount) = (
            withdrawal.id(),
            withdrawal.account_id,
            withdrawal.amount.cents(),
        );
        let events = new_events
            .iter()
            .map(|e| match &e.event {
                WithdrawalEvent::Initialized { .. } => P::WithdrawalInitiated {
                    withdrawal_id,
                    account_id,
                    amount,
                },
                WithdrawalEvent::Approved => P::WithdrawalApproved {
                    withdrawal_id,
                    account_id,
                },
                WithdrawalEvent::Denied { reason, .. } => P::WithdrawalDenied {
                    withdrawal_id,
                    account_id,
                    reason: reason.clone(),
                },
                WithdrawalEvent::Cancelled { .. } => P::WithdrawalCancelled {
                    withdrawal_id,
                    account_id,
                },
                WithdrawalEvent::Confirmed { .. } => P::WithdrawalConfirmed {
                    withdrawal_id,
                    account_id,
                    amount,
                },
                WithdrawalEvent::Reverted { .. } => P::WithdrawalReverted {
                    withdrawal_id,
                    account_id,
                    amount,
                },
            })
            .collect();
        self.publish(op, events).await
    }
}
