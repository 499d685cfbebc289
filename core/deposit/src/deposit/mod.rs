//! Deposits: money received into an account, and reverting it.

mod entity;
mod repo;

pub use entity::{Deposit, DepositEvent};
pub(crate) use repo::DepositRepo;

use crate::Deposits;
use crate::error::DepositError;
use crate::ledger::PostingKind;
use crate::ledger::templates::{Movement, RecordDeposit};
use crate::primitives::{Amount, DepositAccountId, DepositId, Reference, permissions};
use authz::Actor;
use entity::NewDeposit;
use es::{EsEntity, RowLock};
use idempotency::IdempotencyKey;
use use_case::Idempotency;

impl Deposits {
    /// Records money received into an active account (settled at once). With `key`, the same key
    /// and request again return the first deposit.
    pub async fn record_deposit(
        &self,
        actor: &Actor,
        account_id: DepositAccountId,
        amount: Amount,
        reference: Reference,
        key: Option<&IdempotencyKey>,
    ) -> Result<Deposit, DepositError> {
        use permissions::{DEPOSITS, WRITE};
        let reference = &reference;
        let idempotency = Idempotency {
            operation: "deposit-record",
            key,
            request: (account_id, amount, &reference),
        };
        self.use_cases
            .idempotent_command(actor, DEPOSITS, WRITE, idempotency, &self.deposits, |id| {
                async move |op| {
                    let account = self
                        .accounts
                        .lock_in_op(op, account_id, RowLock::Share)
                        .await?;
                    let new = NewDeposit::try_new(id, &account, amount, reference.clone())?;
                    let tx = self.ledger.posting(
                        RecordDeposit,
                        PostingKind::Deposit,
                        id,
                        &Movement::of(&account, amount),
                        self.business_date(op),
                    );
                    let posted = self.ledger.post_in_op(op, account_id, tx).await?;
                    Ok(self
                        .deposits
                        .create_in_op(op, new.into_events(posted.id))
                        .await?)
                }
            })
            .await
    }

    /// Takes a deposit back out of an active account (refused when the money is no longer
    /// available). Reverting again changes nothing and returns the deposit.
    pub async fn revert_deposit(
        &self,
        actor: &Actor,
        id: DepositId,
    ) -> Result<Deposit, DepositError> {
        use permissions::{DEPOSITS, WRITE};
        self.use_cases
            .command(actor, DEPOSITS, WRITE, || {
                async move |op| {
                    let mut deposit = self.deposits.find_by_id_in_op(op, id).await?;
                    if deposit.ensure_revertible()?.was_already_applied() {
                        return Ok(deposit);
                    }
                    let account = self
                        .accounts
                        .lock_in_op(op, deposit.account_id, RowLock::Share)
                        .await?;
                    account.ensure_active()?;
                    let posted = self
                        .ledger
                        .reverse_in_op(
                            op,
                            account.id(),
                            deposit.ledger_transaction_id,
                            PostingKind::DepositRevert,
                            id,
                            self.business_date(op),
                        )
                        .await?;
                    // `ensure_revertible` decided; this records the posting.
                    let _ = deposit.revert(posted.id)?;
                    self.deposits.update_in_op(op, &mut deposit).await?;
                    Ok(deposit)
                }
            })
            .await
    }

    pub async fn find_deposit(
        &self,
        actor: &Actor,
        id: DepositId,
    ) -> Result<Option<Deposit>, DepositError> {
        use permissions::{DEPOSITS, READ};
        self.use_cases
            .query(actor, DEPOSITS, READ, async || {
                Ok(self.deposits.maybe_find_by_id(id).await?)
            })
            .await
    }
}
