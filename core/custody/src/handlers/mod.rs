//! The domain's reactions: custodians' webhooks from the inbox (`webhooks.rs`). What an opened
//! wallet and a balance change mean for a facility is the composition root's
//! [`CollateralSink`].

mod webhooks;

pub use webhooks::{CUSTODY_WEBHOOK_SOURCE, CustodianWebhooks};

use crate::wallet::Wallet;
use es::DbOp;
use inbox::HandlerError;

/// Told, in the transaction that did it, that a facility's wallet was opened or that a wallet's
/// balance moved (credit records the wallet, updates the facility's collateral and re-evaluates
/// it).
#[async_trait::async_trait]
pub trait CollateralSink: Send + Sync + 'static {
    /// A facility's wallet was opened (credit records which wallet holds its collateral).
    async fn wallet_opened_in_op(&self, op: &mut DbOp, wallet: &Wallet)
    -> Result<(), HandlerError>;

    async fn wallet_balance_changed_in_op(
        &self,
        op: &mut DbOp,
        wallet: &Wallet,
    ) -> Result<(), HandlerError>;
}
