//! The credit domain's errors and their stable codes.

use crate::math::MathError;
use crate::primitives::{
    CreditFacilityId, CustomerId, DepositAccountId, DisbursalId, DisbursalStatus, FacilityStatus,
    InvalidValue, LiquidationId, LiquidationStatus,
};
use crate::terms::InvalidTerms;
use chrono::NaiveDate;
use error_code::{ErrorCode, INTERNAL, INVALID_INPUT};
use money::UsdCents;
use use_case::{DomainError, PlatformError};

pub const INVALID_TERMS: ErrorCode = ErrorCode::new(
    "INVALID_TERMS",
    "A value of the terms is out of range or out of order; the message names the field (e.g. `marginCallCvl`).",
);
pub const TEMPLATE_NAME_TAKEN: ErrorCode = ErrorCode::new(
    "TEMPLATE_NAME_TAKEN",
    "Another terms template already has this name.",
);
pub const DEPOSIT_ACCOUNT_OF_ANOTHER_CUSTOMER: ErrorCode = ErrorCode::new(
    "DEPOSIT_ACCOUNT_OF_ANOTHER_CUSTOMER",
    "The deposit account to disburse into belongs to another customer.",
);
pub const INVALID_FACILITY_TRANSITION: ErrorCode = ErrorCode::new(
    "INVALID_FACILITY_TRANSITION",
    "The credit facility's status does not allow this step (e.g. consenting to a denied proposal, disbursing before activation).",
);
pub const PRICE_UNAVAILABLE: ErrorCode = ErrorCode::new(
    "PRICE_UNAVAILABLE",
    "The bank has no fresh BTC/USD price (none yet, or the exchange's is stale), so collateral cannot be valued now.",
);
pub const DISBURSAL_EXCEEDS_FACILITY: ErrorCode = ErrorCode::new(
    "DISBURSAL_EXCEEDS_FACILITY",
    "The disbursal is more than what remains of the facility (its amount minus what was disbursed or is awaiting approval).",
);
pub const DISBURSAL_BELOW_MARGIN_CALL: ErrorCode = ErrorCode::new(
    "DISBURSAL_BELOW_MARGIN_CALL",
    "After the disbursal the facility's CVL would be under its margin-call threshold; add collateral first.",
);
pub const SINGLE_DISBURSAL_FACILITY: ErrorCode = ErrorCode::new(
    "SINGLE_DISBURSAL_FACILITY",
    "The facility's terms pay out its whole amount at activation; it takes no other disbursal.",
);
pub const FACILITY_MATURED: ErrorCode = ErrorCode::new(
    "FACILITY_MATURED",
    "The facility has reached its maturity date; nothing more is disbursed.",
);

pub const PAYMENT_EXCEEDS_OUTSTANDING: ErrorCode = ErrorCode::new(
    "PAYMENT_EXCEEDS_OUTSTANDING",
    "The payment, with what was paid and is not applied yet, is more than everything the customer owes on the facility (principal and interest, including interest accrued this cycle); the message says the most it can take.",
);
pub const INVALID_PAYMENT_DATE: ErrorCode = ErrorCode::new(
    "INVALID_PAYMENT_DATE",
    "A payment's date is after today's business date or before the facility was activated.",
);

pub const COLLATERAL_FROM_CUSTODIAN: ErrorCode = ErrorCode::new(
    "COLLATERAL_FROM_CUSTODIAN",
    "The facility's collateral is held in a custodian's wallet and follows what the custodian reports; it cannot be updated by hand.",
);

/// The codes of this domain.
pub const CODES: &[ErrorCode] = &[
    COLLATERAL_FROM_CUSTODIAN,
    INVALID_TERMS,
    TEMPLATE_NAME_TAKEN,
    DEPOSIT_ACCOUNT_OF_ANOTHER_CUSTOMER,
    INVALID_FACILITY_TRANSITION,
    PRICE_UNAVAILABLE,
    DISBURSAL_EXCEEDS_FACILITY,
    DISBURSAL_BELOW_MARGIN_CALL,
    SINGLE_DISBURSAL_FACILITY,
    FACILITY_MATURED,
    PAYMENT_EXCEEDS_OUTSTANDING,
    INVALID_PAYMENT_DATE,
];

#[derive(Debug, thiserror::Error)]
pub enum CreditError {
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("invalid terms: {0}")]
    InvalidTerms(#[from] InvalidTerms),
    #[error("a terms template named {0:?} exists")]
    TemplateNameTaken(String),
    #[error("customer {0} is not active")]
    CustomerNotActive(CustomerId),
    #[error("deposit account {account} does not belong to customer {customer}")]
    DepositAccountOfAnotherCustomer {
        account: DepositAccountId,
        customer: CustomerId,
    },
    #[error("credit facility {id} is {}; it cannot {action}", .status.as_str())]
    InvalidFacilityTransition {
        id: CreditFacilityId,
        status: FacilityStatus,
        action: &'static str,
    },
    #[error("disbursal {id} is {}; it cannot {action}", .status.as_str())]
    InvalidDisbursalTransition {
        id: DisbursalId,
        status: DisbursalStatus,
        action: &'static str,
    },
    #[error("liquidation {id} is {}; it cannot {action}", .status.as_str())]
    InvalidLiquidationTransition {
        id: LiquidationId,
        status: LiquidationStatus,
        action: &'static str,
    },
    #[error("no fresh BTC/USD price")]
    PriceUnavailable,
    #[error("the collateral of credit facility {id} is reported by custodian {custodian}")]
    CollateralFromCustodian {
        id: CreditFacilityId,
        custodian: core_custody::CustodianId,
    },
    #[error("the disbursal is more than what remains of credit facility {0}")]
    DisbursalExceedsFacility(CreditFacilityId),
    #[error("after the disbursal credit facility {0} would be under its margin-call CVL")]
    DisbursalBelowMarginCall(CreditFacilityId),
    #[error("credit facility {0} pays out its whole amount at activation")]
    SingleDisbursalFacility(CreditFacilityId),
    #[error("credit facility {0} has matured")]
    FacilityMatured(CreditFacilityId),
    #[error(
        "the payment is more than credit facility {facility} is owed; it can take at most {} cents",
        .most.into_minor()
    )]
    PaymentExceedsOutstanding {
        facility: CreditFacilityId,
        most: UsdCents,
    },
    #[error("a payment dated {date} is after today ({today}) or before the facility's activation")]
    InvalidPaymentDate { date: NaiveDate, today: NaiveDate },
    #[error("a customer pays from one of their deposit accounts, not as an external payment")]
    ExternalPaymentByCustomer,
    /// A figure the ledger holds that no posting of this domain can make.
    #[error("the ledger shows {value} for the {account} account of credit facility {facility}")]
    BalanceOutOfRange {
        facility: CreditFacilityId,
        account: &'static str,
        value: i128,
    },
    #[error(transparent)]
    Math(#[from] MathError),
    #[error(transparent)]
    Governance(#[from] core_governance::GovernanceError),
    #[error(transparent)]
    Customer(#[from] core_customer::CustomerError),
    #[error(transparent)]
    Deposit(#[from] core_deposit::DepositError),
    #[error(transparent)]
    Price(#[from] core_price::PriceError),
    #[error(transparent)]
    Custody(#[from] core_custody::CustodyError),
    #[error(transparent)]
    Config(#[from] core_domain_config::DomainConfigError),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

use_case::platform_errors!(CreditError);

impl DomainError for CreditError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidValue(_) | Self::ExternalPaymentByCustomer => INVALID_INPUT,
            Self::InvalidTerms(_) => INVALID_TERMS,
            Self::TemplateNameTaken(_) => TEMPLATE_NAME_TAKEN,
            Self::CustomerNotActive(_) => core_deposit::CUSTOMER_NOT_ACTIVE,
            Self::DepositAccountOfAnotherCustomer { .. } => DEPOSIT_ACCOUNT_OF_ANOTHER_CUSTOMER,
            Self::InvalidFacilityTransition { .. }
            | Self::InvalidDisbursalTransition { .. }
            | Self::InvalidLiquidationTransition { .. } => INVALID_FACILITY_TRANSITION,
            Self::PriceUnavailable => PRICE_UNAVAILABLE,
            Self::CollateralFromCustodian { .. } => COLLATERAL_FROM_CUSTODIAN,
            Self::DisbursalExceedsFacility(_) => DISBURSAL_EXCEEDS_FACILITY,
            Self::DisbursalBelowMarginCall(_) => DISBURSAL_BELOW_MARGIN_CALL,
            Self::SingleDisbursalFacility(_) => SINGLE_DISBURSAL_FACILITY,
            Self::FacilityMatured(_) => FACILITY_MATURED,
            Self::PaymentExceedsOutstanding { .. } => PAYMENT_EXCEEDS_OUTSTANDING,
            Self::InvalidPaymentDate { .. } => INVALID_PAYMENT_DATE,
            Self::BalanceOutOfRange { .. } | Self::Math(_) => INTERNAL,
            Self::Governance(e) => e.code(),
            Self::Customer(e) => e.code(),
            Self::Deposit(e) => e.code(),
            Self::Price(e) => e.code(),
            Self::Custody(e) => e.code(),
            Self::Config(e) => e.code(),
            Self::Platform(e) => e.code(),
        }
    }

    fn platform(&self) -> Option<&PlatformError> {
        match self {
            Self::Governance(e) => e.platform(),
            Self::Customer(e) => e.platform(),
            Self::Deposit(e) => e.platform(),
            Self::Price(e) => e.platform(),
            Self::Custody(e) => e.platform(),
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
        let facility = CreditFacilityId::new();
        let errors = [
            CreditError::TemplateNameTaken("t".into()),
            CreditError::DepositAccountOfAnotherCustomer {
                account: DepositAccountId::new(),
                customer: CustomerId::new(),
            },
            CreditError::InvalidFacilityTransition {
                id: facility,
                status: FacilityStatus::Denied,
                action: "consent",
            },
            CreditError::InvalidDisbursalTransition {
                id: DisbursalId::new(),
                status: DisbursalStatus::Denied,
                action: "settle",
            },
            CreditError::InvalidLiquidationTransition {
                id: LiquidationId::new(),
                status: LiquidationStatus::Completed,
                action: "take proceeds",
            },
            CreditError::PriceUnavailable,
            CreditError::DisbursalExceedsFacility(facility),
            CreditError::DisbursalBelowMarginCall(facility),
            CreditError::SingleDisbursalFacility(facility),
            CreditError::FacilityMatured(facility),
            CreditError::PaymentExceedsOutstanding {
                facility,
                most: UsdCents::from_minor(1),
            },
            CreditError::InvalidPaymentDate {
                date: NaiveDate::MIN,
                today: NaiveDate::MAX,
            },
        ];
        for error in errors {
            assert!(CODES.contains(&error.code()), "{error}: {}", error.code());
        }
        assert!(error_code::check_registry(CODES).is_empty());
        assert_eq!(
            CreditError::CustomerNotActive(CustomerId::new()).code(),
            core_deposit::CUSTOMER_NOT_ACTIVE
        );
    }
}
