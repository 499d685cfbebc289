//! The settings this domain declares, and its static configuration.

use core_domain_config::ConfigKey;
use serde::{Deserialize, Serialize};

/// Whether staff may convert a prospect into a customer without the provider's approval.
pub struct ManualConversionAllowed;

impl ConfigKey for ManualConversionAllowed {
    const KEY: &'static str = "customer-manual-conversion-allowed";
    const DESCRIPTION: &'static str =
        "Staff may convert a prospect into a customer without KYC approval";
    type Value = bool;
    fn default_value() -> bool {
        false
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CustomerConfig {
    /// The provider's level whose approval makes a customer KYC level advanced (else basic).
    pub advanced_kyc_level_name: String,
}

impl Default for CustomerConfig {
    fn default() -> Self {
        Self {
            advanced_kyc_level_name: "advanced-kyc-level".into(),
        }
    }
}
