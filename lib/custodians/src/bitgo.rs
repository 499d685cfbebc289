//! A BitGo-style custodian.
//!
//! Calls carry `Authorization: Bearer <access token>`. The bank generates one wallet per
//! facility (`POST /api/v2/{coin}/wallet/generate` under its enterprise, with the wallet
//! passphrase: the endpoint BitGo Express serves, so `base_url` points at Express or the
//! platform). A transfer on a wallet is announced by a webhook signed with `X-Signature-SHA256`
//! (HMAC-SHA256 of the raw body, lowercase hex, the enterprise's webhook secret); deliveries
//! repeat, and BitGo recommends fetching the transfer again before acting on it, so the
//! notification is only a prompt: the transfer (`GET .../transfer/{id}`: its wallet, `state`,
//! `date`) and then the wallet's confirmed balance (`GET .../wallet/{id}`, `confirmedBalance`)
//! are read from the API. Notifications marked `simulation: true` are tests from BitGo's console.

use crate::{
    CustodianApiError, WebhookError, base, http_client, read_json, sats_field, signature,
    text_field,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The header carrying a webhook's signature.
pub const SIGNATURE_HEADER: &str = "x-signature-sha256";

/// What the bank needs to call a BitGo account.
#[derive(Debug, Clone)]
pub struct BitgoSettings {
    pub base_url: String,
    pub access_token: String,
    pub enterprise_id: String,
    /// `btc`, or `tbtc4` on the test network.
    pub coin: String,
    pub wallet_passphrase: String,
}

/// A wallet just generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedWallet {
    pub id: String,
    pub receive_address: String,
}

/// A transfer as the API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    pub id: String,
    pub wallet: String,
    pub confirmed: bool,
    pub date: DateTime<Utc>,
}

/// The fields of a transfer notification the bank reads.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TransferNotification {
    #[serde(rename = "type")]
    pub kind: String,
    pub wallet: String,
    pub transfer: Option<String>,
    pub hash: Option<String>,
    pub coin: Option<String>,
    pub state: Option<String>,
    #[serde(default)]
    pub simulation: bool,
}

/// Checks a webhook's signature over its raw body, then reads it.
pub fn verify_webhook(
    secret: &str,
    signature_header: Option<&str>,
    body: &[u8],
) -> Result<TransferNotification, WebhookError> {
    signature::verify(secret, SIGNATURE_HEADER, signature_header, &[body])?;
    serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))
}

/// The signature BitGo sends for `body`.
pub fn sign_webhook(secret: &str, body: &[u8]) -> String {
    signature::sign(secret, &[body])
}

#[derive(Clone)]
pub struct BitgoClient {
    http: reqwest::Client,
    settings: BitgoSettings,
}

impl BitgoClient {
    pub fn new(mut settings: BitgoSettings) -> Result<Self, CustodianApiError> {
        settings.base_url = base(&settings.base_url);
        Ok(Self {
            http: http_client()?,
            settings,
        })
    }

    fn url(&self, path: &str) -> String {
        format!(
            "{}/api/v2/{}/{path}",
            self.settings.base_url, self.settings.coin
        )
    }

    /// Generates a wallet labelled `label` under the enterprise.
    pub async fn generate_wallet(&self, label: &str) -> Result<GeneratedWallet, CustodianApiError> {
        let body = serde_json::json!({
            "label": label,
            "enterprise": self.settings.enterprise_id,
            "passphrase": self.settings.wallet_passphrase,
        });
        let answer = read_json(
            self.http
                .post(self.url("wallet/generate"))
                .bearer_auth(&self.settings.access_token)
                .json(&body),
        )
        .await?;
        let wallet = answer
            .get("wallet")
            .ok_or_else(|| CustodianApiError::BadResponse("`wallet` is missing".into()))?;
        let address = wallet
            .get("receiveAddress")
            .ok_or_else(|| CustodianApiError::BadResponse("`receiveAddress` is missing".into()))?;
        Ok(GeneratedWallet {
            id: text_field(wallet, "id")?.to_owned(),
            receive_address: text_field(address, "address")?.to_owned(),
        })
    }

    /// A transfer of a wallet.
    pub async fn transfer(
        &self,
        wallet_id: &str,
        transfer_id: &str,
    ) -> Result<Transfer, CustodianApiError> {
        let answer = read_json(
            self.http
                .get(self.url(&format!("wallet/{wallet_id}/transfer/{transfer_id}")))
                .bearer_auth(&self.settings.access_token),
        )
        .await?;
        let date = text_field(&answer, "date")?;
        Ok(Transfer {
            id: text_field(&answer, "id")?.to_owned(),
            wallet: text_field(&answer, "wallet")?.to_owned(),
            confirmed: text_field(&answer, "state")? == "confirmed",
            date: DateTime::parse_from_rfc3339(date)
                .map_err(|_| CustodianApiError::BadResponse("`date` is not a timestamp".into()))?
                .with_timezone(&Utc),
        })
    }

    /// A wallet's confirmed balance in satoshis (`confirmedBalanceString` when given, which
    /// stays exact beyond 2^53, else `confirmedBalance`).
    pub async fn confirmed_balance(&self, wallet_id: &str) -> Result<u64, CustodianApiError> {
        let answer = read_json(
            self.http
                .get(self.url(&format!("wallet/{wallet_id}")))
                .bearer_auth(&self.settings.access_token),
        )
        .await?;
        if answer.get("confirmedBalanceString").is_some() {
            sats_field(&answer, "confirmedBalanceString")
        } else {
            sats_field(&answer, "confirmedBalance")
        }
    }
}
