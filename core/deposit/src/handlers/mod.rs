//! Reactions to other domains' public events, each an outbox handler whose effects commit with
//! its position (see `lib/outbox`), acting as a system actor named after the handler, under the
//! correlation id of the request that caused the event.

mod customer_events;
mod withdrawal_approvals;

pub use customer_events::CustomerEventsHandler;
pub use withdrawal_approvals::WithdrawalApprovalHandler;
