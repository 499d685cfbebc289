//! Custodians' webhooks: checked at the door, stored once in the inbox, processed by a job.
//!
//! **At the door** (`Custody::receive_webhook`, called by the admin server's
//! `POST /webhook/custodian/{id}`): the custodian's own scheme is checked on the raw body in
//! constant time before anything parses it (BitGo: `X-Signature-SHA256`; Komainu: signature
//! over timestamp and body, and the timestamp's freshness). A refused delivery is kept in the
//! inbox as `rejected` with the reason (nothing processes it) and answered 401. An authentic
//! one is stored once per delivery (BitGo's `idempotency-key` header, else the body's hash;
//! Komainu: the hash of timestamp and body): a replay is a duplicate and changes nothing.
//!
//! **Processing** (`CustodianWebhooks`, in the inbox job's transaction): the notification only
//! says "look": the custodian's API is asked for the truth (BitGo: the transfer, confirmed, then
//! the wallet's confirmed balance; Komainu: the wallet's available balance), the wallet's
//! balance is applied unless a more recent report was (`wallet/entity.rs`), and the
//! [`CollateralSink`] moves the facility's collateral, all in the transaction that marks the
//! inbox event completed. A notification about no wallet of this custodian, a simulation, an
//! unconfirmed transfer or an older report is `ignored`, with the reason.

use super::CollateralSink;
use crate::Custody;
use crate::custodian::Adapter;
use crate::error::CustodyError;
use crate::primitives::{CustodianId, Provider};
use crate::wallet::{BalanceApplied, lookup};
use authz::Actor;
use chrono::{DateTime, Utc};
use custodians::{bitgo, komainu};
use es::{DbOp, EsEntity};
use inbox::{Handled, HandlerError, InboxEvent, InboxHandler, Received};
use money::Satoshis;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The inbox source of every custodian's webhooks (keys start with the custodian's id).
pub const CUSTODY_WEBHOOK_SOURCE: &str = "custody";

/// BitGo may name a delivery; the same name again is the same delivery.
const BITGO_IDEMPOTENCY_HEADER: &str = "idempotency-key";

/// A refused delivery keeps at most this much of its body, for the inbox view.
const REJECTED_BODY_CHARS: usize = 2000;

/// What a notification asks to look at.
enum Prompt {
    Bitgo {
        client: bitgo::BitgoClient,
        wallet: String,
        transfer: String,
    },
    Komainu {
        client: komainu::KomainuClient,
        wallet: String,
        signed_at: DateTime<Utc>,
    },
}

/// What the inbox keeps of an authentic delivery.
#[derive(Debug, Serialize, Deserialize)]
struct StoredWebhook {
    custodian_id: CustodianId,
    provider: Provider,
    notification: serde_json::Value,
    /// Komainu's signed timestamp.
    signed_at: Option<DateTime<Utc>>,
}

fn sha256_hex(parts: &[&[u8]]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part);
    }
    hex::encode(hash.finalize())
}

impl Custody {
    /// Checks a delivery with the custodian's scheme and stores it in the inbox (see the module
    /// documentation). `header` reads a request header by its lower-case name.
    pub async fn receive_webhook(
        &self,
        custodian_id: CustodianId,
        header: impl Fn(&str) -> Option<String>,
        body: &[u8],
    ) -> Result<Received, CustodyError> {
        let custodian = self.custodians.find_by_id(custodian_id).await?;
        let now = self.use_cases.clock().now();
        let checked = match self.adapter(&custodian).await? {
            Adapter::Bitgo { webhook_secret, .. } => {
                let signature = header(bitgo::SIGNATURE_HEADER);
                bitgo::verify_webhook(&webhook_secret, signature.as_deref(), body).map(|_| {
                    let key = header(BITGO_IDEMPOTENCY_HEADER)
                        .filter(|k| !k.is_empty() && k.len() <= 200)
                        .map_or_else(|| sha256_hex(&[body]), |k| sha256_hex(&[k.as_bytes()]));
                    (key, None)
                })
            }
            Adapter::Komainu { webhook_secret, .. } => {
                let (signature, timestamp) = (
                    header(komainu::SIGNATURE_HEADER),
                    header(komainu::TIMESTAMP_HEADER),
                );
                komainu::verify_webhook(
                    &webhook_secret,
                    signature.as_deref(),
                    timestamp.as_deref(),
                    body,
                    now,
                )
                .map(|signed| {
                    let ts = timestamp.unwrap_or_default();
                    (
                        sha256_hex(&[ts.as_bytes(), b".", body]),
                        Some(signed.signed_at),
                    )
                })
            }
            Adapter::SelfCustody { .. } | Adapter::Manual => {
                return Err(CustodyError::WithoutWebhooks(custodian_id));
            }
        };
        let provider = custodian.provider();
        let (key, signed_at) = match checked {
            Ok(checked) => checked,
            Err(refusal) => {
                let kept: String = String::from_utf8_lossy(body)
                    .chars()
                    .take(REJECTED_BODY_CHARS)
                    .collect();
                self.inbox
                    .record_rejected(
                        CUSTODY_WEBHOOK_SOURCE,
                        &format!("{custodian_id}:rejected:{}", uuid::Uuid::now_v7()),
                        serde_json::json!({
                            "custodian_id": custodian_id,
                            "provider": provider,
                            "body": kept,
                        }),
                        &refusal.to_string(),
                    )
                    .await?;
                return Err(refusal.into());
            }
        };
        // authentic: now it may be parsed
        let notification: serde_json::Value = serde_json::from_slice(body)
            .map_err(|e| custodians::WebhookError::Malformed(e.to_string()))?;
        let stored = StoredWebhook {
            custodian_id,
            provider,
            notification,
            signed_at,
        };
        let payload = serde_json::to_value(&stored)
            .map_err(|e| custodians::WebhookError::Malformed(e.to_string()))?;
        Ok(self
            .inbox
            .receive(
                CUSTODY_WEBHOOK_SOURCE,
                &format!("{custodian_id}:{key}"),
                payload,
            )
            .await?)
    }

    /// A custodian's deliveries (authentic or refused), newest first.
    pub async fn list_webhooks(
        &self,
        actor: &Actor,
        custodian_id: CustodianId,
        first: usize,
        before: Option<(DateTime<Utc>, inbox::InboxEventId)>,
    ) -> Result<Vec<InboxEvent>, CustodyError> {
        use crate::primitives::permissions::{CUSTODIANS, READ};
        self.use_cases
            .query(actor, CUSTODIANS, READ, async || {
                Ok(self
                    .inbox
                    .list(
                        CUSTODY_WEBHOOK_SOURCE,
                        &format!("{custodian_id}:"),
                        first,
                        before,
                    )
                    .await?)
            })
            .await
    }

    /// What a stored delivery reports: the wallet's balance at an instant, from the API.
    async fn process_webhook_in_op(
        &self,
        op: &mut DbOp,
        event: &InboxEvent,
        sink: &dyn CollateralSink,
    ) -> Result<Handled, HandlerError> {
        let stored: StoredWebhook = serde_json::from_value(event.payload.clone())?;
        let custodian = self
            .custodians
            .find_by_id_in_op(op, stored.custodian_id)
            .await?;
        let prompt = match self.adapter_in_op(op, &custodian).await? {
            Adapter::Bitgo { client, .. } => {
                let n: bitgo::TransferNotification = serde_json::from_value(stored.notification)?;
                if n.simulation {
                    return Ok(Handled::Ignored(
                        "a simulation from the custodian's console".into(),
                    ));
                }
                if n.kind != "transfer" {
                    return Ok(Handled::Ignored(format!("a {:?} notification", n.kind)));
                }
                let Some(transfer) = n.transfer else {
                    return Ok(Handled::Ignored(
                        "a transfer notification without a transfer id".into(),
                    ));
                };
                Prompt::Bitgo {
                    client,
                    wallet: n.wallet,
                    transfer,
                }
            }
            Adapter::Komainu { client, .. } => {
                let n: komainu::Notification = serde_json::from_value(stored.notification)?;
                if n.event != komainu::BALANCE_UPDATED {
                    return Ok(Handled::Ignored(format!("a {} notification", n.event)));
                }
                Prompt::Komainu {
                    client,
                    wallet: n.wallet_id,
                    signed_at: stored.signed_at.unwrap_or(event.received_at),
                }
            }
            Adapter::SelfCustody { .. } | Adapter::Manual => {
                return Ok(Handled::Ignored("this custodian sends no webhooks".into()));
            }
        };
        let wallet_ref = match &prompt {
            Prompt::Bitgo { wallet, .. } | Prompt::Komainu { wallet, .. } => wallet.clone(),
        };
        let Some(wallet) = self
            .wallets
            .find_one_by_in_op(op, "lookup", lookup(custodian.id(), &wallet_ref))
            .await?
        else {
            return Ok(Handled::Ignored(format!(
                "no wallet {wallet_ref:?} at this custodian"
            )));
        };
        let (balance, observed_at) = match prompt {
            Prompt::Bitgo {
                client,
                wallet,
                transfer,
            } => {
                let transfer = client.transfer(&wallet, &transfer).await?;
                if !transfer.confirmed || transfer.wallet != wallet {
                    return Ok(Handled::Ignored(
                        "the transfer is not a confirmed one of this wallet".into(),
                    ));
                }
                (client.confirmed_balance(&wallet).await?, transfer.date)
            }
            Prompt::Komainu {
                client,
                wallet,
                signed_at,
            } => (client.available_balance(&wallet).await?, signed_at),
        };
        self.record_and_tell_in_op(
            op,
            "custody.webhooks",
            wallet.id(),
            Satoshis::from_minor(balance),
            observed_at,
            format!("inbox:{}", event.id),
            sink,
        )
        .await
    }

    /// Applies a reading to the wallet and, if its balance moved, tells the sink; the outcome
    /// as the inbox shows it.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn record_and_tell_in_op(
        &self,
        op: &mut DbOp,
        system: &'static str,
        wallet_id: crate::primitives::WalletId,
        balance: Satoshis,
        observed_at: DateTime<Utc>,
        source: String,
        sink: &dyn CollateralSink,
    ) -> Result<Handled, HandlerError> {
        let actor = Actor::system(system);
        let (wallet, applied) = self
            .apply_balance_in_op(op, &actor, wallet_id, balance, observed_at, source)
            .await?;
        match applied {
            BalanceApplied::Recorded { moved: true } => {
                sink.wallet_balance_changed_in_op(op, &wallet).await?;
                Ok(Handled::Applied)
            }
            BalanceApplied::Recorded { moved: false } => Ok(Handled::Applied),
            BalanceApplied::Stale { last_observed_at } => Ok(Handled::Ignored(format!(
                "a report of {observed_at} is older than the one applied ({last_observed_at})"
            ))),
        }
    }
}

/// Hands custodians' stored webhooks to the custody domain.
pub struct CustodianWebhooks {
    custody: Custody,
    sink: std::sync::Arc<dyn CollateralSink>,
}

impl CustodianWebhooks {
    pub fn new(custody: Custody, sink: std::sync::Arc<dyn CollateralSink>) -> Self {
        Self { custody, sink }
    }
}

#[async_trait::async_trait]
impl InboxHandler for CustodianWebhooks {
    fn source(&self) -> &'static str {
        CUSTODY_WEBHOOK_SOURCE
    }

    async fn handle(&self, op: &mut DbOp, event: &InboxEvent) -> Result<Handled, HandlerError> {
        self.custody
            .process_webhook_in_op(op, event, self.sink.as_ref())
            .await
    }
}
