//! Withdrawals: held, approved under governance, confirmed, cancelled, denied or reverted.
//!
//! Initiating holds the amount in the pending layer and starts the approval process in the same
//! transaction; the conclusion arrives through the outbox (`handlers::WithdrawalApprovalHandler`).
//! Under an automatic policy the process is approved at once, and so is the withdrawal.

mod entity;
mod repo;

pub use entity::{Withdrawal, WithdrawalEvent};
pub(crate) use repo::WithdrawalRepo;

use crate::Deposits;
use crate::error::DepositError;
use crate::ledger::PostingKind;
use crate::ledger::templates::{ConfirmWithdrawal, HoldWithdrawal, Movement, RevertWithdrawal};
use crate::primitives::{Amount, DepositAccountId, Reference, WithdrawalId, permissions};
use authz::Actor;
use core_governance::{ApprovalProcessId, ApprovalProcessStatus, ProcessType};
use entity::NewWithdrawal;
use es::{DbOp, EsEntity, RowLock};
use idempotency::IdempotencyKey;
use use_case::Idempotency;

/// The two settled movements of a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settlement {
    Confirm,
    Revert,
}

impl Deposits {
    /// Holds the amount (pending layer) and starts the withdrawal's approval, in one transaction.
    /// With `key`, the same key and request again return the first withdrawal.
    pub async fn initiate_withdrawal(
        &self,
        actor: &Actor,
        account_id: DepositAccountId,
        amount: Amount,
        reference: Reference,
        key: Option<&IdempotencyKey>,
    ) -> Result<Withdrawal, DepositError> {
        use permissions::{WITHDRAWALS, WRITE};
        let reference = &reference;
        let idempotency = Idempotency {
            operation: "withdrawal-initiate",
            key,
            request: (account_id, amount, &reference),
        };
        self.use_cases
            .idempotent_command(
                actor,
                WITHDRAWALS,
                WRITE,
                idempotency,
                &self.withdrawals,
                |id| {
                    async move |op| {
                        let account = self
                            .accounts
                            .lock_in_op(op, account_id, RowLock::Share)
                            .await?;
                        let new = NewWithdrawal::try_new(id, &account, amount, reference.clone())?;
                        let tx = self.ledger.posting(
                            HoldWithdrawal,
                            PostingKind::WithdrawalHold,
                            id,
                            &Movement::of(&account, amount),
                            self.business_date(op),
                        );
                        let hold = self.ledger.post_in_op(op, account_id, tx).await?;
                        let process = self
                            .governance
                            .start_process_in_op(op, &ProcessType::WITHDRAW, id)
                            .await?;
                        let mut withdrawal = self
                            .withdrawals
                            .create_in_op(op, new.into_events(process.id().into(), hold.id))
                            .await?;
                        if process.status == ApprovalProcessStatus::Approved
                            && withdrawal.approve()?.did_execute()
                        {
                            self.withdrawals.update_in_op(op, &mut withdrawal).await?;
                        }
                        Ok(withdrawal)
                    }
                },
            )
            .await
    }

    /// Settles an approved withdrawal: the hold is released and the amount leaves the account.
    pub async fn confirm_withdrawal(
        &self,
        actor: &Actor,
        id: WithdrawalId,
    ) -> Result<Withdrawal, DepositError> {
        self.settle_withdrawal(actor, id, Settlement::Confirm).await
    }

    /// Undoes a confirmed withdrawal: the amount comes back to the account.
    pub async fn revert_withdrawal(
        &self,
        actor: &Actor,
        id: WithdrawalId,
    ) -> Result<Withdrawal, DepositError> {
        self.settle_withdrawal(actor, id, Settlement::Revert).await
    }

    /// Confirming and reverting a withdrawal: both post a settled movement on an active account.
    async fn settle_withdrawal(
        &self,
        actor: &Actor,
        id: WithdrawalId,
        step: Settlement,
    ) -> Result<Withdrawal, DepositError> {
        use permissions::{WITHDRAWALS, WRITE};
        self.use_cases
            .command(actor, WITHDRAWALS, WRITE, || {
                async move |op| {
                    let mut withdrawal = self.withdrawals.find_by_id_in_op(op, id).await?;
                    let ready = match step {
                        Settlement::Confirm => withdrawal.ensure_confirmable()?,
                        Settlement::Revert => withdrawal.ensure_revertible()?,
                    };
                    if ready.was_already_applied() {
                        return Ok(withdrawal);
                    }
                    let account = self
                        .accounts
                        .lock_in_op(op, withdrawal.account_id, RowLock::Share)
                        .await?;
                    account.ensure_active()?;
                    let movement = Movement::of(&account, withdrawal.amount);
                    let today = self.business_date(op);
                    let tx = match step {
                        Settlement::Confirm => self.ledger.posting(
                            ConfirmWithdrawal,
                            PostingKind::WithdrawalConfirm,
                            id,
                            &movement,
                            today,
                        ),
                        Settlement::Revert => self.ledger.posting(
                            RevertWithdrawal,
                            PostingKind::WithdrawalRevert,
                            id,
                            &movement,
                            today,
                        ),
                    };
                    let posted = self.ledger.post_in_op(op, account.id(), tx).await?;
                    // `ensure_*` decided above; this records the posting.
                    let _ = match step {
                        Settlement::Confirm => withdrawal.confirm(posted.id)?,
                        Settlement::Revert => withdrawal.revert(posted.id)?,
                    };
                    self.withdrawals.update_in_op(op, &mut withdrawal).await?;
                    Ok(withdrawal)
                }
            })
            .await
    }

    /// Cancels a withdrawal that is not confirmed yet and releases its hold.
    pub async fn cancel_withdrawal(
        &self,
        actor: &Actor,
        id: WithdrawalId,
    ) -> Result<Withdrawal, DepositError> {
        use permissions::{WITHDRAWALS, WRITE};
        self.use_cases
            .command(actor, WITHDRAWALS, WRITE, || {
                async move |op| {
                    let mut withdrawal = self.withdrawals.find_by_id_in_op(op, id).await?;
                    if withdrawal.ensure_cancellable()?.was_already_applied() {
                        return Ok(withdrawal);
                    }
                    let released = self.release_hold_in_op(op, &withdrawal).await?;
                    let _ = withdrawal.cancel(released)?;
                    self.withdrawals.update_in_op(op, &mut withdrawal).await?;
                    Ok(withdrawal)
                }
            })
            .await
    }

    /// Reverses the withdrawal's hold, after locking its account.
    async fn release_hold_in_op(
        &self,
        op: &mut DbOp,
        withdrawal: &Withdrawal,
    ) -> Result<ledger::TransactionId, DepositError> {
        self.accounts
            .lock_in_op(op, withdrawal.account_id, RowLock::Share)
            .await?;
        let posted = self
            .ledger
            .reverse_in_op(
                op,
                withdrawal.account_id,
                withdrawal.hold_transaction_id,
                PostingKind::WithdrawalRelease,
                withdrawal.id(),
                self.business_date(op),
            )
            .await?;
        Ok(posted.id)
    }

    pub async fn find_withdrawal(
        &self,
        actor: &Actor,
        id: WithdrawalId,
    ) -> Result<Option<Withdrawal>, DepositError> {
        use permissions::{READ, WITHDRAWALS};
        self.use_cases
            .query(actor, WITHDRAWALS, READ, async || {
                Ok(self.withdrawals.maybe_find_by_id(id).await?)
            })
            .await
    }

    /// Applies governance's conclusion to the withdrawal it concerns, in the caller's transaction
    /// (the outbox handler's); a denial releases the hold. Idempotent: delivery is at least once.
    pub(crate) async fn apply_approval_conclusion_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        process_id: ApprovalProcessId,
        approved: bool,
        reason: Option<String>,
    ) -> Result<(), DepositError> {
        use permissions::{WITHDRAWALS, WRITE};
        self.use_cases
            .authorize_in_op(op, actor, WITHDRAWALS, WRITE)
            .await?;
        let process_id = uuid::Uuid::from(process_id);
        let Some(mut withdrawal) = self
            .withdrawals
            .find_one_by_in_op(op, "approval_process_id", process_id)
            .await?
        else {
            tracing::warn!(%process_id, "approval concluded for no known withdrawal; ignored");
            return Ok(());
        };
        if withdrawal.ensure_awaiting_approval()?.was_already_applied() {
            return Ok(());
        }
        // `ensure_awaiting_approval` decided above; these record the outcome.
        let _ = if approved {
            withdrawal.approve()?
        } else {
            let released = self.release_hold_in_op(op, &withdrawal).await?;
            withdrawal.deny(reason, released)?
        };
        self.withdrawals.update_in_op(op, &mut withdrawal).await?;
        Ok(())
    }
}
