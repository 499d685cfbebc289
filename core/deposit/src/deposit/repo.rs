use super::entity::Deposit;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct DepositTable;

impl EsRepoConfig for DepositTable {
    type Entity = Deposit;
    const ENTITY: &'static str = "deposit";
    const EVENTS_TABLE: &'static str = "deposit_deposit_events";
    const INDEX_TABLE: &'static str = "deposit_deposits";
    const COLUMNS: &'static [Column] = &[
        Column::new("account_id", ColumnType::Uuid),
        Column::new("status", ColumnType::Text),
    ];

    fn index_values(d: &Deposit) -> Vec<IndexValue> {
        vec![
            Uuid::from(d.account_id).into(),
            (if d.reverted { "reverted" } else { "confirmed" }).into(),
        ]
    }
}

pub(crate) type DepositRepo = EsRepo<DepositTable>;
