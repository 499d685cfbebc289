//! The domain's background jobs (see `lib/jobs`).

mod open_wallet;
mod poll;

pub use open_wallet::OpenWalletJob;
pub use poll::SelfCustodyPollJob;
