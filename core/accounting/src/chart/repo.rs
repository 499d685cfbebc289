use super::entity::Chart;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct ChartTable;

impl EsRepoConfig for ChartTable {
    type Entity = Chart;
    const ENTITY: &'static str = "chart of accounts";
    const EVENTS_TABLE: &'static str = "accounting_chart_events";
    const INDEX_TABLE: &'static str = "accounting_charts";
    const COLUMNS: &'static [Column] = &[Column::new("name", ColumnType::Text)];

    fn index_values(chart: &Chart) -> Vec<IndexValue> {
        vec![chart.name.as_str().into()]
    }
}

pub(crate) type ChartRepo = EsRepo<ChartTable>;
