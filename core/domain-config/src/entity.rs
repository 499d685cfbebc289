use crate::DomainConfigId;
use chrono::{DateTime, Utc};
use es::{
    Column, ColumnType, EntityEvents, EsEntity, EsEntityError, EsRepoConfig, Idempotent, IndexValue,
};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DomainConfigEvent {
    Initialized {
        key: String,
        value: serde_json::Value,
    },
    Updated {
        value: serde_json::Value,
    },
}

/// A setting that has been set at least once.
#[derive(Debug)]
pub struct DomainConfig {
    pub key: String,
    pub value: serde_json::Value,
    events: EntityEvents<DomainConfigEvent>,
}

pub(crate) struct NewDomainConfig {
    pub id: DomainConfigId,
    pub key: String,
    pub value: serde_json::Value,
}

impl NewDomainConfig {
    pub fn into_events(self) -> EntityEvents<DomainConfigEvent> {
        EntityEvents::init(
            self.id,
            [DomainConfigEvent::Initialized {
                key: self.key,
                value: self.value,
            }],
        )
    }
}

impl DomainConfig {
    pub fn update(&mut self, value: serde_json::Value) -> Idempotent<()> {
        if self.value == value {
            return Idempotent::AlreadyApplied;
        }
        self.value = value.clone();
        self.events.push(DomainConfigEvent::Updated { value });
        Idempotent::Executed(())
    }

    /// When the value last changed (set the first time, or updated).
    pub fn updated_at(&self) -> Option<DateTime<Utc>> {
        self.events.persisted().last().map(|e| e.recorded_at)
    }
}

impl EsEntity for DomainConfig {
    type Id = DomainConfigId;
    type Event = DomainConfigEvent;

    fn events(&self) -> &EntityEvents<DomainConfigEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<DomainConfigEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<DomainConfigEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(DomainConfigEvent::Initialized { key, value }) = iter.next() else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (key, mut value) = (key.clone(), value.clone());
        for event in iter {
            match event {
                DomainConfigEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                DomainConfigEvent::Updated { value: v } => value = v.clone(),
            }
        }
        Ok(Self { key, value, events })
    }
}

pub(crate) struct DomainConfigs;

impl EsRepoConfig for DomainConfigs {
    type Entity = DomainConfig;
    const ENTITY: &'static str = "domain config";
    const EVENTS_TABLE: &'static str = "domain_config_events";
    const INDEX_TABLE: &'static str = "domain_configs";
    const COLUMNS: &'static [Column] = &[Column::new("key", ColumnType::Text)];

    fn index_values(config: &DomainConfig) -> Vec<IndexValue> {
        vec![config.key.as_str().into()]
    }
}
