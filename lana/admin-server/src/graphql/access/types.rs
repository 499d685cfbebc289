use crate::request::run;
use async_graphql::{ComplexObject, Context, ID, InputObject, Result, SimpleObject};
use chrono::{DateTime, Utc};
use core_access::RoleId;
use es::EsEntity;
use uuid::Uuid;

#[derive(SimpleObject, Clone)]
pub struct Permission {
    pub(super) object: String,
    pub(super) action: String,
}

impl From<authz::Permission> for Permission {
    fn from(p: authz::Permission) -> Self {
        Self {
            object: p.object,
            action: p.action,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct PermissionSet {
    pub(super) name: String,
    pub(super) permissions: Vec<Permission>,
}

/// A member of staff.
#[derive(SimpleObject, Clone)]
#[graphql(complex)]
pub struct User {
    id: Uuid,
    email: String,
    role_id: Uuid,
    created_at: Option<DateTime<Utc>>,
}

#[ComplexObject]
impl User {
    async fn role(&self, ctx: &Context<'_>) -> Result<Option<Role>> {
        let id = RoleId::from(self.role_id);
        let role = run(ctx, |app, actor| app.access().find_role(actor, id)).await?;
        Ok(role.map(Role::from))
    }
}

impl From<core_access::User> for User {
    fn from(user: core_access::User) -> Self {
        Self {
            id: user.id().into(),
            email: user.email.to_string(),
            role_id: user.role_id.into(),
            created_at: user.created_at(),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct Role {
    id: Uuid,
    name: String,
    permission_sets: Vec<String>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_access::Role> for Role {
    fn from(role: core_access::Role) -> Self {
        Self {
            id: role.id().into(),
            name: role.name.to_string(),
            permission_sets: role.permission_sets.iter().cloned().collect(),
            created_at: role.created_at(),
        }
    }
}

/// The signed-in staff user and everything they may do.
#[derive(SimpleObject)]
pub struct Me {
    pub(super) user: User,
    pub(super) permissions: Vec<Permission>,
}

/// One authorization decision.
#[derive(SimpleObject)]
pub struct AuditEntry {
    id: ID,
    subject: String,
    object: String,
    action: String,
    authorized: bool,
    correlation_id: Option<String>,
    recorded_at: DateTime<Utc>,
}

impl From<audit::AuditEntry> for AuditEntry {
    fn from(entry: audit::AuditEntry) -> Self {
        Self {
            id: ID(entry.id.to_string()),
            subject: entry.subject,
            object: entry.object,
            action: entry.action,
            authorized: entry.authorized,
            correlation_id: entry.correlation_id,
            recorded_at: entry.recorded_at,
        }
    }
}

#[derive(InputObject, Default)]
pub struct AuditFilter {
    subject: Option<String>,
    object: Option<String>,
    action: Option<String>,
    authorized: Option<bool>,
    /// Inclusive.
    from: Option<DateTime<Utc>>,
    /// Exclusive.
    until: Option<DateTime<Utc>>,
}

impl From<AuditFilter> for audit::AuditFilter {
    fn from(f: AuditFilter) -> Self {
        Self {
            subject: f.subject,
            object: f.object,
            action: f.action,
            authorized: f.authorized,
            from: f.from,
            until: f.until,
        }
    }
}
