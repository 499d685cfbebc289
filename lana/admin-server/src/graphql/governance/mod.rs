//! Committees, policies and approval processes.

mod inputs;
mod types;

use crate::request::run;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use core_governance::{ApprovalProcessId, CommitteeId, CommitteeName, DenialReason, PolicyId};
use graphql_kit::{connection, invalid_input, list_query};
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
        let c = run(ctx, |app, actor| {
            app.governance()
                .find_committee(actor, CommitteeId::from(id))
        })
        .await?;
        Ok(c.map(Committee::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn committees(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Committee>> {
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| {
            app.governance().list_committees(actor, query)
        })
        .await?;
        Ok(connection(page, Committee::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn policies(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Policy>> {
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| {
            app.governance().list_policies(actor, query)
        })
        .await?;
        Ok(connection(page, Policy::from))
    }

    async fn approval_process(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> Result<Option<ApprovalProcess>> {
        let p = run(ctx, |app, actor| {
            app.governance()
                .find_process(actor, ApprovalProcessId::from(id))
        })
        .await?;
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
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| {
            app.governance()
                .list_processes(actor, query, status.map(Into::into))
        })
        .await?;
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
        let name = CommitteeName::parse(&input.name).map_err(invalid_input)?;
        let c = run(ctx, |app, actor| {
            app.governance()
                .create_committee(actor, name, input.member_ids)
        })
        .await?;
        Ok(CommitteeCreatePayload {
            committee: c.into(),
        })
    }

    async fn committee_member_add(
        &self,
        ctx: &Context<'_>,
        input: CommitteeMemberAddInput,
    ) -> Result<CommitteeMemberAddPayload> {
        let c = run(ctx, |app, actor| {
            app.governance().add_committee_member(
                actor,
                CommitteeId::from(input.committee_id),
                input.user_id,
            )
        })
        .await?;
        Ok(CommitteeMemberAddPayload {
            committee: c.into(),
        })
    }

    async fn committee_member_remove(
        &self,
        ctx: &Context<'_>,
        input: CommitteeMemberRemoveInput,
    ) -> Result<CommitteeMemberRemovePayload> {
        let c = run(ctx, |app, actor| {
            app.governance().remove_committee_member(
                actor,
                CommitteeId::from(input.committee_id),
                input.user_id,
            )
        })
        .await?;
        Ok(CommitteeMemberRemovePayload {
            committee: c.into(),
        })
    }

    async fn policy_committee_assign(
        &self,
        ctx: &Context<'_>,
        input: PolicyCommitteeAssignInput,
    ) -> Result<PolicyCommitteeAssignPayload> {
        let p = run(ctx, |app, actor| {
            app.governance().assign_committee(
                actor,
                PolicyId::from(input.policy_id),
                CommitteeId::from(input.committee_id),
            )
        })
        .await?;
        Ok(PolicyCommitteeAssignPayload { policy: p.into() })
    }

    /// The signed-in user's approval; approving again changes nothing.
    async fn approval_process_approve(
        &self,
        ctx: &Context<'_>,
        input: ApprovalProcessApproveInput,
    ) -> Result<ApprovalProcessApprovePayload> {
        let p = run(ctx, |app, actor| {
            app.governance()
                .approve(actor, ApprovalProcessId::from(input.approval_process_id))
        })
        .await?;
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
        let reason = DenialReason::parse(&input.reason).map_err(invalid_input)?;
        let id = ApprovalProcessId::from(input.approval_process_id);
        let p = run(ctx, |app, actor| app.governance().deny(actor, id, reason)).await?;
        Ok(ApprovalProcessDenyPayload {
            approval_process: p.into(),
        })
    }
}
