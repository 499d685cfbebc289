//! The access domain's errors and their stable codes.

use crate::primitives::{InvalidValue, UserId};
use error_code::{ErrorCode, FORBIDDEN, INVALID_INPUT, NOT_FOUND};
use use_case::{DomainError, PlatformError};

pub const ROLE_NAME_TAKEN: ErrorCode =
    ErrorCode::new("ROLE_NAME_TAKEN", "Another role has this name.");
pub const UNKNOWN_PERMISSION_SET: ErrorCode = ErrorCode::new(
    "UNKNOWN_PERMISSION_SET",
    "No permission set has this name; `permissionSets` lists them.",
);
pub const PREDEFINED_ROLE: ErrorCode = ErrorCode::new(
    "PREDEFINED_ROLE",
    "The predefined roles (superuser, admin, bank-manager, accountant, customer) are restored at every start and cannot be changed; create a role instead.",
);

/// The codes of this domain.
pub const CODES: &[ErrorCode] = &[ROLE_NAME_TAKEN, UNKNOWN_PERMISSION_SET, PREDEFINED_ROLE];

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("no role is named {0}")]
    UnknownRole(String),
    #[error("a user with email {0} already exists")]
    EmailTaken(String),
    #[error("a role named {0} already exists")]
    RoleNameTaken(String),
    #[error("user {user_id} is linked to another identity")]
    SubjectMismatch { user_id: UserId },
    #[error("{0} is not a staff user")]
    NotStaff(String),
    #[error("the predefined role {0} cannot be changed")]
    PredefinedRole(String),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

use_case::platform_errors!(AccessError);

impl From<email::InvalidEmail> for AccessError {
    fn from(e: email::InvalidEmail) -> Self {
        AccessError::InvalidValue(e.into())
    }
}

impl DomainError for AccessError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidValue(_) => INVALID_INPUT,
            Self::UnknownRole(_) => NOT_FOUND,
            Self::EmailTaken(_) => email::EMAIL_TAKEN,
            Self::RoleNameTaken(_) => ROLE_NAME_TAKEN,
            Self::SubjectMismatch { .. } | Self::NotStaff(_) => FORBIDDEN,
            Self::PredefinedRole(_) => PREDEFINED_ROLE,
            // Naming a permission set that does not exist is the caller's mistake.
            Self::Platform(PlatformError::Authz(authz::AuthzError::UnknownPermissionSet(_))) => {
                UNKNOWN_PERMISSION_SET
            }
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
