//! Custodians, their wallets and their webhook deliveries. The wallet type is shared with the
//! customer API (`graphql_types::custody`).

mod inputs;
mod types;

use crate::request::run;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use core_custody::{CustodianId, CustodianName};
use graphql_kit::{invalid_input, list_query};
use inputs::{CustodianConfigUpdateInput, CustodianCreateInput};
use types::Custodian;
use uuid::Uuid;

payload!(CustodianCreatePayload, custodian: Custodian);
payload!(CustodianConfigUpdatePayload, custodian: Custodian);

#[derive(Default)]
pub struct CustodyQuery;

#[Object]
impl CustodyQuery {
    async fn custodian(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Custodian>> {
        let id = CustodianId::from(id);
        let found = run(ctx, |app, actor| app.custody().find_custodian(actor, id)).await?;
        Ok(found.map(Custodian::from))
    }

    /// Oldest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn custodians(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Custodian>> {
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| {
            app.custody().list_custodians(actor, query)
        })
        .await?;
        Ok(graphql_kit::connection(page, Custodian::from))
    }
}

#[derive(Default)]
pub struct CustodyMutation;

#[Object]
impl CustodyMutation {
    /// A custodian with its configuration; every secret its provider uses is required, stored
    /// encrypted, and never shown again.
    async fn custodian_create(
        &self,
        ctx: &Context<'_>,
        input: CustodianCreateInput,
    ) -> Result<CustodianCreatePayload> {
        let name = CustodianName::parse(&input.name).map_err(invalid_input)?;
        let config = input.config.parse().map_err(invalid_input)?;
        let c = run(ctx, |app, actor| {
            app.custody().create_custodian(actor, name, config)
        })
        .await?;
        Ok(CustodianCreatePayload {
            custodian: c.into(),
        })
    }

    /// A new configuration of the same provider; secrets left out keep their stored value.
    async fn custodian_config_update(
        &self,
        ctx: &Context<'_>,
        input: CustodianConfigUpdateInput,
    ) -> Result<CustodianConfigUpdatePayload> {
        let id = CustodianId::from(input.custodian_id);
        let config = input.config.parse().map_err(invalid_input)?;
        let c = run(ctx, |app, actor| {
            app.custody().update_custodian_config(actor, id, config)
        })
        .await?;
        Ok(CustodianConfigUpdatePayload {
            custodian: c.into(),
        })
    }
}
