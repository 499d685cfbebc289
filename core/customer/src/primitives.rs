//! Value objects of the customer domain, parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

es::entity_id!(ProspectId);
es::entity_id!(CustomerId);

impl From<ProspectId> for CustomerId {
    /// A customer keeps the id of the prospect it was converted from.
    fn from(id: ProspectId) -> Self {
        CustomerId::from(uuid::Uuid::from(id))
    }
}

/// Objects and actions this domain authorizes.
pub mod permissions {
    pub const PROSPECTS: &str = "customer/prospect";
    pub const CUSTOMERS: &str = "customer/customer";
    pub const READ: &str = "customer:read";
    pub const WRITE: &str = "customer:write";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerType {
    Individual,
    GovernmentEntity,
    PrivateCompany,
    Bank,
    FinancialInstitution,
    ForeignAgencyOrSubsidiary,
    NonDomiciledCompany,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a telegram handle is 5 to 32 characters of a-z, A-Z, 0-9 and _ (an @ in front is dropped); `{0}` is not one"
)]
pub struct InvalidTelegramHandle(pub String);

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TelegramHandle(String);

impl TelegramHandle {
    pub fn parse(raw: &str) -> Result<Self, InvalidTelegramHandle> {
        let handle = raw.trim();
        let handle = handle.strip_prefix('@').unwrap_or(handle);
        let valid = (5..=32).contains(&handle.len())
            && handle
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if valid {
            Ok(Self(handle.to_owned()))
        } else {
            Err(InvalidTelegramHandle(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TelegramHandle {
    type Error = InvalidTelegramHandle;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<TelegramHandle> for String {
    fn from(h: TelegramHandle) -> String {
        h.0
    }
}

impl fmt::Display for TelegramHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How far a customer's identity has been verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KycLevel {
    /// Converted by staff without the provider (only when the setting allows it).
    NotKyced,
    Basic,
    Advanced,
}

/// Where a prospect's verification is, as the provider reported it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KycStatus {
    NotStarted,
    Started,
    Pending,
    OnHold,
    Approved,
    Declined,
}

impl KycStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::Started => "started",
            Self::Pending => "pending",
            Self::OnHold => "on_hold",
            Self::Approved => "approved",
            Self::Declined => "declined",
        }
    }
}

/// What the KYC provider reported about a prospect's applicant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KycUpdate {
    Started,
    Pending,
    OnHold,
    Approved { level: KycLevel },
    Declined { reject_labels: Vec<String> },
}

/// A prospect's identifying data, as staff enter it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProspectInput {
    pub email: email::Email,
    pub telegram_handle: TelegramHandle,
    pub customer_type: CustomerType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    Active,
    Frozen,
    Closed,
}

impl CustomerStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Frozen => "frozen",
            Self::Closed => "closed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telegram_handles_are_validated() {
        assert_eq!(
            TelegramHandle::parse(" @alice_01 ").unwrap().as_str(),
            "alice_01"
        );
        for bad in [
            "",
            "abcd",
            "has space",
            "émilie",
            &"x".repeat(33),
            "@@alice",
        ] {
            assert!(TelegramHandle::parse(bad).is_err(), "{bad}");
        }
    }
}
