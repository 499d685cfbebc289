//! Policies: one per process type, automatic until a committee is assigned.

mod entity;
mod repo;

pub use entity::{Policy, PolicyEvent};
pub(crate) use repo::PolicyRepo;

use crate::Governance;
use crate::error::GovernanceError;
use crate::primitives::{CommitteeId, PolicyId, ProcessType, permissions};
use authz::Actor;
use entity::NewPolicy;
use es::{DbOp, EsRepoError, ListQuery, Page};

impl Governance {
    /// Creates the policy of `process_type` unless it exists. Two processes starting at once may
    /// both try: `process_type` is unique, and PostgreSQL reports the violation to the second
    /// insert only once the first one committed, so a violation means the policy exists.
    pub(crate) async fn ensure_policy(
        &self,
        actor: &Actor,
        process_type: &ProcessType,
    ) -> Result<(), GovernanceError> {
        use permissions::{POLICIES, WRITE};
        self.use_cases
            .command(actor, POLICIES, WRITE, || {
                async move |op| {
                    if self.policy_of_in_op(op, process_type).await?.is_some() {
                        return Ok(());
                    }
                    let new = NewPolicy {
                        id: PolicyId::new(),
                        process_type: process_type.clone(),
                    };
                    match self.policies.create_in_op(op, new.into_events()).await {
                        Ok(_) | Err(EsRepoError::UniqueViolation { .. }) => Ok(()),
                        Err(e) => Err(e.into()),
                    }
                }
            })
            .await
    }

    pub(crate) async fn policy_of_in_op(
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
        actor: &Actor,
        id: PolicyId,
    ) -> Result<Option<Policy>, GovernanceError> {
        use permissions::{POLICIES, READ};
        self.use_cases
            .query(actor, POLICIES, READ, async || {
                Ok(self.policies.maybe_find_by_id(id).await?)
            })
            .await
    }

    pub async fn find_policy_by_process_type(
        &self,
        actor: &Actor,
        process_type: &ProcessType,
    ) -> Result<Option<Policy>, GovernanceError> {
        use permissions::{POLICIES, READ};
        self.use_cases
            .query(actor, POLICIES, READ, async || {
                Ok(self
                    .policies
                    .find_one_by("process_type", process_type.as_str())
                    .await?)
            })
            .await
    }

    pub async fn list_policies(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<Policy>, GovernanceError> {
        use permissions::{POLICIES, READ};
        self.use_cases
            .query(actor, POLICIES, READ, async || {
                Ok(self.policies.list(query).await?)
            })
            .await
    }

    /// Processes started from now on need every member of the committee to approve; processes
    /// already running keep the rules they started with. Assigning the same committee again changes
    /// nothing.
    pub async fn assign_committee(
        &self,
        actor: &Actor,
        policy_id: PolicyId,
        committee_id: CommitteeId,
    ) -> Result<Policy, GovernanceError> {
        use permissions::{POLICIES, WRITE};
        self.use_cases
            .command(actor, POLICIES, WRITE, || {
                async move |op| {
                    self.committee_in_op(op, committee_id).await?;
                    let mut policy = self.policies.find_by_id_in_op(op, policy_id).await?;
                    if policy.assign_committee(committee_id)?.did_execute() {
                        self.policies.update_in_op(op, &mut policy).await?;
                    }
                    Ok(policy)
                }
            })
            .await
    }
}
