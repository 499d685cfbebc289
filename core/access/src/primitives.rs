//! Value objects of the access domain, parsed once at the edge.

pub use email::Email;
use serde::{Deserialize, Serialize};
use std::fmt;

es::entity_id!(UserId);
es::entity_id!(RoleId);

/// Objects and actions this domain authorizes.
pub mod permissions {
    pub const USERS: &str = "access/user";
    pub const ROLES: &str = "access/role";
    pub const READ: &str = "access:read";
    pub const WRITE: &str = "access:write";
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error(transparent)]
    Email(#[from] email::InvalidEmail),
    #[error("role names are 1 to 64 characters of a-z, 0-9 and -; `{0}` is not one")]
    RoleName(String),
}

/// A role name: 1 to 64 characters of `a-z`, `0-9` and `-`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RoleName(String);

impl RoleName {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let valid = (1..=64).contains(&raw.len())
            && raw
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if valid {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidValue::RoleName(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RoleName {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RoleName> for String {
    fn from(r: RoleName) -> String {
        r.0
    }
}

impl fmt::Display for RoleName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_validated() {
        assert!(RoleName::parse("loan-officer-2").is_ok());
        for bad in ["", "Loan", "loan officer", "loan_officer", &"x".repeat(65)] {
            assert!(RoleName::parse(bad).is_err(), "{bad}");
        }
    }
}
