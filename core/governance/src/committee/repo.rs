use super::entity::Committee;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct Committees;

impl EsRepoConfig for Committees {
    type Entity = Committee;
    const ENTITY: &'static str = "committee";
    const EVENTS_TABLE: &'static str = "governance_committee_events";
    const INDEX_TABLE: &'static str = "governance_committees";
    const COLUMNS: &'static [Column] = &[Column::new("name", ColumnType::Text)];

    fn index_values(committee: &Committee) -> Vec<IndexValue> {
        vec![committee.name.as_str().into()]
    }
}

pub(crate) type CommitteeRepo = EsRepo<Committees>;
