//! The customer domain's errors and their stable codes.

use crate::primitives::{CustomerId, InvalidTelegramHandle, ProspectId};
use error_code::{ErrorCode, FORBIDDEN, INVALID_INPUT};
use use_case::{DomainError, PlatformError};

pub const PROSPECT_ALREADY_CONVERTED: ErrorCode = ErrorCode::new(
    "PROSPECT_ALREADY_CONVERTED",
    "The prospect is already a customer (with the same id).",
);
pub const MANUAL_CONVERSION_DISABLED: ErrorCode = ErrorCode::new(
    "MANUAL_CONVERSION_DISABLED",
    "Converting a prospect without the KYC provider's approval is off (setting customer-manual-conversion-allowed).",
);
pub const CUSTOMER_CLOSED: ErrorCode = ErrorCode::new(
    "CUSTOMER_CLOSED",
    "The customer is closed; nothing about them can change any more.",
);
pub const KYC_PROVIDER_NOT_CONFIGURED: ErrorCode = ErrorCode::new(
    "KYC_PROVIDER_NOT_CONFIGURED",
    "No KYC provider is configured: verification links cannot be made and its webhooks are refused.",
);

/// The codes of this domain.
pub const CODES: &[ErrorCode] = &[
    PROSPECT_ALREADY_CONVERTED,
    MANUAL_CONVERSION_DISABLED,
    CUSTOMER_CLOSED,
    KYC_PROVIDER_NOT_CONFIGURED,
];

#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error(transparent)]
    InvalidEmail(#[from] email::InvalidEmail),
    #[error(transparent)]
    InvalidTelegramHandle(#[from] InvalidTelegramHandle),
    #[error("a prospect with email {0} already exists")]
    ProspectEmailTaken(String),
    #[error("a customer with email {0} already exists")]
    CustomerEmailTaken(String),
    #[error("prospect {0} is already a customer")]
    ProspectAlreadyConverted(ProspectId),
    #[error(
        "manual conversion of prospects is disabled (setting customer-manual-conversion-allowed)"
    )]
    ManualConversionDisabled,
    #[error("customer {0} is closed")]
    CustomerClosed(CustomerId),
    #[error("customer {0} is linked to another identity")]
    SubjectMismatch(CustomerId),
    #[error("the KYC provider is not configured")]
    KycProviderNotConfigured,
    #[error("the KYC provider failed: {0}")]
    KycProvider(#[from] sumsub::SumsubError),
    #[error(transparent)]
    Config(#[from] core_domain_config::DomainConfigError),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

use_case::platform_errors!(CustomerError);

impl DomainError for CustomerError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidEmail(_) | Self::InvalidTelegramHandle(_) => INVALID_INPUT,
            Self::ProspectEmailTaken(_) | Self::CustomerEmailTaken(_) => email::EMAIL_TAKEN,
            Self::ProspectAlreadyConverted(_) => PROSPECT_ALREADY_CONVERTED,
            Self::ManualConversionDisabled => MANUAL_CONVERSION_DISABLED,
            Self::CustomerClosed(_) => CUSTOMER_CLOSED,
            Self::SubjectMismatch(_) => FORBIDDEN,
            Self::KycProviderNotConfigured => KYC_PROVIDER_NOT_CONFIGURED,
            Self::KycProvider(e) => e.code(),
            Self::Config(e) => e.code(),
            Self::Platform(e) => e.code(),
        }
    }

    fn platform(&self) -> Option<&PlatformError> {
        match self {
            Self::Config(e) => e.platform(),
            Self::Platform(e) => Some(e),
            _ => None,
        }
    }
}
