//! The domain's background job (see `lib/jobs`).

mod fetch;

pub use fetch::FetchPriceJob;
