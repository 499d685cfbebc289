//! The events other domains may see, published on the outbox in the transaction that caused them
//! by [`GovernancePublisher`], as the approval process's events are persisted.
//!
//! A domain that started an approval process (a withdrawal, a disbursal, ...) reacts to
//! [`GovernanceEvent::ApprovalProcessConcluded`] with an outbox handler: it looks up its own entity
//! by `target_id` and `process_type` and applies the outcome idempotently, since delivery is at
//! least once.

mod publisher;

pub(crate) use publisher::GovernancePublisher;

use crate::primitives::{ApprovalProcessId, ProcessType};
use serde::{Deserialize, Serialize};

/// The `type` (and outbox `event_type`) of [`GovernanceEvent::ApprovalProcessConcluded`].
pub const APPROVAL_PROCESS_CONCLUDED: &str = "approval_process_concluded";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum GovernanceEvent {
    /// Published exactly once per process, when it is approved or denied.
    ApprovalProcessConcluded {
        process_id: ApprovalProcessId,
        process_type: ProcessType,
        /// The id the starting domain passed in (e.g. the withdrawal's id).
        target_id: String,
        approved: bool,
        /// Set when a voter denied.
        denial_reason: Option<String>,
    },
}

impl outbox::PublicEvent for GovernanceEvent {
    const EVENT_TYPES: &'static [&'static str] = &[APPROVAL_PROCESS_CONCLUDED];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_event_type_is_the_exported_constant() {
        let process_id = ApprovalProcessId::new();
        let event = GovernanceEvent::ApprovalProcessConcluded {
            process_id,
            process_type: ProcessType::WITHDRAW,
            target_id: "w-1".into(),
            approved: false,
            denial_reason: Some("too risky".into()),
        };
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "type": APPROVAL_PROCESS_CONCLUDED,
                "process_id": process_id,
                "process_type": "withdraw",
                "target_id": "w-1",
                "approved": false,
                "denial_reason": "too risky",
            })
        );
        assert_eq!(
            serde_json::from_value::<GovernanceEvent>(json).unwrap(),
            event
        );
    }
}
