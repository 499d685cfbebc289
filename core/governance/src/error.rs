use crate::primitives::{ApprovalProcessId, CommitteeId, InvalidValue, PolicyId, ProcessType};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum GovernanceError {
    #[error(transparent)]
    NotAuthorized(authz::AuthzError),
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("committee {0} not found")]
    CommitteeNotFound(CommitteeId),
    #[error("policy {0} not found")]
    PolicyNotFound(PolicyId),
    #[error("no policy governs process type {0}")]
    NoPolicyForProcessType(ProcessType),
    #[error("approval process {0} not found")]
    ApprovalProcessNotFound(ApprovalProcessId),
    #[error("a committee named {0} already exists")]
    CommitteeNameTaken(String),
    #[error("a committee needs at least one member")]
    CommitteeWithoutMembers,
    #[error("{member} is not a member of committee {committee_id}")]
    NotACommitteeMember {
        committee_id: CommitteeId,
        member: Uuid,
    },
    #[error("removing its last member would leave committee {committee_id} empty")]
    CommitteeWouldBeEmpty { committee_id: CommitteeId },
    #[error("{voter} already voted on approval process {process_id}")]
    AlreadyVoted {
        process_id: ApprovalProcessId,
        voter: Uuid,
    },
    #[error("{voter} is not an eligible voter of approval process {process_id}")]
    NotAnEligibleVoter {
        process_id: ApprovalProcessId,
        voter: Uuid,
    },
    #[error("approval process {process_id} is already concluded")]
    AlreadyConcluded { process_id: ApprovalProcessId },
    #[error(transparent)]
    Repo(#[from] es::EsRepoError),
    #[error(transparent)]
    Authz(authz::AuthzError),
    #[error(transparent)]
    Outbox(#[from] outbox::OutboxError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl From<authz::AuthzError> for GovernanceError {
    fn from(e: authz::AuthzError) -> Self {
        match e {
            authz::AuthzError::NotAuthorized { .. } => GovernanceError::NotAuthorized(e),
            other => GovernanceError::Authz(other),
        }
    }
}

impl GovernanceError {
    /// A stable code for clients; the message may change, the code does not.
    pub fn code(&self) -> &'static str {
        use es::EsRepoError as Repo;
        match self {
            GovernanceError::NotAuthorized(_) => "NOT_AUTHORIZED",
            GovernanceError::InvalidValue(_)
            | GovernanceError::CommitteeWithoutMembers
            | GovernanceError::Repo(Repo::InvalidPageSize { .. } | Repo::InvalidCursor) => {
                "INVALID_INPUT"
            }
            GovernanceError::CommitteeNotFound(_)
            | GovernanceError::PolicyNotFound(_)
            | GovernanceError::NoPolicyForProcessType(_)
            | GovernanceError::ApprovalProcessNotFound(_)
            | GovernanceError::Repo(Repo::NotFound { .. }) => "NOT_FOUND",
            GovernanceError::CommitteeNameTaken(_) => "COMMITTEE_NAME_TAKEN",
            GovernanceError::NotACommitteeMember { .. } => "NOT_A_COMMITTEE_MEMBER",
            GovernanceError::CommitteeWouldBeEmpty { .. } => "COMMITTEE_WOULD_BE_EMPTY",
            GovernanceError::AlreadyVoted { .. } => "ALREADY_VOTED",
            GovernanceError::NotAnEligibleVoter { .. } => "NOT_AN_ELIGIBLE_VOTER",
            GovernanceError::AlreadyConcluded { .. } => "APPROVAL_PROCESS_CONCLUDED",
            e if es::Retryable::is_retryable(e) => "CONCURRENT_MODIFICATION",
            GovernanceError::Repo(_)
            | GovernanceError::Authz(_)
            | GovernanceError::Outbox(_)
            | GovernanceError::Sqlx(_) => "INTERNAL",
        }
    }
}

/// What a fresh attempt of the use case may not hit again (see `es::retry_conflicts`).
impl es::Retryable for GovernanceError {
    fn is_retryable(&self) -> bool {
        match self {
            GovernanceError::Repo(e) => e.is_retryable(),
            GovernanceError::Sqlx(e)
            | GovernanceError::Outbox(outbox::OutboxError::Sqlx(e))
            | GovernanceError::Authz(authz::AuthzError::Sqlx(e)) => es::sqlx_error_is_retryable(e),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let process_id = ApprovalProcessId::new();
        let committee_id = CommitteeId::new();
        let voter = Uuid::now_v7();
        let cases = [
            (
                GovernanceError::InvalidValue(InvalidValue::DenialReason),
                "INVALID_INPUT",
            ),
            (GovernanceError::CommitteeWithoutMembers, "INVALID_INPUT"),
            (
                GovernanceError::Repo(es::EsRepoError::InvalidCursor),
                "INVALID_INPUT",
            ),
            (
                GovernanceError::CommitteeNotFound(committee_id),
                "NOT_FOUND",
            ),
            (
                GovernanceError::NoPolicyForProcessType(ProcessType::WITHDRAW),
                "NOT_FOUND",
            ),
            (
                GovernanceError::CommitteeNameTaken("Credit".into()),
                "COMMITTEE_NAME_TAKEN",
            ),
            (
                GovernanceError::NotACommitteeMember {
                    committee_id,
                    member: voter,
                },
                "NOT_A_COMMITTEE_MEMBER",
            ),
            (
                GovernanceError::CommitteeWouldBeEmpty { committee_id },
                "COMMITTEE_WOULD_BE_EMPTY",
            ),
            (
                GovernanceError::AlreadyVoted { process_id, voter },
                "ALREADY_VOTED",
            ),
            (
                GovernanceError::NotAnEligibleVoter { process_id, voter },
                "NOT_AN_ELIGIBLE_VOTER",
            ),
            (
                GovernanceError::AlreadyConcluded { process_id },
                "APPROVAL_PROCESS_CONCLUDED",
            ),
            (
                GovernanceError::Repo(es::EsRepoError::ConcurrentModification {
                    entity: "approval process",
                    id: process_id.into(),
                }),
                "CONCURRENT_MODIFICATION",
            ),
            (GovernanceError::Sqlx(sqlx::Error::PoolTimedOut), "INTERNAL"),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code, "{error}");
        }
    }
}
