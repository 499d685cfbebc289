use crate::{ReviewAnswer, SigningKeyError, keyed_mac};
use error_code::ErrorCode;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

/// The hex HMAC of the raw body.
pub const DIGEST_HEADER: &str = "X-Payload-Digest";
/// The algorithm of [`DIGEST_HEADER`]; `HMAC_SHA256_HEX` when absent.
pub const DIGEST_ALG_HEADER: &str = "X-Payload-Digest-Alg";

/// An unsupported algorithm name is echoed in the error only up to this length.
const MAX_ALGORITHM_CHARS: usize = 32;

/// Why a webhook was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// The webhook secret is empty: anyone could sign, so nothing is accepted.
    #[error("no webhook secret is configured")]
    NoSecretConfigured,
    #[error("the webhook carries no signature")]
    MissingSignature,
    #[error("unsupported webhook signature algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    #[error("the webhook signature is invalid")]
    BadSignature,
    #[error("malformed webhook payload: {0}")]
    Malformed(String),
    #[error(transparent)]
    UnusableSecret(#[from] SigningKeyError),
}

pub const WEBHOOK_SECRET_NOT_CONFIGURED: ErrorCode = ErrorCode::new(
    "WEBHOOK_SECRET_NOT_CONFIGURED",
    "No usable webhook secret is configured, so no webhook is accepted.",
);
pub const WEBHOOK_SIGNATURE_MISSING: ErrorCode = ErrorCode::new(
    "WEBHOOK_SIGNATURE_MISSING",
    "The webhook carries no signature header; nothing was stored.",
);
pub const WEBHOOK_SIGNATURE_ALGORITHM_UNSUPPORTED: ErrorCode = ErrorCode::new(
    "WEBHOOK_SIGNATURE_ALGORITHM_UNSUPPORTED",
    "The webhook's signature algorithm is not one the provider documents; nothing was stored.",
);
pub const WEBHOOK_SIGNATURE_INVALID: ErrorCode = ErrorCode::new(
    "WEBHOOK_SIGNATURE_INVALID",
    "The webhook's signature does not match its body; nothing was stored.",
);
pub const WEBHOOK_MALFORMED: ErrorCode = ErrorCode::new(
    "WEBHOOK_MALFORMED",
    "The webhook is correctly signed but its body is not the provider's payload.",
);

impl WebhookError {
    /// A stable code for the API edge.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::NoSecretConfigured | Self::UnusableSecret(_) => WEBHOOK_SECRET_NOT_CONFIGURED,
            Self::MissingSignature => WEBHOOK_SIGNATURE_MISSING,
            Self::UnsupportedAlgorithm(_) => WEBHOOK_SIGNATURE_ALGORITHM_UNSUPPORTED,
            Self::BadSignature => WEBHOOK_SIGNATURE_INVALID,
            Self::Malformed(_) => WEBHOOK_MALFORMED,
        }
    }
}

/// The HMAC behind [`DIGEST_HEADER`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DigestAlgorithm {
    HmacSha1Hex,
    #[default]
    HmacSha256Hex,
    HmacSha512Hex,
}

impl DigestAlgorithm {
    /// The value of [`DIGEST_ALG_HEADER`]; an absent header means the default (SHA-256).
    pub fn from_header(value: Option<&str>) -> Result<Self, WebhookError> {
        match value.map(str::trim) {
            None => Ok(Self::default()),
            Some("HMAC_SHA1_HEX") => Ok(Self::HmacSha1Hex),
            Some("HMAC_SHA256_HEX") => Ok(Self::HmacSha256Hex),
            Some("HMAC_SHA512_HEX") => Ok(Self::HmacSha512Hex),
            Some(other) => Err(WebhookError::UnsupportedAlgorithm(
                other.chars().take(MAX_ALGORITHM_CHARS).collect(),
            )),
        }
    }

    /// The provider's name, as sent in [`DIGEST_ALG_HEADER`].
    pub fn header_value(self) -> &'static str {
        match self {
            Self::HmacSha1Hex => "HMAC_SHA1_HEX",
            Self::HmacSha256Hex => "HMAC_SHA256_HEX",
            Self::HmacSha512Hex => "HMAC_SHA512_HEX",
        }
    }
}

fn webhook_mac<M: Mac + hmac::digest::KeyInit>(
    secret: &str,
    body: &[u8],
) -> Result<M, SigningKeyError> {
    let mut mac: M = keyed_mac(secret.as_bytes())?;
    mac.update(body);
    Ok(mac)
}

/// The [`DIGEST_HEADER`] value for `body`: what the provider sends (and the fake server).
pub fn sign_webhook(
    secret: &str,
    algorithm: DigestAlgorithm,
    body: &[u8],
) -> Result<String, SigningKeyError> {
    Ok(match algorithm {
        DigestAlgorithm::HmacSha1Hex => hex::encode(
            webhook_mac::<Hmac<Sha1>>(secret, body)?
                .finalize()
                .into_bytes(),
        ),
        DigestAlgorithm::HmacSha256Hex => hex::encode(
            webhook_mac::<Hmac<Sha256>>(secret, body)?
                .finalize()
                .into_bytes(),
        ),
        DigestAlgorithm::HmacSha512Hex => hex::encode(
            webhook_mac::<Hmac<Sha512>>(secret, body)?
                .finalize()
                .into_bytes(),
        ),
    })
}

/// Checks the signature of a webhook (in constant time), then parses it. `digest_header` and
/// `alg_header` are the values of [`DIGEST_HEADER`] and [`DIGEST_ALG_HEADER`]; `body` the raw
/// request body, byte for byte as received.
pub fn verify_webhook(
    secret: &str,
    digest_header: Option<&str>,
    alg_header: Option<&str>,
    body: &[u8],
) -> Result<WebhookPayload, WebhookError> {
    if secret.is_empty() {
        return Err(WebhookError::NoSecretConfigured);
    }
    let digest = match digest_header.map(str::trim) {
        Some(digest) if !digest.is_empty() => digest,
        _ => return Err(WebhookError::MissingSignature),
    };
    let algorithm = DigestAlgorithm::from_header(alg_header)?;
    let digest = hex::decode(digest).map_err(|_| WebhookError::BadSignature)?;
    let verified = match algorithm {
        DigestAlgorithm::HmacSha1Hex => {
            webhook_mac::<Hmac<Sha1>>(secret, body)?.verify_slice(&digest)
        }
        DigestAlgorithm::HmacSha256Hex => {
            webhook_mac::<Hmac<Sha256>>(secret, body)?.verify_slice(&digest)
        }
        DigestAlgorithm::HmacSha512Hex => {
            webhook_mac::<Hmac<Sha512>>(secret, body)?.verify_slice(&digest)
        }
    };
    verified.map_err(|_| WebhookError::BadSignature)?;
    WebhookPayload::from_json(body)
}

/// What a webhook is about. Types this crate does not know parse as [`WebhookType::Other`], so a
/// new event type on the provider's side does not make deliveries fail.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[serde(from = "String")]
pub enum WebhookType {
    ApplicantCreated,
    ApplicantPending,
    ApplicantOnHold,
    ApplicantReviewed,
    ApplicantPersonalInfoChanged,
    Other(String),
}

impl WebhookType {
    /// The provider's name, as in the payload's `type`.
    pub fn as_str(&self) -> &str {
        match self {
            Self::ApplicantCreated => "applicantCreated",
            Self::ApplicantPending => "applicantPending",
            Self::ApplicantOnHold => "applicantOnHold",
            Self::ApplicantReviewed => "applicantReviewed",
            Self::ApplicantPersonalInfoChanged => "applicantPersonalInfoChanged",
            Self::Other(name) => name,
        }
    }
}

impl From<String> for WebhookType {
    fn from(name: String) -> Self {
        match name.as_str() {
            "applicantCreated" => Self::ApplicantCreated,
            "applicantPending" => Self::ApplicantPending,
            "applicantOnHold" => Self::ApplicantOnHold,
            "applicantReviewed" => Self::ApplicantReviewed,
            "applicantPersonalInfoChanged" => Self::ApplicantPersonalInfoChanged,
            _ => Self::Other(name),
        }
    }
}

/// The outcome of a completed review.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewResult {
    pub review_answer: ReviewAnswer,
    /// Why the applicant was rejected (e.g. `FORGERY`, `UNSATISFACTORY_PHOTOS`).
    #[serde(default)]
    pub reject_labels: Vec<String>,
    /// `FINAL` or `RETRY` (the applicant may resubmit) for a rejection.
    pub review_reject_type: Option<String>,
}

/// A webhook from the provider. Fields the provider adds later are ignored here but kept in
/// [`WebhookPayload::raw`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WebhookPayload {
    pub applicant_id: String,
    pub inspection_id: Option<String>,
    pub correlation_id: Option<String>,
    pub external_user_id: Option<String>,
    pub level_name: Option<String>,
    #[serde(rename = "type")]
    pub kind: WebhookType,
    pub review_status: Option<String>,
    pub review_result: Option<ReviewResult>,
    /// When the event happened, as the provider wrote it (a date-time string such as
    /// `2020-02-21 13:23:19.321`, or a number in some versions).
    #[serde(default, deserialize_with = "scalar_as_string")]
    pub created_at_ms: Option<String>,
    pub sandbox_mode: Option<bool>,
    /// The whole payload as received, filled by [`verify_webhook`] and
    /// [`WebhookPayload::from_json`] (`Null` when deserialized with serde directly).
    #[serde(skip)]
    pub raw: Value,
}

impl WebhookPayload {
    /// Parses a payload without checking any signature: for a body that was verified when it
    /// was received (e.g. stored in the inbox and processed later). Use [`verify_webhook`] for
    /// anything coming from the network.
    pub fn from_json(body: &[u8]) -> Result<Self, WebhookError> {
        let raw: Value =
            serde_json::from_slice(body).map_err(|e| WebhookError::Malformed(e.to_string()))?;
        let mut payload =
            Self::deserialize(&raw).map_err(|e| WebhookError::Malformed(e.to_string()))?;
        payload.raw = raw;
        Ok(payload)
    }

    /// The hex SHA-256 of the raw body. The provider redelivers a failed webhook with the same
    /// body, so equal keys mean the same delivery.
    pub fn idempotency_key(body: &[u8]) -> String {
        hex::encode(Sha256::digest(body))
    }
}

/// Any JSON scalar as its text; `null` or absent as `None`.
fn scalar_as_string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    match Option::<Value>::deserialize(deserializer)? {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(Value::Number(number)) => Ok(Some(number.to_string())),
        Some(Value::Bool(flag)) => Ok(Some(flag.to_string())),
        Some(Value::Array(_) | Value::Object(_)) => Err(serde::de::Error::custom(
            "createdAtMs must be a string or a number",
        )),
    }
}
