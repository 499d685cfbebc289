use super::entity::Policy;
use crate::primitives::ApprovalRules;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct Policies;

impl EsRepoConfig for Policies {
    type Entity = Policy;
    const ENTITY: &'static str = "policy";
    const EVENTS_TABLE: &'static str = "governance_policy_events";
    const INDEX_TABLE: &'static str = "governance_policies";
    const COLUMNS: &'static [Column] = &[
        Column::new("process_type", ColumnType::Text),
        Column::new("committee_id", ColumnType::Uuid),
    ];

    fn index_values(policy: &Policy) -> Vec<IndexValue> {
        let committee_id = match policy.rules {
            ApprovalRules::Automatic => None,
            ApprovalRules::Committee { committee_id } => Some(Uuid::from(committee_id)),
        };
        vec![policy.process_type.as_str().into(), committee_id.into()]
    }
}

pub(crate) type PolicyRepo = EsRepo<Policies>;
