use async_graphql::connection::{Connection, Edge};
use async_graphql::{ComplexObject, Context, Enum, Result, SimpleObject};
use chrono::{DateTime, Utc};
use core_custody::PublicConfig;
use error_code::INVALID_CURSOR;
use es::EsEntity;
use graphql_kit::{Json, api_error, list_query};
use graphql_types::custody::{BitcoinNetwork, CustodianProvider, Wallet};
use uuid::Uuid;

use crate::request::run;

/// A custodian and its configuration. Its secrets are never shown.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Custodian {
    id: Uuid,
    name: String,
    provider: CustodianProvider,
    /// BitGo, Komainu.
    base_url: Option<String>,
    /// BitGo.
    enterprise_id: Option<String>,
    /// BitGo.
    coin: Option<String>,
    /// Komainu.
    api_user: Option<String>,
    /// Self-custody: the account key, in its standard (xpub/tpub) form.
    account_xpub: Option<String>,
    /// Self-custody.
    explorer_url: Option<String>,
    /// Where the custodian sends its webhooks (BitGo, Komainu), relative to the admin server.
    webhook_path: Option<String>,
    /// The network of its wallets: BitGo's coin's, self-custody's key's. Komainu: each wallet's
    /// own (its address says); manual: none.
    network: Option<BitcoinNetwork>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_custody::Custodian> for Custodian {
    fn from(c: core_custody::Custodian) -> Self {
        let id: Uuid = c.id().into();
        let mut shown = Self {
            id,
            name: c.name.as_str().to_owned(),
            provider: c.provider().into(),
            base_url: None,
            enterprise_id: None,
            coin: None,
            api_user: None,
            account_xpub: None,
            explorer_url: None,
            webhook_path: None,
            network: c.config.network().map(Into::into),
            created_at: c.created_at(),
        };
        match &c.config {
            PublicConfig::Bitgo {
                base_url,
                enterprise_id,
                coin,
            } => {
                shown.base_url = Some(base_url.as_str().to_owned());
                shown.enterprise_id = Some(enterprise_id.clone());
                shown.coin = Some(coin.clone());
                shown.webhook_path = Some(format!("/webhook/custodian/{id}"));
            }
            PublicConfig::Komainu { base_url, api_user } => {
                shown.base_url = Some(base_url.as_str().to_owned());
                shown.api_user = Some(api_user.clone());
                shown.webhook_path = Some(format!("/webhook/custodian/{id}"));
            }
            PublicConfig::SelfCustody {
                account_xpub,
                explorer_url,
            } => {
                shown.account_xpub = Some(account_xpub.clone());
                shown.explorer_url = Some(explorer_url.as_str().to_owned());
            }
            PublicConfig::Manual => {}
        }
        shown
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "inbox::InboxStatus")]
pub enum WebhookStatus {
    /// Stored, waiting for its job.
    Pending,
    Processing,
    /// Applied.
    Completed,
    /// Authentic, but about nothing here (`error` says why).
    Ignored,
    /// Processing failed (`error`); retried.
    Failed,
    /// Refused at the door (`error`: the signature); never processed.
    Rejected,
}

/// A delivery from the custodian, as the inbox keeps it.
#[derive(SimpleObject)]
pub struct CustodianWebhook {
    id: Uuid,
    status: WebhookStatus,
    /// Why it was ignored, failed or rejected.
    error: Option<String>,
    attempts: i32,
    /// What was kept: the notification (authentic), or the start of the refused body.
    payload: Json,
    received_at: DateTime<Utc>,
    processed_at: Option<DateTime<Utc>>,
}

impl From<inbox::InboxEvent> for CustodianWebhook {
    fn from(e: inbox::InboxEvent) -> Self {
        Self {
            id: e.id.into(),
            status: e.status.into(),
            error: e.error,
            attempts: e.attempts,
            payload: Json(e.payload),
            received_at: e.received_at,
            processed_at: e.processed_at,
        }
    }
}

#[ComplexObject]
impl Custodian {
    /// Its wallets, oldest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn wallets(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Wallet>> {
        let query = list_query(first, after)?;
        let id = core_custody::CustodianId::from(self.id);
        let page = run(ctx, |app, actor| {
            app.custody().list_wallets(actor, id, query)
        })
        .await?;
        Ok(graphql_kit::connection(page, Wallet::from))
    }

    /// Its webhook deliveries, newest first, whatever became of them.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn webhooks(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, CustodianWebhook>> {
        let first = usize::try_from(first).unwrap_or(1);
        let before = after
            .map(|c| {
                c.parse::<es::Cursor>()
                    .ok()
                    .and_then(|c| c.timestamp_and_id())
                    .ok_or_else(|| {
                        api_error(INVALID_CURSOR, "after is not a cursor this list issued")
                    })
            })
            .transpose()?
            .map(|(at, id)| (at, id.into()));
        let id = core_custody::CustodianId::from(self.id);
        let mut events = run(ctx, |app, actor| {
            app.custody().list_webhooks(actor, id, first + 1, before)
        })
        .await?;
        let more = events.len() > first;
        events.truncate(first);
        let mut connection = Connection::new(false, more);
        connection.edges.extend(events.into_iter().map(|e| {
            let cursor = es::Cursor::at(e.received_at, e.id.into()).encode();
            Edge::new(cursor, CustodianWebhook::from(e))
        }));
        Ok(connection)
    }
}
