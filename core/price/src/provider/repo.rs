use super::entity::PriceProvider;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct PriceProviderTable;

impl EsRepoConfig for PriceProviderTable {
    type Entity = PriceProvider;
    const ENTITY: &'static str = "price provider";
    const EVENTS_TABLE: &'static str = "price_provider_events";
    const INDEX_TABLE: &'static str = "price_providers";
    const COLUMNS: &'static [Column] = &[
        Column::new("name", ColumnType::Text),
        Column::new("kind", ColumnType::Text),
        Column::new("active", ColumnType::Bool),
    ];

    fn index_values(provider: &PriceProvider) -> Vec<IndexValue> {
        vec![
            provider.name.as_str().into(),
            provider.kind.as_str().into(),
            provider.active.into(),
        ]
    }
}

pub(crate) type PriceProviderRepo = EsRepo<PriceProviderTable>;
