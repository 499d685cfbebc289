use serde::{Deserialize, Serialize};

/// Who and what caused an event, stored with every event in the `context` column.
///
/// Filled by the use case before it persists: the authenticated subject, the audit entry that
/// authorized the change and the request's correlation id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventContext {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_entry_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correlation_id: Option<String>,
}
