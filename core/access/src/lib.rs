//! Access: staff users, roles, and the roles' permission sets.
//!
//! Users and roles are event-sourced entities; every change is also applied to the authorization
//! rules (`lib/authz`) in the same transaction, so what a user may do changes exactly when the
//! change commits. Roles are keyed in the rules by name.
//!
//! At start, [`Access::init`] makes sure the predefined roles exist as entities (with the permission
//! sets the composition root declares) and that the configured superuser exists.

mod error;
pub mod primitives;
mod role;
mod user;

pub use error::AccessError;
pub use primitives::{Email, RoleId, RoleName, UserId};
pub use role::{Role, RoleEvent};
pub use user::{User, UserEvent};

use authz::{Authorization, RoleDef, Subject};
use clock::Clock;
use es::{DbOp, EsEntity, ListQuery, Page, RetryPolicy, retry_conflicts};
use primitives::permissions;
use role::{NewRole, RoleRepo};
use sqlx::PgPool;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};
use user::{NewUser, UserRepo};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A staff user acting through the admin API.
pub fn subject_of(user_id: UserId) -> Subject {
    Subject::User(user_id.into())
}

#[derive(Clone)]
pub struct Access {
    pool: PgPool,
    clock: Clock,
    authz: Authorization,
    users: UserRepo,
    roles: RoleRepo,
    predefined: Vec<String>,
    /// Identity provider subjects already linked to a user. A link never changes once made, so
    /// entries never go stale; the map starts over when it reaches [`LOGIN_CACHE_MAX`].
    logins: Arc<RwLock<HashMap<String, UserId>>>,
}

/// Most subjects remembered by [`Access::user_id_for_login`].
pub const LOGIN_CACHE_MAX: usize = 10_000;

impl Access {
    /// Ensures the predefined roles and the superuser (when configured) exist.
    pub async fn init(
        pool: PgPool,
        clock: Clock,
        authz: Authorization,
        predefined: &[RoleDef],
        superuser: Option<(&str, &str)>,
    ) -> Result<Self, AccessError> {
        let access = Self {
            users: UserRepo::new(pool.clone(), clock.clone()),
            roles: RoleRepo::new(pool.clone(), clock.clone()),
            predefined: predefined.iter().map(|r| r.name.to_owned()).collect(),
            logins: Arc::default(),
            pool,
            clock,
            authz,
        };
        for def in predefined {
            retry_conflicts(RetryPolicy::default(), || access.sync_predefined_role(def)).await?;
        }
        if let Some((email, role)) = superuser {
            let email = Email::parse(email)?;
            let role = RoleName::parse(role)?;
            retry_conflicts(RetryPolicy::default(), || {
                access.bootstrap_user(&email, &role)
            })
            .await?;
        }
        access.authz.reload().await?;
        Ok(access)
    }

    async fn sync_predefined_role(&self, def: &RoleDef) -> Result<(), AccessError> {
        let name = RoleName::parse(def.name)?;
        let declared: BTreeSet<String> = def
            .permission_sets
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        match self
            .roles
            .find_one_by_in_op(&mut op, "name", name.as_str())
            .await?
        {
            None => {
                let new = NewRole {
                    id: RoleId::new(),
                    name,
                    permission_sets: declared,
                };
                self.roles.create_in_op(&mut op, new.into_events()).await?;
            }
            Some(mut role) => {
                let extra: BTreeSet<String> = role
                    .permission_sets
                    .difference(&declared)
                    .cloned()
                    .collect();
                let _ = role.add_permission_sets(&declared);
                let _ = role.remove_permission_sets(&extra);
                self.roles.update_in_op(&mut op, &mut role).await?;
            }
        }
        op.commit().await?;
        Ok(())
    }

    async fn bootstrap_user(&self, email: &Email, role: &RoleName) -> Result<(), AccessError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        let role = self
            .roles
            .find_one_by_in_op(&mut op, "name", role.as_str())
            .await?
            .ok_or_else(|| AccessError::UnknownRole(role.to_string()))?;
        let mut user = match self
            .users
            .find_one_by_in_op(&mut op, "email", email.as_str())
            .await?
        {
            Some(user) => user,
            None => {
                let new = NewUser {
                    id: UserId::new(),
                    email: email.clone(),
                    role_id: role.id(),
                };
                tracing::info!(email = %email, "bootstrapping the superuser");
                self.users.create_in_op(&mut op, new.into_events()).await?
            }
        };
        let _ = user.update_role(role.id());
        self.users.update_in_op(&mut op, &mut user).await?;
        self.authz
            .assign_role_in_op(&mut op, &subject_of(user.id()), role.name.as_str())
            .await?;
        op.commit().await?;
        Ok(())
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
    /// (linking the subject on that first login). `None` when there is no such user.
    pub async fn user_for_login(
        &self,
        subject: &str,
        verified_email: Option<&str>,
    ) -> Result<Option<User>, AccessError> {
        if let Some(user) = self.users.find_one_by("auth_subject", subject).await? {
            return Ok(Some(user));
        }
        let Some(email) = verified_email.and_then(|e| Email::parse(e).ok()) else {
            return Ok(None);
        };
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = DbOp::init(&self.pool, &self.clock).await?;
            let Some(mut user) = self.users.find_one_by_in_op(&mut op, "email", email.as_str()).await? else {
                return Ok(None);
            };
            match user.link_auth_subject(subject) {
                Ok(_) => {}
                Err(AccessError::SubjectMismatch { user_id }) => {
                    tracing::warn!(%user_id, "login with a verified email of a user linked to another identity");
                    return Ok(None);
                }
                Err(e) => return Err(e),
            }
            self.users.update_in_op(&mut op, &mut user).await?;
            op.commit().await?;
            Ok(Some(user))
        })
        .await
    }

    async fn begin(&self, actor: UserId, object: &str, action: &str) -> Result<DbOp, AccessError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        self.authz
            .enforce_in_op(&mut op, &subject_of(actor), object, action)
            .await?;
        Ok(op)
    }

    pub async fn create_user(
        &self,
        actor: UserId,
        email: Email,
        role_id: RoleId,
    ) -> Result<User, AccessError> {
        let mut op = self
            .begin(actor, permissions::USERS, permissions::WRITE)
            .await?;
        let role = self.find_role_in_op(&mut op, role_id).await?;
        let new = NewUser {
            id: UserId::new(),
            email: email.clone(),
            role_id,
        };
        let user = match self.users.create_in_op(&mut op, new.into_events()).await {
            Err(es::EsRepoError::UniqueViolation { .. }) => {
                return Err(AccessError::EmailTaken(email.to_string()));
            }
            other => other?,
        };
        self.authz
            .assign_role_in_op(&mut op, &subject_of(user.id()), role.name.as_str())
            .await?;
        op.commit().await?;
        Ok(user)
    }

    pub async fn update_user_role(
        &self,
        actor: UserId,
        user_id: UserId,
        role_id: RoleId,
    ) -> Result<User, AccessError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .begin(actor, permissions::USERS, permissions::WRITE)
                .await?;
            let role = self.find_role_in_op(&mut op, role_id).await?;
            let mut user = self.find_user_in_op(&mut op, user_id).await?;
            if user.update_role(role_id).did_execute() {
                self.users.update_in_op(&mut op, &mut user).await?;
                self.authz
                    .assign_role_in_op(&mut op, &subject_of(user_id), role.name.as_str())
                    .await?;
            }
            op.commit().await?;
            Ok(user)
        })
        .await
    }

    pub async fn create_role(
        &self,
        actor: UserId,
        name: RoleName,
        permission_sets: BTreeSet<String>,
    ) -> Result<Role, AccessError> {
        let mut op = self
            .begin(actor, permissions::ROLES, permissions::WRITE)
            .await?;
        let new = NewRole {
            id: RoleId::new(),
            name: name.clone(),
            permission_sets: permission_sets.clone(),
        };
        let role = match self.roles.create_in_op(&mut op, new.into_events()).await {
            Err(es::EsRepoError::UniqueViolation { .. }) => {
                return Err(AccessError::RoleNameTaken(name.to_string()));
            }
            other => other?,
        };
        self.authz.create_role_in_op(&mut op, name.as_str()).await?;
        let sets: Vec<String> = permission_sets.into_iter().collect();
        self.authz
            .add_permission_sets_in_op(&mut op, name.as_str(), &sets)
            .await?;
        op.commit().await?;
        Ok(role)
    }

    pub async fn add_permission_sets(
        &self,
        actor: UserId,
        role_id: RoleId,
        sets: BTreeSet<String>,
    ) -> Result<Role, AccessError> {
        self.change_permission_sets(actor, role_id, sets, true)
            .await
    }

    pub async fn remove_permission_sets(
        &self,
        actor: UserId,
        role_id: RoleId,
        sets: BTreeSet<String>,
    ) -> Result<Role, AccessError> {
        self.change_permission_sets(actor, role_id, sets, false)
            .await
    }

    async fn change_permission_sets(
        &self,
        actor: UserId,
        role_id: RoleId,
        sets: BTreeSet<String>,
        add: bool,
    ) -> Result<Role, AccessError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .begin(actor, permissions::ROLES, permissions::WRITE)
                .await?;
            let mut role = self.find_role_in_op(&mut op, role_id).await?;
            if self.predefined.iter().any(|p| p == role.name.as_str()) {
                return Err(AccessError::PredefinedRole(role.name.to_string()));
            }
            let changed = if add {
                role.add_permission_sets(&sets)
            } else {
                role.remove_permission_sets(&sets)
            };
            if let es::Idempotent::Executed(changed) = changed {
                self.roles.update_in_op(&mut op, &mut role).await?;
                let changed: Vec<String> = changed.into_iter().collect();
                if add {
                    self.authz
                        .add_permission_sets_in_op(&mut op, role.name.as_str(), &changed)
                        .await?;
                } else {
                    self.authz
                        .remove_permission_sets_in_op(&mut op, role.name.as_str(), &changed)
                        .await?;
                }
            }
            op.commit().await?;
            Ok(role)
        })
        .await
    }

    async fn find_user_in_op(&self, op: &mut DbOp, id: UserId) -> Result<User, AccessError> {
        match self.users.find_by_id_in_op(op, id).await {
            Err(es::EsRepoError::NotFound { .. }) => Err(AccessError::UserNotFound(id)),
            other => Ok(other?),
        }
    }

    async fn find_role_in_op(&self, op: &mut DbOp, id: RoleId) -> Result<Role, AccessError> {
        match self.roles.find_by_id_in_op(op, id).await {
            Err(es::EsRepoError::NotFound { .. }) => Err(AccessError::RoleNotFound(id)),
            other => Ok(other?),
        }
    }

    /// Reads are authorized and audited like writes.
    async fn read<T>(
        &self,
        actor: UserId,
        object: &str,
        read: impl AsyncFnOnce(&mut DbOp) -> Result<T, AccessError>,
    ) -> Result<T, AccessError> {
        let mut op = self.begin(actor, object, permissions::READ).await?;
        let value = read(&mut op).await?;
        op.commit().await?;
        Ok(value)
    }

    pub async fn find_user(&self, actor: UserId, id: UserId) -> Result<Option<User>, AccessError> {
        self.read(actor, permissions::USERS, async |op| {
            match self.find_user_in_op(op, id).await {
                Err(AccessError::UserNotFound(_)) => Ok(None),
                other => other.map(Some),
            }
        })
        .await
    }

    pub async fn list_users(
        &self,
        actor: UserId,
        query: ListQuery,
    ) -> Result<Page<User>, AccessError> {
        self.read(actor, permissions::USERS, async |op| {
            Ok(self.users.list_in_op(op, query).await?)
        })
        .await
    }

    pub async fn find_role(&self, actor: UserId, id: RoleId) -> Result<Option<Role>, AccessError> {
        self.read(actor, permissions::ROLES, async |op| {
            match self.find_role_in_op(op, id).await {
                Err(AccessError::RoleNotFound(_)) => Ok(None),
                other => other.map(Some),
            }
        })
        .await
    }

    pub async fn list_roles(
        &self,
        actor: UserId,
        query: ListQuery,
    ) -> Result<Page<Role>, AccessError> {
        self.read(actor, permissions::ROLES, async |op| {
            Ok(self.roles.list_in_op(op, query).await?)
        })
        .await
    }

    /// The user's own record, for `me` (no permission needed to see yourself).
    pub async fn me(&self, actor: UserId) -> Result<User, AccessError> {
        match self.users.find_by_id(actor).await {
            Err(es::EsRepoError::NotFound { .. }) => Err(AccessError::UserNotFound(actor)),
            other => Ok(other?),
        }
    }

    /// Whether a staff user with this id exists (for other domains' references to staff).
    pub async fn user_exists(&self, id: UserId) -> Result<bool, AccessError> {
        Ok(self.users.maybe_find_by_id(id).await?.is_some())
    }

    pub async fn role_of(&self, role_id: RoleId) -> Result<Option<Role>, AccessError> {
        Ok(self.roles.maybe_find_by_id(role_id).await?)
    }

    pub fn authz(&self) -> &Authorization {
        &self.authz
    }
}
