use super::entity::TermsTemplate;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct TermsTemplateTable;

impl EsRepoConfig for TermsTemplateTable {
    type Entity = TermsTemplate;
    const ENTITY: &'static str = "terms template";
    const EVENTS_TABLE: &'static str = "credit_terms_template_events";
    const INDEX_TABLE: &'static str = "credit_terms_templates";
    const COLUMNS: &'static [Column] = &[Column::new("name", ColumnType::Text)];

    fn index_values(t: &TermsTemplate) -> Vec<IndexValue> {
        vec![t.name.as_str().into()]
    }
}

pub(crate) type TermsTemplateRepo = EsRepo<TermsTemplateTable>;
