//! The stable code every error a client can see carries (`extensions.code` in GraphQL, the
//! `code` of an HTTP refusal), with what it means for an integrator.
//!
//! Each crate that can fail in a way a client sees declares its codes as constants next to its
//! error type, with a description, and lists them in a `CODES` slice; the composition root
//! collects every crate's list into one registry, which each server publishes in its SDL as the
//! `ErrorCode` enum (so the contract documents every code) and which a test checks for clashes.
//! The codes that mean the same thing everywhere are declared here.

use std::fmt;

/// A stable, SCREAMING_SNAKE_CASE code and what it means. Two codes are equal when their codes
/// are.
#[derive(Debug, Clone, Copy)]
pub struct ErrorCode {
    code: &'static str,
    description: &'static str,
}

impl ErrorCode {
    pub const fn new(code: &'static str, description: &'static str) -> Self {
        Self { code, description }
    }

    pub const fn as_str(&self) -> &'static str {
        self.code
    }

    /// What the code means and what a client can do about it.
    pub const fn description(&self) -> &'static str {
        self.description
    }

    /// Whether the code is a well-formed stable code: `A-Z`, `0-9` and `_`, starting with a letter.
    pub fn is_well_formed(&self) -> bool {
        self.code.starts_with(|c: char| c.is_ascii_uppercase())
            && self
                .code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    }
}

impl PartialEq for ErrorCode {
    fn eq(&self, other: &Self) -> bool {
        self.code == other.code
    }
}

impl Eq for ErrorCode {}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

pub const INTERNAL: ErrorCode = ErrorCode::new(
    "INTERNAL",
    "Something failed on the bank's side. Nothing about it is shown; quote the correlation id to support.",
);
pub const INVALID_INPUT: ErrorCode = ErrorCode::new(
    "INVALID_INPUT",
    "An argument is malformed or out of range (the message names it). Correct it and send again.",
);
pub const INVALID_CURSOR: ErrorCode = ErrorCode::new(
    "INVALID_CURSOR",
    "`after` is not a cursor this list issued. Page again from the start.",
);
pub const NOT_FOUND: ErrorCode =
    ErrorCode::new("NOT_FOUND", "No such entity, or none the caller may see.");
pub const NOT_AUTHORIZED: ErrorCode = ErrorCode::new(
    "NOT_AUTHORIZED",
    "The caller's role does not allow this. The refusal is recorded in the audit log.",
);
pub const FORBIDDEN: ErrorCode = ErrorCode::new(
    "FORBIDDEN",
    "The token is valid but names nobody this server serves (no staff user, or an identity linked to someone else).",
);
pub const CONCURRENT_MODIFICATION: ErrorCode = ErrorCode::new(
    "CONCURRENT_MODIFICATION",
    "The entity kept changing under concurrent requests; nothing was changed. Send again.",
);

/// The codes declared here.
pub const CODES: &[ErrorCode] = &[
    INTERNAL,
    INVALID_INPUT,
    INVALID_CURSOR,
    NOT_FOUND,
    NOT_AUTHORIZED,
    FORBIDDEN,
    CONCURRENT_MODIFICATION,
];

/// Problems of a registry of codes: malformed codes, and one code declared twice with different
/// meanings. Empty when the registry is sound.
pub fn check_registry(codes: &[ErrorCode]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        if !code.is_well_formed() {
            problems.push(format!("{code} is not SCREAMING_SNAKE_CASE"));
        }
        if code.description().trim().is_empty() {
            problems.push(format!("{code} has no description"));
        }
        if let Some(other) = codes[..i].iter().find(|c| *c == code)
            && other.description() != code.description()
        {
            problems.push(format!("{code} is declared twice with different meanings"));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_codes_are_sound() {
        assert!(
            check_registry(CODES).is_empty(),
            "{:?}",
            check_registry(CODES)
        );
    }

    #[test]
    fn clashes_and_malformed_codes_are_reported() {
        let twice = [NOT_FOUND, ErrorCode::new("NOT_FOUND", "something else")];
        assert_eq!(check_registry(&twice).len(), 1);
        assert_eq!(check_registry(&[NOT_FOUND, NOT_FOUND]).len(), 0);
        for bad in ["not_found", "1CODE", "NOT-FOUND", ""] {
            assert_eq!(
                check_registry(&[ErrorCode::new(bad, "x")]).len(),
                1,
                "{bad}"
            );
        }
        assert_eq!(
            check_registry(&[ErrorCode::new("EMPTY", " ")]),
            ["EMPTY has no description"]
        );
    }
}
