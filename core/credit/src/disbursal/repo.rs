use super::entity::Disbursal;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct DisbursalTable;

impl EsRepoConfig for DisbursalTable {
    type Entity = Disbursal;
    const ENTITY: &'static str = "disbursal";
    const EVENTS_TABLE: &'static str = "credit_disbursal_events";
    const INDEX_TABLE: &'static str = "credit_disbursals";
    const COLUMNS: &'static [Column] = &[
        Column::new("facility_id", ColumnType::Uuid),
        Column::new("approval_process_id", ColumnType::Uuid),
        Column::new("status", ColumnType::Text),
    ];

    fn index_values(d: &Disbursal) -> Vec<IndexValue> {
        vec![
            Uuid::from(d.facility_id).into(),
            IndexValue::Uuid(d.approval_process_id.map(Uuid::from)),
            d.status.as_str().into(),
        ]
    }
}

pub(crate) type DisbursalRepo = EsRepo<DisbursalTable>;
