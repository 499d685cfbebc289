//! The bank's BTC/USD price (the type is shared with the admin API: `graphql_types::price`).

use crate::request::req;
use async_graphql::{Context, Object, Result};
use error_code::FORBIDDEN;
use graphql_kit::{ApiResult, api_error};
use graphql_types::price::RealtimePrice;

#[derive(Default)]
pub struct PriceQuery;

#[Object]
impl PriceQuery {
    /// The bank's BTC/USD price (null before it has one); `stale` when it is too old to act on.
    async fn realtime_price(&self, ctx: &Context<'_>) -> Result<Option<RealtimePrice>> {
        let r = req(ctx)?;
        let (_, actor) =
            r.identity.customer.as_ref().ok_or_else(|| {
                api_error(FORBIDDEN, "this identity is not a customer of the bank")
            })?;
        let price = r.app.prices().realtime_price(actor).await.api(ctx)?;
        Ok(price.map(RealtimePrice::from))
    }
}
