//! Domain settings: typed keys that staff change at run time (which the domains declare), with a
//! default and a validation rule each.
//!
//! A domain declares a key as a type implementing [`ConfigKey`] and reads it with
//! [`DomainConfigs::get_in_op`] inside its use case (so a setting and the decision it drives are
//! read in one transaction). Staff list the declared keys and change them through
//! [`DomainConfigs::update`], which parses and validates the JSON value against the key's type;
//! an unknown key or an invalid value is a typed error. Each key that was ever set is an
//! event-sourced entity, so every change (who, when, which audit entry) is kept.

mod entity;

pub use entity::{DomainConfig, DomainConfigEvent};

use authz::{Authorization, Subject};
use chrono::{DateTime, Utc};
use clock::Clock;
use entity::{DomainConfigs as Repo, NewDomainConfig};
use es::{DbOp, EsRepo, RetryPolicy, retry_conflicts};
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::PgPool;
use std::collections::BTreeMap;
use std::sync::Arc;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

pub mod permissions {
    pub const CONFIGS: &str = "config/domain";
    pub const READ: &str = "config:read";
    pub const WRITE: &str = "config:write";
}

es::entity_id!(DomainConfigId);

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

#[derive(Debug, thiserror::Error)]
pub enum DomainConfigError {
    #[error("no setting is named {0}")]
    UnknownKey(String),
    #[error("invalid value for {key}: {reason}")]
    InvalidValue { key: String, reason: String },
    #[error("stored value of {key} cannot be read: {reason}")]
    Corrupt { key: String, reason: String },
    #[error(transparent)]
    NotAuthorized(authz::AuthzError),
    #[error(transparent)]
    Authz(authz::AuthzError),
    #[error(transparent)]
    Repo(#[from] es::EsRepoError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl DomainConfigError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::UnknownKey(_) => "UNKNOWN_SETTING",
            Self::InvalidValue { .. } => "INVALID_INPUT",
            Self::NotAuthorized(_) => "NOT_AUTHORIZED",
            Self::Repo(es::EsRepoError::ConcurrentModification { .. }) => "CONCURRENT_MODIFICATION",
            Self::Corrupt { .. } | Self::Authz(_) | Self::Repo(_) | Self::Sqlx(_) => "INTERNAL",
        }
    }
}

impl From<authz::AuthzError> for DomainConfigError {
    fn from(e: authz::AuthzError) -> Self {
        match e {
            authz::AuthzError::NotAuthorized { .. } => Self::NotAuthorized(e),
            other => Self::Authz(other),
        }
    }
}

impl es::Retryable for DomainConfigError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Repo(e) => e.is_retryable(),
            Self::Sqlx(e) => es::sqlx_error_is_retryable(e),
            _ => false,
        }
    }
}

/// A declared key, with its type erased for listing and updating.
struct Declared {
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

/// Declares the keys, then builds [`DomainConfigs`].
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
}

#[derive(Clone)]
pub struct DomainConfigs {
    pool: PgPool,
    clock: Clock,
    authz: Authorization,
    repo: EsRepo<Repo>,
    declared: Arc<Declarations>,
}

impl DomainConfigs {
    pub fn new(pool: PgPool, clock: Clock, authz: Authorization, declared: Declarations) -> Self {
        Self {
            repo: EsRepo::new(pool.clone(), clock.clone()),
            pool,
            clock,
            authz,
            declared: Arc::new(declared),
        }
    }

    /// The current value of `K`, read in the use case's transaction.
    pub async fn get_in_op<K: ConfigKey>(
        &self,
        op: &mut DbOp,
    ) -> Result<K::Value, DomainConfigError> {
        match self.repo.find_one_by_in_op(op, "key", K::KEY).await? {
            None => Ok(K::default_value()),
            Some(config) => serde_json::from_value(config.value.clone()).map_err(|e| {
                DomainConfigError::Corrupt {
                    key: K::KEY.to_owned(),
                    reason: e.to_string(),
                }
            }),
        }
    }

    /// Every declared setting with its current value.
    pub async fn list(&self, actor: &Subject) -> Result<Vec<SettingView>, DomainConfigError> {
        self.authz
            .enforce(actor, permissions::CONFIGS, permissions::READ, None)
            .await?;
        let mut views = Vec::with_capacity(self.declared.0.len());
        for (key, declared) in &self.declared.0 {
            let stored = self.repo.find_one_by("key", *key).await?;
            views.push(SettingView {
                key,
                description: declared.description,
                value: stored
                    .as_ref()
                    .map_or_else(|| declared.default.clone(), |c| c.value.clone()),
                default: declared.default.clone(),
                updated_at: stored.and_then(|c| c.updated_at()),
            });
        }
        Ok(views)
    }

    /// Sets `key` to `value` after parsing and validating it as the key's type.
    pub async fn update(
        &self,
        actor: &Subject,
        key: &str,
        value: serde_json::Value,
    ) -> Result<SettingView, DomainConfigError> {
        let (key, declared) = self
            .declared
            .0
            .get_key_value(key)
            .ok_or_else(|| DomainConfigError::UnknownKey(key.to_owned()))?;
        let value = (declared.check)(value).map_err(|reason| DomainConfigError::InvalidValue {
            key: (*key).to_owned(),
            reason,
        })?;
        let config = retry_conflicts(RetryPolicy::default(), || async {
            let mut op = DbOp::init(&self.pool, &self.clock).await?;
            self.authz
                .enforce_in_op(&mut op, actor, permissions::CONFIGS, permissions::WRITE)
                .await?;
            let config = match self.repo.find_one_by_in_op(&mut op, "key", *key).await? {
                None => {
                    let new = NewDomainConfig {
                        id: DomainConfigId::new(),
                        key: (*key).to_owned(),
                        value: value.clone(),
                    };
                    // Two first writers of one key: the loser's retry finds the winner's entity.
                    match self.repo.create_in_op(&mut op, new.into_events()).await {
                        Err(es::EsRepoError::UniqueViolation { entity, .. }) => {
                            return Err(es::EsRepoError::ConcurrentModification {
                                entity,
                                id: uuid::Uuid::nil(),
                            }
                            .into());
                        }
                        other => other?,
                    }
                }
                Some(mut config) => {
                    let _ = config.update(value.clone());
                    self.repo.update_in_op(&mut op, &mut config).await?;
                    config
                }
            };
            op.commit().await?;
            Ok::<_, DomainConfigError>(config)
        })
        .await?;
        Ok(SettingView {
            key,
            description: declared.description,
            value: config.value.clone(),
            default: declared.default.clone(),
            updated_at: config.updated_at(),
        })
    }
}
