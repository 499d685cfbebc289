//! Staff users: created with a role, their role changed, linked to the identity provider at the
//! first login.

mod entity;
mod repo;

pub use entity::{User, UserEvent};
pub(crate) use repo::UserRepo;

use crate::error::AccessError;
use crate::primitives::{Email, RoleId, RoleName, UserId, permissions};
use crate::{Access, LOGIN_CACHE_MAX, subject_of};
use authz::{Actor, Subject};
use entity::NewUser;
use es::{DbOp, EsEntity, EsRepoError, ListQuery, Page};
use use_case::PlatformError;
use uuid::Uuid;

/// The staff user an actor is.
fn user_of(actor: &Actor) -> Result<UserId, AccessError> {
    match actor.subject {
        Subject::User(id) => Ok(UserId::from(id)),
        _ => Err(AccessError::NotStaff(actor.subject.to_string())),
    }
}

impl Access {
    /// Makes `email` a user with `role` (creating the user if missing), at start.
    pub(crate) async fn bootstrap_user(
        &self,
        actor: &Actor,
        email: &Email,
        role: &RoleName,
    ) -> Result<(), AccessError> {
        use permissions::{USERS, WRITE};
        self.use_cases
            .command(actor, USERS, WRITE, || {
                async move |op| {
                    let role = self
                        .roles
                        .find_one_by_in_op(op, "name", role.as_str())
                        .await?
                        .ok_or_else(|| AccessError::UnknownRole(role.to_string()))?;
                    let mut user = match self
                        .users
                        .find_one_by_in_op(op, "email", email.as_str())
                        .await?
                    {
                        Some(user) => user,
                        None => {
                            tracing::info!(email = %email, "bootstrapping the superuser");
                            let new = NewUser {
                                id: UserId::new(),
                                email: email.clone(),
                                role_id: role.id(),
                            };
                            self.users.create_in_op(op, new.into_events()).await?
                        }
                    };
                    if user.update_role(role.id())?.did_execute() {
                        self.users.update_in_op(op, &mut user).await?;
                    }
                    self.use_cases
                        .authz()
                        .assign_role_in_op(op, &subject_of(user.id()), role.name.as_str())
                        .await?;
                    Ok(())
                }
            })
            .await
    }

    /// The id of the staff user behind a verified token, as [`Self::user_for_login`], answered
    /// from memory once the subject is known to be linked (every request asks this).
    pub async fn user_id_for_login(
        &self,
        subject: &str,
        verified_email: Option<&str>,
    ) -> Result<Option<UserId>, AccessError> {
        if let Some(id) = self
            .logins
            .read()
            .ok()
            .and_then(|l| l.get(subject).copied())
        {
            return Ok(Some(id));
        }
        let Some(user) = self.user_for_login(subject, verified_email).await? else {
            return Ok(None);
        };
        if let Ok(mut logins) = self.logins.write() {
            if logins.len() >= LOGIN_CACHE_MAX {
                logins.clear();
            }
            logins.insert(subject.to_owned(), user.id());
        }
        Ok(Some(user.id()))
    }

    /// The staff user behind a verified token: by the stored subject, else by the verified email
    /// (linking the subject on that first login, as the system). `None` when there is no such
    /// user, or the user is linked to another identity.
    pub async fn user_for_login(
        &self,
        subject: &str,
        verified_email: Option<&str>,
    ) -> Result<Option<User>, AccessError> {
        use permissions::{USERS, WRITE};
        if let Some(user) = self.users.find_one_by("auth_subject", subject).await? {
            return Ok(Some(user));
        }
        let Some(email) = verified_email.and_then(|e| Email::parse(e).ok()) else {
            return Ok(None);
        };
        let email = &email;
        let actor = Actor::system("access.login");
        let linked = self
            .use_cases
            .command(&actor, USERS, WRITE, || {
                async move |op| {
                    let Some(mut user) = self
                        .users
                        .find_one_by_in_op(op, "email", email.as_str())
                        .await?
                    else {
                        return Ok(None);
                    };
                    if user.link_auth_subject(subject)?.did_execute() {
                        self.users.update_in_op(op, &mut user).await?;
                    }
                    Ok(Some(user))
                }
            })
            .await;
        match linked {
            Err(AccessError::SubjectMismatch { user_id }) => {
                tracing::warn!(%user_id, "login with a verified email of a user linked to another identity");
                Ok(None)
            }
            other => other,
        }
    }

    pub async fn create_user(
        &self,
        actor: &Actor,
        email: Email,
        role_id: RoleId,
    ) -> Result<User, AccessError> {
        use permissions::{USERS, WRITE};
        let email = &email;
        self.use_cases
            .command(actor, USERS, WRITE, || {
                async move |op| {
                    let role = self.roles.find_by_id_in_op(op, role_id).await?;
                    let new = NewUser {
                        id: UserId::new(),
                        email: email.clone(),
                        role_id,
                    };
                    let user = match self.users.create_in_op(op, new.into_events()).await {
                        Err(EsRepoError::UniqueViolation { .. }) => {
                            return Err(AccessError::EmailTaken(email.to_string()));
                        }
                        other => other?,
                    };
                    self.use_cases
                        .authz()
                        .assign_role_in_op(op, &subject_of(user.id()), role.name.as_str())
                        .await?;
                    Ok(user)
                }
            })
            .await
    }

    pub async fn update_user_role(
        &self,
        actor: &Actor,
        user_id: UserId,
        role_id: RoleId,
    ) -> Result<User, AccessError> {
        use permissions::{USERS, WRITE};
        self.use_cases
            .command(actor, USERS, WRITE, || {
                async move |op| {
                    let role = self.roles.find_by_id_in_op(op, role_id).await?;
                    let mut user = self.users.find_by_id_in_op(op, user_id).await?;
                    if user.update_role(role_id)?.did_execute() {
                        self.users.update_in_op(op, &mut user).await?;
                        self.use_cases
                            .authz()
                            .assign_role_in_op(op, &subject_of(user_id), role.name.as_str())
                            .await?;
                    }
                    Ok(user)
                }
            })
            .await
    }

    pub async fn find_user(&self, actor: &Actor, id: UserId) -> Result<Option<User>, AccessError> {
        use permissions::{READ, USERS};
        self.use_cases
            .query(actor, USERS, READ, async || {
                Ok(self.users.maybe_find_by_id(id).await?)
            })
            .await
    }

    pub async fn list_users(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<User>, AccessError> {
        use permissions::{READ, USERS};
        self.use_cases
            .query(actor, USERS, READ, async || {
                Ok(self.users.list(query).await?)
            })
            .await
    }

    /// The acting staff user's own record, for `me` (no permission needed to see yourself).
    pub async fn me(&self, actor: &Actor) -> Result<User, AccessError> {
        Ok(self.users.find_by_id(user_of(actor)?).await?)
    }

    /// The ids among `users` that are no staff user, read in the caller's transaction (for
    /// other domains' references to staff, e.g. committee members).
    pub async fn unknown_users_in_op(
        &self,
        op: &mut DbOp,
        users: &[Uuid],
    ) -> Result<Vec<Uuid>, PlatformError> {
        let known: Vec<Uuid> = sqlx::query_scalar("SELECT id FROM access_users WHERE id = ANY($1)")
            .bind(users)
            .fetch_all(op.conn())
            .await?;
        Ok(users
            .iter()
            .filter(|u| !known.contains(u))
            .copied()
            .collect())
    }
}
