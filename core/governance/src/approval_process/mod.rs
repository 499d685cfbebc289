//! Approval processes: started by other domains, voted on by staff.

mod entity;
mod repo;

pub use entity::{ApprovalProcess, ApprovalProcessEvent, ApprovalProcessStatus, Denial};
pub(crate) use repo::ApprovalProcessRepo;

use crate::Governance;
use crate::error::GovernanceError;
use crate::primitives::{ApprovalProcessId, ApprovalRules, DenialReason, ProcessType, permissions};
use authz::{Actor, Subject};
use entity::NewApprovalProcess;
use es::{DbOp, Idempotent, ListQuery, Page};
use std::collections::BTreeSet;
use std::fmt::Display;
use uuid::Uuid;

impl Governance {
    /// Starts the approval of `target_id` in the caller's transaction, under the current policy of
    /// `process_type`. Not authorized here: the caller authorized its own use case. Under automatic
    /// rules the process is approved at once and its conclusion is published in `op`, so it exists
    /// (and is announced) only if the caller commits.
    pub async fn start_process_in_op(
        &self,
        op: &mut DbOp,
        process_type: &ProcessType,
        target_id: impl Display,
    ) -> Result<ApprovalProcess, GovernanceError> {
        let policy = self
            .policy_of_in_op(op, process_type)
            .await?
            .ok_or_else(|| GovernanceError::NoPolicyForProcessType(process_type.clone()))?;
        let eligible_voters = match policy.rules {
            ApprovalRules::Automatic => BTreeSet::new(),
            ApprovalRules::Committee { committee_id } => {
                self.committee_in_op(op, committee_id).await?.members
            }
        };
        let new = NewApprovalProcess::try_new(
            ApprovalProcessId::new(),
            process_type.clone(),
            target_id.to_string(),
            policy.rules,
            eligible_voters,
        )?;
        Ok(self.processes.create_in_op(op, new.into_events()).await?)
    }

    /// The acting staff user's approval. Approving again changes nothing.
    pub async fn approve(
        &self,
        actor: &Actor,
        process_id: ApprovalProcessId,
    ) -> Result<ApprovalProcess, GovernanceError> {
        self.vote(actor, process_id, |process, voter| process.approve(voter))
            .await
    }

    /// The acting staff user's denial. Denying again changes nothing.
    pub async fn deny(
        &self,
        actor: &Actor,
        process_id: ApprovalProcessId,
        reason: DenialReason,
    ) -> Result<ApprovalProcess, GovernanceError> {
        self.vote(actor, process_id, |process, voter| {
            process.deny(voter, reason.clone())
        })
        .await
    }

    /// The voter is the acting staff user, so nobody votes in someone else's name. A vote that
    /// concludes the process publishes the conclusion (the publisher, in the same transaction).
    async fn vote(
        &self,
        actor: &Actor,
        process_id: ApprovalProcessId,
        decide: impl Fn(&mut ApprovalProcess, Uuid) -> Result<Idempotent<()>, GovernanceError>,
    ) -> Result<ApprovalProcess, GovernanceError> {
        use permissions::{APPROVAL_PROCESSES, WRITE};
        let decide = &decide;
        let Subject::User(voter) = actor.subject else {
            return Err(GovernanceError::VoterNotStaff(actor.subject.to_string()));
        };
        self.use_cases
            .command(actor, APPROVAL_PROCESSES, WRITE, || {
                async move |op| {
                    let mut process = self.processes.find_by_id_in_op(op, process_id).await?;
                    if decide(&mut process, voter)?.did_execute() {
                        self.processes.update_in_op(op, &mut process).await?;
                    }
                    Ok(process)
                }
            })
            .await
    }

    pub async fn find_process(
        &self,
        actor: &Actor,
        id: ApprovalProcessId,
    ) -> Result<Option<ApprovalProcess>, GovernanceError> {
        use permissions::{APPROVAL_PROCESSES, READ};
        self.use_cases
            .query(actor, APPROVAL_PROCESSES, READ, async || {
                Ok(self.processes.maybe_find_by_id(id).await?)
            })
            .await
    }

    /// A page of processes; with `status`, only those in it (replacing any filter in `query`).
    pub async fn list_processes(
        &self,
        actor: &Actor,
        query: ListQuery,
        status: Option<ApprovalProcessStatus>,
    ) -> Result<Page<ApprovalProcess>, GovernanceError> {
        use permissions::{APPROVAL_PROCESSES, READ};
        let query = match status {
            Some(status) => query.filter("status", status.as_str()),
            None => query,
        };
        self.use_cases
            .query(actor, APPROVAL_PROCESSES, READ, async || {
                Ok(self.processes.list(query).await?)
            })
            .await
    }
}
