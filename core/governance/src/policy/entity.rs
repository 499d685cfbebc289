use crate::error::GovernanceError;
use crate::primitives::{ApprovalRules, CommitteeId, PolicyId, ProcessType};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PolicyEvent {
    Initialized {
        process_type: ProcessType,
        rules: ApprovalRules,
    },
    RulesUpdated {
        rules: ApprovalRules,
    },
}

/// How the processes of one type are approved. One policy per process type.
#[derive(Debug)]
pub struct Policy {
    pub process_type: ProcessType,
    pub rules: ApprovalRules,
    events: EntityEvents<PolicyEvent>,
}

/// A policy starts automatic; a committee is assigned later.
pub struct NewPolicy {
    pub id: PolicyId,
    pub process_type: ProcessType,
}

impl NewPolicy {
    pub fn into_events(self) -> EntityEvents<PolicyEvent> {
        EntityEvents::init(
            self.id,
            [PolicyEvent::Initialized {
                process_type: self.process_type,
                rules: ApprovalRules::Automatic,
            }],
        )
    }
}

impl Policy {
    /// From now on, processes of this type need every member of `committee_id` to approve.
    pub fn assign_committee(
        &mut self,
        committee_id: CommitteeId,
    ) -> Result<Idempotent<()>, GovernanceError> {
        let rules = ApprovalRules::Committee { committee_id };
        if self.rules == rules {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.rules = rules.clone();
        self.events.push(PolicyEvent::RulesUpdated { rules });
        Ok(Idempotent::Executed(()))
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Policy {
    type Id = PolicyId;
    type Event = PolicyEvent;

    fn events(&self) -> &EntityEvents<PolicyEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<PolicyEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<PolicyEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(PolicyEvent::Initialized {
            process_type,
            rules,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (process_type, mut rules) = (process_type.clone(), rules.clone());
        for event in iter {
            match event {
                PolicyEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                PolicyEvent::RulesUpdated { rules: r } => rules = r.clone(),
            }
        }
        Ok(Self {
            process_type,
            rules,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::try_from_events(
            NewPolicy {
                id: PolicyId::new(),
                process_type: ProcessType::WITHDRAW,
            }
            .into_events(),
        )
        .unwrap()
    }

    #[test]
    fn a_new_policy_is_automatic() {
        let policy = policy();
        assert_eq!(policy.rules, ApprovalRules::Automatic);
        assert_eq!(policy.process_type, ProcessType::WITHDRAW);
    }

    #[test]
    fn assigning_the_same_committee_again_appends_nothing() {
        // given
        let mut policy = policy();
        let (credit, risk) = (CommitteeId::new(), CommitteeId::new());
        // when
        assert!(policy.assign_committee(credit).unwrap().did_execute());
        assert!(
            policy
                .assign_committee(credit)
                .unwrap()
                .was_already_applied()
        );
        assert!(policy.assign_committee(risk).unwrap().did_execute());
        // then
        assert_eq!(
            policy.events().new_events()[1..],
            [
                PolicyEvent::RulesUpdated {
                    rules: ApprovalRules::Committee {
                        committee_id: credit
                    }
                },
                PolicyEvent::RulesUpdated {
                    rules: ApprovalRules::Committee { committee_id: risk }
                },
            ]
        );
        let rebuilt = Policy::try_from_events(policy.events().clone()).unwrap();
        assert_eq!(
            rebuilt.rules,
            ApprovalRules::Committee { committee_id: risk }
        );
    }
}
