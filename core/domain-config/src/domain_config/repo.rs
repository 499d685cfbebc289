use super::entity::DomainConfig;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct DomainConfigTable;

impl EsRepoConfig for DomainConfigTable {
    type Entity = DomainConfig;
    const ENTITY: &'static str = "domain config";
    const EVENTS_TABLE: &'static str = "domain_config_events";
    const INDEX_TABLE: &'static str = "domain_configs";
    const COLUMNS: &'static [Column] = &[Column::new("key", ColumnType::Text)];

    fn index_values(config: &DomainConfig) -> Vec<IndexValue> {
        vec![config.key.as_str().into()]
    }
}

pub(crate) type DomainConfigRepo = EsRepo<DomainConfigTable>;
