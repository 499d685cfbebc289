//! The setting keys domains declare, and how staff see a setting.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

es::entity_id!(DomainConfigId);

/// Objects and actions this domain authorizes.
pub mod permissions {
    pub const CONFIGS: &str = "config/domain";
    pub const READ: &str = "config:read";
    pub const WRITE: &str = "config:write";
}

/// A setting a domain declares.
pub trait ConfigKey: 'static {
    /// Lower-case words joined by `-`, prefixed by the owning domain.
    const KEY: &'static str;
    const DESCRIPTION: &'static str;
    type Value: Serialize + DeserializeOwned + Send;
    fn default_value() -> Self::Value;
    /// Why a value is refused, if it is.
    fn validate(_value: &Self::Value) -> Result<(), String> {
        Ok(())
    }
}

/// A setting as staff see it.
#[derive(Debug, Clone, PartialEq)]
pub struct SettingView {
    pub key: &'static str,
    pub description: &'static str,
    pub value: serde_json::Value,
    pub default: serde_json::Value,
    /// When it was last changed; `None` while it has its default.
    pub updated_at: Option<DateTime<Utc>>,
}
