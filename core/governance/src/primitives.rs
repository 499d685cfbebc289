//! Value objects of the governance domain, parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

es::entity_id!(CommitteeId);
es::entity_id!(PolicyId);
es::entity_id!(ApprovalProcessId);

/// Objects and actions this domain authorizes.
pub mod permissions {
    /// The pattern covering every governance object, for permission sets.
    pub const ALL: &str = "governance/*";
    pub const COMMITTEES: &str = "governance/committee";
    pub const POLICIES: &str = "governance/policy";
    pub const APPROVAL_PROCESSES: &str = "governance/approval-process";
    pub const READ: &str = "governance:read";
    pub const WRITE: &str = "governance:write";
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error(
        "process types are 1 to 64 characters of a-z, 0-9 and single inner -; `{0}` is not one"
    )]
    ProcessType(String),
    #[error("committee names are 1 to 100 characters once trimmed")]
    CommitteeName,
    #[error("a denial reason is 1 to 500 characters once trimmed")]
    DenialReason,
    #[error("an approval target id is 1 to 200 characters")]
    TargetId,
}

/// The kind of operation a process approves (`withdraw`, `disbursal`, ...); each has one policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ProcessType(Cow<'static, str>);

impl ProcessType {
    pub const WITHDRAW: ProcessType = ProcessType(Cow::Borrowed("withdraw"));
    pub const DISBURSAL: ProcessType = ProcessType(Cow::Borrowed("disbursal"));
    pub const CREDIT_FACILITY_PROPOSAL: ProcessType =
        ProcessType(Cow::Borrowed("credit-facility-proposal"));

    /// 1 to 64 characters of `a-z`, `0-9` and `-`, not starting or ending with `-` and without
    /// `--` (the database checks the same).
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        let valid = (1..=64).contains(&raw.len())
            && raw.split('-').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            });
        if valid {
            Ok(Self(Cow::Owned(raw.to_owned())))
        } else {
            Err(InvalidValue::ProcessType(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ProcessType {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<ProcessType> for String {
    fn from(p: ProcessType) -> String {
        p.0.into_owned()
    }
}

impl fmt::Display for ProcessType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Trims `raw` and accepts it if it then has `1..=max` characters.
fn trimmed(raw: &str, max: usize) -> Option<String> {
    let text = raw.trim();
    (1..=max)
        .contains(&text.chars().count())
        .then(|| text.to_owned())
}

/// A committee's name: 1 to 100 characters, trimmed. Unique regardless of case.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CommitteeName(String);

impl CommitteeName {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        trimmed(raw, 100)
            .map(Self)
            .ok_or(InvalidValue::CommitteeName)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for CommitteeName {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<CommitteeName> for String {
    fn from(n: CommitteeName) -> String {
        n.0
    }
}

impl fmt::Display for CommitteeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Why a voter denied: 1 to 500 characters, trimmed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DenialReason(String);

impl DenialReason {
    pub fn parse(raw: &str) -> Result<Self, InvalidValue> {
        trimmed(raw, 500)
            .map(Self)
            .ok_or(InvalidValue::DenialReason)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for DenialReason {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DenialReason> for String {
    fn from(r: DenialReason) -> String {
        r.0
    }
}

impl fmt::Display for DenialReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How a policy decides the processes of its type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ApprovalRules {
    /// Approved as soon as it starts.
    Automatic,
    /// Every member of the committee (as it is when the process starts) must approve.
    Committee { committee_id: CommitteeId },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn process_types_are_validated() {
        for good in [
            "withdraw",
            "credit-facility-proposal",
            "a1",
            &"x".repeat(64),
        ] {
            assert_eq!(ProcessType::parse(good).unwrap().as_str(), good);
        }
        for bad in [
            "",
            "Withdraw",
            "with draw",
            "-a",
            "a-",
            "a--b",
            "a_b",
            &"x".repeat(65),
        ] {
            assert!(ProcessType::parse(bad).is_err(), "{bad}");
        }
        for constant in [
            ProcessType::WITHDRAW,
            ProcessType::DISBURSAL,
            ProcessType::CREDIT_FACILITY_PROPOSAL,
        ] {
            assert_eq!(ProcessType::parse(constant.as_str()), Ok(constant));
        }
    }

    #[test]
    fn process_types_serialize_as_strings_and_are_checked_when_read() {
        assert_eq!(
            serde_json::to_value(ProcessType::WITHDRAW).unwrap(),
            serde_json::json!("withdraw")
        );
        assert!(serde_json::from_value::<ProcessType>(serde_json::json!("Nope")).is_err());
    }

    #[test]
    fn committee_names_are_trimmed_and_bounded() {
        assert_eq!(
            CommitteeName::parse("  Credit committee ")
                .unwrap()
                .as_str(),
            "Credit committee"
        );
        assert!(CommitteeName::parse(&"é".repeat(100)).is_ok());
        for bad in ["", "   ", &"x".repeat(101)] {
            assert_eq!(CommitteeName::parse(bad), Err(InvalidValue::CommitteeName));
        }
    }

    #[test]
    fn denial_reasons_are_trimmed_and_bounded() {
        assert_eq!(
            DenialReason::parse(" too risky\n").unwrap().as_str(),
            "too risky"
        );
        assert!(DenialReason::parse(&"x".repeat(500)).is_ok());
        for bad in ["", " \t", &"x".repeat(501)] {
            assert_eq!(DenialReason::parse(bad), Err(InvalidValue::DenialReason));
        }
    }

    #[test]
    fn rules_are_tagged() {
        let committee_id = CommitteeId::new();
        assert_eq!(
            serde_json::to_value(ApprovalRules::Committee { committee_id }).unwrap(),
            serde_json::json!({ "type": "committee", "committee_id": committee_id })
        );
        assert_eq!(
            serde_json::to_value(ApprovalRules::Automatic).unwrap(),
            serde_json::json!({ "type": "automatic" })
        );
    }
}
