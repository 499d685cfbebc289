use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use core_governance::ApprovalRules;
use es::EsEntity;
use uuid::Uuid;

#[derive(SimpleObject)]
pub struct Committee {
    id: Uuid,
    name: String,
    /// Staff user ids.
    member_ids: Vec<Uuid>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_governance::Committee> for Committee {
    fn from(c: core_governance::Committee) -> Self {
        Self {
            id: c.id().into(),
            name: c.name.as_str().to_owned(),
            member_ids: c.members.iter().copied().collect(),
            created_at: c.created_at(),
        }
    }
}

#[derive(SimpleObject)]
pub struct Policy {
    id: Uuid,
    process_type: String,
    /// Set when a committee must approve; unset: approved automatically.
    committee_id: Option<Uuid>,
}

impl From<core_governance::Policy> for Policy {
    fn from(p: core_governance::Policy) -> Self {
        Self {
            id: p.id().into(),
            process_type: p.process_type.as_str().to_owned(),
            committee_id: match p.rules {
                ApprovalRules::Automatic => None,
                ApprovalRules::Committee { committee_id } => Some(committee_id.into()),
            },
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_governance::ApprovalProcessStatus")]
pub enum ApprovalProcessStatus {
    InProgress,
    Approved,
    Denied,
}

#[derive(SimpleObject)]
pub struct ApprovalProcess {
    id: Uuid,
    process_type: String,
    /// The id of what is being approved (e.g. the withdrawal).
    target_id: String,
    status: ApprovalProcessStatus,
    eligible_voter_ids: Vec<Uuid>,
    approver_ids: Vec<Uuid>,
    denied_by: Option<Uuid>,
    denial_reason: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_governance::ApprovalProcess> for ApprovalProcess {
    fn from(p: core_governance::ApprovalProcess) -> Self {
        Self {
            id: p.id().into(),
            process_type: p.process_type.as_str().to_owned(),
            target_id: p.target_id.clone(),
            status: p.status.into(),
            eligible_voter_ids: p.eligible_voters.iter().copied().collect(),
            approver_ids: p.approvals.iter().copied().collect(),
            denied_by: p.denial.as_ref().map(|d| d.voter),
            denial_reason: p.denial.as_ref().map(|d| d.reason.as_str().to_owned()),
            created_at: p.created_at(),
        }
    }
}
