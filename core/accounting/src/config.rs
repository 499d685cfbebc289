//! The accounting domain's static configuration (the `accounting` section of the bank's
//! configuration).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AccountingConfig {
    /// The directory export files are written to (local disk; made when missing). A relative
    /// path is taken from the working directory of `lana-cli`.
    pub export_dir: String,
}

impl Default for AccountingConfig {
    fn default() -> Self {
        Self {
            export_dir: "exports".into(),
        }
    }
}
