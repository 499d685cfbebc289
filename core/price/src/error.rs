//! The price domain's errors and their stable codes.

use crate::primitives::InvalidValue;
use error_code::{ErrorCode, INTERNAL, INVALID_INPUT};
use use_case::{DomainError, PlatformError};

/// The codes of this domain (its refusals are `INVALID_INPUT` and `NOT_FOUND`).
pub const CODES: &[ErrorCode] = &[];

#[derive(Debug, thiserror::Error)]
pub enum PriceError {
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("the exchange client cannot be built: {0}")]
    Client(#[from] bitfinex::TickerError),
    #[error("no price provider is active")]
    NoActiveProvider,
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

use_case::platform_errors!(PriceError);

impl DomainError for PriceError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidValue(_) => INVALID_INPUT,
            Self::Client(_) | Self::NoActiveProvider => INTERNAL,
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
