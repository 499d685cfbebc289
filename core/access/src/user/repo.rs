use super::entity::User;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct UserTable;

impl EsRepoConfig for UserTable {
    type Entity = User;
    const ENTITY: &'static str = "user";
    const EVENTS_TABLE: &'static str = "access_user_events";
    const INDEX_TABLE: &'static str = "access_users";
    const COLUMNS: &'static [Column] = &[
        Column::new("email", ColumnType::Text),
        Column::new("role_id", ColumnType::Uuid),
        Column::new("auth_subject", ColumnType::Text),
    ];

    fn index_values(user: &User) -> Vec<IndexValue> {
        vec![
            user.email.as_str().into(),
            Uuid::from(user.role_id).into(),
            user.auth_subject.as_deref().into(),
        ]
    }
}

pub(crate) type UserRepo = EsRepo<UserTable>;
