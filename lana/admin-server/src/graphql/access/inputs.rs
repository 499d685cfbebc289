use async_graphql::{InputObject, Result};
use graphql_kit::invalid_input;
use std::collections::BTreeSet;
use uuid::Uuid;

#[derive(InputObject)]
pub struct UserCreateInput {
    pub(super) email: String,
    pub(super) role_id: Uuid,
}

#[derive(InputObject)]
pub struct UserRoleUpdateInput {
    pub(super) user_id: Uuid,
    pub(super) role_id: Uuid,
}

#[derive(InputObject)]
pub struct RoleCreateInput {
    pub(super) name: String,
    pub(super) permission_sets: Vec<String>,
}

#[derive(InputObject)]
pub struct RolePermissionSetsAddInput {
    pub(super) role_id: Uuid,
    pub(super) permission_sets: Vec<String>,
}

#[derive(InputObject)]
pub struct RolePermissionSetsRemoveInput {
    pub(super) role_id: Uuid,
    pub(super) permission_sets: Vec<String>,
}

/// 1 to 64 permission set names.
pub(super) fn set_of(names: Vec<String>) -> Result<BTreeSet<String>> {
    if names.is_empty() || names.len() > 64 {
        return Err(invalid_input("give between 1 and 64 permission sets"));
    }
    Ok(names.into_iter().collect())
}
