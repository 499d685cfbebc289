//! Client for a Sumsub-style KYC provider: signed API requests and webhook signature verification.
//!
//! # Signed API requests
//!
//! Every request to the provider carries three headers:
//!
//! - `X-App-Token`: the application token (identifies the account, not secret on its own);
//! - `X-App-Access-Ts`: the current Unix time in seconds;
//! - `X-App-Access-Sig`: the lowercase hex of `HMAC-SHA256(secret_key, ts + METHOD + path + body)`,
//!   where `ts` is the decimal timestamp above, `METHOD` the upper-case HTTP method, `path` the
//!   request path including the query string exactly as sent (percent-encoding included), and
//!   `body` the raw request bytes (nothing for a request without a body).
//!
//! The provider refuses a request whose timestamp is too far from its clock, so the signature of
//! one request cannot be replayed later. [`SumsubClient`] signs the URL it actually sends (it
//! parses the full URL first, so a path prefix in `base_url` is signed too) and never follows
//! redirects, since a redirected request would carry a signature for another path.
//!
//! # Webhooks
//!
//! The provider signs each webhook body with the webhook secret: `X-Payload-Digest` is the hex
//! HMAC of the raw body, with the hash named by `X-Payload-Digest-Alg` (`HMAC_SHA1_HEX`,
//! `HMAC_SHA256_HEX` when absent, or `HMAC_SHA512_HEX`). [`verify_webhook`] checks the digest in
//! constant time *before* parsing the body, so unauthenticated input is never interpreted. A
//! failed delivery is sent again with the same body, so the hash of the raw body
//! ([`WebhookPayload::idempotency_key`]) identifies a delivery.
//!
//! # Errors
//!
//! [`SumsubError`] and [`WebhookError`] each give a stable `code()` for the API edge; their
//! messages never contain the app token or the secrets.
//!
//! # Feature `fake`
//!
//! `fake::FakeSumsub` is a local HTTP server that speaks the endpoints used here, checks request
//! signatures exactly as the provider does, and sends signed webhooks.

mod client;
mod config;
mod error;
#[cfg(feature = "fake")]
pub mod fake;
mod webhook;

pub use client::{
    APP_ACCESS_SIG_HEADER, APP_ACCESS_TS_HEADER, APP_TOKEN_HEADER, Applicant, SumsubClient,
    sign_request,
};
pub use config::SumsubConfig;
pub use error::{
    KYC_PROVIDER_BAD_RESPONSE, KYC_PROVIDER_MISCONFIGURED, KYC_PROVIDER_REJECTED,
    KYC_PROVIDER_UNAVAILABLE, SumsubError,
};
pub use webhook::{
    DIGEST_ALG_HEADER, DIGEST_HEADER, DigestAlgorithm, ReviewResult, WEBHOOK_MALFORMED,
    WEBHOOK_SECRET_NOT_CONFIGURED, WEBHOOK_SIGNATURE_ALGORITHM_UNSUPPORTED,
    WEBHOOK_SIGNATURE_INVALID, WEBHOOK_SIGNATURE_MISSING, WebhookError, WebhookPayload,
    WebhookType, sign_webhook, verify_webhook,
};

/// The codes of this crate's errors.
pub const CODES: &[error_code::ErrorCode] = &[
    KYC_PROVIDER_MISCONFIGURED,
    KYC_PROVIDER_UNAVAILABLE,
    KYC_PROVIDER_REJECTED,
    KYC_PROVIDER_BAD_RESPONSE,
    WEBHOOK_SECRET_NOT_CONFIGURED,
    WEBHOOK_SIGNATURE_MISSING,
    WEBHOOK_SIGNATURE_ALGORITHM_UNSUPPORTED,
    WEBHOOK_SIGNATURE_INVALID,
    WEBHOOK_MALFORMED,
];

use serde::{Deserialize, Serialize};

/// The provider's verdict on an applicant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum ReviewAnswer {
    /// Approved.
    Green,
    /// Rejected (finally or for resubmission: see [`ReviewResult::review_reject_type`]).
    Red,
}

impl ReviewAnswer {
    /// The provider's spelling: `GREEN` or `RED`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Green => "GREEN",
            Self::Red => "RED",
        }
    }
}

/// A secret that cannot key an HMAC. HMAC takes keys of any length (longer ones are hashed,
/// shorter ones padded), so this does not happen with the hmac crate; the generic `KeyInit`
/// interface still reports a length error, and it is passed on rather than assumed away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the secret cannot key an HMAC")]
pub struct SigningKeyError;

/// An HMAC keyed with `key`.
fn keyed_mac<M: hmac::Mac + hmac::digest::KeyInit>(key: &[u8]) -> Result<M, SigningKeyError> {
    <M as hmac::digest::KeyInit>::new_from_slice(key).map_err(|_| SigningKeyError)
}
