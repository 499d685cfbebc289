use super::entity::Custodian;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct CustodianTable;

impl EsRepoConfig for CustodianTable {
    type Entity = Custodian;
    const ENTITY: &'static str = "custodian";
    const EVENTS_TABLE: &'static str = "custodian_events";
    const INDEX_TABLE: &'static str = "custodians";
    const COLUMNS: &'static [Column] = &[
        Column::new("name", ColumnType::Text),
        Column::new("provider", ColumnType::Text),
    ];

    fn index_values(custodian: &Custodian) -> Vec<IndexValue> {
        vec![
            custodian.name.as_str().into(),
            custodian.provider().as_str().into(),
        ]
    }
}

pub(crate) type CustodianRepo = EsRepo<CustodianTable>;
