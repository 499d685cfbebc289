//! Domain settings.

mod inputs;
mod types;

use crate::request::run;
use async_graphql::{Context, Object, Result};

use inputs::DomainConfigUpdateInput;
use types::DomainConfig;

payload!(DomainConfigUpdatePayload, domain_config: DomainConfig);

#[derive(Default)]
pub struct ConfigQuery;

#[Object]
impl ConfigQuery {
    async fn domain_configs(&self, ctx: &Context<'_>) -> Result<Vec<DomainConfig>> {
        let list = run(ctx, |app, actor| app.configs().list(actor)).await?;
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
        let s = run(ctx, |app, actor| {
            app.configs().update(actor, &input.key, input.value.0)
        })
        .await?;
        Ok(DomainConfigUpdatePayload {
            domain_config: s.into(),
        })
    }
}
