//! A Komainu-style custodian.
//!
//! A bearer token is obtained from the API user and secret (`POST /v1/token`) and reused until
//! shortly before it expires. A wallet is opened per facility (`POST /v1/wallets`) and read with
//! `GET /v1/wallets/{id}`, whose `balance.available` is decimal BTC, converted to satoshis
//! exactly (more than 8 decimals, a negative or a non-number is refused).
//!
//! Webhooks carry [`SIGNATURE_HEADER`], the hex HMAC-SHA256 under the webhook secret of the
//! [`TIMESTAMP_HEADER`]'s value, a `.`, and the raw body; a timestamp further than
//! [`TOLERANCE_SECS`] from now is refused, so a captured delivery cannot be replayed later. A
//! `BALANCE_UPDATED` notification names the wallet, which is then read from the API.
//!
//! Not done here: the API reference (v1.4) also signs requests with an ECDSA P-256 client key;
//! these calls carry the bearer token only (see the custody domain's documentation). The header
//! names, the signed string and the paths are kept in this one module, to be confirmed against
//! the provider's documentation before production.

use crate::{CustodianApiError, WebhookError, base, http_client, read_json, signature, text_field};
use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::Deserialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const SIGNATURE_HEADER: &str = "x-komainu-signature";
pub const TIMESTAMP_HEADER: &str = "x-komainu-timestamp";
/// How far a webhook's timestamp may be from now.
pub const TOLERANCE_SECS: i64 = 300;
/// The notification kind that reports a wallet's balance moved.
pub const BALANCE_UPDATED: &str = "BALANCE_UPDATED";

#[derive(Debug, Clone)]
pub struct KomainuSettings {
    pub base_url: String,
    pub api_user: String,
    pub api_secret: String,
}

/// A notification, as far as the bank reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Notification {
    pub event: String,
    pub wallet_id: String,
}

/// A verified notification and the instant it was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedNotification {
    pub notification: Notification,
    pub signed_at: DateTime<Utc>,
}

/// A wallet just opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenedWallet {
    pub id: String,
    pub address: String,
}

/// Checks the signature over timestamp and raw body and the timestamp's freshness, then reads it.
pub fn verify_webhook(
    secret: &str,
    signature_header: Option<&str>,
    timestamp_header: Option<&str>,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<SignedNotification, WebhookError> {
    let timestamp = timestamp_header
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(WebhookError::MissingHeader(TIMESTAMP_HEADER))?;
    signature::verify(
        secret,
        SIGNATURE_HEADER,
        signature_header,
        &[timestamp.as_bytes(), b".", body],
    )?;
    let signed_at = timestamp
        .parse::<i64>()
        .ok()
        .and_then(|secs| DateTime::from_timestamp(secs, 0))
        .ok_or(WebhookError::BadSignature)?;
    if (now - signed_at).num_seconds().abs() > TOLERANCE_SECS {
        return Err(WebhookError::Expired {
            tolerance_secs: TOLERANCE_SECS,
        });
    }
    let notification =
        serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
    Ok(SignedNotification {
        notification,
        signed_at,
    })
}

/// The signature Komainu sends for `body` signed at `timestamp` (Unix seconds).
pub fn sign_webhook(secret: &str, timestamp: i64, body: &[u8]) -> String {
    signature::sign(secret, &[timestamp.to_string().as_bytes(), b".", body])
}

/// Satoshis from a decimal BTC text, exactly.
pub fn btc_to_sats(btc: &str) -> Result<u64, CustodianApiError> {
    let bad = || CustodianApiError::BadResponse(format!("{btc:?} is not a BTC amount"));
    let text = btc.trim();
    // plain decimal text only: digits and one point (no sign, no exponent)
    if text.is_empty() || !text.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(bad());
    }
    let amount: Decimal = text.parse().map_err(|_| bad())?;
    let sats = amount
        .checked_mul(Decimal::from(100_000_000u64))
        .ok_or_else(bad)?
        .normalize();
    if sats.scale() != 0 {
        return Err(bad());
    }
    u64::try_from(sats).map_err(|_| bad())
}

#[derive(Clone)]
pub struct KomainuClient {
    http: reqwest::Client,
    settings: KomainuSettings,
    token: Arc<Mutex<Option<(String, Instant)>>>,
}

impl KomainuClient {
    pub fn new(mut settings: KomainuSettings) -> Result<Self, CustodianApiError> {
        settings.base_url = base(&settings.base_url);
        Ok(Self {
            http: http_client()?,
            settings,
            token: Arc::default(),
        })
    }

    async fn bearer(&self) -> Result<String, CustodianApiError> {
        if let Ok(token) = self.token.lock()
            && let Some((token, until)) = token.as_ref()
            && Instant::now() < *until
        {
            return Ok(token.clone());
        }
        let answer = read_json(
            self.http
                .post(format!("{}/v1/token", self.settings.base_url))
                .json(&serde_json::json!({
                    "api_user": self.settings.api_user,
                    "api_secret": self.settings.api_secret,
                })),
        )
        .await?;
        let token = text_field(&answer, "access_token")?.to_owned();
        let expires_in = answer
            .get("expires_in")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(60);
        // renew a minute early (or at once for a token that lives less than that)
        let until = Instant::now() + Duration::from_secs(expires_in.saturating_sub(60));
        if let Ok(mut slot) = self.token.lock() {
            *slot = Some((token.clone(), until));
        }
        Ok(token)
    }

    /// Opens a wallet labelled `label`.
    pub async fn open_wallet(&self, label: &str) -> Result<OpenedWallet, CustodianApiError> {
        let token = self.bearer().await?;
        let answer = read_json(
            self.http
                .post(format!("{}/v1/wallets", self.settings.base_url))
                .bearer_auth(token)
                .json(&serde_json::json!({ "label": label, "asset": "BTC" })),
        )
        .await?;
        Ok(OpenedWallet {
            id: text_field(&answer, "id")?.to_owned(),
            address: text_field(&answer, "address")?.to_owned(),
        })
    }

    /// A wallet's available balance in satoshis.
    pub async fn available_balance(&self, wallet_id: &str) -> Result<u64, CustodianApiError> {
        let token = self.bearer().await?;
        let answer = read_json(
            self.http
                .get(format!("{}/v1/wallets/{wallet_id}", self.settings.base_url))
                .bearer_auth(token),
        )
        .await?;
        let balance = answer
            .get("balance")
            .ok_or_else(|| CustodianApiError::BadResponse("`balance` is missing".into()))?;
        btc_to_sats(text_field(balance, "available")?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn btc_amounts_convert_exactly_or_are_refused() {
        assert_eq!(btc_to_sats("0.5").unwrap(), 50_000_000);
        assert_eq!(btc_to_sats("1.00000001").unwrap(), 100_000_001);
        assert_eq!(btc_to_sats("21000000").unwrap(), 2_100_000_000_000_000);
        assert_eq!(btc_to_sats("0.000000010").unwrap(), 1);
        assert_eq!(btc_to_sats("0").unwrap(), 0);
        for bad in ["0.000000001", "-1", "abc", "", "1e3"] {
            assert!(btc_to_sats(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn a_webhook_is_checked_over_timestamp_and_body_and_for_freshness() {
        let now = Utc::now();
        let ts = now.timestamp();
        let body = br#"{"event":"BALANCE_UPDATED","wallet_id":"w1"}"#;
        let sig = sign_webhook("s3cret", ts, body);
        let ok = verify_webhook("s3cret", Some(&sig), Some(&ts.to_string()), body, now).unwrap();
        assert_eq!(ok.notification.wallet_id, "w1");
        // another timestamp with the same signature
        assert_eq!(
            verify_webhook("s3cret", Some(&sig), Some(&(ts + 1).to_string()), body, now),
            Err(WebhookError::BadSignature)
        );
        // a tampered body
        let tampered = br#"{"event":"BALANCE_UPDATED","wallet_id":"w2"}"#;
        assert_eq!(
            verify_webhook("s3cret", Some(&sig), Some(&ts.to_string()), tampered, now),
            Err(WebhookError::BadSignature)
        );
        // the right signature of an old delivery
        let old = ts - TOLERANCE_SECS - 1;
        let old_sig = sign_webhook("s3cret", old, body);
        assert!(matches!(
            verify_webhook("s3cret", Some(&old_sig), Some(&old.to_string()), body, now),
            Err(WebhookError::Expired { .. })
        ));
        assert_eq!(
            verify_webhook("s3cret", None, Some(&ts.to_string()), body, now),
            Err(WebhookError::MissingHeader(SIGNATURE_HEADER))
        );
        assert_eq!(
            verify_webhook("s3cret", Some(&sig), None, body, now),
            Err(WebhookError::MissingHeader(TIMESTAMP_HEADER))
        );
    }
}
