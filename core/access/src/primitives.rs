//! Value objects of the access domain, parsed once at the edge.

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
    #[error("`{0}` is not an email address")]
    Email(String),
    #[error("role names are 1 to 64 characters of a-z, 0-9 and -; `{0}` is not one")]
    RoleName(String),
}

/// A lower-cased email address (local@domain.tld, at most 254 characters).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let email = raw.trim().to_lowercase();
        let valid = email.len() <= 254
            && !email.chars().any(char::is_whitespace)
            && match email.split_once('@') {
                Some((local, domain)) => {
                    !local.is_empty()
                        && !domain.contains('@')
                        && domain.contains('.')
                        && !domain.starts_with('.')
                        && !domain.ends_with('.')
                }
                None => false,
            };
        if valid {
            Ok(Self(email))
        } else {
            Err(InvalidValue::Email(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Email> for String {
    fn from(e: Email) -> String {
        e.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
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
    fn emails_are_normalized_and_validated() {
        assert_eq!(
            Email::parse("  Alice@Lana.DEV ").unwrap().as_str(),
            "alice@lana.dev"
        );
        for bad in [
            "",
            "alice",
            "@lana.dev",
            "alice@",
            "alice@lana",
            "a b@lana.dev",
            "a@b@lana.dev",
            "a@.dev",
            "a@lana.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Email::parse(&format!("{}@lana.dev", "a".repeat(250))).is_err());
    }

    #[test]
    fn role_names_are_validated() {
        assert!(RoleName::parse("loan-officer-2").is_ok());
        for bad in ["", "Loan", "loan officer", "loan_officer", &"x".repeat(65)] {
            assert!(RoleName::parse(bad).is_err(), "{bad}");
        }
    }
}
