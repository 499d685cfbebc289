//! Reading a setting in a use case, listing them, changing one.

mod entity;
mod repo;

pub use entity::{DomainConfig, DomainConfigEvent};
pub(crate) use repo::DomainConfigRepo;

use crate::DomainConfigs;
use crate::error::DomainConfigError;
use crate::primitives::{ConfigKey, DomainConfigId, SettingView, permissions};
use authz::Actor;
use entity::NewDomainConfig;
use es::DbOp;

impl DomainConfigs {
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
    pub async fn list(&self, actor: &Actor) -> Result<Vec<SettingView>, DomainConfigError> {
        use permissions::{CONFIGS, READ};
        self.use_cases
            .query(actor, CONFIGS, READ, async || {
                let mut views = Vec::with_capacity(self.declared.len());
                for (key, declared) in self.declared.iter() {
                    let stored = self.repo.find_one_by("key", key).await?;
                    views.push(declared.view(key, stored.as_ref()));
                }
                Ok(views)
            })
            .await
    }

    /// Sets `key` to `value` after parsing and validating it as the key's type.
    pub async fn update(
        &self,
        actor: &Actor,
        key: &str,
        value: serde_json::Value,
    ) -> Result<SettingView, DomainConfigError> {
        use permissions::{CONFIGS, WRITE};
        let (key, declared) = self
            .declared
            .get(key)
            .ok_or_else(|| DomainConfigError::UnknownKey(key.to_owned()))?;
        let value = declared
            .check(value)
            .map_err(|reason| DomainConfigError::InvalidValue {
                key: key.to_owned(),
                reason,
            })?;
        let value = &value;
        let config = self
            .use_cases
            .command(actor, CONFIGS, WRITE, || {
                async move |op| {
                    match self.repo.find_one_by_in_op(op, "key", key).await? {
                        None => {
                            let new = NewDomainConfig {
                                id: DomainConfigId::new(),
                                key: key.to_owned(),
                                value: value.clone(),
                            };
                            // Two first writers of one key: the loser's retry finds the winner's.
                            match self.repo.create_in_op(op, new.into_events()).await {
                                Err(es::EsRepoError::UniqueViolation { entity, .. }) => {
                                    Err(DomainConfigError::from(
                                        es::EsRepoError::ConcurrentModification {
                                            entity,
                                            id: uuid::Uuid::nil(),
                                        },
                                    ))
                                }
                                other => Ok(other?),
                            }
                        }
                        Some(mut config) => {
                            if config.update(value.clone())?.did_execute() {
                                self.repo.update_in_op(op, &mut config).await?;
                            }
                            Ok(config)
                        }
                    }
                }
            })
            .await?;
        Ok(declared.view(key, Some(&config)))
    }
}
