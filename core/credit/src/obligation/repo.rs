use super::entity::Obligation;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct ObligationTable;

impl EsRepoConfig for ObligationTable {
    type Entity = Obligation;
    const ENTITY: &'static str = "obligation";
    const EVENTS_TABLE: &'static str = "credit_obligation_events";
    const INDEX_TABLE: &'static str = "credit_obligations";
    const COLUMNS: &'static [Column] = &[
        Column::new("facility_id", ColumnType::Uuid),
        Column::new("kind", ColumnType::Text),
        Column::new("status", ColumnType::Text),
        Column::new("source_id", ColumnType::Uuid),
    ];

    fn index_values(o: &Obligation) -> Vec<IndexValue> {
        vec![
            Uuid::from(o.facility_id).into(),
            o.kind.as_str().into(),
            o.status.as_str().into(),
            o.source_id.into(),
        ]
    }
}

pub(crate) type ObligationRepo = EsRepo<ObligationTable>;
