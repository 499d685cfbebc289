use async_graphql::{InputObject, Result};
use core_deposit::{Amount, Reference};
use graphql_kit::{UsdCents, invalid_input};
use uuid::Uuid;

#[derive(InputObject)]
pub struct DepositAccountCreateInput {
    pub(super) customer_id: Uuid,
}

#[derive(InputObject)]
pub struct DepositAccountFreezeInput {
    pub(super) deposit_account_id: Uuid,
}

#[derive(InputObject)]
pub struct DepositAccountUnfreezeInput {
    pub(super) deposit_account_id: Uuid,
}

#[derive(InputObject)]
pub struct DepositAccountCloseInput {
    pub(super) deposit_account_id: Uuid,
}

#[derive(InputObject)]
pub struct DepositRecordInput {
    pub(super) deposit_account_id: Uuid,
    pub(super) amount: UsdCents,
    pub(super) reference: Option<String>,
    /// Same key and input again returns the first result; takes precedence over the header.
    pub(super) idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct DepositRevertInput {
    pub(super) deposit_id: Uuid,
}

#[derive(InputObject)]
pub struct WithdrawalInitiateInput {
    pub(super) deposit_account_id: Uuid,
    pub(super) amount: UsdCents,
    pub(super) reference: Option<String>,
    /// Same key and input again returns the first result; takes precedence over the header.
    pub(super) idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct WithdrawalConfirmInput {
    pub(super) withdrawal_id: Uuid,
}

#[derive(InputObject)]
pub struct WithdrawalCancelInput {
    pub(super) withdrawal_id: Uuid,
}

#[derive(InputObject)]
pub struct WithdrawalRevertInput {
    pub(super) withdrawal_id: Uuid,
}

/// An amount and a reference, as the deposit domain takes them.
pub(super) fn money(amount: UsdCents, reference: Option<&str>) -> Result<(Amount, Reference)> {
    Ok((
        Amount::parse(amount.0).map_err(invalid_input)?,
        Reference::parse(reference).map_err(invalid_input)?,
    ))
}
