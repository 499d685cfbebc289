use super::entity::LedgerExport;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct LedgerExportTable;

impl EsRepoConfig for LedgerExportTable {
    type Entity = LedgerExport;
    const ENTITY: &'static str = "ledger export";
    const EVENTS_TABLE: &'static str = "accounting_ledger_export_events";
    const INDEX_TABLE: &'static str = "accounting_ledger_exports";
    const COLUMNS: &'static [Column] = &[
        Column::new("account_id", ColumnType::Uuid),
        Column::new("status", ColumnType::Text),
    ];

    fn index_values(export: &LedgerExport) -> Vec<IndexValue> {
        vec![
            uuid::Uuid::from(export.account).into(),
            export.status.as_str().into(),
        ]
    }
}

pub(crate) type LedgerExportRepo = EsRepo<LedgerExportTable>;
