//! The BTC/USD price and its providers. The price type is shared with the customer API
//! (`graphql_types::price`).

mod inputs;
mod types;

use crate::request::run;
use async_graphql::{Context, Object, Result};
use core_price::{PriceProviderId, UsdCentsPerBtc};
use graphql_kit::invalid_input;
use graphql_types::price::RealtimePrice;
use inputs::{PriceManualSetInput, PriceProviderActivateInput};
use types::PriceProvider;

payload!(PriceProviderActivatePayload, provider: PriceProvider);
payload!(PriceManualSetPayload, provider: PriceProvider);

#[derive(Default)]
pub struct PriceQuery;

#[Object]
impl PriceQuery {
    /// The bank's BTC/USD price (null before the active provider has given one).
    async fn realtime_price(&self, ctx: &Context<'_>) -> Result<Option<RealtimePrice>> {
        let p = run(ctx, |app, actor| app.prices().realtime_price(actor)).await?;
        Ok(p.map(RealtimePrice::from))
    }

    async fn price_providers(&self, ctx: &Context<'_>) -> Result<Vec<PriceProvider>> {
        let list = run(ctx, |app, actor| app.prices().providers(actor)).await?;
        Ok(list.into_iter().map(PriceProvider::from).collect())
    }
}

#[derive(Default)]
pub struct PriceMutation;

#[Object]
impl PriceMutation {
    /// Makes the provider the active one; the bank's price becomes its latest (the exchange is
    /// asked at once).
    async fn price_provider_activate(
        &self,
        ctx: &Context<'_>,
        input: PriceProviderActivateInput,
    ) -> Result<PriceProviderActivatePayload> {
        let id = PriceProviderId::from(input.price_provider_id);
        let p = run(ctx, |app, actor| app.prices().activate_provider(actor, id)).await?;
        Ok(PriceProviderActivatePayload { provider: p.into() })
    }

    /// Sets the manual provider's price (the bank's price at once when it is active).
    async fn price_manual_set(
        &self,
        ctx: &Context<'_>,
        input: PriceManualSetInput,
    ) -> Result<PriceManualSetPayload> {
        let price =
            UsdCentsPerBtc::parse(input.usd_cents_per_btc.0.into_minor()).map_err(invalid_input)?;
        let p = run(ctx, |app, actor| {
            app.prices().set_manual_price(actor, price)
        })
        .await?;
        Ok(PriceManualSetPayload { provider: p.into() })
    }
}
