//! A price provider: its name and kind, and whether it is the active one, each activation and
//! deactivation an event.

use crate::primitives::{PriceProviderId, ProviderKind};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PriceProviderEvent {
    Initialized {
        name: String,
        kind: ProviderKind,
        active: bool,
    },
    Activated,
    Deactivated,
}

#[derive(Debug)]
pub struct PriceProvider {
    pub name: String,
    pub kind: ProviderKind,
    pub active: bool,
    events: EntityEvents<PriceProviderEvent>,
}

pub(crate) struct NewPriceProvider {
    pub id: PriceProviderId,
    pub name: String,
    pub kind: ProviderKind,
    pub active: bool,
}

impl NewPriceProvider {
    pub fn into_events(self) -> EntityEvents<PriceProviderEvent> {
        EntityEvents::init(
            self.id,
            [PriceProviderEvent::Initialized {
                name: self.name,
                kind: self.kind,
                active: self.active,
            }],
        )
    }
}

impl PriceProvider {
    pub fn activate(&mut self) -> Idempotent<()> {
        if self.active {
            return Idempotent::AlreadyApplied;
        }
        self.active = true;
        self.events.push(PriceProviderEvent::Activated);
        Idempotent::Executed(())
    }

    pub fn deactivate(&mut self) -> Idempotent<()> {
        if !self.active {
            return Idempotent::AlreadyApplied;
        }
        self.active = false;
        self.events.push(PriceProviderEvent::Deactivated);
        Idempotent::Executed(())
    }
}

impl EsEntity for PriceProvider {
    type Id = PriceProviderId;
    type Event = PriceProviderEvent;

    fn events(&self) -> &EntityEvents<PriceProviderEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<PriceProviderEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<PriceProviderEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(PriceProviderEvent::Initialized { name, kind, active }) = iter.next() else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (name, kind, mut active) = (name.clone(), *kind, *active);
        for event in iter {
            match event {
                PriceProviderEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                PriceProviderEvent::Activated => active = true,
                PriceProviderEvent::Deactivated => active = false,
            }
        }
        Ok(Self {
            name,
            kind,
            active,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activating_twice_appends_once_and_the_fold_agrees() {
        let new = NewPriceProvider {
            id: PriceProviderId::new(),
            name: "manual".into(),
            kind: ProviderKind::Manual,
            active: false,
        };
        let mut provider = PriceProvider::try_from_events(new.into_events()).unwrap();
        assert!(provider.activate().did_execute());
        assert!(provider.activate().was_already_applied());
        assert!(provider.deactivate().did_execute());
        assert!(provider.activate().did_execute());
        let rebuilt = PriceProvider::try_from_events(provider.events().clone()).unwrap();
        assert!(rebuilt.active);
        assert_eq!(rebuilt.events().iter_all().count(), 4);
    }
}
