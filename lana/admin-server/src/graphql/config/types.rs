use async_graphql::SimpleObject;
use chrono::{DateTime, Utc};
use graphql_kit::Json;

/// A domain setting.
#[derive(SimpleObject)]
pub struct DomainConfig {
    key: String,
    description: String,
    value: Json,
    default_value: Json,
    updated_at: Option<DateTime<Utc>>,
}

impl From<core_domain_config::SettingView> for DomainConfig {
    fn from(s: core_domain_config::SettingView) -> Self {
        Self {
            key: s.key.to_owned(),
            description: s.description.to_owned(),
            value: Json(s.value),
            default_value: Json(s.default),
            updated_at: s.updated_at,
        }
    }
}
