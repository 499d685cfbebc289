//! The governance domain's errors and their stable codes.

use crate::primitives::{ApprovalProcessId, CommitteeId, InvalidValue, ProcessType};
use error_code::{ErrorCode, INVALID_INPUT, NOT_FOUND};
use use_case::{DomainError, PlatformError};
use uuid::Uuid;

pub const COMMITTEE_NAME_TAKEN: ErrorCode =
    ErrorCode::new("COMMITTEE_NAME_TAKEN", "Another committee has this name.");
pub const NOT_A_COMMITTEE_MEMBER: ErrorCode = ErrorCode::new(
    "NOT_A_COMMITTEE_MEMBER",
    "The staff user is not a member of the committee.",
);
pub const COMMITTEE_WOULD_BE_EMPTY: ErrorCode = ErrorCode::new(
    "COMMITTEE_WOULD_BE_EMPTY",
    "A committee keeps at least one member; add another before removing the last.",
);
pub const ALREADY_VOTED: ErrorCode = ErrorCode::new(
    "ALREADY_VOTED",
    "The staff user already voted otherwise on this approval process; each voter votes once.",
);
pub const NOT_AN_ELIGIBLE_VOTER: ErrorCode = ErrorCode::new(
    "NOT_AN_ELIGIBLE_VOTER",
    "Only the members of the committee when the process started vote on it.",
);
pub const APPROVAL_PROCESS_CONCLUDED: ErrorCode = ErrorCode::new(
    "APPROVAL_PROCESS_CONCLUDED",
    "The approval process is already approved or denied; it takes no more votes.",
);

/// The codes of this domain.
pub const CODES: &[ErrorCode] = &[
    COMMITTEE_NAME_TAKEN,
    NOT_A_COMMITTEE_MEMBER,
    COMMITTEE_WOULD_BE_EMPTY,
    ALREADY_VOTED,
    NOT_AN_ELIGIBLE_VOTER,
    APPROVAL_PROCESS_CONCLUDED,
];

#[derive(Debug, thiserror::Error)]
pub enum GovernanceError {
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("no policy governs process type {0}")]
    NoPolicyForProcessType(ProcessType),
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
    #[error("{0} is not a staff user; only staff vote")]
    VoterNotStaff(String),
    #[error("no staff user {0}")]
    UnknownStaffUser(Uuid),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

use_case::platform_errors!(GovernanceError);

impl DomainError for GovernanceError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidValue(_) | Self::CommitteeWithoutMembers => INVALID_INPUT,
            Self::NoPolicyForProcessType(_) | Self::UnknownStaffUser(_) => NOT_FOUND,
            Self::CommitteeNameTaken(_) => COMMITTEE_NAME_TAKEN,
            Self::NotACommitteeMember { .. } => NOT_A_COMMITTEE_MEMBER,
            Self::CommitteeWouldBeEmpty { .. } => COMMITTEE_WOULD_BE_EMPTY,
            Self::AlreadyVoted { .. } => ALREADY_VOTED,
            Self::NotAnEligibleVoter { .. } | Self::VoterNotStaff(_) => NOT_AN_ELIGIBLE_VOTER,
            Self::AlreadyConcluded { .. } => APPROVAL_PROCESS_CONCLUDED,
            Self::Platform(e) => e.code(),
        }
    }

    fn platform(&self) -> Option<&PlatformError> {
        match self {
            Self::Platform(e) => Some(e),
            _ => None,
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
                GovernanceError::from(es::EsRepoError::InvalidCursor),
                "INVALID_CURSOR",
            ),
            (
                GovernanceError::from(es::EsRepoError::NotFound {
                    entity: "committee",
                    id: committee_id.to_string(),
                }),
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
                GovernanceError::from(es::EsRepoError::ConcurrentModification {
                    entity: "approval process",
                    id: process_id.into(),
                }),
                "CONCURRENT_MODIFICATION",
            ),
            (GovernanceError::from(sqlx::Error::PoolTimedOut), "INTERNAL"),
        ];
        for (error, code) in cases {
            assert_eq!(error.code().as_str(), code, "{error}");
        }
        assert!(error_code::check_registry(CODES).is_empty());
    }
}
