//! Committees, policies and approval processes.

mod inputs;
mod types;

use crate::request::req;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use core_governance::{ApprovalProcessId, CommitteeId, CommitteeName, DenialReason, PolicyId};
use graphql_kit::{ApiResult, connection, invalid_input, list_query};
use inputs::{
    ApprovalProcessApproveInput, ApprovalProcessDenyInput, CommitteeCreateInput,
    CommitteeMemberAddInput, CommitteeMemberRemoveInput, PolicyCommitteeAssignInput,
};
use types::{ApprovalProcess, ApprovalProcessStatus, Committee, Policy};
use uuid::Uuid;

payload!(CommitteeCreatePayload, committee: Committee);
payload!(CommitteeMemberAddPayload, committee: Committee);
payload!(CommitteeMemberRemovePayload, committee: Committee);
payload!(PolicyCommitteeAssignPayload, policy: Policy);
payload!(ApprovalProcessApprovePayload, approval_process: ApprovalProcess);
payload!(ApprovalProcessDenyPayload, approval_process: ApprovalProcess);

#[derive(Default)]
pub struct GovernanceQuery;

#[Object]
impl GovernanceQuery {
    async fn committee(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Committee>> {
        let r = req(ctx)?;
        let c = r
            .app
            .governance()
            .find_committee(r.actor, CommitteeId::from(id))
            .await
            .api(ctx)?;
        Ok(c.map(Committee::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn committees(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Committee>> {
        let r = req(ctx)?;
        let page = r
            .app
            .governance()
            .list_committees(r.actor, list_query(first, after)?)
            .await
            .api(ctx)?;
        Ok(connection(page, Committee::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn policies(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Policy>> {
        let r = req(ctx)?;
        let page = r
            .app
            .governance()
            .list_policies(r.actor, list_query(first, after)?)
            .await
            .api(ctx)?;
        Ok(connection(page, Policy::from))
    }

    async fn approval_process(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> Result<Option<ApprovalProcess>> {
        let r = req(ctx)?;
        let p = r
            .app
            .governance()
            .find_process(r.actor, ApprovalProcessId::from(id))
            .await
            .api(ctx)?;
        Ok(p.map(ApprovalProcess::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn approval_processes(
        &self,
        ctx: &Context<'_>,
        status: Option<ApprovalProcessStatus>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, ApprovalProcess>> {
        let r = req(ctx)?;
        let page = r
            .app
            .governance()
            .list_processes(r.actor, list_query(first, after)?, status.map(Into::into))
            .await
            .api(ctx)?;
        Ok(connection(page, ApprovalProcess::from))
    }
}

#[derive(Default)]
pub struct GovernanceMutation;

#[Object]
impl GovernanceMutation {
    /// Creates a committee of staff users (at least one).
    async fn committee_create(
        &self,
        ctx: &Context<'_>,
        input: CommitteeCreateInput,
    ) -> Result<CommitteeCreatePayload> {
        let r = req(ctx)?;
        let name = CommitteeName::parse(&input.name).map_err(invalid_input)?;
        let c = r
            .app
            .governance()
            .create_committee(r.actor, name, input.member_ids)
            .await
            .api(ctx)?;
        Ok(CommitteeCreatePayload {
            committee: c.into(),
        })
    }

    async fn committee_member_add(
        &self,
        ctx: &Context<'_>,
        input: CommitteeMemberAddInput,
    ) -> Result<CommitteeMemberAddPayload> {
        let r = req(ctx)?;
        let c = r
            .app
            .governance()
            .add_committee_member(
                r.actor,
                CommitteeId::from(input.committee_id),
                input.user_id,
            )
            .await
            .api(ctx)?;
        Ok(CommitteeMemberAddPayload {
            committee: c.into(),
        })
    }

    async fn committee_member_remove(
        &self,
        ctx: &Context<'_>,
        input: CommitteeMemberRemoveInput,
    ) -> Result<CommitteeMemberRemovePayload> {
        let r = req(ctx)?;
        let c = r
            .app
            .governance()
            .remove_committee_member(
                r.actor,
                CommitteeId::from(input.committee_id),
                input.user_id,
            )
            .await
            .api(ctx)?;
        Ok(CommitteeMemberRemovePayload {
            committee: c.into(),
        })
    }

    async fn policy_committee_assign(
        &self,
        ctx: &Context<'_>,
        input: PolicyCommitteeAssignInput,
    ) -> Result<PolicyCommitteeAssignPayload> {
        let r = req(ctx)?;
        let p = r
            .app
            .governance()
            .assign_committee(
                r.actor,
                PolicyId::from(input.policy_id),
                CommitteeId::from(input.committee_id),
            )
            .await
            .api(ctx)?;
        Ok(PolicyCommitteeAssignPayload { policy: p.into() })
    }

    /// The signed-in user's approval; approving again changes nothing.
    async fn approval_process_approve(
        &self,
        ctx: &Context<'_>,
        input: ApprovalProcessApproveInput,
    ) -> Result<ApprovalProcessApprovePayload> {
        let r = req(ctx)?;
        let p = r
            .app
            .governance()
            .approve(r.actor, ApprovalProcessId::from(input.approval_process_id))
            .await
            .api(ctx)?;
        Ok(ApprovalProcessApprovePayload {
            approval_process: p.into(),
        })
    }

    /// The signed-in user's denial, which denies the process.
    async fn approval_process_deny(
        &self,
        ctx: &Context<'_>,
        input: ApprovalProcessDenyInput,
    ) -> Result<ApprovalProcessDenyPayload> {
        let r = req(ctx)?;
        let reason = DenialReason::parse(&input.reason).map_err(invalid_input)?;
        let p = r
            .app
            .governance()
            .deny(
                r.actor,
                ApprovalProcessId::from(input.approval_process_id),
                reason,
            )
            .await
            .api(ctx)?;
        Ok(ApprovalProcessDenyPayload {
            approval_process: p.into(),
        })
    }
}
