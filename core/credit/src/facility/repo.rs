use super::entity::CreditFacility;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct CreditFacilityTable;

impl EsRepoConfig for CreditFacilityTable {
    type Entity = CreditFacility;
    const ENTITY: &'static str = "credit facility";
    const EVENTS_TABLE: &'static str = "credit_facility_events";
    const INDEX_TABLE: &'static str = "credit_facilities";
    const COLUMNS: &'static [Column] = &[
        Column::new("customer_id", ColumnType::Uuid),
        Column::new("deposit_account_id", ColumnType::Uuid),
        Column::new("status", ColumnType::Text),
        Column::new("proposal", ColumnType::Bool),
        Column::new("collateralization_state", ColumnType::Text),
        Column::new("approval_process_id", ColumnType::Uuid),
    ];

    fn index_values(f: &CreditFacility) -> Vec<IndexValue> {
        vec![
            Uuid::from(f.customer_id).into(),
            Uuid::from(f.deposit_account_id).into(),
            f.status.as_str().into(),
            f.status.is_proposal().into(),
            f.collateralization.as_str().into(),
            IndexValue::Uuid(f.approval_process_id.map(Uuid::from)),
        ]
    }
}

pub(crate) type CreditFacilityRepo = EsRepo<CreditFacilityTable>;
