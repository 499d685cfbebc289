use serde::{Deserialize, Serialize};
use std::fmt;

/// Connection to the KYC provider. The secrets are never printed by `Debug`; use
/// [`SumsubConfig::redacted`] before showing a configuration anywhere else.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SumsubConfig {
    pub base_url: String,
    /// Sent as `X-App-Token`.
    pub app_token: String,
    /// Signs API requests (`X-App-Access-Sig`).
    pub secret_key: String,
    /// The secret the provider signs webhooks with (`X-Payload-Digest`).
    pub webhook_secret: String,
    /// The verification level applicants are sent through.
    pub level_name: String,
    /// How long a verification link stays valid.
    pub link_ttl_secs: u64,
    /// Bound on each API call, connecting included.
    pub timeout_secs: u64,
}

impl Default for SumsubConfig {
    fn default() -> Self {
        Self {
            base_url: "https://api.sumsub.com".to_owned(),
            app_token: String::new(),
            secret_key: String::new(),
            webhook_secret: String::new(),
            level_name: "basic-kyc-level".to_owned(),
            link_ttl_secs: 1800,
            timeout_secs: 10,
        }
    }
}

const REDACTED: &str = "<redacted>";

fn redact(secret: &str) -> String {
    if secret.is_empty() {
        String::new()
    } else {
        REDACTED.to_owned()
    }
}

impl SumsubConfig {
    /// A copy safe to display: each secret that is set is replaced by `<redacted>` (an unset one
    /// stays empty, so a missing secret is still visible).
    pub fn redacted(&self) -> Self {
        Self {
            app_token: redact(&self.app_token),
            secret_key: redact(&self.secret_key),
            webhook_secret: redact(&self.webhook_secret),
            ..self.clone()
        }
    }
}

impl fmt::Debug for SumsubConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = self.redacted();
        f.debug_struct("SumsubConfig")
            .field("base_url", &shown.base_url)
            .field("app_token", &shown.app_token)
            .field("secret_key", &shown.secret_key)
            .field("webhook_secret", &shown.webhook_secret)
            .field("level_name", &shown.level_name)
            .field("link_ttl_secs", &shown.link_ttl_secs)
            .field("timeout_secs", &shown.timeout_secs)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let config = SumsubConfig {
            app_token: "tok-123".into(),
            secret_key: "sec-456".into(),
            webhook_secret: "wh-789".into(),
            ..SumsubConfig::default()
        };
        let shown = format!("{config:?}");
        for secret in ["tok-123", "sec-456", "wh-789"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(shown.contains("basic-kyc-level"));
        assert!(shown.contains(REDACTED));
    }

    #[test]
    fn redacted_keeps_unset_secrets_visible() {
        let config = SumsubConfig {
            app_token: "tok".into(),
            ..SumsubConfig::default()
        };
        let shown = config.redacted();
        assert_eq!(shown.app_token, REDACTED);
        assert_eq!(shown.secret_key, "");
        assert_eq!(shown.base_url, config.base_url);
    }

    #[test]
    fn defaults_and_unknown_keys() {
        let config: SumsubConfig =
            serde_json::from_str(r#"{"app_token":"t"}"#).expect("partial config");
        assert_eq!(config.base_url, "https://api.sumsub.com");
        assert_eq!(config.level_name, "basic-kyc-level");
        assert_eq!(config.link_ttl_secs, 1800);
        assert_eq!(config.timeout_secs, 10);
        assert!(serde_json::from_str::<SumsubConfig>(r#"{"app_tokn":"t"}"#).is_err());
    }
}
