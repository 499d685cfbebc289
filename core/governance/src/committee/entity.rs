use crate::error::GovernanceError;
use crate::primitives::{CommitteeId, CommitteeName};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommitteeEvent {
    Initialized {
        name: CommitteeName,
        members: BTreeSet<Uuid>,
    },
    MemberAdded {
        member: Uuid,
    },
    MemberRemoved {
        member: Uuid,
    },
}

/// A named group of staff users whose approval a policy can require. Never empty.
#[derive(Debug)]
pub struct Committee {
    pub name: CommitteeName,
    /// Staff user ids.
    pub members: BTreeSet<Uuid>,
    events: EntityEvents<CommitteeEvent>,
}

pub struct NewCommittee {
    id: CommitteeId,
    name: CommitteeName,
    members: BTreeSet<Uuid>,
}

impl NewCommittee {
    /// A committee starts with at least one member (duplicates count once).
    pub fn try_new(
        id: CommitteeId,
        name: CommitteeName,
        members: impl IntoIterator<Item = Uuid>,
    ) -> Result<Self, GovernanceError> {
        let members: BTreeSet<Uuid> = members.into_iter().collect();
        if members.is_empty() {
            return Err(GovernanceError::CommitteeWithoutMembers);
        }
        Ok(Self { id, name, members })
    }

    pub fn into_events(self) -> EntityEvents<CommitteeEvent> {
        EntityEvents::init(
            self.id,
            [CommitteeEvent::Initialized {
                name: self.name,
                members: self.members,
            }],
        )
    }
}

impl Committee {
    pub fn add_member(&mut self, member: Uuid) -> Result<Idempotent<()>, GovernanceError> {
        if !self.members.insert(member) {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.events.push(CommitteeEvent::MemberAdded { member });
        Ok(Idempotent::Executed(()))
    }

    /// Removing someone removed before changes nothing; removing someone who never was a
    /// member, or the last member, is refused.
    pub fn remove_member(&mut self, member: Uuid) -> Result<Idempotent<()>, GovernanceError> {
        if !self.members.contains(&member) {
            let removed_before = self
                .events
                .iter_all()
                .any(|e| matches!(e, CommitteeEvent::MemberRemoved { member: m } if *m == member));
            if removed_before {
                return Ok(Idempotent::AlreadyApplied);
            }
            return Err(GovernanceError::NotACommitteeMember {
                committee_id: self.id(),
                member,
            });
        }
        if self.members.len() == 1 {
            return Err(GovernanceError::CommitteeWouldBeEmpty {
                committee_id: self.id(),
            });
        }
        self.members.remove(&member);
        self.events.push(CommitteeEvent::MemberRemoved { member });
        Ok(Idempotent::Executed(()))
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Committee {
    type Id = CommitteeId;
    type Event = CommitteeEvent;

    fn events(&self) -> &EntityEvents<CommitteeEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<CommitteeEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<CommitteeEvent>) -> Result<Self, EsEntityError> {
        let inconsistent = |reason: &str| EsEntityError::Inconsistent {
            entity_id: events.entity_id(),
            reason: reason.into(),
        };
        let mut iter = events.iter_all();
        let Some(CommitteeEvent::Initialized { name, members }) = iter.next() else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (name, mut members) = (name.clone(), members.clone());
        for event in iter {
            match event {
                CommitteeEvent::Initialized { .. } => {
                    return Err(inconsistent("initialized twice"));
                }
                CommitteeEvent::MemberAdded { member } => {
                    members.insert(*member);
                }
                CommitteeEvent::MemberRemoved { member } => {
                    members.remove(member);
                }
            }
        }
        if members.is_empty() {
            return Err(inconsistent("no members"));
        }
        Ok(Self {
            name,
            members,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn committee(members: &[Uuid]) -> Committee {
        Committee::try_from_events(
            NewCommittee::try_new(
                CommitteeId::new(),
                CommitteeName::parse("Credit").unwrap(),
                members.iter().copied(),
            )
            .unwrap()
            .into_events(),
        )
        .unwrap()
    }

    #[test]
    fn a_committee_needs_a_member_to_start() {
        // given no members / when creating / then refused
        let created = NewCommittee::try_new(
            CommitteeId::new(),
            CommitteeName::parse("Credit").unwrap(),
            [],
        );
        assert!(matches!(
            created,
            Err(GovernanceError::CommitteeWithoutMembers)
        ));
    }

    #[test]
    fn duplicate_initial_members_count_once() {
        let alice = Uuid::now_v7();
        let committee = committee(&[alice, alice]);
        assert_eq!(committee.members, BTreeSet::from([alice]));
    }

    #[test]
    fn adding_a_member_twice_appends_once() {
        // given
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let mut committee = committee(&[alice]);
        // when
        assert!(committee.add_member(bob).unwrap().did_execute());
        assert!(committee.add_member(bob).unwrap().was_already_applied());
        assert!(committee.add_member(alice).unwrap().was_already_applied());
        // then
        assert_eq!(
            committee.events().new_events()[1..],
            [CommitteeEvent::MemberAdded { member: bob }]
        );
        assert_eq!(committee.members, BTreeSet::from([alice, bob]));
    }

    #[test]
    fn removing_a_non_member_is_refused() {
        // given
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let mut committee = committee(&[alice]);
        // when
        let removed = committee.remove_member(bob);
        // then
        assert!(matches!(
            removed,
            Err(GovernanceError::NotACommitteeMember { member, .. }) if member == bob
        ));
        assert_eq!(committee.events().new_events().len(), 1);
    }

    #[test]
    fn the_last_member_cannot_be_removed() {
        // given
        let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
        let mut committee = committee(&[alice, bob]);
        // when
        assert!(committee.remove_member(alice).unwrap().did_execute());
        // a repeated removal changes nothing
        assert!(
            committee
                .remove_member(alice)
                .unwrap()
                .was_already_applied()
        );
        let last = committee.remove_member(bob);
        // then
        assert!(matches!(
            last,
            Err(GovernanceError::CommitteeWouldBeEmpty { committee_id }) if committee_id == committee.id()
        ));
        assert_eq!(
            committee.events().new_events()[1..],
            [CommitteeEvent::MemberRemoved { member: alice }]
        );
        assert_eq!(committee.members, BTreeSet::from([bob]));
    }

    #[test]
    fn state_is_rebuilt_from_events() {
        // given a history
        let (alice, bob, carol) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let mut events = NewCommittee::try_new(
            CommitteeId::new(),
            CommitteeName::parse("Risk").unwrap(),
            [alice, bob],
        )
        .unwrap()
        .into_events();
        events.push(CommitteeEvent::MemberAdded { member: carol });
        events.push(CommitteeEvent::MemberRemoved { member: alice });
        // when folded / then
        let committee = Committee::try_from_events(events).unwrap();
        assert_eq!(committee.name.as_str(), "Risk");
        assert_eq!(committee.members, BTreeSet::from([bob, carol]));
    }
}
