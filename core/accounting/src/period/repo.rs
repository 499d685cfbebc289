use super::entity::FiscalYear;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct FiscalYearTable;

impl EsRepoConfig for FiscalYearTable {
    type Entity = FiscalYear;
    const ENTITY: &'static str = "fiscal year";
    const EVENTS_TABLE: &'static str = "accounting_fiscal_year_events";
    const INDEX_TABLE: &'static str = "accounting_fiscal_years";
    const COLUMNS: &'static [Column] = &[
        Column::new("year", ColumnType::BigInt),
        Column::new("closed", ColumnType::Bool),
    ];

    fn index_values(fy: &FiscalYear) -> Vec<IndexValue> {
        vec![i64::from(fy.year).into(), fy.closed.into()]
    }
}

pub(crate) type FiscalYearRepo = EsRepo<FiscalYearTable>;
