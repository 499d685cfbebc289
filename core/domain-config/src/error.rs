//! The settings domain's errors and their stable codes.

use error_code::{ErrorCode, INTERNAL, INVALID_INPUT};
use use_case::{DomainError, PlatformError};

pub const UNKNOWN_SETTING: ErrorCode = ErrorCode::new(
    "UNKNOWN_SETTING",
    "No setting has this key; `domainConfigs` lists them.",
);

/// The codes of this domain.
pub const CODES: &[ErrorCode] = &[UNKNOWN_SETTING];

#[derive(Debug, thiserror::Error)]
pub enum DomainConfigError {
    #[error("no setting is named {0}")]
    UnknownKey(String),
    #[error("invalid value for {key}: {reason}")]
    InvalidValue { key: String, reason: String },
    #[error("stored value of {key} cannot be read: {reason}")]
    Corrupt { key: String, reason: String },
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

use_case::platform_errors!(DomainConfigError);

impl DomainError for DomainConfigError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::UnknownKey(_) => UNKNOWN_SETTING,
            Self::InvalidValue { .. } => INVALID_INPUT,
            Self::Corrupt { .. } => INTERNAL,
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
