//! The domain's background jobs (see `lib/jobs`).

mod activity;

pub use activity::ActivityJob;
