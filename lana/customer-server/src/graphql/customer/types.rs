use crate::request::req;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use graphql_kit::{ApiResult, list_query};
use graphql_types::credit::CreditFacility;
use graphql_types::deposit::{DepositAccount, account_connection};
use uuid::Uuid;

pub struct Me;

/// The signed-in customer.
#[Object]
impl Me {
    /// The identity provider's subject.
    async fn subject(&self, ctx: &Context<'_>) -> Result<String> {
        Ok(req(ctx)?.identity.subject.clone())
    }

    async fn email(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(req(ctx)?.identity.email.clone())
    }

    /// Unset while this identity is not (yet) a customer of the bank.
    async fn customer_id(&self, ctx: &Context<'_>) -> Result<Option<Uuid>> {
        Ok(req(ctx)?
            .identity
            .customer
            .as_ref()
            .map(|(id, _)| (*id).into()))
    }

    /// Your deposit accounts, oldest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn deposit_accounts(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, DepositAccount>> {
        let r = req(ctx)?;
        let query = list_query(first, after)?;
        let Some((_, actor)) = &r.identity.customer else {
            return Ok(Connection::new(false, false));
        };
        let page = r
            .app
            .deposits()
            .list_accounts(actor, query)
            .await
            .api(ctx)?;
        Ok(account_connection(page))
    }

    /// Your credit proposals and facilities, oldest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn credit_facilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, CreditFacility>> {
        crate::graphql::credit::own_facilities(ctx, first, after).await
    }
}
