use crate::request::IdempotencyHeader;
use async_graphql::{Context, InputObject, Result};
use core_deposit::{Amount, Reference};
use graphql_kit::{UsdCents, api_error, invalid_input};
use idempotency::IdempotencyKey;
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

/// The key of a money-moving mutation: the input field, else the `Idempotency-Key` header.
pub(super) fn idempotency_key(
    ctx: &Context<'_>,
    field: Option<&str>,
) -> Result<Option<IdempotencyKey>> {
    let header = ctx
        .data::<IdempotencyHeader>()
        .ok()
        .and_then(|h| h.0.as_deref());
    field
        .or(header)
        .map(IdempotencyKey::parse)
        .transpose()
        .map_err(|e| api_error(idempotency::INVALID_IDEMPOTENCY_KEY, e))
}

/// An amount and a reference, as the deposit domain takes them.
pub(super) fn money(amount: UsdCents, reference: Option<&str>) -> Result<(Amount, Reference)> {
    Ok((
        Amount::parse(amount.0).map_err(invalid_input)?,
        Reference::parse(reference).map_err(invalid_input)?,
    ))
}
