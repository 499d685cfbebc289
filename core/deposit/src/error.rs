use crate::primitives::{
    DepositAccountId, DepositId, InvalidValue, WithdrawalId, WithdrawalStatus,
};
use core_customer::CustomerId;

#[derive(Debug, thiserror::Error)]
pub enum DepositError {
    #[error(transparent)]
    NotAuthorized(authz::AuthzError),
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("deposit account {0} not found")]
    AccountNotFound(DepositAccountId),
    #[error("deposit {0} not found")]
    DepositNotFound(DepositId),
    #[error("withdrawal {0} not found")]
    WithdrawalNotFound(WithdrawalId),
    #[error("customer {0} not found")]
    CustomerNotFound(CustomerId),
    #[error("customer {0} is not active")]
    CustomerNotActive(CustomerId),
    #[error("deposit account {0} is frozen")]
    AccountFrozen(DepositAccountId),
    #[error("deposit account {0} is closed")]
    AccountClosed(DepositAccountId),
    #[error("deposit account {0} still holds money or pending withdrawals")]
    AccountHasBalance(DepositAccountId),
    #[error("deposit account {0} has too little available for this")]
    InsufficientBalance(DepositAccountId),
    #[error("deposit {0} is already reverted")]
    DepositAlreadyReverted(DepositId),
    #[error("withdrawal {0} is not approved yet")]
    WithdrawalNotApproved(WithdrawalId),
    #[error("withdrawal {id} is {status:?}; it cannot {action}")]
    InvalidWithdrawalTransition {
        id: WithdrawalId,
        status: WithdrawalStatus,
        action: &'static str,
    },
    #[error(transparent)]
    Idempotency(#[from] idempotency::IdempotencyError),
    #[error(transparent)]
    Governance(#[from] core_governance::GovernanceError),
    #[error(transparent)]
    Customer(#[from] core_customer::CustomerError),
    #[error(transparent)]
    Config(#[from] core_domain_config::DomainConfigError),
    #[error(transparent)]
    Ledger(ledger::LedgerError),
    #[error(transparent)]
    Authz(authz::AuthzError),
    #[error(transparent)]
    Repo(es::EsRepoError),
    #[error(transparent)]
    Jobs(#[from] jobs::JobsError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl DepositError {
    /// The stable code clients see.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotAuthorized(_) => "NOT_AUTHORIZED",
            Self::InvalidValue(_) => "INVALID_INPUT",
            Self::AccountNotFound(_)
            | Self::DepositNotFound(_)
            | Self::WithdrawalNotFound(_)
            | Self::CustomerNotFound(_) => "NOT_FOUND",
            Self::CustomerNotActive(_) => "CUSTOMER_NOT_ACTIVE",
            Self::AccountFrozen(_) => "ACCOUNT_FROZEN",
            Self::AccountClosed(_) => "ACCOUNT_CLOSED",
            Self::AccountHasBalance(_) => "ACCOUNT_HAS_BALANCE",
            Self::InsufficientBalance(_) => "INSUFFICIENT_BALANCE",
            Self::DepositAlreadyReverted(_) => "DEPOSIT_ALREADY_REVERTED",
            Self::WithdrawalNotApproved(_) => "WITHDRAWAL_NOT_APPROVED",
            Self::InvalidWithdrawalTransition { .. } => "INVALID_WITHDRAWAL_TRANSITION",
            Self::Idempotency(idempotency::IdempotencyError::InvalidKey) => {
                "INVALID_IDEMPOTENCY_KEY"
            }
            Self::Idempotency(idempotency::IdempotencyError::KeyReused { .. }) => {
                "IDEMPOTENCY_KEY_REUSED"
            }
            Self::Governance(e) => e.code(),
            Self::Customer(e) => e.code(),
            Self::Config(e) => e.code(),
            Self::Repo(es::EsRepoError::ConcurrentModification { .. }) => "CONCURRENT_MODIFICATION",
            Self::Repo(es::EsRepoError::InvalidCursor) => "INVALID_CURSOR",
            Self::Repo(es::EsRepoError::InvalidPageSize { .. }) => "INVALID_INPUT",
            Self::Idempotency(_)
            | Self::Ledger(_)
            | Self::Authz(_)
            | Self::Repo(_)
            | Self::Jobs(_)
            | Self::Sqlx(_) => "INTERNAL",
        }
    }
}

impl From<authz::AuthzError> for DepositError {
    fn from(e: authz::AuthzError) -> Self {
        match e {
            authz::AuthzError::NotAuthorized { .. } => Self::NotAuthorized(e),
            other => Self::Authz(other),
        }
    }
}

impl From<es::EsRepoError> for DepositError {
    fn from(e: es::EsRepoError) -> Self {
        Self::Repo(e)
    }
}

impl From<ledger::LedgerError> for DepositError {
    fn from(e: ledger::LedgerError) -> Self {
        match e {
            ledger::LedgerError::Sqlx(e) => Self::Sqlx(e),
            other => Self::Ledger(other),
        }
    }
}

impl es::Retryable for DepositError {
    fn is_retryable(&self) -> bool {
        match self {
            Self::Repo(e) => e.is_retryable(),
            Self::Sqlx(e) => es::sqlx_error_is_retryable(e),
            Self::Idempotency(e) => e.is_retryable(),
            Self::Governance(e) => e.is_retryable(),
            _ => false,
        }
    }
}
