//! The domain's static configuration (`custody:` in the YAML).

use serde::{Deserialize, Serialize};

#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CustodyConfig {
    /// The key custodian secrets are sealed under: 64 hex characters (AES-256). Without it no
    /// custodian with secrets can be created. Change it only with `lana-cli custody rotate-key`.
    pub encryption_key: Option<String>,
    /// How often self-custody addresses are read from the block explorer.
    pub poll_interval_secs: u64,
}

impl Default for CustodyConfig {
    fn default() -> Self {
        Self {
            encryption_key: None,
            poll_interval_secs: 60,
        }
    }
}

impl std::fmt::Debug for CustodyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.redacted().fmt_fields(f)
    }
}

impl CustodyConfig {
    /// A copy safe to display: the key, when set, is `<redacted>`.
    pub fn redacted(&self) -> Self {
        Self {
            encryption_key: self
                .encryption_key
                .as_ref()
                .map(|_| "<redacted>".to_owned()),
            ..self.clone()
        }
    }

    fn fmt_fields(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustodyConfig")
            .field("encryption_key", &self.encryption_key)
            .field("poll_interval_secs", &self.poll_interval_secs)
            .finish()
    }
}
