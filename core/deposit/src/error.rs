//! The deposit domain's errors and their stable codes.

use crate::primitives::{
    CustomerId, DepositAccountId, InvalidValue, WithdrawalId, WithdrawalStatus,
};
use error_code::{ErrorCode, INTERNAL, INVALID_INPUT};
use use_case::{DomainError, PlatformError};

pub const CUSTOMER_NOT_ACTIVE: ErrorCode = ErrorCode::new(
    "CUSTOMER_NOT_ACTIVE",
    "The customer is frozen or closed: no account can be opened and no credit proposed for them.",
);
pub const ACCOUNT_FROZEN: ErrorCode = ErrorCode::new(
    "ACCOUNT_FROZEN",
    "The deposit account is frozen: no money moves in or out, and it cannot close, until it is unfrozen.",
);
pub const ACCOUNT_CLOSED: ErrorCode = ErrorCode::new(
    "ACCOUNT_CLOSED",
    "The deposit account is closed; nothing can change on it any more.",
);
pub const ACCOUNT_HAS_BALANCE: ErrorCode = ErrorCode::new(
    "ACCOUNT_HAS_BALANCE",
    "The deposit account still holds money, frozen money or amounts held for withdrawals; it closes only at zero.",
);
pub const INSUFFICIENT_BALANCE: ErrorCode = ErrorCode::new(
    "INSUFFICIENT_BALANCE",
    "The deposit account has too little available for this (accounts never go below zero).",
);
pub const WITHDRAWAL_NOT_APPROVED: ErrorCode = ErrorCode::new(
    "WITHDRAWAL_NOT_APPROVED",
    "The withdrawal is still waiting for its approval; it can be confirmed once approved.",
);
pub const INVALID_WITHDRAWAL_TRANSITION: ErrorCode = ErrorCode::new(
    "INVALID_WITHDRAWAL_TRANSITION",
    "The withdrawal's status does not allow this step (e.g. confirming a denied one).",
);

/// The codes of this domain.
pub const CODES: &[ErrorCode] = &[
    CUSTOMER_NOT_ACTIVE,
    ACCOUNT_FROZEN,
    ACCOUNT_CLOSED,
    ACCOUNT_HAS_BALANCE,
    INSUFFICIENT_BALANCE,
    WITHDRAWAL_NOT_APPROVED,
    INVALID_WITHDRAWAL_TRANSITION,
];

#[derive(Debug, thiserror::Error)]
pub enum DepositError {
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
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
    /// The ledger holds a balance no posting of this domain can make (below zero, or beyond
    /// what cents can hold): refused, never shown as 0.
    #[error("the ledger shows a {layer} balance of {value} cents for deposit account {account}")]
    BalanceOutOfRange {
        account: DepositAccountId,
        layer: &'static str,
        value: i128,
    },
    #[error("withdrawal {0} is not approved yet")]
    WithdrawalNotApproved(WithdrawalId),
    #[error("withdrawal {id} is {status:?}; it cannot {action}")]
    InvalidWithdrawalTransition {
        id: WithdrawalId,
        status: WithdrawalStatus,
        action: &'static str,
    },
    #[error(transparent)]
    Governance(#[from] core_governance::GovernanceError),
    #[error(transparent)]
    Customer(#[from] core_customer::CustomerError),
    #[error(transparent)]
    Config(#[from] core_domain_config::DomainConfigError),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

use_case::platform_errors!(DepositError);

impl DomainError for DepositError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidValue(_) => INVALID_INPUT,
            Self::CustomerNotActive(_) => CUSTOMER_NOT_ACTIVE,
            Self::AccountFrozen(_) => ACCOUNT_FROZEN,
            Self::AccountClosed(_) => ACCOUNT_CLOSED,
            Self::AccountHasBalance(_) => ACCOUNT_HAS_BALANCE,
            Self::InsufficientBalance(_) => INSUFFICIENT_BALANCE,
            Self::BalanceOutOfRange { .. } => INTERNAL,
            Self::WithdrawalNotApproved(_) => WITHDRAWAL_NOT_APPROVED,
            Self::InvalidWithdrawalTransition { .. } => INVALID_WITHDRAWAL_TRANSITION,
            Self::Governance(e) => e.code(),
            Self::Customer(e) => e.code(),
            Self::Config(e) => e.code(),
            Self::Platform(e) => e.code(),
        }
    }

    fn platform(&self) -> Option<&PlatformError> {
        match self {
            Self::Governance(e) => e.platform(),
            Self::Customer(e) => e.platform(),
            Self::Config(e) => e.platform(),
            Self::Platform(e) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_business_error_has_a_declared_code() {
        let account = DepositAccountId::new();
        let withdrawal = WithdrawalId::new();
        let errors = [
            DepositError::CustomerNotActive(CustomerId::new()),
            DepositError::AccountFrozen(account),
            DepositError::AccountClosed(account),
            DepositError::AccountHasBalance(account),
            DepositError::InsufficientBalance(account),
            DepositError::WithdrawalNotApproved(withdrawal),
            DepositError::InvalidWithdrawalTransition {
                id: withdrawal,
                status: WithdrawalStatus::Denied,
                action: "confirm",
            },
        ];
        for error in errors {
            assert!(CODES.contains(&error.code()), "{error}: {}", error.code());
        }
        assert!(error_code::check_registry(CODES).is_empty());
        assert_eq!(
            DepositError::from(InvalidValue::ZeroAmount).code(),
            INVALID_INPUT
        );
    }
}
