//! Clients for where a facility's bitcoin collateral is held, and the schemes that authenticate
//! what those places tell us.
//!
//! - [`bitgo`]: a BitGo-style custodian (bearer token; a wallet generated per facility; transfer
//!   webhooks signed with `X-Signature-SHA256`, HMAC-SHA256 of the raw body).
//! - [`komainu`]: a Komainu-style custodian (a bearer token from the API user and secret;
//!   `BALANCE_UPDATED` webhooks signed with an HMAC-SHA256 over the timestamp and the raw body).
//! - [`esplora`]: an Esplora-style block explorer, for wallets the bank derives itself.
//! - [`xpub`]: BIP84 receive addresses (P2WPKH, `m/84'/coin'/0'/0/i`) from an account's extended
//!   public key.
//!
//! Every webhook check runs on the raw bytes, in constant time, *before* anything parses them.
//! Amounts are satoshis as integers; a decimal BTC amount converts exactly or is refused.
//!
//! # Feature `fake`
//! `fake::FakeCustodians` is one local HTTP server speaking the endpoints of all three (their
//! paths do not overlap), and sending correctly signed webhooks.

pub mod bitgo;
mod error;
pub mod esplora;
#[cfg(feature = "fake")]
pub mod fake;
pub mod komainu;
mod signature;
pub mod xpub;

pub use error::{
    CUSTODIAN_BAD_RESPONSE, CUSTODIAN_REJECTED, CUSTODIAN_UNAVAILABLE, CUSTODIAN_WEBHOOK_MALFORMED,
    CUSTODIAN_WEBHOOK_SIGNATURE_INVALID, CUSTODIAN_WEBHOOK_SIGNATURE_MISSING, CustodianApiError,
    WebhookError,
};

/// The codes of this crate's errors.
pub const CODES: &[error_code::ErrorCode] = &[
    CUSTODIAN_UNAVAILABLE,
    CUSTODIAN_REJECTED,
    CUSTODIAN_BAD_RESPONSE,
    CUSTODIAN_WEBHOOK_SIGNATURE_MISSING,
    CUSTODIAN_WEBHOOK_SIGNATURE_INVALID,
    CUSTODIAN_WEBHOOK_MALFORMED,
];

/// How long any call to a custodian or explorer may take.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The HTTP client every adapter uses: a bounded timeout, no redirects (a redirect would carry
/// a bearer token elsewhere).
fn http_client() -> Result<reqwest::Client, CustodianApiError> {
    reqwest::Client::builder()
        .timeout(REQUEST_TIMEOUT)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| CustodianApiError::Unavailable(e.to_string()))
}

/// Reads a JSON answer: a transport failure is `Unavailable`, a non-success status `Rejected`
/// (with at most 200 characters of its body), a body that is not JSON `BadResponse`.
async fn read_json(
    request: reqwest::RequestBuilder,
) -> Result<serde_json::Value, CustodianApiError> {
    let response = request
        .send()
        .await
        .map_err(|e| CustodianApiError::Unavailable(e.without_url().to_string()))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| CustodianApiError::Unavailable(e.without_url().to_string()))?;
    if !status.is_success() {
        return Err(CustodianApiError::Rejected {
            status: status.as_u16(),
            message: text.chars().take(200).collect(),
        });
    }
    serde_json::from_str(&text).map_err(|e| CustodianApiError::BadResponse(e.to_string()))
}

/// A whole number of satoshis from a JSON value that is an unsigned integer or its decimal text
/// (custodians write large amounts as strings).
fn sats_field(value: &serde_json::Value, field: &str) -> Result<u64, CustodianApiError> {
    let bad = || CustodianApiError::BadResponse(format!("`{field}` is not a whole satoshi amount"));
    match value.get(field) {
        Some(serde_json::Value::Number(n)) => n.as_u64().ok_or_else(bad),
        Some(serde_json::Value::String(s)) => s.parse::<u64>().map_err(|_| bad()),
        _ => Err(bad()),
    }
}

/// A text field of a JSON answer.
fn text_field<'a>(value: &'a serde_json::Value, field: &str) -> Result<&'a str, CustodianApiError> {
    value
        .get(field)
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| CustodianApiError::BadResponse(format!("`{field}` is missing")))
}

/// A base URL without its trailing slash.
fn base(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}
