//! The admin GraphQL schema: translation only; every rule lives in the domain.

use crate::StaffUser;
use crate::banking::{BankingMutation, BankingQuery};
use crate::error::{access_error, audit_error};
use async_graphql::connection::Connection;
use async_graphql::{
    Context, EmptySubscription, ID, InputObject, MergedObject, Object, Result, Schema, SimpleObject,
};
use chrono::{DateTime, Utc};
use core_access::{Email, RoleId, RoleName, UserId};
use es::EsEntity;
use graphql_kit::{CorrelationId, GraphqlConfig, api_error, connection, list_query, with_limits};
use lana_app::LanaApp;
use std::collections::BTreeSet;
use uuid::Uuid;

pub type AdminSchema = Schema<Query, Mutation, EmptySubscription>;

#[derive(MergedObject, Default)]
pub struct Query(AccessQuery, BankingQuery);

#[derive(MergedObject, Default)]
pub struct Mutation(AccessMutation, BankingMutation);

pub fn build_schema(config: &GraphqlConfig) -> AdminSchema {
    with_limits(
        Schema::build(Query::default(), Mutation::default(), EmptySubscription),
        config,
    )
    .finish()
}

struct Request<'a> {
    app: &'a LanaApp,
    actor: UserId,
    correlation_id: &'a CorrelationId,
}

fn request<'a>(ctx: &Context<'a>) -> Result<Request<'a>> {
    Ok(Request {
        app: ctx.data::<LanaApp>()?,
        actor: ctx.data::<StaffUser>()?.0,
        correlation_id: ctx.data::<CorrelationId>()?,
    })
}

#[derive(SimpleObject, Clone)]
pub struct Permission {
    object: String,
    action: String,
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
    name: String,
    permissions: Vec<Permission>,
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

#[async_graphql::ComplexObject]
impl User {
    async fn role(&self, ctx: &Context<'_>) -> Result<Option<Role>> {
        let r = request(ctx)?;
        let role = r
            .app
            .access()
            .role_of(RoleId::from(self.role_id))
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
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
    user: User,
    permissions: Vec<Permission>,
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

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let r = request(ctx)?;
        let user = r
            .app
            .access()
            .me(r.actor)
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        let permissions = r
            .app
            .authz()
            .permissions_of(&core_access::subject_of(r.actor))
            .into_iter()
            .map(Permission::from)
            .collect();
        Ok(Me {
            user: user.into(),
            permissions,
        })
    }

    async fn user(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<User>> {
        let r = request(ctx)?;
        let user = r
            .app
            .access()
            .find_user(r.actor, UserId::from(id))
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        Ok(user.map(User::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, User>> {
        let r = request(ctx)?;
        let page = r
            .app
            .access()
            .list_users(r.actor, list_query(first, after)?)
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        Ok(connection(page, User::from))
    }

    async fn role(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Role>> {
        let r = request(ctx)?;
        let role = r
            .app
            .access()
            .find_role(r.actor, RoleId::from(id))
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        Ok(role.map(Role::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Role>> {
        let r = request(ctx)?;
        let page = r
            .app
            .access()
            .list_roles(r.actor, list_query(first, after)?)
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        Ok(connection(page, Role::from))
    }

    async fn permission_sets(&self, ctx: &Context<'_>) -> Result<Vec<PermissionSet>> {
        let r = request(ctx)?;
        r.app
            .authz()
            .enforce(
                &core_access::subject_of(r.actor),
                core_access::primitives::permissions::ROLES,
                core_access::primitives::permissions::READ,
                Some(r.correlation_id.0.clone()),
            )
            .await
            .map_err(|e| access_error(r.correlation_id, e.into()))?;
        Ok(r.app
            .authz()
            .permission_sets()
            .into_iter()
            .map(|(name, permissions)| PermissionSet {
                name,
                permissions: permissions.into_iter().map(Permission::from).collect(),
            })
            .collect())
    }

    /// The audit log, newest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn audit(
        &self,
        ctx: &Context<'_>,
        filter: Option<AuditFilter>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, AuditEntry>> {
        let r = request(ctx)?;
        r.app
            .authz()
            .enforce(
                &core_access::subject_of(r.actor),
                "audit/log",
                "audit:read",
                Some(r.correlation_id.0.clone()),
            )
            .await
            .map_err(|e| access_error(r.correlation_id, e.into()))?;
        let filter = filter.unwrap_or_default();
        let filter = audit::AuditFilter {
            subject: filter.subject,
            object: filter.object,
            action: filter.action,
            authorized: filter.authorized,
            from: filter.from,
            until: filter.until,
        };
        let first = usize::try_from(first)
            .map_err(|_| api_error("BAD_USER_INPUT", "first must be positive"))?;
        let page = r
            .app
            .audit()
            .search(&filter, first, after.as_deref())
            .await
            .map_err(|e| audit_error(r.correlation_id, e))?;
        let mut connection = Connection::new(false, page.has_next_page);
        for entry in page.entries {
            connection.edges.push(async_graphql::connection::Edge::new(
                audit::AuditPage::cursor_of(entry.id),
                AuditEntry {
                    id: ID(entry.id.to_string()),
                    subject: entry.subject,
                    object: entry.object,
                    action: entry.action,
                    authorized: entry.authorized,
                    correlation_id: entry.correlation_id,
                    recorded_at: entry.recorded_at,
                },
            ));
        }
        Ok(connection)
    }
}

#[derive(InputObject)]
pub struct UserCreateInput {
    email: String,
    role_id: Uuid,
}

#[derive(SimpleObject)]
pub struct UserCreatePayload {
    user: User,
}

#[derive(InputObject)]
pub struct UserRoleUpdateInput {
    user_id: Uuid,
    role_id: Uuid,
}

#[derive(SimpleObject)]
pub struct UserRoleUpdatePayload {
    user: User,
}

#[derive(InputObject)]
pub struct RoleCreateInput {
    name: String,
    permission_sets: Vec<String>,
}

#[derive(SimpleObject)]
pub struct RoleCreatePayload {
    role: Role,
}

#[derive(InputObject)]
pub struct RolePermissionSetsAddInput {
    role_id: Uuid,
    permission_sets: Vec<String>,
}

#[derive(SimpleObject)]
pub struct RolePermissionSetsAddPayload {
    role: Role,
}

#[derive(InputObject)]
pub struct RolePermissionSetsRemoveInput {
    role_id: Uuid,
    permission_sets: Vec<String>,
}

#[derive(SimpleObject)]
pub struct RolePermissionSetsRemovePayload {
    role: Role,
}

fn set_of(names: Vec<String>) -> Result<BTreeSet<String>> {
    if names.is_empty() || names.len() > 64 {
        return Err(api_error(
            "INVALID_INPUT",
            "give between 1 and 64 permission sets",
        ));
    }
    Ok(names.into_iter().collect())
}

#[derive(Default)]
pub struct AccessMutation;

#[Object]
impl AccessMutation {
    async fn user_create(
        &self,
        ctx: &Context<'_>,
        input: UserCreateInput,
    ) -> Result<UserCreatePayload> {
        let r = request(ctx)?;
        let email = Email::parse(&input.email).map_err(|e| api_error("INVALID_INPUT", e))?;
        let user = r
            .app
            .access()
            .create_user(r.actor, email, RoleId::from(input.role_id))
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        Ok(UserCreatePayload { user: user.into() })
    }

    async fn user_role_update(
        &self,
        ctx: &Context<'_>,
        input: UserRoleUpdateInput,
    ) -> Result<UserRoleUpdatePayload> {
        let r = request(ctx)?;
        let user = r
            .app
            .access()
            .update_user_role(
                r.actor,
                UserId::from(input.user_id),
                RoleId::from(input.role_id),
            )
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        Ok(UserRoleUpdatePayload { user: user.into() })
    }

    async fn role_create(
        &self,
        ctx: &Context<'_>,
        input: RoleCreateInput,
    ) -> Result<RoleCreatePayload> {
        let r = request(ctx)?;
        let name = RoleName::parse(&input.name).map_err(|e| api_error("INVALID_INPUT", e))?;
        let role = r
            .app
            .access()
            .create_role(r.actor, name, set_of(input.permission_sets)?)
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        Ok(RoleCreatePayload { role: role.into() })
    }

    async fn role_permission_sets_add(
        &self,
        ctx: &Context<'_>,
        input: RolePermissionSetsAddInput,
    ) -> Result<RolePermissionSetsAddPayload> {
        let r = request(ctx)?;
        let role = r
            .app
            .access()
            .add_permission_sets(
                r.actor,
                RoleId::from(input.role_id),
                set_of(input.permission_sets)?,
            )
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        Ok(RolePermissionSetsAddPayload { role: role.into() })
    }

    async fn role_permission_sets_remove(
        &self,
        ctx: &Context<'_>,
        input: RolePermissionSetsRemoveInput,
    ) -> Result<RolePermissionSetsRemovePayload> {
        let r = request(ctx)?;
        let role = r
            .app
            .access()
            .remove_permission_sets(
                r.actor,
                RoleId::from(input.role_id),
                set_of(input.permission_sets)?,
            )
            .await
            .map_err(|e| access_error(r.correlation_id, e))?;
        Ok(RolePermissionSetsRemovePayload { role: role.into() })
    }
}
