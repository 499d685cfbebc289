//! Committees: created, members added and removed.

mod entity;
mod repo;

pub use entity::{Committee, CommitteeEvent};
pub(crate) use repo::CommitteeRepo;

use crate::Governance;
use crate::error::GovernanceError;
use crate::primitives::{CommitteeId, CommitteeName, permissions};
use authz::Actor;
use entity::NewCommittee;
use es::{DbOp, EsRepoError, Idempotent, ListQuery, Page};
use uuid::Uuid;

impl Governance {
    /// Creates a committee of staff users (at least one; the caller checked they are staff).
    pub async fn create_committee(
        &self,
        actor: &Actor,
        name: CommitteeName,
        members: Vec<Uuid>,
    ) -> Result<Committee, GovernanceError> {
        use permissions::{COMMITTEES, WRITE};
        let (name, members) = (&name, &members);
        self.use_cases
            .command(actor, COMMITTEES, WRITE, || {
                async move |op| {
                    self.ensure_staff_in_op(op, members).await?;
                    let new =
                        NewCommittee::try_new(CommitteeId::new(), name.clone(), members.clone())?;
                    match self.committees.create_in_op(op, new.into_events()).await {
                        Err(EsRepoError::UniqueViolation { .. }) => {
                            Err(GovernanceError::CommitteeNameTaken(name.to_string()))
                        }
                        other => Ok(other?),
                    }
                }
            })
            .await
    }

    /// Committee members are staff users.
    async fn ensure_staff_in_op(
        &self,
        op: &mut DbOp,
        users: &[Uuid],
    ) -> Result<(), GovernanceError> {
        match self.staff.unknown_in_op(op, users).await?.first() {
            Some(unknown) => Err(GovernanceError::UnknownStaffUser(*unknown)),
            None => Ok(()),
        }
    }

    /// Adding a member again changes nothing.
    pub async fn add_committee_member(
        &self,
        actor: &Actor,
        committee_id: CommitteeId,
        member: Uuid,
    ) -> Result<Committee, GovernanceError> {
        self.change_committee(actor, committee_id, &[member], |committee| {
            committee.add_member(member)
        })
        .await
    }

    /// Removing a member again changes nothing; the last member stays.
    pub async fn remove_committee_member(
        &self,
        actor: &Actor,
        committee_id: CommitteeId,
        member: Uuid,
    ) -> Result<Committee, GovernanceError> {
        self.change_committee(actor, committee_id, &[], |committee| {
            committee.remove_member(member)
        })
        .await
    }

    /// A change of the committee's members; `joining` must be staff users.
    async fn change_committee(
        &self,
        actor: &Actor,
        committee_id: CommitteeId,
        joining: &[Uuid],
        decide: impl Fn(&mut Committee) -> Result<Idempotent<()>, GovernanceError>,
    ) -> Result<Committee, GovernanceError> {
        use permissions::{COMMITTEES, WRITE};
        let decide = &decide;
        self.use_cases
            .command(actor, COMMITTEES, WRITE, || {
                async move |op| {
                    self.ensure_staff_in_op(op, joining).await?;
                    let mut committee = self.committees.find_by_id_in_op(op, committee_id).await?;
                    if decide(&mut committee)?.did_execute() {
                        self.committees.update_in_op(op, &mut committee).await?;
                    }
                    Ok(committee)
                }
            })
            .await
    }

    pub(crate) async fn committee_in_op(
        &self,
        op: &mut DbOp,
        id: CommitteeId,
    ) -> Result<Committee, GovernanceError> {
        Ok(self.committees.find_by_id_in_op(op, id).await?)
    }

    pub async fn find_committee(
        &self,
        actor: &Actor,
        id: CommitteeId,
    ) -> Result<Option<Committee>, GovernanceError> {
        use permissions::{COMMITTEES, READ};
        self.use_cases
            .query(actor, COMMITTEES, READ, async || {
                Ok(self.committees.maybe_find_by_id(id).await?)
            })
            .await
    }

    pub async fn list_committees(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<Committee>, GovernanceError> {
        use permissions::{COMMITTEES, READ};
        self.use_cases
            .query(actor, COMMITTEES, READ, async || {
                Ok(self.committees.list(query).await?)
            })
            .await
    }
}
