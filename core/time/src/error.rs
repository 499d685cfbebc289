//! Business time's errors and their stable codes.

use crate::primitives::InvalidValue;
use error_code::{ErrorCode, INVALID_INPUT};
use use_case::{DomainError, PlatformError};

pub const CLOCK_NOT_MANUAL: ErrorCode = ErrorCode::new(
    "CLOCK_NOT_MANUAL",
    "The bank runs on the real clock; only a manual clock (time.clock: manual) can be advanced.",
);

/// The codes of this domain.
pub const CODES: &[ErrorCode] = &[CLOCK_NOT_MANUAL];

#[derive(Debug, thiserror::Error)]
pub enum TimeError {
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("the bank runs on the real clock; it cannot be advanced")]
    ClockNotManual,
    #[error("the manual clock cannot move to {0}: {1}")]
    ManualClock(chrono::DateTime<chrono::Utc>, clock::ClockError),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

use_case::platform_errors!(TimeError);

impl DomainError for TimeError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidValue(_) => INVALID_INPUT,
            Self::ClockNotManual => CLOCK_NOT_MANUAL,
            Self::ManualClock(..) => error_code::INTERNAL,
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
