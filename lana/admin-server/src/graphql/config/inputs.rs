use async_graphql::InputObject;
use graphql_kit::Json;

#[derive(InputObject)]
pub struct DomainConfigUpdateInput {
    pub(super) key: String,
    /// A value of the setting's type (see its description), e.g. `true` or `30`.
    pub(super) value: Json,
}
