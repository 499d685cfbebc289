use crate::error::AccessError;
use crate::primitives::{Email, RoleId, UserId};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum UserEvent {
    Initialized { email: Email, role_id: RoleId },
    RoleUpdated { role_id: RoleId },
    AuthSubjectLinked { subject: String },
}

/// A member of staff.
#[derive(Debug)]
pub struct User {
    pub email: Email,
    pub role_id: RoleId,
    /// The identity provider's `sub`, linked at the first login.
    pub auth_subject: Option<String>,
    events: EntityEvents<UserEvent>,
}

pub struct NewUser {
    pub id: UserId,
    pub email: Email,
    pub role_id: RoleId,
}

impl NewUser {
    pub fn into_events(self) -> EntityEvents<UserEvent> {
        EntityEvents::init(
            self.id,
            [UserEvent::Initialized {
                email: self.email,
                role_id: self.role_id,
            }],
        )
    }
}

impl User {
    pub fn update_role(&mut self, role_id: RoleId) -> Result<Idempotent<()>, AccessError> {
        if self.role_id == role_id {
            return Ok(Idempotent::AlreadyApplied);
        }
        self.role_id = role_id;
        self.events.push(UserEvent::RoleUpdated { role_id });
        Ok(Idempotent::Executed(()))
    }

    /// Links the identity provider's subject; a user keeps the first subject it was linked to.
    pub fn link_auth_subject(&mut self, subject: &str) -> Result<Idempotent<()>, AccessError> {
        match &self.auth_subject {
            Some(linked) if linked == subject => Ok(Idempotent::AlreadyApplied),
            Some(_) => Err(AccessError::SubjectMismatch { user_id: self.id() }),
            None => {
                self.auth_subject = Some(subject.to_owned());
                self.events.push(UserEvent::AuthSubjectLinked {
                    subject: subject.to_owned(),
                });
                Ok(Idempotent::Executed(()))
            }
        }
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for User {
    type Id = UserId;
    type Event = UserEvent;

    fn events(&self) -> &EntityEvents<UserEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<UserEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<UserEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(UserEvent::Initialized { email, role_id }) = iter.next() else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (email, mut role_id, mut auth_subject) = (email.clone(), *role_id, None);
        for event in iter {
            match event {
                UserEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                UserEvent::RoleUpdated { role_id: r } => role_id = *r,
                UserEvent::AuthSubjectLinked { subject } => auth_subject = Some(subject.clone()),
            }
        }
        Ok(Self {
            email,
            role_id,
            auth_subject,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> User {
        User::try_from_events(
            NewUser {
                id: UserId::new(),
                email: Email::parse("a@lana.dev").unwrap(),
                role_id: RoleId::new(),
            }
            .into_events(),
        )
        .unwrap()
    }

    #[test]
    fn updating_to_the_same_role_appends_nothing() {
        // given
        let mut user = user();
        let role = user.role_id;
        // when / then
        assert!(user.update_role(role).unwrap().was_already_applied());
        assert_eq!(user.events().new_events().len(), 1);
        let other = RoleId::new();
        assert!(user.update_role(other).unwrap().did_execute());
        assert_eq!(
            user.events().new_events().last(),
            Some(&UserEvent::RoleUpdated { role_id: other })
        );
    }

    #[test]
    fn a_user_keeps_its_first_subject() {
        let mut user = user();
        assert!(user.link_auth_subject("sub-1").unwrap().did_execute());
        assert!(
            user.link_auth_subject("sub-1")
                .unwrap()
                .was_already_applied()
        );
        assert!(matches!(
            user.link_auth_subject("sub-2"),
            Err(AccessError::SubjectMismatch { .. })
        ));
    }

    #[test]
    fn state_is_rebuilt_from_events() {
        let id = UserId::new();
        let (r1, r2) = (RoleId::new(), RoleId::new());
        let mut events = EntityEvents::init(
            id,
            [UserEvent::Initialized {
                email: Email::parse("b@lana.dev").unwrap(),
                role_id: r1,
            }],
        );
        events.push(UserEvent::RoleUpdated { role_id: r2 });
        events.push(UserEvent::AuthSubjectLinked {
            subject: "s".into(),
        });
        let user = User::try_from_events(events).unwrap();
        assert_eq!(
            (user.role_id, user.auth_subject.as_deref()),
            (r2, Some("s"))
        );
    }
}
