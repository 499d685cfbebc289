//! The domain's background job (see `lib/jobs`).

mod poll;

pub use poll::SelfCustodyPollJob;
