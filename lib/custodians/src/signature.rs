//! HMAC-SHA256 as lowercase hex, compared in constant time (`Mac::verify_slice`).

use crate::WebhookError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn mac(secret: &str, parts: &[&[u8]]) -> Hmac<Sha256> {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut mac = <Hmac<Sha256> as hmac::digest::KeyInit>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
    for part in parts {
        mac.update(part);
    }
    mac
}

/// The signature of `parts` (concatenated) under `secret`.
pub(crate) fn sign(secret: &str, parts: &[&[u8]]) -> String {
    hex::encode(mac(secret, parts).finalize().into_bytes())
}

/// Checks a hex signature header against `parts` under `secret`, in constant time.
pub(crate) fn verify(
    secret: &str,
    header: &'static str,
    signature: Option<&str>,
    parts: &[&[u8]],
) -> Result<(), WebhookError> {
    let signature = match signature.map(str::trim) {
        Some(s) if !s.is_empty() => s,
        _ => return Err(WebhookError::MissingHeader(header)),
    };
    let signature = hex::decode(signature).map_err(|_| WebhookError::BadSignature)?;
    if secret.is_empty() {
        return Err(WebhookError::BadSignature);
    }
    mac(secret, parts)
        .verify_slice(&signature)
        .map_err(|_| WebhookError::BadSignature)
}
