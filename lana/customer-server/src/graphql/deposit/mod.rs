//! The signed-in customer's deposit accounts (the type is shared with the admin API:
//! `graphql_types::deposit`). Any other account id is `NOT_FOUND`, exactly like one that does not
//! exist.

use crate::request::req;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use core_deposit::DepositAccountId;
use error_code::NOT_FOUND;
use graphql_kit::{ApiResult, api_error};
use graphql_types::deposit::{DepositAccount, HistoryEntry};
use uuid::Uuid;

/// The account, if it is the signed-in customer's.
async fn own_account(ctx: &Context<'_>, id: Uuid) -> Result<DepositAccount> {
    let r = req(ctx)?;
    let not_found = || api_error(NOT_FOUND, "no such deposit account");
    let (_, actor) = r.identity.customer.as_ref().ok_or_else(not_found)?;
    r.app
        .deposits()
        .find_account(actor, DepositAccountId::from(id))
        .await
        .api(ctx)?
        .map(DepositAccount::from)
        .ok_or_else(not_found)
}

#[derive(Default)]
pub struct DepositQuery;

#[Object]
impl DepositQuery {
    /// One of your deposit accounts (`NOT_FOUND` for any other id).
    async fn deposit_account(&self, ctx: &Context<'_>, id: Uuid) -> Result<DepositAccount> {
        own_account(ctx, id).await
    }

    /// The history of one of your deposit accounts (`NOT_FOUND` for any other id).
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn deposit_account_history(
        &self,
        ctx: &Context<'_>,
        deposit_account_id: Uuid,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, HistoryEntry>> {
        own_account(ctx, deposit_account_id)
            .await?
            .history(ctx, first, after)
            .await
    }
}
