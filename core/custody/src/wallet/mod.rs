//! Wallets: one per facility that names a custodian, opened through the custodian's API (or
//! derived from the self-custody key), and their balances as reported.
//!
//! **Derivation.** A self-custody wallet takes the next receive index under the custodian's
//! key: the custodian's row is locked while the index is chosen, and `(custodian_id,
//! derivation_index)` is unique in the database, so an address is never given twice.

mod entity;
mod repo;

pub(crate) use entity::lookup;
pub use entity::{ReportedBalance, Wallet, WalletEvent};
pub(crate) use repo::WalletRepo;

use crate::Custody;
use crate::custodian::Adapter;
use crate::error::CustodyError;
use crate::jobs::OpenWalletJob;
use crate::primitives::{CustodianId, InvalidValue, Network, Provider, WalletId, permissions};
use authz::Actor;
use chrono::{DateTime, Utc};
use entity::NewWallet;
use es::{DbOp, Idempotent, ListQuery, Page, RowLock};
use money::Satoshis;
use uuid::Uuid;

/// What applying a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BalanceApplied {
    /// Recorded; `moved` when the balance differs from the last one.
    Recorded { moved: bool },
    /// A report at least as recent was applied before.
    Stale { last_observed_at: DateTime<Utc> },
}

impl Custody {
    /// Asks for the wallet of `facility_id` at `custodian_id`, in the caller's transaction: once
    /// it commits, a job opens the wallet at the custodian and tells the `CollateralSink`
    /// (`jobs/open_wallet.rs`), retried while the custodian refuses or cannot be reached, so the
    /// caller never waits on the custodian. A manual custodian has no wallet: nothing is asked.
    pub async fn request_wallet_in_op(
        &self,
        op: &mut DbOp,
        custodian_id: CustodianId,
        facility_id: Uuid,
    ) -> Result<(), CustodyError> {
        let custodian = self.custodians.find_by_id_in_op(op, custodian_id).await?;
        if custodian.provider() != Provider::Manual {
            self.jobs
                .spawn_in_op(op, OpenWalletJob::new_job(custodian_id, facility_id)?)
                .await?;
        }
        Ok(())
    }

    /// Opens the wallet of `facility_id` at `custodian_id`, in the caller's transaction (the
    /// custodian's API is called while it is open, within the adapters' timeout); the facility's
    /// wallet when it has one already. A manual custodian has no wallet: `None`.
    pub async fn open_wallet_in_op(
        &self,
        op: &mut DbOp,
        custodian_id: CustodianId,
        facility_id: Uuid,
    ) -> Result<Option<Wallet>, CustodyError> {
        let custodian = self
            .custodians
            .lock_in_op(op, custodian_id, RowLock::Update)
            .await?;
        // under the custodian's lock: a facility's wallet is opened once
        if let Some(wallet) = self
            .wallets
            .find_one_by_in_op(op, "facility_id", facility_id)
            .await?
        {
            return Ok(Some(wallet));
        }
        let label = format!("lana-facility-{facility_id}");
        let (external_ref, address, derivation_index) =
            match self.adapter_in_op(op, &custodian).await? {
                Adapter::Bitgo { client, .. } => {
                    let wallet = client.generate_wallet(&label).await?;
                    (wallet.id, wallet.receive_address, None)
                }
                Adapter::Komainu { client, .. } => {
                    let wallet = client.open_wallet(&label).await?;
                    (wallet.id, wallet.address, None)
                }
                Adapter::SelfCustody { account, .. } => {
                    let index = self.next_derivation_index_in_op(op, custodian_id).await?;
                    let address = account.receive_address(index).map_err(InvalidValue::from)?;
                    (address.clone(), address, Some(index))
                }
                Adapter::Manual => return Ok(None),
            };
        let network = custodian
            .config
            .network()
            .unwrap_or_else(|| Network::of_address(&address));
        let new = NewWallet {
            id: WalletId::new(),
            custodian_id,
            provider: custodian.provider(),
            facility_id,
            external_ref,
            address,
            network,
            derivation_index,
        };
        Ok(Some(
            self.wallets.create_in_op(op, new.into_events()).await?,
        ))
    }

    async fn next_derivation_index_in_op(
        &self,
        op: &mut DbOp,
        custodian_id: CustodianId,
    ) -> Result<u32, CustodyError> {
        let next = sqlx::query_scalar!(
            r#"SELECT COALESCE(max(derivation_index) + 1, 0) AS "next!" FROM wallets WHERE custodian_id = $1"#,
            Uuid::from(custodian_id)
        )
        .fetch_one(op.conn())
        .await?;
        u32::try_from(next)
            .map_err(|_| custodians::xpub::XpubError::IndexOutOfRange(u32::MAX))
            .map_err(|e| InvalidValue::from(e).into())
    }

    /// Applies a reported balance to the wallet (locked), in the caller's transaction; the
    /// system actor `actor` is authorized and audited in it.
    pub(crate) async fn apply_balance_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        wallet_id: WalletId,
        balance: Satoshis,
        observed_at: DateTime<Utc>,
        source: String,
    ) -> Result<(Wallet, BalanceApplied), CustodyError> {
        use permissions::{RECORD_BALANCE, WALLETS};
        self.use_cases
            .authorize_in_op(op, actor, WALLETS, RECORD_BALANCE)
            .await?;
        let mut wallet = self
            .wallets
            .lock_in_op(op, wallet_id, RowLock::Update)
            .await?;
        let applied = match wallet.record_balance(balance, observed_at, source) {
            Idempotent::Executed(moved) => {
                self.wallets.update_in_op(op, &mut wallet).await?;
                BalanceApplied::Recorded { moved }
            }
            Idempotent::AlreadyApplied => BalanceApplied::Stale {
                last_observed_at: wallet.balance.map_or(observed_at, |b| b.observed_at),
            },
        };
        Ok((wallet, applied))
    }

    pub async fn find_wallet(
        &self,
        actor: &Actor,
        id: WalletId,
    ) -> Result<Option<Wallet>, CustodyError> {
        use permissions::{READ, WALLETS};
        self.use_cases
            .query(actor, WALLETS, READ, async || {
                Ok(self.wallets.maybe_find_by_id(id).await?)
            })
            .await
    }

    /// The wallet of a facility, if it has one.
    pub async fn wallet_of_facility(
        &self,
        actor: &Actor,
        facility_id: Uuid,
    ) -> Result<Option<Wallet>, CustodyError> {
        use permissions::{READ, WALLETS};
        self.use_cases
            .query(actor, WALLETS, READ, async || {
                Ok(self.wallets.find_one_by("facility_id", facility_id).await?)
            })
            .await
    }

    /// A page of a custodian's wallets, oldest first.
    pub async fn list_wallets(
        &self,
        actor: &Actor,
        custodian_id: CustodianId,
        query: ListQuery,
    ) -> Result<Page<Wallet>, CustodyError> {
        use permissions::{READ, WALLETS};
        self.use_cases
            .query(actor, WALLETS, READ, async || {
                Ok(self
                    .wallets
                    .list(query.filter("custodian_id", Uuid::from(custodian_id)))
                    .await?)
            })
            .await
    }
}
