//! Reactions to other domains' public events, each an outbox handler whose effects commit with
//! its position (see `lib/outbox`), acting as a system actor named after the handler, under the
//! correlation id of the request that caused the event. The end of each business day (business
//! time's `EndOfDay`) re-evaluates account activity.

mod customer_events;
mod end_of_day;
mod withdrawal_approvals;

pub use customer_events::CustomerEventsHandler;
pub use end_of_day::ActivityOnEndOfDay;
pub use withdrawal_approvals::WithdrawalApprovalHandler;
