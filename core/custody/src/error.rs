//! The custody domain's errors and their stable codes.

use crate::primitives::{CustodianId, InvalidValue};
use error_code::{ErrorCode, INTERNAL, INVALID_INPUT};
use use_case::{DomainError, PlatformError};

pub const CUSTODIAN_NAME_TAKEN: ErrorCode =
    ErrorCode::new("CUSTODIAN_NAME_TAKEN", "Another custodian has this name.");
pub const CUSTODY_ENCRYPTION_KEY_MISSING: ErrorCode = ErrorCode::new(
    "CUSTODY_ENCRYPTION_KEY_MISSING",
    "No custody encryption key is configured (`custody.encryption_key`), so custodian secrets can be neither stored nor read.",
);
pub const CUSTODY_SECRETS_UNREADABLE: ErrorCode = ErrorCode::new(
    "CUSTODY_SECRETS_UNREADABLE",
    "The custodian's stored secrets do not open with the configured key (the key was rotated, or is wrong); an operator must configure the current key.",
);
pub const CUSTODIAN_WITHOUT_WEBHOOKS: ErrorCode = ErrorCode::new(
    "CUSTODIAN_WITHOUT_WEBHOOKS",
    "This custodian does not send webhooks (self-custody is polled from a block explorer, manual custody is recorded by staff).",
);

/// The codes of this domain.
pub const CODES: &[ErrorCode] = &[
    CUSTODIAN_NAME_TAKEN,
    CUSTODY_ENCRYPTION_KEY_MISSING,
    CUSTODY_SECRETS_UNREADABLE,
    CUSTODIAN_WITHOUT_WEBHOOKS,
];

#[derive(Debug, thiserror::Error)]
pub enum CustodyError {
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("a custodian named {0:?} exists")]
    NameTaken(String),
    #[error("no custody encryption key is configured")]
    EncryptionKeyMissing,
    /// Refused at start: the secrets are under another key.
    #[error(
        "the configured custody encryption key (fingerprint {configured}) is not the one the secrets are under ({stored}); configure the current key"
    )]
    EncryptionKeyMismatch { configured: String, stored: String },
    #[error("custody.encryption_key must be 64 hexadecimal characters (32 bytes)")]
    EncryptionKeyInvalid,
    #[error("the secrets of custodian {0} do not open with the configured key")]
    SecretsUnreadable(CustodianId),
    #[error("custodian {0} does not send webhooks")]
    WithoutWebhooks(CustodianId),
    #[error(transparent)]
    Custodian(#[from] custodians::CustodianApiError),
    #[error(transparent)]
    Webhook(#[from] custodians::WebhookError),
    #[error(transparent)]
    Inbox(#[from] inbox::InboxError),
    #[error("the wallet's job could not be written: {0}")]
    WalletJob(#[from] serde_json::Error),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

use_case::platform_errors!(CustodyError);

impl DomainError for CustodyError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidValue(_) => INVALID_INPUT,
            Self::NameTaken(_) => CUSTODIAN_NAME_TAKEN,
            Self::EncryptionKeyMissing => CUSTODY_ENCRYPTION_KEY_MISSING,
            Self::EncryptionKeyMismatch { .. } | Self::SecretsUnreadable(_) => {
                CUSTODY_SECRETS_UNREADABLE
            }
            Self::EncryptionKeyInvalid | Self::Inbox(_) | Self::WalletJob(_) => INTERNAL,
            Self::WithoutWebhooks(_) => CUSTODIAN_WITHOUT_WEBHOOKS,
            Self::Custodian(e) => e.code(),
            Self::Webhook(e) => e.code(),
            Self::Platform(e) => e.code(),
        }
    }

    fn platform(&self) -> Option<&PlatformError> {
        match self {
            Self::Platform(e) => Some(e),
            _ => None,
        }
    }
}
