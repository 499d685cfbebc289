//! The accounting domain's background jobs.

mod export;

pub use export::LedgerExportJob;
