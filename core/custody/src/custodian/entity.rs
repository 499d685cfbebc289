//! A custodian: its name and its configuration without secrets (each change an event naming
//! which secrets were replaced, never their values).

use crate::primitives::{CustodianId, CustodianName, InvalidValue, Provider, PublicConfig};
use chrono::{DateTime, Utc};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustodianEvent {
    Initialized {
        name: CustodianName,
        config: PublicConfig,
        secrets: Vec<String>,
    },
    ConfigUpdated {
        config: PublicConfig,
        secrets_replaced: Vec<String>,
    },
}

#[derive(Debug)]
pub struct Custodian {
    pub name: CustodianName,
    pub config: PublicConfig,
    events: EntityEvents<CustodianEvent>,
}

pub(crate) struct NewCustodian {
    pub id: CustodianId,
    pub name: CustodianName,
    pub config: PublicConfig,
    pub secrets: Vec<String>,
}

impl NewCustodian {
    pub fn into_events(self) -> EntityEvents<CustodianEvent> {
        EntityEvents::init(
            self.id,
            [CustodianEvent::Initialized {
                name: self.name,
                config: self.config,
                secrets: self.secrets,
            }],
        )
    }
}

impl Custodian {
    /// When it was created (`None` before it is stored).
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.events.created_at()
    }

    pub fn provider(&self) -> Provider {
        self.config.provider()
    }

    /// A new configuration of the same provider; the same configuration with no secret given
    /// changes nothing.
    pub fn update_config(
        &mut self,
        config: PublicConfig,
        secrets_replaced: Vec<String>,
    ) -> Result<Idempotent<()>, InvalidValue> {
        if config.provider() != self.provider() {
            return Err(InvalidValue::ProviderChange {
                from: self.provider().as_str(),
                to: config.provider().as_str(),
            });
        }
        if config == self.config && secrets_replaced.is_empty() {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.config = config.clone();
        self.events.push(CustodianEvent::ConfigUpdated {
            config,
            secrets_replaced,
        });
        Ok(Idempotent::Executed(()))
    }
}

impl EsEntity for Custodian {
    type Id = CustodianId;
    type Event = CustodianEvent;

    fn events(&self) -> &EntityEvents<CustodianEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<CustodianEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<CustodianEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(CustodianEvent::Initialized { name, config, .. }) = iter.next() else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (name, mut config) = (name.clone(), config.clone());
        for event in iter {
            match event {
                CustodianEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                CustodianEvent::ConfigUpdated { config: c, .. } => config = c.clone(),
            }
        }
        Ok(Self {
            name,
            config,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::CustodianConfig;

    fn komainu(user: &str) -> PublicConfig {
        CustodianConfig::komainu("https://api.komainu.test", user, None, None)
            .unwrap()
            .split()
            .0
    }

    #[test]
    fn the_same_config_again_appends_nothing_and_the_provider_never_changes() {
        let new = NewCustodian {
            id: CustodianId::new(),
            name: CustodianName::parse("Komainu").unwrap(),
            config: komainu("u1"),
            secrets: vec!["api_secret".into()],
        };
        let mut custodian = Custodian::try_from_events(new.into_events()).unwrap();
        assert!(
            custodian
                .update_config(komainu("u1"), vec![])
                .unwrap()
                .was_already_applied()
        );
        assert!(
            custodian
                .update_config(komainu("u1"), vec!["webhook_secret".into()])
                .unwrap()
                .did_execute()
        );
        assert!(
            custodian
                .update_config(komainu("u2"), vec![])
                .unwrap()
                .did_execute()
        );
        assert!(matches!(
            custodian.update_config(PublicConfig::Manual, vec![]),
            Err(InvalidValue::ProviderChange { .. })
        ));
        let rebuilt = Custodian::try_from_events(custodian.events().clone()).unwrap();
        assert_eq!(rebuilt.config, komainu("u2"));
        assert_eq!(rebuilt.events().iter_all().count(), 3);
    }
}
