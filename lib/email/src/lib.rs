//! An email address, parsed once at the edge: trimmed, lower-cased, `local@domain.tld`, at most
//! 254 characters. Staff users and customers both use it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Email addresses identify people: a second staff user, prospect or customer with the same one
/// is refused with this code.
pub const EMAIL_TAKEN: error_code::ErrorCode = error_code::ErrorCode::new(
    "EMAIL_TAKEN",
    "Another record of the same kind (staff user, prospect or customer) already has this email address.",
);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not an email address")]
pub struct InvalidEmail(pub String);

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, InvalidEmail> {
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
            Err(InvalidEmail(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = InvalidEmail;
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
}
