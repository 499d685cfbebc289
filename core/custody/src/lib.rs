//! Custody: where the bitcoin that secures the bank's loans is held.
//!
//! Custodians (`custodian/`): BitGo, Komainu, self-custody (the bank's own account key: an
//! address derived per facility, balances read from a block explorer) and manual (staff
//! record the collateral). Their secrets are sealed under a configured key and re-sealed in one
//! transaction when it rotates (`secrets.rs`); no API answer, log line or printed configuration
//! carries one. Wallets (`wallet/`): one per facility that names a custodian, opened through the
//! custodian's API; balances arrive by signed webhooks through the inbox (`handlers/`) or the
//! explorer poll (`jobs/`), are applied in order of the instant they describe, and reach the
//! facility's collateral through the [`CollateralSink`] the composition root gives, in the same
//! transaction. The providers' protocols are in `lib/custodians`.
//!
//! Laid out like `core/deposit` (ARCHITECTURE.md, "The shape of a domain"); no ledger postings
//! (the collateral is posted by credit) and no public events (the sink is synchronous by design:
//! the collateral moves in the transaction that completes the webhook).

mod config;
mod custodian;
mod error;
mod handlers;
mod jobs;
pub mod primitives;
mod secrets;
mod wallet;

pub use config::CustodyConfig;
pub use custodian::{Custodian, CustodianEvent};
pub use error::*;
pub use handlers::{CUSTODY_WEBHOOK_SOURCE, CollateralSink, CustodianWebhooks};
pub use jobs::{OpenWalletJob, SelfCustodyPollJob};
pub use primitives::*;
pub use secrets::EncryptionKey;
pub use wallet::{BalanceApplied, ReportedBalance, Wallet, WalletEvent};

use custodian::CustodianRepo;
use inbox::Inbox;
use std::sync::Arc;
use use_case::UseCases;
use wallet::WalletRepo;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Custody {
    use_cases: UseCases,
    custodians: CustodianRepo,
    wallets: WalletRepo,
    inbox: Inbox,
    jobs: ::jobs::Jobs,
    key: Option<EncryptionKey>,
    poll_interval: chrono::Duration,
}

impl Custody {
    /// Refuses to start with a key the stored secrets are not under.
    pub async fn init(
        use_cases: UseCases,
        inbox: Inbox,
        jobs: ::jobs::Jobs,
        config: &CustodyConfig,
    ) -> Result<Self, CustodyError> {
        let key = config
            .encryption_key
            .as_deref()
            .map(EncryptionKey::parse)
            .transpose()?;
        let (pool, clock) = (use_cases.pool().clone(), use_cases.clock().clone());
        secrets::check_configured_key(&pool, key.as_ref()).await?;
        Ok(Self {
            custodians: CustodianRepo::new(pool.clone(), clock.clone()),
            wallets: WalletRepo::new(pool, clock),
            inbox,
            jobs,
            key,
            poll_interval: chrono::Duration::seconds(
                i64::try_from(config.poll_interval_secs.max(1)).unwrap_or(i64::MAX),
            ),
            use_cases,
        })
    }

    /// Connects wallets to `sink`: the job that opens them, the custodians' webhook handler on
    /// the inbox and the self-custody poll (first run at once).
    pub async fn connect(&self, sink: Arc<dyn CollateralSink>) -> Result<(), CustodyError> {
        let jobs = &self.jobs;
        self.inbox
            .register(CustodianWebhooks::new(self.clone(), sink.clone()));
        jobs.register(OpenWalletJob::new(self.clone(), sink.clone()));
        jobs.register(SelfCustodyPollJob::new(self.clone(), sink));
        jobs.spawn(::jobs::NewJob::recurring(SelfCustodyPollJob::JOB_TYPE))
            .await?;
        Ok(())
    }
}
