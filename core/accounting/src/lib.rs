//! Accounting: the bank's books over the ledger. A chart of accounts imported from a file
//! (each node a ledger account set), its base configuration, the domains' account sets attached
//! under its nodes, statements (trial balance, balance sheet, profit and loss, as CSV too) with
//! the drill-down to ledger accounts and entries, manual journal transactions, the closing
//! of months and years (the ledger then refuses any posting into them), and exports of a ledger
//! account's history as CSV files written by a job.
//!
//! Laid out like `core/deposit` (ARCHITECTURE.md, "The shape of a domain"): `chart/`,
//! `period/`, `manual_transaction/` are its entities with their use cases; `statement/` reads
//! (it has no entity: statements are the ledger's balances rolled up along the chart);
//! `export/` with its job in `jobs/`. It has no public events or handlers yet.

mod chart;
mod config;
mod error;
mod export;
mod jobs;
mod manual_transaction;
mod period;
pub mod primitives;
mod statement;

pub use chart::{Chart, ChartEvent, ChartNode, CsvError, CsvProblem, side_label};
pub use config::AccountingConfig;
pub use error::{AccountingError, CODES, EXPORT_NOT_READY};
pub use export::{ExportStatus, LedgerExport, LedgerExportEvent};
pub use jobs::LedgerExportJob;
pub use manual_transaction::{ManualEntry, ManualTransaction, ManualTransactionEvent};
pub use period::{FiscalYear, FiscalYearEvent};
pub use primitives::*;
pub use statement::{
    BalanceSheet, LedgerAccountLine, ProfitAndLoss, StatementLine, TrialBalance, TrialBalanceLine,
    balance_sheet_csv, profit_and_loss_csv, trial_balance_csv,
};

use chart::ChartRepo;
use core_time::Time;
use export::LedgerExportRepo;
use ledger::{AttachableSet, JournalId, Ledger};
use manual_transaction::ManualTransactionRepo;
use period::FiscalYearRepo;
use std::sync::Arc;
use use_case::UseCases;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The ledger journal the books read and post (the one every domain posts to).
const JOURNAL: &str = "bank";

#[derive(Clone)]
pub struct Accounting {
    use_cases: UseCases,
    ledger: Ledger,
    journal: JournalId,
    time: Time,
    jobs: ::jobs::Jobs,
    config: Arc<AccountingConfig>,
    attachable: Arc<Vec<AttachableSet>>,
    charts: ChartRepo,
    years: FiscalYearRepo,
    manual: ManualTransactionRepo,
    exports: LedgerExportRepo,
}

impl Accounting {
    /// Creates the journal and the (empty) chart when missing and registers the export job.
    /// `attachable` are the domains' account sets a chart may attach.
    pub async fn init(
        use_cases: UseCases,
        ledger: Ledger,
        time: Time,
        jobs: &::jobs::Jobs,
        config: &AccountingConfig,
        attachable: Vec<AttachableSet>,
    ) -> Result<Self, AccountingError> {
        let (pool, clock) = (use_cases.pool().clone(), use_cases.clock().clone());
        let accounting = Self {
            journal: ledger.ensure_journal(JOURNAL).await?,
            charts: ChartRepo::new(pool.clone(), clock.clone()),
            years: FiscalYearRepo::new(pool.clone(), clock.clone()),
            manual: ManualTransactionRepo::new(pool.clone(), clock.clone()),
            exports: LedgerExportRepo::new(pool, clock),
            attachable: Arc::new(attachable),
            jobs: jobs.clone(),
            config: Arc::new(config.clone()),
            use_cases,
            ledger,
            time,
        };
        accounting.ensure_chart().await?;
        jobs.register(LedgerExportJob::new(accounting.clone()));
        Ok(accounting)
    }
}
