//! Value objects of the credit domain, parsed once at the edge. The terms are in `crate::terms`,
//! the arithmetic on them in `crate::math`.

use money::{Satoshis, UsdCents};
use serde::{Deserialize, Serialize};

es::entity_id!(TermsTemplateId);
es::entity_id!(CreditFacilityId);
es::entity_id!(DisbursalId);
es::entity_id!(AccrualCycleId);
es::entity_id!(ObligationId);
es::entity_id!(PaymentId);
es::entity_id!(LiquidationId);

pub use core_custody::{CustodianId, WalletId};
pub use core_customer::CustomerId;
/// An amount lent or paid out: more than zero, at most one trillion dollars (the deposit
/// domain's, since it lands in a deposit account).
pub use core_deposit::{Amount, DepositAccountId};
pub use core_price::UsdCentsPerBtc;

/// Objects and actions this domain authorizes.
pub mod permissions {
    pub const TEMPLATES: &str = "credit/terms-template";
    pub const FACILITIES: &str = "credit/facility";
    pub const DISBURSALS: &str = "credit/disbursal";
    pub const PAYMENTS: &str = "credit/payment";
    pub const LIQUIDATIONS: &str = "credit/liquidation";
    pub const READ: &str = "credit:read";
    pub const WRITE: &str = "credit:write";
    /// Consenting to (or declining) a proposal: the customer's own act, or staff on their behalf.
    pub const CONSENT: &str = "credit:consent";
    /// Recording a payment with a date before today: a permission of its own.
    pub const BACKDATE: &str = "credit:backdate";
}

/// The most collateral one facility can record: the 21 million bitcoin there will ever be.
pub const MAX_COLLATERAL: Satoshis = Satoshis::from_minor(2_100_000_000_000_000);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("collateral must be at most 2100000000000000 satoshis (21 million bitcoin)")]
    CollateralTooLarge,
    #[error("a terms template's name must be 1 to 100 characters")]
    TemplateName,
    #[error("a reason must be at most 500 characters")]
    ReasonTooLong,
    #[error("the collateral sent out must be more than zero and at most what the facility holds")]
    LiquidatedCollateral,
    #[error("liquidation proceeds are recorded on their liquidation")]
    ProceedsAsPayment,
}

/// The collateral a facility holds, in satoshis: zero or more, at most [`MAX_COLLATERAL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Satoshis", into = "Satoshis")]
pub struct Collateral(Satoshis);

impl Collateral {
    pub const ZERO: Self = Self(Satoshis::ZERO);

    pub fn parse(sats: Satoshis) -> Result<Self, InvalidValue> {
        if sats > MAX_COLLATERAL {
            Err(InvalidValue::CollateralTooLarge)
        } else {
            Ok(Self(sats))
        }
    }

    pub fn sats(self) -> Satoshis {
        self.0
    }
}

impl TryFrom<Satoshis> for Collateral {
    type Error = InvalidValue;
    fn try_from(s: Satoshis) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl From<Collateral> for Satoshis {
    fn from(c: Collateral) -> Self {
        c.0
    }
}

/// A terms template's name: trimmed, 1 to 100 characters, unique among templates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TemplateName(String);

impl TemplateName {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let name = raw.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(InvalidValue::TemplateName);
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Why a proposal was declined or a disbursal could not settle (at most 500 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Reason(String);

impl Reason {
    pub fn parse(raw: Option<&str>) -> Result<Self, InvalidValue> {
        let raw = raw.map(str::trim).unwrap_or_default();
        if raw.chars().count() > 500 {
            return Err(InvalidValue::ReasonTooLong);
        }
        Ok(Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The reason, if one was given.
    pub fn given(&self) -> Option<&str> {
        Some(self.0.as_str()).filter(|r| !r.is_empty())
    }
}

/// Where a facility is in its life (proposal, pending facility, active).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FacilityStatus {
    /// Proposed; waiting for the customer's consent.
    PendingCustomerApproval,
    /// The customer declined the proposal (final).
    CustomerDeclined,
    /// The customer consented; waiting for the approval process `credit-facility-proposal`.
    PendingApproval,
    /// Governance denied the proposal (final).
    Denied,
    /// Approved: a pending facility waiting for enough collateral to activate.
    PendingCollateral,
    /// Activated: the fee is posted, the maturity date set, disbursals can be made.
    Active,
    /// Matured and nothing owed any more (final): closed; its collateral can be returned.
    Completed,
}

impl FacilityStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingCustomerApproval => "pending_customer_approval",
            Self::CustomerDeclined => "customer_declined",
            Self::PendingApproval => "pending_approval",
            Self::Denied => "denied",
            Self::PendingCollateral => "pending_collateral",
            Self::Active => "active",
            Self::Completed => "completed",
        }
    }

    /// Still a proposal (not yet approved or refused).
    pub fn is_proposal(self) -> bool {
        matches!(
            self,
            Self::PendingCustomerApproval
                | Self::CustomerDeclined
                | Self::PendingApproval
                | Self::Denied
        )
    }
}

/// Where the facility's CVL stands against its thresholds at the last evaluated price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollateralizationState {
    /// Not evaluated yet: no fresh price since it was approved.
    NotEvaluated,
    /// CVL at or above the margin-call threshold.
    FullyCollateralized,
    /// CVL under margin call, at or above liquidation.
    UnderMarginCallThreshold,
    /// CVL under the liquidation threshold.
    UnderLiquidationThreshold,
}

impl CollateralizationState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotEvaluated => "not_evaluated",
            Self::FullyCollateralized => "fully_collateralized",
            Self::UnderMarginCallThreshold => "under_margin_call_threshold",
            Self::UnderLiquidationThreshold => "under_liquidation_threshold",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisbursalStatus {
    /// Held on the facility's limit; waiting for the approval process `disbursal`.
    PendingApproval,
    /// Paid into the customer's deposit account.
    Settled,
    /// Governance denied it; the hold was released.
    Denied,
    /// Approved, but the deposit account could not take the money (frozen or closed); the
    /// hold was released.
    Cancelled,
}

impl DisbursalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingApproval => "pending_approval",
            Self::Settled => "settled",
            Self::Denied => "denied",
            Self::Cancelled => "cancelled",
        }
    }
}

/// What an obligation is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationKind {
    /// A closed accrual cycle's interest (the first one with the structuring fee).
    Interest,
    /// A settled disbursal, due at the facility's maturity.
    Principal,
}

impl ObligationKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Interest => "interest",
            Self::Principal => "principal",
        }
    }
}

/// Where an obligation stands: its ageing stage, or paid once payments covered all of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObligationStatus {
    NotYetDue,
    Due,
    Overdue,
    Defaulted,
    Paid,
}

impl ObligationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotYetDue => "not_yet_due",
            Self::Due => "due",
            Self::Overdue => "overdue",
            Self::Defaulted => "defaulted",
            Self::Paid => "paid",
        }
    }
}

/// Where a payment's money came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PaymentSource {
    /// Taken from one of the customer's deposit accounts (the facility's, unless another of
    /// theirs is named).
    DepositAccount { account_id: DepositAccountId },
    /// Received outside the bank's deposit accounts (a wire, cash at a branch), recorded by
    /// staff.
    External,
    /// The proceeds of a partial liquidation of the facility's collateral.
    Liquidation { liquidation_id: LiquidationId },
}

/// Where a partial liquidation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LiquidationStatus {
    /// Started: the collateral to sell is to be sent out.
    AwaitingCollateral,
    /// The collateral went out; its proceeds are awaited.
    AwaitingProceeds,
    /// The proceeds were paid into the facility.
    Completed,
}

impl LiquidationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AwaitingCollateral => "awaiting_collateral",
            Self::AwaitingProceeds => "awaiting_proceeds",
            Self::Completed => "completed",
        }
    }
}

/// A facility's figures, read from its ledger accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FacilityBalances {
    /// The facility's amount (its limit).
    pub facility: UsdCents,
    /// What can still be disbursed: the limit minus what was paid out or is held for
    /// disbursals awaiting approval.
    pub remaining: UsdCents,
    /// Held for disbursals awaiting approval.
    pub held: UsdCents,
    /// Principal paid out and not repaid.
    pub disbursed: UsdCents,
    /// Interest and fees owed and not paid.
    pub interest: UsdCents,
    /// Everything owed: disbursed principal plus interest and fees.
    pub outstanding: UsdCents,
    /// Paid and not yet allocated to an obligation (held until one falls due).
    pub unapplied: UsdCents,
    pub collateral: Satoshis,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_bounded() {
        assert!(Collateral::parse(Satoshis::ZERO).is_ok());
        assert!(Collateral::parse(MAX_COLLATERAL).is_ok());
        assert_eq!(
            Collateral::parse(Satoshis::from_minor(MAX_COLLATERAL.into_minor() + 1)),
            Err(InvalidValue::CollateralTooLarge)
        );
        assert_eq!(TemplateName::parse("  "), Err(InvalidValue::TemplateName));
        assert_eq!(TemplateName::parse(" a ").unwrap().as_str(), "a");
        assert!(TemplateName::parse(&"n".repeat(101)).is_err());
        assert!(Reason::parse(Some(&"r".repeat(501))).is_err());
    }
}
