//! A named, editable set of terms. A proposal copies the terms it is made from, so editing a
//! template never changes a facility.

use crate::error::CreditError;
use crate::primitives::{TemplateName, TermsTemplateId};
use crate::terms::Terms;
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TermsTemplateEvent {
    Initialized { name: TemplateName, terms: Terms },
    Updated { name: TemplateName, terms: Terms },
}

#[derive(Debug)]
pub struct TermsTemplate {
    pub name: TemplateName,
    pub terms: Terms,
    events: EntityEvents<TermsTemplateEvent>,
}

pub fn new_template(
    id: TermsTemplateId,
    name: TemplateName,
    terms: Terms,
) -> EntityEvents<TermsTemplateEvent> {
    EntityEvents::init(id, [TermsTemplateEvent::Initialized { name, terms }])
}

impl TermsTemplate {
    /// New name and terms; the same again changes nothing.
    pub fn update(
        &mut self,
        name: TemplateName,
        terms: Terms,
    ) -> Result<Idempotent<()>, CreditError> {
        if self.name == name && self.terms == terms {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.name.clone_from(&name);
        self.terms = terms.clone();
        self.events
            .push(TermsTemplateEvent::Updated { name, terms });
        Ok(Idempotent::Executed(()))
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for TermsTemplate {
    type Id = TermsTemplateId;
    type Event = TermsTemplateEvent;

    fn events(&self) -> &EntityEvents<TermsTemplateEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<TermsTemplateEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<TermsTemplateEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(TermsTemplateEvent::Initialized { name, terms }) = iter.next() else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (mut name, mut terms) = (name.clone(), terms.clone());
        for event in iter {
            match event {
                TermsTemplateEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                TermsTemplateEvent::Updated {
                    name: new_name,
                    terms: new_terms,
                } => {
                    name.clone_from(new_name);
                    terms.clone_from(new_terms);
                }
            }
        }
        Ok(Self {
            name,
            terms,
            events,
        })
    }
}
