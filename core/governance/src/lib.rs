//! Governance: committees, approval policies and approval processes.
//!
//! - A **committee** is a named, never empty group of staff users (plain user ids: this crate does
//!   not know the access domain; the caller checks that the users exist).
//! - A **policy** says how the processes of one [`ProcessType`] are approved: automatically, or by
//!   every member of a committee. [`Governance::init`] makes sure each process type the bank uses
//!   has a policy (automatic until a committee is assigned).
//! - An **approval process** is started by another domain inside its own transaction
//!   ([`Governance::start_process_in_op`]), is voted on by the eligible staff, and announces its
//!   outcome once, with [`public::GovernanceEvent::ApprovalProcessConcluded`] on the outbox, in the
//!   transaction that concluded it. The starting domain reacts to that event (see [`public`]).
//!   The rules of a process are in `approval_process/entity.rs`.
//!
//! Every use case is one transaction: authorize (audited) -> load -> the entity decides -> persist
//! events and outbox rows -> commit. Commands that can race with others on the same entity (votes,
//! membership and policy changes) re-run as a whole on an optimistic-concurrency conflict
//! ([`es::retry_conflicts`]), so two members voting at the same moment both land.

mod approval_process;
mod committee;
mod error;
mod policy;
pub mod primitives;
pub mod public;

pub use approval_process::{ApprovalProcess, ApprovalProcessEvent, ApprovalProcessStatus, Denial};
pub use committee::{Committee, CommitteeEvent};
pub use error::GovernanceError;
pub use policy::{Policy, PolicyEvent};
pub use primitives::{
    ApprovalProcessId, ApprovalRules, CommitteeId, CommitteeName, DenialReason, PolicyId,
    ProcessType,
};

use approval_process::{ApprovalProcessRepo, NewApprovalProcess};
use authz::{Authorization, Subject};
use clock::Clock;
use committee::{CommitteeRepo, NewCommittee};
use es::{DbOp, EsRepoError, ListQuery, Page, RetryPolicy, retry_conflicts};
use outbox::Outbox;
use policy::{NewPolicy, PolicyRepo};
use primitives::permissions;
use sqlx::PgPool;
use std::collections::BTreeSet;
use std::fmt::Display;
use uuid::Uuid;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Governance {
    pool: PgPool,
    clock: Clock,
    authz: Authorization,
    outbox: Outbox,
    committees: CommitteeRepo,
    policies: PolicyRepo,
    processes: ApprovalProcessRepo,
}

impl Governance {
    /// Ensures an (automatic) policy exists for each of `process_types`.
    pub async fn init(
        pool: PgPool,
        clock: Clock,
        authz: Authorization,
        outbox: Outbox,
        process_types: &[ProcessType],
    ) -> Result<Self, GovernanceError> {
        let governance = Self {
            committees: CommitteeRepo::new(pool.clone(), clock.clone()),
            policies: PolicyRepo::new(pool.clone(), clock.clone()),
            processes: ApprovalProcessRepo::new(pool.clone(), clock.clone()),
            pool,
            clock,
            authz,
            outbox,
        };
        for process_type in process_types {
            retry_conflicts(RetryPolicy::default(), || {
                governance.ensure_policy(process_type)
            })
            .await?;
        }
        Ok(governance)
    }

    /// Creates the policy of `process_type` unless it exists. Two processes starting at once may
    /// both try: `process_type` is unique, and PostgreSQL reports the violation to the second
    /// insert only once the first one committed, so a violation means the policy exists.
    async fn ensure_policy(&self, process_type: &ProcessType) -> Result<(), GovernanceError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        if self
            .find_policy_by_process_type_in_op(&mut op, process_type)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let new = NewPolicy {
            id: PolicyId::new(),
            process_type: process_type.clone(),
        };
        match self.policies.create_in_op(&mut op, new.into_events()).await {
            Err(EsRepoError::UniqueViolation { .. }) => return Ok(()),
            other => other?,
        };
        op.commit().await?;
        Ok(())
    }

    /// Reads are authorized and audited like writes.
    async fn read<T>(
        &self,
        actor: &Subject,
        object: &str,
        read: impl AsyncFnOnce(&mut DbOp) -> Result<T, GovernanceError>,
    ) -> Result<T, GovernanceError> {
        let mut op = self
            .authz
            .begin_op(actor, object, permissions::READ)
            .await?;
        let value = read(&mut op).await?;
        op.commit().await?;
        Ok(value)
    }

    // Committees.

    pub async fn create_committee(
        &self,
        actor: &Subject,
        name: CommitteeName,
        members: Vec<Uuid>,
    ) -> Result<Committee, GovernanceError> {
        let mut op = self
            .authz
            .begin_op(actor, permissions::COMMITTEES, permissions::WRITE)
            .await?;
        let new = NewCommittee::try_new(CommitteeId::new(), name.clone(), members)?;
        let committee = match self
            .committees
            .create_in_op(&mut op, new.into_events())
            .await
        {
            Err(EsRepoError::UniqueViolation { .. }) => {
                return Err(GovernanceError::CommitteeNameTaken(name.to_string()));
            }
            other => other?,
        };
        op.commit().await?;
        Ok(committee)
    }

    /// Adding a member again changes nothing.
    pub async fn add_committee_member(
        &self,
        actor: &Subject,
        committee_id: CommitteeId,
        member: Uuid,
    ) -> Result<Committee, GovernanceError> {
        self.change_committee(actor, committee_id, |committee| {
            let _ = committee.add_member(member);
            Ok(())
        })
        .await
    }

    pub async fn remove_committee_member(
        &self,
        actor: &Subject,
        committee_id: CommitteeId,
        member: Uuid,
    ) -> Result<Committee, GovernanceError> {
        self.change_committee(actor, committee_id, |committee| {
            committee.remove_member(member)
        })
        .await
    }

    async fn change_committee(
        &self,
        actor: &Subject,
        committee_id: CommitteeId,
        decide: impl Fn(&mut Committee) -> Result<(), GovernanceError>,
    ) -> Result<Committee, GovernanceError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::COMMITTEES, permissions::WRITE)
                .await?;
            let mut committee = self.find_committee_in_op(&mut op, committee_id).await?;
            decide(&mut committee)?;
            self.committees
                .update_in_op(&mut op, &mut committee)
                .await?;
            op.commit().await?;
            Ok(committee)
        })
        .await
    }

    async fn find_committee_in_op(
        &self,
        op: &mut DbOp,
        id: CommitteeId,
    ) -> Result<Committee, GovernanceError> {
        match self.committees.find_by_id_in_op(op, id).await {
            Err(EsRepoError::NotFound { .. }) => Err(GovernanceError::CommitteeNotFound(id)),
            other => Ok(other?),
        }
    }

    pub async fn find_committee(
        &self,
        actor: &Subject,
        id: CommitteeId,
    ) -> Result<Option<Committee>, GovernanceError> {
        self.read(actor, permissions::COMMITTEES, async |op| {
            match self.find_committee_in_op(op, id).await {
                Err(GovernanceError::CommitteeNotFound(_)) => Ok(None),
                other => other.map(Some),
            }
        })
        .await
    }

    pub async fn list_committees(
        &self,
        actor: &Subject,
        query: ListQuery,
    ) -> Result<Page<Committee>, GovernanceError> {
        self.read(actor, permissions::COMMITTEES, async |op| {
            Ok(self.committees.list_in_op(op, query).await?)
        })
        .await
    }

    // Policies.

    async fn find_policy_by_process_type_in_op(
        &self,
        op: &mut DbOp,
        process_type: &ProcessType,
    ) -> Result<Option<Policy>, GovernanceError> {
        Ok(self
            .policies
            .find_one_by_in_op(op, "process_type", process_type.as_str())
            .await?)
    }

    pub async fn find_policy(
        &self,
        actor: &Subject,
        id: PolicyId,
    ) -> Result<Option<Policy>, GovernanceError> {
        self.read(actor, permissions::POLICIES, async |op| {
            match self.find_policy_in_op(op, id).await {
                Err(GovernanceError::PolicyNotFound(_)) => Ok(None),
                other => other.map(Some),
            }
        })
        .await
    }

    async fn find_policy_in_op(
        &self,
        op: &mut DbOp,
        id: PolicyId,
    ) -> Result<Policy, GovernanceError> {
        match self.policies.find_by_id_in_op(op, id).await {
            Err(EsRepoError::NotFound { .. }) => Err(GovernanceError::PolicyNotFound(id)),
            other => Ok(other?),
        }
    }

    pub async fn find_policy_by_process_type(
        &self,
        actor: &Subject,
        process_type: &ProcessType,
    ) -> Result<Option<Policy>, GovernanceError> {
        self.read(actor, permissions::POLICIES, async |op| {
            self.find_policy_by_process_type_in_op(op, process_type)
                .await
        })
        .await
    }

    pub async fn list_policies(
        &self,
        actor: &Subject,
        query: ListQuery,
    ) -> Result<Page<Policy>, GovernanceError> {
        self.read(actor, permissions::POLICIES, async |op| {
            Ok(self.policies.list_in_op(op, query).await?)
        })
        .await
    }

    /// Processes started from now on need every member of the committee to approve; processes
    /// already running keep the rules they started with. Assigning the same committee again changes
    /// nothing.
    pub async fn assign_committee(
        &self,
        actor: &Subject,
        policy_id: PolicyId,
        committee_id: CommitteeId,
    ) -> Result<Policy, GovernanceError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::POLICIES, permissions::WRITE)
                .await?;
            self.find_committee_in_op(&mut op, committee_id).await?;
            let mut policy = self.find_policy_in_op(&mut op, policy_id).await?;
            if policy.assign_committee(committee_id).did_execute() {
                self.policies.update_in_op(&mut op, &mut policy).await?;
            }
            op.commit().await?;
            Ok(policy)
        })
        .await
    }

    // Approval processes.

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
            .find_policy_by_process_type_in_op(op, process_type)
            .await?
            .ok_or_else(|| GovernanceError::NoPolicyForProcessType(process_type.clone()))?;
        let eligible_voters = match policy.rules {
            ApprovalRules::Automatic => BTreeSet::new(),
            ApprovalRules::Committee { committee_id } => {
                self.find_committee_in_op(op, committee_id).await?.members
            }
        };
        let new = NewApprovalProcess::try_new(
            ApprovalProcessId::new(),
            process_type.clone(),
            target_id.to_string(),
            policy.rules,
            eligible_voters,
        )?;
        let process = self.processes.create_in_op(op, new.into_events()).await?;
        self.publish_conclusion_in_op(op, &process).await?;
        Ok(process)
    }

    /// `actor`'s approval, as the staff user `actor` (authorized with `governance:write`).
    pub async fn approve(
        &self,
        actor: Uuid,
        process_id: ApprovalProcessId,
    ) -> Result<ApprovalProcess, GovernanceError> {
        self.vote(actor, process_id, |process| process.approve(actor))
            .await
    }

    /// `actor`'s denial, as the staff user `actor` (authorized with `governance:write`).
    pub async fn deny(
        &self,
        actor: Uuid,
        process_id: ApprovalProcessId,
        reason: DenialReason,
    ) -> Result<ApprovalProcess, GovernanceError> {
        self.vote(actor, process_id, |process| {
            process.deny(actor, reason.clone())
        })
        .await
    }

    /// The voter and the subject are the same user, so nobody votes in someone else's name.
    async fn vote(
        &self,
        actor: Uuid,
        process_id: ApprovalProcessId,
        decide: impl Fn(&mut ApprovalProcess) -> Result<(), GovernanceError>,
    ) -> Result<ApprovalProcess, GovernanceError> {
        let subject = Subject::User(actor);
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(
                    &subject,
                    permissions::APPROVAL_PROCESSES,
                    permissions::WRITE,
                )
                .await?;
            let mut process = self.find_process_in_op(&mut op, process_id).await?;
            decide(&mut process)?;
            self.processes.update_in_op(&mut op, &mut process).await?;
            // A vote is only taken while the process is in progress: concluded now means
            // concluded by this vote, so the conclusion is published exactly once.
            self.publish_conclusion_in_op(&mut op, &process).await?;
            op.commit().await?;
            Ok(process)
        })
        .await
    }

    async fn publish_conclusion_in_op(
        &self,
        op: &mut DbOp,
        process: &ApprovalProcess,
    ) -> Result<(), GovernanceError> {
        if let Some(event) = process.conclusion() {
            self.outbox.publish_all_in_op(op, &[event]).await?;
        }
        Ok(())
    }

    async fn find_process_in_op(
        &self,
        op: &mut DbOp,
        id: ApprovalProcessId,
    ) -> Result<ApprovalProcess, GovernanceError> {
        match self.processes.find_by_id_in_op(op, id).await {
            Err(EsRepoError::NotFound { .. }) => Err(GovernanceError::ApprovalProcessNotFound(id)),
            other => Ok(other?),
        }
    }

    pub async fn find_process(
        &self,
        actor: &Subject,
        id: ApprovalProcessId,
    ) -> Result<Option<ApprovalProcess>, GovernanceError> {
        self.read(
            actor,
            permissions::APPROVAL_PROCESSES,
            async |op| match self.find_process_in_op(op, id).await {
                Err(GovernanceError::ApprovalProcessNotFound(_)) => Ok(None),
                other => other.map(Some),
            },
        )
        .await
    }

    /// A page of processes; with `status`, only those in it (replacing any filter in `query`).
    pub async fn list_processes(
        &self,
        actor: &Subject,
        query: ListQuery,
        status: Option<ApprovalProcessStatus>,
    ) -> Result<Page<ApprovalProcess>, GovernanceError> {
        let query = match status {
            Some(status) => query.filter("status", status.as_str()),
            None => query,
        };
        self.read(actor, permissions::APPROVAL_PROCESSES, async |op| {
            Ok(self.processes.list_in_op(op, query).await?)
        })
        .await
    }
}
