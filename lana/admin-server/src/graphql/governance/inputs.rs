use async_graphql::InputObject;
use uuid::Uuid;

#[derive(InputObject)]
pub struct CommitteeCreateInput {
    pub(super) name: String,
    pub(super) member_ids: Vec<Uuid>,
}

#[derive(InputObject)]
pub struct CommitteeMemberAddInput {
    pub(super) committee_id: Uuid,
    pub(super) user_id: Uuid,
}

#[derive(InputObject)]
pub struct CommitteeMemberRemoveInput {
    pub(super) committee_id: Uuid,
    pub(super) user_id: Uuid,
}

#[derive(InputObject)]
pub struct PolicyCommitteeAssignInput {
    pub(super) policy_id: Uuid,
    pub(super) committee_id: Uuid,
}

#[derive(InputObject)]
pub struct ApprovalProcessApproveInput {
    pub(super) approval_process_id: Uuid,
}

#[derive(InputObject)]
pub struct ApprovalProcessDenyInput {
    pub(super) approval_process_id: Uuid,
    pub(super) reason: String,
}
