use super::entity::DepositAccount;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct DepositAccountTable;

impl EsRepoConfig for DepositAccountTable {
    type Entity = DepositAccount;
    const ENTITY: &'static str = "deposit account";
    const EVENTS_TABLE: &'static str = "deposit_account_events";
    const INDEX_TABLE: &'static str = "deposit_accounts";
    const COLUMNS: &'static [Column] = &[
        Column::new("customer_id", ColumnType::Uuid),
        Column::new("public_id", ColumnType::Text),
        Column::new("status", ColumnType::Text),
        Column::new("activity", ColumnType::Text),
        Column::new("ledger_account_id", ColumnType::Uuid),
        Column::new("frozen_ledger_account_id", ColumnType::Uuid),
        Column::new("omnibus_account_id", ColumnType::Uuid),
    ];

    fn index_values(a: &DepositAccount) -> Vec<IndexValue> {
        vec![
            Uuid::from(a.customer_id).into(),
            a.public_id.as_str().into(),
            a.status.as_str().into(),
            a.activity.as_str().into(),
            Uuid::from(a.ledger_account_id).into(),
            Uuid::from(a.frozen_ledger_account_id).into(),
            Uuid::from(a.omnibus_account_id).into(),
        ]
    }
}

pub(crate) type DepositAccountRepo = EsRepo<DepositAccountTable>;
