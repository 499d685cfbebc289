use async_graphql::InputObject;
use graphql_kit::UsdCents;
use uuid::Uuid;

#[derive(InputObject)]
pub struct PriceProviderActivateInput {
    pub(super) price_provider_id: Uuid,
}

#[derive(InputObject)]
pub struct PriceManualSetInput {
    /// US cents per whole bitcoin: more than 0, at most 1000000000000 (ten billion dollars).
    pub(super) usd_cents_per_btc: UsdCents,
}
