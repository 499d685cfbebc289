//! A setting that has been set at least once: its key and value, and every change as an event.

use crate::error::DomainConfigError;
use crate::primitives::DomainConfigId;
use chrono::{DateTime, Utc};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
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
    /// Sets the (already validated) value; the same value again changes nothing.
    pub fn update(
        &mut self,
        value: serde_json::Value,
    ) -> Result<Idempotent<()>, DomainConfigError> {
        if self.value == value {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.value = value.clone();
        self.events.push(DomainConfigEvent::Updated { value });
        Ok(Idempotent::Executed(()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_same_value_again_appends_nothing() {
        let new = NewDomainConfig {
            id: DomainConfigId::new(),
            key: "k".into(),
            value: json!(1),
        };
        let mut config = DomainConfig::try_from_events(new.into_events()).unwrap();
        assert!(config.update(json!(1)).unwrap().was_already_applied());
        assert!(config.update(json!(2)).unwrap().did_execute());
        assert!(config.update(json!(2)).unwrap().was_already_applied());
        let rebuilt = DomainConfig::try_from_events(config.events().clone()).unwrap();
        assert_eq!(rebuilt.value, json!(2));
    }
}
