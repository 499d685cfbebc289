//! Value objects of the deposit domain, parsed once at the edge.

use money::UsdCents;
use serde::{Deserialize, Serialize};

es::entity_id!(DepositAccountId);
es::entity_id!(DepositId);
es::entity_id!(WithdrawalId);

pub use core_customer::CustomerId;

/// Objects and actions this domain authorizes.
pub mod permissions {
    pub const ACCOUNTS: &str = "deposit/account";
    pub const DEPOSITS: &str = "deposit/deposit";
    pub const WITHDRAWALS: &str = "deposit/withdrawal";
    pub const READ: &str = "deposit:read";
    pub const WRITE: &str = "deposit:write";
}

/// The largest single deposit or withdrawal: one trillion dollars.
pub const MAX_AMOUNT: UsdCents = UsdCents::from_minor(100_000_000_000_000);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("amount must be greater than zero")]
    ZeroAmount,
    #[error("amount must be at most 100000000000000 cents (one trillion dollars)")]
    AmountTooLarge,
    #[error("reference must be at most 200 characters")]
    ReferenceTooLong,
}

/// An amount of money moved: more than zero, at most [`MAX_AMOUNT`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "UsdCents", into = "UsdCents")]
pub struct Amount(UsdCents);

impl Amount {
    pub fn parse(cents: UsdCents) -> Result<Self, InvalidValue> {
        if cents.is_zero() {
            Err(InvalidValue::ZeroAmount)
        } else if cents > MAX_AMOUNT {
            Err(InvalidValue::AmountTooLarge)
        } else {
            Ok(Self(cents))
        }
    }

    pub fn cents(self) -> UsdCents {
        self.0
    }

    pub fn minor(self) -> u64 {
        self.0.into_minor()
    }
}

impl TryFrom<UsdCents> for Amount {
    type Error = InvalidValue;
    fn try_from(c: UsdCents) -> Result<Self, Self::Error> {
        Self::parse(c)
    }
}

impl From<Amount> for UsdCents {
    fn from(a: Amount) -> Self {
        a.0
    }
}

/// Free text the caller attaches to a deposit or withdrawal (at most 200 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Reference(String);

impl Reference {
    pub fn parse(raw: Option<&str>) -> Result<Self, InvalidValue> {
        let raw = raw.map(str::trim).unwrap_or_default();
        if raw.chars().count() > 200 {
            return Err(InvalidValue::ReferenceTooLong);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Frozen,
    Closed,
}

impl AccountStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Frozen => "frozen",
            Self::Closed => "closed",
        }
    }
}

/// How recently the customer used the account (evaluated at the end of each day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activity {
    Active,
    Inactive,
    Escheatable,
}

impl Activity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Inactive => "inactive",
            Self::Escheatable => "escheatable",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WithdrawalStatus {
    PendingApproval,
    Approved,
    Denied,
    Cancelled,
    Confirmed,
    Reverted,
}

impl WithdrawalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingApproval => "pending_approval",
            Self::Approved => "approved",
            Self::Denied => "denied",
            Self::Cancelled => "cancelled",
            Self::Confirmed => "confirmed",
            Self::Reverted => "reverted",
        }
    }
}

/// What a status change of an account does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatusChange {
    /// The available balance moves to the account's frozen ledger account; nothing can leave.
    Freeze,
    /// The frozen balance moves back.
    Unfreeze,
    /// An active account with nothing on it closes; its ledger account is locked for good.
    Close,
}

/// A deposit account's balances, read from the ledger, in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountBalance {
    /// Money on the account.
    pub settled: UsdCents,
    /// Held for withdrawals awaiting approval or confirmation.
    pub pending: UsdCents,
    /// What can be withdrawn: settled minus pending.
    pub available: UsdCents,
    /// Moved aside while the account is frozen.
    pub frozen: UsdCents,
}

impl AccountBalance {
    /// Nothing settled, held or frozen: the account may close.
    pub fn is_zero(&self) -> bool {
        self.settled.is_zero() && self.pending.is_zero() && self.frozen.is_zero()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_positive_and_bounded() {
        assert_eq!(
            Amount::parse(UsdCents::from_minor(0)),
            Err(InvalidValue::ZeroAmount)
        );
        assert!(Amount::parse(UsdCents::from_minor(1)).is_ok());
        assert!(Amount::parse(MAX_AMOUNT).is_ok());
        assert_eq!(
            Amount::parse(UsdCents::from_minor(MAX_AMOUNT.into_minor() + 1)),
            Err(InvalidValue::AmountTooLarge)
        );
        assert!(Reference::parse(Some(&"r".repeat(201))).is_err());
        assert_eq!(Reference::parse(None).unwrap().as_str(), "");
    }
}
