use crate::error::AccessError;
use crate::primitives::{RoleId, RoleName};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RoleEvent {
    Initialized {
        name: RoleName,
        permission_sets: BTreeSet<String>,
    },
    PermissionSetsAdded {
        permission_sets: BTreeSet<String>,
    },
    PermissionSetsRemoved {
        permission_sets: BTreeSet<String>,
    },
}

/// Whether the role being changed is a predefined one, and who changes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Predefined {
    /// A role created at run time.
    No,
    /// A predefined role, by staff: refused.
    ByStaff,
    /// A predefined role, restored to its declaration at start.
    AtStart,
}

/// A named set of permission sets; a staff user has one.
#[derive(Debug)]
pub struct Role {
    pub name: RoleName,
    pub permission_sets: BTreeSet<String>,
    events: EntityEvents<RoleEvent>,
}

pub struct NewRole {
    pub id: RoleId,
    pub name: RoleName,
    pub permission_sets: BTreeSet<String>,
}

impl NewRole {
    pub fn into_events(self) -> EntityEvents<RoleEvent> {
        EntityEvents::init(
            self.id,
            [RoleEvent::Initialized {
                name: self.name,
                permission_sets: self.permission_sets,
            }],
        )
    }
}

impl Role {
    /// Adds the sets the role does not have yet; returns those. A predefined role is restored
    /// to its declaration at every start, so staff cannot change it (`predefined`); the start-up
    /// sync can.
    pub fn add_permission_sets(
        &mut self,
        sets: &BTreeSet<String>,
        predefined: Predefined,
    ) -> Result<Idempotent<BTreeSet<String>>, AccessError> {
        self.check_changeable(predefined)?;
        let added: BTreeSet<String> = sets.difference(&self.permission_sets).cloned().collect();
        if added.is_empty() {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.permission_sets.extend(added.iter().cloned());
        self.events.push(RoleEvent::PermissionSetsAdded {
            permission_sets: added.clone(),
        });
        Ok(Idempotent::Executed(added))
    }

    /// Removes the sets the role has; returns those (see [`Self::add_permission_sets`]).
    pub fn remove_permission_sets(
        &mut self,
        sets: &BTreeSet<String>,
        predefined: Predefined,
    ) -> Result<Idempotent<BTreeSet<String>>, AccessError> {
        self.check_changeable(predefined)?;
        let removed: BTreeSet<String> = sets.intersection(&self.permission_sets).cloned().collect();
        if removed.is_empty() {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.permission_sets.retain(|s| !removed.contains(s));
        self.events.push(RoleEvent::PermissionSetsRemoved {
            permission_sets: removed.clone(),
        });
        Ok(Idempotent::Executed(removed))
    }

    fn check_changeable(&self, predefined: Predefined) -> Result<(), AccessError> {
        match predefined {
            Predefined::ByStaff => Err(AccessError::PredefinedRole(self.name.to_string())),
            Predefined::No | Predefined::AtStart => Ok(()),
        }
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Role {
    type Id = RoleId;
    type Event = RoleEvent;

    fn events(&self) -> &EntityEvents<RoleEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<RoleEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<RoleEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(RoleEvent::Initialized {
            name,
            permission_sets,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (name, mut sets) = (name.clone(), permission_sets.clone());
        for event in iter {
            match event {
                RoleEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                RoleEvent::PermissionSetsAdded { permission_sets } => {
                    sets.extend(permission_sets.iter().cloned())
                }
                RoleEvent::PermissionSetsRemoved { permission_sets } => {
                    sets.retain(|s| !permission_sets.contains(s))
                }
            }
        }
        Ok(Self {
            name,
            permission_sets: sets,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sets(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn adding_and_removing_sets_records_only_the_change() {
        // given a role with one set
        let mut role = Role::try_from_events(
            NewRole {
                id: RoleId::new(),
                name: RoleName::parse("clerk").unwrap(),
                permission_sets: sets(&["customer-viewer"]),
            }
            .into_events(),
        )
        .unwrap();
        // when adding one it has and one it has not
        let added = role
            .add_permission_sets(
                &sets(&["customer-viewer", "deposit-viewer"]),
                Predefined::No,
            )
            .unwrap();
        // then only the new one is recorded
        assert_eq!(added, Idempotent::Executed(sets(&["deposit-viewer"])));
        assert!(
            role.add_permission_sets(&sets(&["deposit-viewer"]), Predefined::No)
                .unwrap()
                .was_already_applied()
        );
        assert!(
            role.remove_permission_sets(&sets(&["credit-viewer"]), Predefined::No)
                .unwrap()
                .was_already_applied()
        );
        assert_eq!(
            role.remove_permission_sets(
                &sets(&["customer-viewer", "credit-viewer"]),
                Predefined::No
            )
            .unwrap(),
            Idempotent::Executed(sets(&["customer-viewer"]))
        );
        assert_eq!(role.permission_sets, sets(&["deposit-viewer"]));
        // and the history rebuilds the same state
        let rebuilt = Role::try_from_events(role.events().clone()).unwrap();
        assert_eq!(rebuilt.permission_sets, sets(&["deposit-viewer"]));
    }

    #[test]
    fn staff_cannot_change_a_predefined_role_but_the_start_up_sync_can() {
        let mut role = Role::try_from_events(
            NewRole {
                id: RoleId::new(),
                name: RoleName::parse("admin").unwrap(),
                permission_sets: sets(&["customer-viewer"]),
            }
            .into_events(),
        )
        .unwrap();
        for refused in [
            role.add_permission_sets(&sets(&["deposit-viewer"]), Predefined::ByStaff),
            role.remove_permission_sets(&sets(&["customer-viewer"]), Predefined::ByStaff),
        ] {
            assert!(matches!(refused, Err(AccessError::PredefinedRole(n)) if n == "admin"));
        }
        assert!(
            role.add_permission_sets(&sets(&["deposit-viewer"]), Predefined::AtStart)
                .unwrap()
                .did_execute()
        );
    }
}
