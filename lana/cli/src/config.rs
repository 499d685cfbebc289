//! Configuration: defaults, then a YAML file, then `LANA__SECTION__KEY` environment variables,
//! then `--set section.key=value` flags, each layer overriding the one before.
//!
//! Layers are merged as YAML trees and the result is read strictly: an unknown key anywhere (in
//! the file, an environment variable or a flag) is an error that names its path.

use core_accounting::AccountingConfig;
use core_custody::CustodyConfig;
use core_customer::CustomerConfig;
use core_price::PriceConfig;
use core_time::TimeConfig;
use graphql_kit::ApiServerConfig;
use jobs::JobsConfig;
use lana_app::{AccessConfig, AppConfig, AuditConfig, DbConfig, RetentionConfig};
use ledger::LedgerConfig;
use outbox::DispatcherConfig;
use serde::{Deserialize, Serialize};
use serde_yaml::{Mapping, Value};
use std::path::Path;
use sumsub::SumsubConfig;
use telemetry::TracingConfig;

pub const ENV_PREFIX: &str = "LANA__";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub db: DbConfig,
    pub jobs: JobsConfig,
    pub audit: AuditConfig,
    pub access: AccessConfig,
    pub ledger: LedgerConfig,
    pub outbox: DispatcherConfig,
    pub retention: RetentionConfig,
    pub customer: CustomerConfig,
    /// Business time: the bank's timezone and closing time, and which clock it runs on.
    pub time: TimeConfig,
    /// The BTC/USD price: the exchange, how often it is asked, when a price is stale.
    pub price: PriceConfig,
    /// The books: where export files are written.
    pub accounting: AccountingConfig,
    /// Custody: the key custodian secrets are sealed under, the block explorer poll.
    pub custody: CustodyConfig,
    /// The KYC provider (Sumsub's API); unset: no verification links, webhooks refused.
    pub sumsub: Option<SumsubConfig>,
    pub admin_server: ApiServerConfig,
    pub customer_server: ApiServerConfig,
    pub tracing: TracingConfig,
    /// After a shutdown signal, how long in-flight requests may take before the process exits.
    pub shutdown_grace_secs: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            db: DbConfig::default(),
            jobs: JobsConfig::default(),
            audit: AuditConfig::default(),
            access: AccessConfig::default(),
            ledger: LedgerConfig::default(),
            outbox: DispatcherConfig::default(),
            retention: RetentionConfig::default(),
            customer: CustomerConfig::default(),
            time: TimeConfig::default(),
            price: PriceConfig::default(),
            accounting: AccountingConfig::default(),
            custody: CustodyConfig::default(),
            sumsub: None,
            admin_server: admin_server::default_config(),
            customer_server: customer_server::default_config(),
            tracing: TracingConfig::default(),
            shutdown_grace_secs: 10,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("config file {path} is not valid YAML: {source}")]
    Yaml {
        path: String,
        source: serde_yaml::Error,
    },
    #[error(
        "invalid override `{0}`: expected KEY=VALUE with a dotted key, e.g. db.max_connections=10"
    )]
    Override(String),
    #[error("invalid configuration at `{path}`: {message}")]
    Invalid { path: String, message: String },
}

impl Config {
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        sets: &[String],
    ) -> Result<Self, ConfigError> {
        let mut tree =
            serde_yaml::to_value(Config::default()).map_err(|e| ConfigError::Invalid {
                path: ".".into(),
                message: e.to_string(),
            })?;
        if let Some(path) = file {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: shown.clone(),
                source,
            })?;
            let overlay: Value =
                serde_yaml::from_str(&text).map_err(|source| ConfigError::Yaml {
                    path: shown,
                    source,
                })?;
            // An empty file is an empty overlay.
            if !overlay.is_null() {
                merge(&mut tree, overlay);
            }
        }
        let mut env: Vec<(String, String)> = env
            .into_iter()
            .filter(|(key, _)| key.starts_with(ENV_PREFIX))
            .collect();
        env.sort();
        for (key, value) in env {
            let path: Vec<String> = key[ENV_PREFIX.len()..]
                .split("__")
                .map(str::to_lowercase)
                .collect();
            set_path(&mut tree, &path, &value).map_err(|_| ConfigError::Override(key))?;
        }
        for assignment in sets {
            let (key, value) = assignment
                .split_once('=')
                .ok_or_else(|| ConfigError::Override(assignment.clone()))?;
            let path: Vec<String> = key.split('.').map(str::to_owned).collect();
            set_path(&mut tree, &path, value)
                .map_err(|_| ConfigError::Override(assignment.clone()))?;
        }
        let config: Config =
            serde_path_to_error::deserialize(tree).map_err(|e| ConfigError::Invalid {
                path: e.path().to_string(),
                message: e.inner().to_string(),
            })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |path: &str, message: &str| {
            Err(ConfigError::Invalid {
                path: path.into(),
                message: message.into(),
            })
        };
        if self.db.max_connections == 0 {
            return invalid("db.max_connections", "must be at least 1");
        }
        if self.db.acquire_timeout_secs == 0 {
            return invalid("db.acquire_timeout_secs", "must be at least 1");
        }
        if self.jobs.max_concurrent_jobs == 0 {
            return invalid("jobs.max_concurrent_jobs", "must be at least 1");
        }
        if self.jobs.heartbeat_timeout_ms <= self.jobs.heartbeat_interval_ms {
            return invalid(
                "jobs.heartbeat_timeout_ms",
                "must exceed jobs.heartbeat_interval_ms",
            );
        }
        if self.shutdown_grace_secs > 600 {
            return invalid("shutdown_grace_secs", "must be at most 600");
        }
        if let Err((path, message)) = self.time.validate().and(self.price.validate()) {
            return invalid(path, &message);
        }
        let (admin, customer) = (&self.admin_server, &self.customer_server);
        if admin.port != 0 && admin.host == customer.host && admin.port == customer.port {
            return invalid("customer_server.port", "must differ from admin_server.port");
        }
        Ok(())
    }

    pub fn app(&self) -> AppConfig {
        AppConfig {
            db: self.db.clone(),
            jobs: self.jobs.clone(),
            audit: self.audit.clone(),
            access: self.access.clone(),
            ledger: self.ledger.clone(),
            outbox: self.outbox.clone(),
            retention: self.retention.clone(),
            customer: self.customer.clone(),
            time: self.time.clone(),
            price: self.price.clone(),
            accounting: self.accounting.clone(),
            custody: self.custody.clone(),
            sumsub: self.sumsub.clone(),
        }
    }

    /// The configuration as YAML, with the database password, provider secrets and the
    /// custody encryption key hidden.
    pub fn to_redacted_yaml(&self) -> String {
        let mut shown = self.clone();
        shown.db.pg_con = lana_app::redact_url(&shown.db.pg_con);
        shown.sumsub = shown.sumsub.as_ref().map(SumsubConfig::redacted);
        shown.custody = shown.custody.redacted();
        serde_yaml::to_string(&shown).unwrap_or_default()
    }
}

fn merge(base: &mut Value, overlay: Value) {
    match (base, overlay) {
        (Value::Mapping(base), Value::Mapping(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key, value);
                    }
                }
            }
        }
        (base, overlay) => *base = overlay,
    }
}

/// Sets `path` to `raw`, read as a YAML scalar (so `10` is a number and `true` a boolean); anything
/// that is not a scalar stays a string.
fn set_path(tree: &mut Value, path: &[String], raw: &str) -> Result<(), ()> {
    if path.is_empty() || path.iter().any(String::is_empty) {
        return Err(());
    }
    let value = match serde_yaml::from_str::<Value>(raw) {
        Ok(v @ (Value::Bool(_) | Value::Number(_) | Value::Null)) => v,
        _ => Value::String(raw.to_owned()),
    };
    let mut node = tree;
    for key in &path[..path.len() - 1] {
        if !node.is_mapping() {
            *node = Value::Mapping(Mapping::new());
        }
        let Value::Mapping(map) = node else {
            return Err(());
        };
        node = map
            .entry(Value::String(key.clone()))
            .or_insert_with(|| Value::Mapping(Mapping::new()));
    }
    // An optional section that is unset (null) gets its first key.
    if node.is_null() {
        *node = Value::Mapping(Mapping::new());
    }
    let Value::Mapping(map) = node else {
        return Err(());
    };
    map.insert(Value::String(path[path.len() - 1].clone()), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn load(
        yaml: Option<&str>,
        env: &[(&str, &str)],
        sets: &[&str],
    ) -> Result<Config, ConfigError> {
        let file = yaml.map(|text| {
            static FILES: AtomicUsize = AtomicUsize::new(0);
            let n = FILES.fetch_add(1, Ordering::SeqCst);
            let path =
                std::env::temp_dir().join(format!("lana-config-{}-{n}.yml", std::process::id()));
            let mut f = std::fs::File::create(&path).unwrap();
            f.write_all(text.as_bytes()).unwrap();
            path
        });
        let env = env.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        Config::load(file.as_deref(), env, &sets)
    }

    #[test]
    fn defaults_need_no_file() {
        let config = load(None, &[], &[]).unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(
            (config.admin_server.port, config.customer_server.port),
            (5253, 5254)
        );
    }

    #[test]
    fn layers_override_in_order_file_env_flags() {
        let yaml = "admin_server:\n  port: 6000\ncustomer_server:\n  port: 6001\ndb:\n  max_connections: 7\n";
        let config = load(
            Some(yaml),
            &[
                ("LANA__CUSTOMER_SERVER__PORT", "6101"),
                ("LANA__DB__MAX_CONNECTIONS", "8"),
                ("OTHER", "x"),
            ],
            &["db.max_connections=9", "tracing.format=json"],
        )
        .unwrap();
        assert_eq!(config.admin_server.port, 6000);
        assert_eq!(
            config.admin_server.host, "127.0.0.1",
            "a partial section keeps the other defaults"
        );
        assert_eq!(config.customer_server.port, 6101);
        assert_eq!(config.db.max_connections, 9);
        assert_eq!(config.tracing.format, telemetry::LogFormat::Json);
        let config = load(
            None,
            &[],
            &["db.pg_con=postgres://u:p@h:5432/x?sslmode=disable"],
        )
        .unwrap();
        assert_eq!(config.db.pg_con, "postgres://u:p@h:5432/x?sslmode=disable");
        assert!(
            config
                .to_redacted_yaml()
                .contains("postgres://u:***@h:5432/x")
        );
    }

    #[test]
    fn unknown_keys_are_errors_wherever_they_come_from() {
        let err = load(Some("admin_server:\n  prot: 1\n"), &[], &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("admin_server") && err.contains("unknown field `prot`"),
            "{err}"
        );
        let err = load(None, &[("LANA__DB__PASSWORD", "x")], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `password`"), "{err}");
        let err = load(None, &[], &["nope.key=1"]).unwrap_err().to_string();
        assert!(err.contains("unknown field `nope`"), "{err}");
    }

    #[test]
    fn bad_values_are_clear_errors() {
        let err = load(None, &[], &["admin_server.port=70000"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("admin_server.port"), "{err}");
        let err = load(None, &[], &["db.max_connections=0"])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("db.max_connections") && err.contains("at least 1"),
            "{err}"
        );
        let err = load(None, &[], &["customer_server.port=5253"])
            .unwrap_err()
            .to_string();
        assert!(err.contains("must differ"), "{err}");
        assert!(matches!(
            load(None, &[], &["no-equals-sign"]),
            Err(ConfigError::Override(_))
        ));
        assert!(matches!(
            load(None, &[], &["db..x=1"]),
            Err(ConfigError::Override(_))
        ));
        let err = load(Some("db: [unclosed\n"), &[], &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("not valid YAML"), "{err}");
    }

    #[test]
    fn the_default_config_dump_loads_back_unchanged() {
        let dumped = serde_yaml::to_string(&Config::default()).unwrap();
        assert_eq!(load(Some(&dumped), &[], &[]).unwrap(), Config::default());
    }
}
