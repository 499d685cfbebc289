//! Access: staff users, roles, and the roles' permission sets.
//!
//! Users and roles are event-sourced entities; every change is also applied to the authorization
//! rules (`lib/authz`) in the same transaction, so what a user may do changes exactly when the
//! change commits. Roles are keyed in the rules by name.
//!
//! At start, [`Access::init`] makes sure the predefined roles exist as entities (with the permission
//! sets the composition root declares) and that the configured superuser exists. Laid out like the
//! example domain (`core/deposit`): use cases in `user/mod.rs` and `role/mod.rs`.

mod audit_log;
mod error;
pub mod primitives;
mod role;
mod user;

pub use error::{AccessError, CODES};
pub use primitives::{Email, RoleId, RoleName, UserId};
pub use role::{Role, RoleEvent};
pub use user::{User, UserEvent};

use authz::{Actor, RoleDef, Subject};
use role::RoleRepo;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use use_case::UseCases;
use user::UserRepo;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A staff user acting through the admin API.
pub fn subject_of(user_id: UserId) -> Subject {
    Subject::User(user_id.into())
}

/// Most subjects remembered by [`Access::user_id_for_login`].
pub const LOGIN_CACHE_MAX: usize = 10_000;

#[derive(Clone)]
pub struct Access {
    use_cases: UseCases,
    audit: audit::Audit,
    users: UserRepo,
    roles: RoleRepo,
    predefined: Vec<String>,
    /// Identity provider subjects already linked to a user. A link never changes once made, so
    /// entries never go stale; the map starts over when it reaches [`LOGIN_CACHE_MAX`].
    logins: Arc<RwLock<HashMap<String, UserId>>>,
}

impl Access {
    /// Ensures the predefined roles and the superuser (when configured) exist.
    pub async fn init(
        use_cases: UseCases,
        audit: audit::Audit,
        predefined: &[RoleDef],
        superuser: Option<(&str, &str)>,
    ) -> Result<Self, AccessError> {
        let (pool, clock) = (use_cases.pool().clone(), use_cases.clock().clone());
        let access = Self {
            users: UserRepo::new(pool.clone(), clock.clone()),
            roles: RoleRepo::new(pool, clock),
            predefined: predefined.iter().map(|r| r.name.to_owned()).collect(),
            logins: Arc::default(),
            use_cases,
            audit,
        };
        let actor = Actor::system("access.init");
        for def in predefined {
            access.sync_predefined_role(&actor, def).await?;
        }
        if let Some((email, role)) = superuser {
            let email = Email::parse(email)?;
            let role = RoleName::parse(role)?;
            access.bootstrap_user(&actor, &email, &role).await?;
        }
        access
            .use_cases
            .authz()
            .reload()
            .await
            .map_err(use_case::PlatformError::from)?;
        Ok(access)
    }
}
