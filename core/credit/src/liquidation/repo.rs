use super::entity::Liquidation;
use crate::primitives::LiquidationStatus;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct LiquidationTable;

impl EsRepoConfig for LiquidationTable {
    type Entity = Liquidation;
    const ENTITY: &'static str = "liquidation";
    const EVENTS_TABLE: &'static str = "credit_liquidation_events";
    const INDEX_TABLE: &'static str = "credit_liquidations";
    const COLUMNS: &'static [Column] = &[
        Column::new("facility_id", ColumnType::Uuid),
        Column::new("active", ColumnType::Bool),
    ];

    fn index_values(l: &Liquidation) -> Vec<IndexValue> {
        vec![
            Uuid::from(l.facility_id).into(),
            (l.status != LiquidationStatus::Completed).into(),
        ]
    }
}

pub(crate) type LiquidationRepo = EsRepo<LiquidationTable>;
