//! Staff users, roles, permission sets and the audit log.

mod inputs;
mod types;

use crate::request::{req, run};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object, Result};
use core_access::{Email, RoleId, RoleName, UserId};
use graphql_kit::{connection, invalid_input, list_query};
use inputs::{
    RoleCreateInput, RolePermissionSetsAddInput, RolePermissionSetsRemoveInput, UserCreateInput,
    UserRoleUpdateInput, set_of,
};
use types::{AuditEntry, AuditFilter, Me, Permission, PermissionSet, Role, User};
use uuid::Uuid;

payload!(UserCreatePayload, user: User);
payload!(UserRoleUpdatePayload, user: User);
payload!(RoleCreatePayload, role: Role);
payload!(RolePermissionSetsAddPayload, role: Role);
payload!(RolePermissionSetsRemovePayload, role: Role);

#[derive(Default)]
pub struct AccessQuery;

#[Object]
impl AccessQuery {
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let r = req(ctx)?;
        let user = run(ctx, |app, actor| app.access().me(actor)).await?;
        let permissions = r
            .app
            .access()
            .permissions_of(r.actor)
            .into_iter()
            .map(Permission::from)
            .collect();
        Ok(Me {
            user: user.into(),
            permissions,
        })
    }

    async fn user(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<User>> {
        let user = run(ctx, |app, actor| {
            app.access().find_user(actor, UserId::from(id))
        })
        .await?;
        Ok(user.map(User::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, User>> {
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| app.access().list_users(actor, query)).await?;
        Ok(connection(page, User::from))
    }

    async fn role(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Role>> {
        let role = run(ctx, |app, actor| {
            app.access().find_role(actor, RoleId::from(id))
        })
        .await?;
        Ok(role.map(Role::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn roles(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Role>> {
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| app.access().list_roles(actor, query)).await?;
        Ok(connection(page, Role::from))
    }

    async fn permission_sets(&self, ctx: &Context<'_>) -> Result<Vec<PermissionSet>> {
        let sets = run(ctx, |app, actor| app.access().permission_sets(actor)).await?;
        Ok(sets
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
        let filter = audit::AuditFilter::from(filter.unwrap_or_default());
        let first = usize::try_from(first).map_err(|_| invalid_input("first must be positive"))?;
        let page = run(ctx, |app, actor| {
            app.access()
                .search_audit(actor, &filter, first, after.as_deref())
        })
        .await?;
        let mut connection = Connection::new(false, page.has_next_page);
        connection
            .edges
            .extend(page.entries.into_iter().map(|entry| {
                Edge::new(
                    audit::AuditPage::cursor_of(entry.id),
                    AuditEntry::from(entry),
                )
            }));
        Ok(connection)
    }
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
        let email = Email::parse(&input.email).map_err(invalid_input)?;
        let user = run(ctx, |app, actor| {
            app.access()
                .create_user(actor, email, RoleId::from(input.role_id))
        })
        .await?;
        Ok(UserCreatePayload { user: user.into() })
    }

    async fn user_role_update(
        &self,
        ctx: &Context<'_>,
        input: UserRoleUpdateInput,
    ) -> Result<UserRoleUpdatePayload> {
        let user = run(ctx, |app, actor| {
            app.access().update_user_role(
                actor,
                UserId::from(input.user_id),
                RoleId::from(input.role_id),
            )
        })
        .await?;
        Ok(UserRoleUpdatePayload { user: user.into() })
    }

    async fn role_create(
        &self,
        ctx: &Context<'_>,
        input: RoleCreateInput,
    ) -> Result<RoleCreatePayload> {
        let name = RoleName::parse(&input.name).map_err(invalid_input)?;
        let sets = set_of(input.permission_sets)?;
        let role = run(ctx, |app, actor| {
            app.access().create_role(actor, name, sets)
        })
        .await?;
        Ok(RoleCreatePayload { role: role.into() })
    }

    async fn role_permission_sets_add(
        &self,
        ctx: &Context<'_>,
        input: RolePermissionSetsAddInput,
    ) -> Result<RolePermissionSetsAddPayload> {
        let sets = set_of(input.permission_sets)?;
        let role = run(ctx, |app, actor| {
            app.access()
                .add_permission_sets(actor, RoleId::from(input.role_id), sets)
        })
        .await?;
        Ok(RolePermissionSetsAddPayload { role: role.into() })
    }

    async fn role_permission_sets_remove(
        &self,
        ctx: &Context<'_>,
        input: RolePermissionSetsRemoveInput,
    ) -> Result<RolePermissionSetsRemovePayload> {
        let sets = set_of(input.permission_sets)?;
        let role = run(ctx, |app, actor| {
            app.access()
                .remove_permission_sets(actor, RoleId::from(input.role_id), sets)
        })
        .await?;
        Ok(RolePermissionSetsRemovePayload { role: role.into() })
    }
}
