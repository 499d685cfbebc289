//! Deposit accounts, deposits and withdrawals. The account type (with its balance and history)
//! is shared with the customer API (`graphql_types::deposit`).

mod inputs;
mod types;

use crate::request::{idempotency_key, run};
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use core_customer::CustomerId;
use core_deposit::{AccountStatusChange, DepositAccountId, DepositId, WithdrawalId};
use graphql_kit::list_query;
use graphql_types::deposit::{DepositAccount, account_connection};
use inputs::{
    DepositAccountCloseInput, DepositAccountCreateInput, DepositAccountFreezeInput,
    DepositAccountUnfreezeInput, DepositRecordInput, DepositRevertInput, WithdrawalCancelInput,
    WithdrawalConfirmInput, WithdrawalInitiateInput, WithdrawalRevertInput, money,
};
use types::{Deposit, Withdrawal};
use uuid::Uuid;

payload!(DepositAccountCreatePayload, account: DepositAccount);
payload!(DepositAccountFreezePayload, account: DepositAccount);
payload!(DepositAccountUnfreezePayload, account: DepositAccount);
payload!(DepositAccountClosePayload, account: DepositAccount);
payload!(DepositRecordPayload, deposit: Deposit);
payload!(DepositRevertPayload, deposit: Deposit);
payload!(WithdrawalInitiatePayload, withdrawal: Withdrawal);
payload!(WithdrawalConfirmPayload, withdrawal: Withdrawal);
payload!(WithdrawalCancelPayload, withdrawal: Withdrawal);
payload!(WithdrawalRevertPayload, withdrawal: Withdrawal);

#[derive(Default)]
pub struct DepositQuery;

#[Object]
impl DepositQuery {
    async fn deposit_account(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<DepositAccount>> {
        let a = run(ctx, |app, actor| {
            app.deposits()
                .find_account(actor, DepositAccountId::from(id))
        })
        .await?;
        Ok(a.map(DepositAccount::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn deposit_accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, DepositAccount>> {
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| app.deposits().list_accounts(actor, query)).await?;
        Ok(account_connection(page))
    }

    async fn deposit(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Deposit>> {
        let d = run(ctx, |app, actor| {
            app.deposits().find_deposit(actor, DepositId::from(id))
        })
        .await?;
        Ok(d.map(Deposit::from))
    }

    async fn withdrawal(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Withdrawal>> {
        let w = run(ctx, |app, actor| {
            app.deposits()
                .find_withdrawal(actor, WithdrawalId::from(id))
        })
        .await?;
        Ok(w.map(Withdrawal::from))
    }
}

#[derive(Default)]
pub struct DepositMutation;

impl DepositMutation {
    async fn change_status(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        change: AccountStatusChange,
    ) -> Result<DepositAccount> {
        let account = run(ctx, |app, actor| {
            app.deposits()
                .change_account_status(actor, DepositAccountId::from(id), change)
        })
        .await?;
        Ok(account.into())
    }

    async fn withdrawal_step(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
        step: WithdrawalStep,
    ) -> Result<Withdrawal> {
        let id = WithdrawalId::from(id);
        let withdrawal = run(ctx, |app, actor| async move {
            let deposits = app.deposits();
            match step {
                WithdrawalStep::Confirm => deposits.confirm_withdrawal(actor, id).await,
                WithdrawalStep::Cancel => deposits.cancel_withdrawal(actor, id).await,
                WithdrawalStep::Revert => deposits.revert_withdrawal(actor, id).await,
            }
        })
        .await?;
        Ok(withdrawal.into())
    }
}

enum WithdrawalStep {
    Confirm,
    Cancel,
    Revert,
}

#[Object]
impl DepositMutation {
    async fn deposit_account_create(
        &self,
        ctx: &Context<'_>,
        input: DepositAccountCreateInput,
    ) -> Result<DepositAccountCreatePayload> {
        let a = run(ctx, |app, actor| {
            app.deposits()
                .create_account(actor, CustomerId::from(input.customer_id))
        })
        .await?;
        Ok(DepositAccountCreatePayload { account: a.into() })
    }

    /// Moves the available balance aside; no money moves in or out until unfrozen.
    async fn deposit_account_freeze(
        &self,
        ctx: &Context<'_>,
        input: DepositAccountFreezeInput,
    ) -> Result<DepositAccountFreezePayload> {
        let account = self
            .change_status(ctx, input.deposit_account_id, AccountStatusChange::Freeze)
            .await?;
        Ok(DepositAccountFreezePayload { account })
    }

    async fn deposit_account_unfreeze(
        &self,
        ctx: &Context<'_>,
        input: DepositAccountUnfreezeInput,
    ) -> Result<DepositAccountUnfreezePayload> {
        let account = self
            .change_status(ctx, input.deposit_account_id, AccountStatusChange::Unfreeze)
            .await?;
        Ok(DepositAccountUnfreezePayload { account })
    }

    /// Closes an active account with nothing on it, for good.
    async fn deposit_account_close(
        &self,
        ctx: &Context<'_>,
        input: DepositAccountCloseInput,
    ) -> Result<DepositAccountClosePayload> {
        let account = self
            .change_status(ctx, input.deposit_account_id, AccountStatusChange::Close)
            .await?;
        Ok(DepositAccountClosePayload { account })
    }

    async fn deposit_record(
        &self,
        ctx: &Context<'_>,
        input: DepositRecordInput,
    ) -> Result<DepositRecordPayload> {
        let key = idempotency_key(ctx, input.idempotency_key.as_deref())?;
        let (amount, reference) = money(input.amount, input.reference.as_deref())?;
        let account = DepositAccountId::from(input.deposit_account_id);
        let d = run(ctx, |app, actor| {
            app.deposits()
                .record_deposit(actor, account, amount, reference, key.as_ref())
        })
        .await?;
        Ok(DepositRecordPayload { deposit: d.into() })
    }

    /// Takes a deposit back out; reverting again returns the deposit unchanged.
    async fn deposit_revert(
        &self,
        ctx: &Context<'_>,
        input: DepositRevertInput,
    ) -> Result<DepositRevertPayload> {
        let d = run(ctx, |app, actor| {
            app.deposits()
                .revert_deposit(actor, DepositId::from(input.deposit_id))
        })
        .await?;
        Ok(DepositRevertPayload { deposit: d.into() })
    }

    /// Holds the amount and asks for approval.
    async fn withdrawal_initiate(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalInitiateInput,
    ) -> Result<WithdrawalInitiatePayload> {
        let key = idempotency_key(ctx, input.idempotency_key.as_deref())?;
        let (amount, reference) = money(input.amount, input.reference.as_deref())?;
        let account = DepositAccountId::from(input.deposit_account_id);
        let w = run(ctx, |app, actor| {
            app.deposits()
                .initiate_withdrawal(actor, account, amount, reference, key.as_ref())
        })
        .await?;
        Ok(WithdrawalInitiatePayload {
            withdrawal: w.into(),
        })
    }

    async fn withdrawal_confirm(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalConfirmInput,
    ) -> Result<WithdrawalConfirmPayload> {
        let withdrawal = self
            .withdrawal_step(ctx, input.withdrawal_id, WithdrawalStep::Confirm)
            .await?;
        Ok(WithdrawalConfirmPayload { withdrawal })
    }

    async fn withdrawal_cancel(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalCancelInput,
    ) -> Result<WithdrawalCancelPayload> {
        let withdrawal = self
            .withdrawal_step(ctx, input.withdrawal_id, WithdrawalStep::Cancel)
            .await?;
        Ok(WithdrawalCancelPayload { withdrawal })
    }

    async fn withdrawal_revert(
        &self,
        ctx: &Context<'_>,
        input: WithdrawalRevertInput,
    ) -> Result<WithdrawalRevertPayload> {
        let withdrawal = self
            .withdrawal_step(ctx, input.withdrawal_id, WithdrawalStep::Revert)
            .await?;
        Ok(WithdrawalRevertPayload { withdrawal })
    }
}
