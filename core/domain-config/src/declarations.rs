//! The keys the domains declare, with their types erased so staff can list and set them.

use crate::domain_config::DomainConfig;
use crate::primitives::{ConfigKey, SettingView};
use std::collections::BTreeMap;

/// A declared key.
pub(crate) struct Declared {
    description: &'static str,
    default: serde_json::Value,
    /// Parses and validates a value; returns it normalized.
    check: fn(serde_json::Value) -> Result<serde_json::Value, String>,
}

fn check<K: ConfigKey>(raw: serde_json::Value) -> Result<serde_json::Value, String> {
    let value: K::Value = serde_json::from_value(raw).map_err(|e| e.to_string())?;
    K::validate(&value)?;
    serde_json::to_value(value).map_err(|e| e.to_string())
}

impl Declared {
    pub(crate) fn check(&self, raw: serde_json::Value) -> Result<serde_json::Value, String> {
        (self.check)(raw)
    }

    /// The setting as staff see it, given what is stored (nothing: the default).
    pub(crate) fn view(&self, key: &'static str, stored: Option<&DomainConfig>) -> SettingView {
        SettingView {
            key,
            description: self.description,
            value: stored.map_or_else(|| self.default.clone(), |c| c.value.clone()),
            default: self.default.clone(),
            updated_at: stored.and_then(DomainConfig::updated_at),
        }
    }
}

/// Declares the keys, then builds `DomainConfigs`.
#[derive(Default)]
pub struct Declarations(BTreeMap<&'static str, Declared>);

impl Declarations {
    pub fn declare<K: ConfigKey>(mut self) -> Self {
        let default = serde_json::to_value(K::default_value()).unwrap_or(serde_json::Value::Null);
        self.0.insert(
            K::KEY,
            Declared {
                description: K::DESCRIPTION,
                default,
                check: check::<K>,
            },
        );
        self
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&'static str, &Declared)> {
        self.0.iter().map(|(k, d)| (*k, d))
    }

    pub(crate) fn get(&self, key: &str) -> Option<(&'static str, &Declared)> {
        self.0.get_key_value(key).map(|(k, d)| (*k, d))
    }
}
