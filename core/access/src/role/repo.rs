use super::entity::Role;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct RoleTable;

impl EsRepoConfig for RoleTable {
    type Entity = Role;
    const ENTITY: &'static str = "role";
    const EVENTS_TABLE: &'static str = "access_role_events";
    const INDEX_TABLE: &'static str = "access_roles";
    const COLUMNS: &'static [Column] = &[Column::new("name", ColumnType::Text)];

    fn index_values(role: &Role) -> Vec<IndexValue> {
        vec![role.name.as_str().into()]
    }
}

pub(crate) type RoleRepo = EsRepo<RoleTable>;
