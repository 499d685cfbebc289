use super::entity::AccrualCycle;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct AccrualCycleTable;

impl EsRepoConfig for AccrualCycleTable {
    type Entity = AccrualCycle;
    const ENTITY: &'static str = "accrual cycle";
    const EVENTS_TABLE: &'static str = "credit_accrual_cycle_events";
    const INDEX_TABLE: &'static str = "credit_accrual_cycles";
    const COLUMNS: &'static [Column] = &[
        Column::new("facility_id", ColumnType::Uuid),
        Column::new("open", ColumnType::Bool),
        Column::new("number", ColumnType::BigInt),
    ];

    fn index_values(c: &AccrualCycle) -> Vec<IndexValue> {
        vec![
            Uuid::from(c.facility_id).into(),
            (!c.completed).into(),
            i64::from(c.number).into(),
        ]
    }
}

pub(crate) type AccrualCycleRepo = EsRepo<AccrualCycleTable>;
