use crate::primitives::{CustomerId, InvalidTelegramHandle, ProspectId};

#[derive(Debug, thiserror::Error)]
pub enum CustomerError {
    #[error(transparent)]
    NotAuthorized(authz::AuthzError),
    #[error(transparent)]
    InvalidEmail(#[from] email::InvalidEmail),
    #[error(transparent)]
    InvalidTelegramHandle(#[from] InvalidTelegramHandle),
    #[error("prospect {0} not found")]
    ProspectNotFound(ProspectId),
    #[error("customer {0} not found")]
    CustomerNotFound(CustomerId),
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
    Authz(authz::AuthzError),
    #[error(transparent)]
    Repo(es::EsRepoError),
    #[error(transparent)]
    Outbox(#[from] outbox::OutboxError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl CustomerError {
    /// The stable code clients see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAuthorized(_) => "NOT_AUTHORIZED",
            Self::InvalidEmail(_) | Self::InvalidTelegramHandle(_) => "INVALID_INPUT",
            Self::ProspectNotFound(_) | Self::CustomerNotFound(_) => "NOT_FOUND",
            Self::ProspectEmailTaken(_) | Self::CustomerEmailTaken(_) => "EMAIL_TAKEN",
            Self::ProspectAlreadyConverted(_) => "PROSPECT_ALREADY_CONVERTED",
            Self::ManualConversionDisabled => "MANUAL_CONVERSION_DISABLED",
            Self::CustomerClosed(_) => "CUSTOMER_CLOSED",
            Self::SubjectMismatch(_) => "FORBIDDEN",
            Self::KycProviderNotConfigured => "KYC_PROVIDER_NOT_CONFIGURED",
            Self::KycProvider(e) => e.code(),
            Self::Config(e) => e.code(),
            Self::Repo(es::EsRepoError::ConcurrentModification { .. }) => "CONCURRENT_MODIFICATION",
            Self::Repo(es::EsRepoError::InvalidCursor) => "INVALID_CURSOR",
            Self::Repo(es::EsRepoError::InvalidPageSize { .. }) => "INVALID_INPUT",
            Self::Authz(_) | Self::Repo(_) | Self::Outbox(_) | Self::Sqlx(_) => "INTERNAL",
        }
    }
}

impl From<authz::AuthzError> for CustomerError {
    fn from(e: authz::AuthzError) -> Self {
        match e {
            authz::AuthzError::NotAuthorized { .. } => Self::NotAuthorized(e),
            other => Self::Authz(other),
        }
    }
}

impl From<es::EsRepoError> for CustomerError {
    fn from(e: es::EsRepoError) -> Self {
        Self::Repo(e)
    }
}

impl es::Retryable for CustomerError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Repo(e) => e.is_retryable(),
            Self::Sqlx(e) => es::sqlx_error_is_retryable(e),
            _ => false,
        }
    }
}
