use super::entity::Prospect;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct ProspectTable;

impl EsRepoConfig for ProspectTable {
    type Entity = Prospect;
    const ENTITY: &'static str = "prospect";
    const EVENTS_TABLE: &'static str = "customer_prospect_events";
    const INDEX_TABLE: &'static str = "customer_prospects";
    const COLUMNS: &'static [Column] = &[
        Column::new("email", ColumnType::Text),
        Column::new("kyc_status", ColumnType::Text),
        Column::new("stage", ColumnType::Text),
    ];

    fn index_values(p: &Prospect) -> Vec<IndexValue> {
        vec![
            p.email.as_str().into(),
            p.kyc_status.as_str().into(),
            (if p.converted { "converted" } else { "open" }).into(),
        ]
    }
}

pub(crate) type ProspectRepo = EsRepo<ProspectTable>;
