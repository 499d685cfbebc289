//! Domain settings.

mod inputs;
mod types;

use crate::request::req;
use async_graphql::{Context, Object, Result};
use graphql_kit::ApiResult;
use inputs::DomainConfigUpdateInput;
use types::DomainConfig;

payload!(DomainConfigUpdatePayload, domain_config: DomainConfig);

#[derive(Default)]
pub struct ConfigQuery;

#[Object]
impl ConfigQuery {
    async fn domain_configs(&self, ctx: &Context<'_>) -> Result<Vec<DomainConfig>> {
        let r = req(ctx)?;
        let list = r.app.configs().list(r.actor).await.api(ctx)?;
        Ok(list.into_iter().map(DomainConfig::from).collect())
    }
}

#[derive(Default)]
pub struct ConfigMutation;

#[Object]
impl ConfigMutation {
    async fn domain_config_update(
        &self,
        ctx: &Context<'_>,
        input: DomainConfigUpdateInput,
    ) -> Result<DomainConfigUpdatePayload> {
        let r = req(ctx)?;
        let s = r
            .app
            .configs()
            .update(r.actor, &input.key, input.value.0)
            .await
            .api(ctx)?;
        Ok(DomainConfigUpdatePayload {
            domain_config: s.into(),
        })
    }
}
