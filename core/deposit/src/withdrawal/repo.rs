use super::entity::Withdrawal;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct WithdrawalTable;

impl EsRepoConfig for WithdrawalTable {
    type Entity = Withdrawal;
    const ENTITY: &'static str = "withdrawal";
    const EVENTS_TABLE: &'static str = "deposit_withdrawal_events";
    const INDEX_TABLE: &'static str = "deposit_withdrawals";
    const COLUMNS: &'static [Column] = &[
        Column::new("account_id", ColumnType::Uuid),
        Column::new("approval_process_id", ColumnType::Uuid),
        Column::new("status", ColumnType::Text),
    ];

    fn index_values(w: &Withdrawal) -> Vec<IndexValue> {
        vec![
            Uuid::from(w.account_id).into(),
            w.approval_process_id.into(),
            w.status.as_str().into(),
        ]
    }
}

pub(crate) type WithdrawalRepo = EsRepo<WithdrawalTable>;
