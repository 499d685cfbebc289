//! Roles: named sets of permission sets, applied to the authorization rules in the same
//! transaction. The predefined ones are restored to their declaration at every start.

mod entity;
mod repo;

pub use entity::{Role, RoleEvent};
pub(crate) use repo::RoleRepo;

use crate::Access;
use crate::error::AccessError;
use crate::primitives::{RoleId, RoleName, permissions};
use authz::{Actor, RoleDef};
use entity::{NewRole, Predefined};
use es::{EsRepoError, Idempotent, ListQuery, Page};
use std::collections::BTreeSet;

impl Access {
    /// Makes the predefined role exist with exactly its declared permission sets.
    pub(crate) async fn sync_predefined_role(
        &self,
        actor: &Actor,
        def: &RoleDef,
    ) -> Result<(), AccessError> {
        use permissions::{ROLES, WRITE};
        let name = RoleName::parse(def.name)?;
        let declared: BTreeSet<String> = def
            .permission_sets
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        let (name, declared) = (&name, &declared);
        self.use_cases
            .command(actor, ROLES, WRITE, || {
                async move |op| {
                    match self
                        .roles
                        .find_one_by_in_op(op, "name", name.as_str())
                        .await?
                    {
                        None => {
                            let new = NewRole {
                                id: RoleId::new(),
                                name: name.clone(),
                                permission_sets: declared.clone(),
                            };
                            self.roles.create_in_op(op, new.into_events()).await?;
                        }
                        Some(mut role) => {
                            let extra: BTreeSet<String> =
                                role.permission_sets.difference(declared).cloned().collect();
                            let added = role.add_permission_sets(declared, Predefined::AtStart)?;
                            let removed =
                                role.remove_permission_sets(&extra, Predefined::AtStart)?;
                            if added.did_execute() || removed.did_execute() {
                                self.roles.update_in_op(op, &mut role).await?;
                            }
                        }
                    }
                    Ok(())
                }
            })
            .await
    }

    fn predefined(&self, role: &Role) -> Predefined {
        if self.predefined.iter().any(|p| p == role.name.as_str()) {
            Predefined::ByStaff
        } else {
            Predefined::No
        }
    }

    pub async fn create_role(
        &self,
        actor: &Actor,
        name: RoleName,
        permission_sets: BTreeSet<String>,
    ) -> Result<Role, AccessError> {
        use permissions::{ROLES, WRITE};
        let (name, permission_sets) = (&name, &permission_sets);
        self.use_cases
            .command(actor, ROLES, WRITE, || {
                async move |op| {
                    let new = NewRole {
                        id: RoleId::new(),
                        name: name.clone(),
                        permission_sets: permission_sets.clone(),
                    };
                    let role = match self.roles.create_in_op(op, new.into_events()).await {
                        Err(EsRepoError::UniqueViolation { .. }) => {
                            return Err(AccessError::RoleNameTaken(name.to_string()));
                        }
                        other => other?,
                    };
                    let authz = self.use_cases.authz();
                    authz.create_role_in_op(op, name.as_str()).await?;
                    let sets: Vec<String> = permission_sets.iter().cloned().collect();
                    authz
                        .add_permission_sets_in_op(op, name.as_str(), &sets)
                        .await?;
                    Ok(role)
                }
            })
            .await
    }

    pub async fn add_permission_sets(
        &self,
        actor: &Actor,
        role_id: RoleId,
        sets: BTreeSet<String>,
    ) -> Result<Role, AccessError> {
        self.change_permission_sets(actor, role_id, sets, true)
            .await
    }

    pub async fn remove_permission_sets(
        &self,
        actor: &Actor,
        role_id: RoleId,
        sets: BTreeSet<String>,
    ) -> Result<Role, AccessError> {
        self.change_permission_sets(actor, role_id, sets, false)
            .await
    }

    async fn change_permission_sets(
        &self,
        actor: &Actor,
        role_id: RoleId,
        sets: BTreeSet<String>,
        add: bool,
    ) -> Result<Role, AccessError> {
        use permissions::{ROLES, WRITE};
        let sets = &sets;
        self.use_cases
            .command(actor, ROLES, WRITE, || {
                async move |op| {
                    let mut role = self.roles.find_by_id_in_op(op, role_id).await?;
                    let predefined = self.predefined(&role);
                    let changed = if add {
                        role.add_permission_sets(sets, predefined)?
                    } else {
                        role.remove_permission_sets(sets, predefined)?
                    };
                    if let Idempotent::Executed(changed) = changed {
                        self.roles.update_in_op(op, &mut role).await?;
                        let changed: Vec<String> = changed.into_iter().collect();
                        let authz = self.use_cases.authz();
                        if add {
                            authz
                                .add_permission_sets_in_op(op, role.name.as_str(), &changed)
                                .await?;
                        } else {
                            authz
                                .remove_permission_sets_in_op(op, role.name.as_str(), &changed)
                                .await?;
                        }
                    }
                    Ok(role)
                }
            })
            .await
    }

    pub async fn find_role(&self, actor: &Actor, id: RoleId) -> Result<Option<Role>, AccessError> {
        use permissions::{READ, ROLES};
        self.use_cases
            .query(actor, ROLES, READ, async || {
                Ok(self.roles.maybe_find_by_id(id).await?)
            })
            .await
    }

    pub async fn list_roles(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<Role>, AccessError> {
        use permissions::{READ, ROLES};
        self.use_cases
            .query(actor, ROLES, READ, async || {
                Ok(self.roles.list(query).await?)
            })
            .await
    }
}
