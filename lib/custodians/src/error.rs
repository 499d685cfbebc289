use error_code::ErrorCode;

/// Why a call to a custodian or an explorer failed. Messages carry no token or secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustodianApiError {
    #[error("the custodian is unavailable: {0}")]
    Unavailable(String),
    #[error("the custodian answered {status}: {message}")]
    Rejected { status: u16, message: String },
    #[error("unexpected answer from the custodian: {0}")]
    BadResponse(String),
}

pub const CUSTODIAN_UNAVAILABLE: ErrorCode = ErrorCode::new(
    "CUSTODIAN_UNAVAILABLE",
    "The custodian or block explorer did not answer, or answered 5xx or 429; try again later.",
);
pub const CUSTODIAN_REJECTED: ErrorCode = ErrorCode::new(
    "CUSTODIAN_REJECTED",
    "The custodian refused the request (a 4xx answer: credentials, wallet, coin); the message carries its reason.",
);
pub const CUSTODIAN_BAD_RESPONSE: ErrorCode = ErrorCode::new(
    "CUSTODIAN_BAD_RESPONSE",
    "The custodian or block explorer answered with something that is not its documented response.",
);

impl CustodianApiError {
    /// A 5xx or 429 answer counts as unavailable (later may work), any other status as refused.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Unavailable(_) => CUSTODIAN_UNAVAILABLE,
            Self::Rejected { status, .. } if *status >= 500 || *status == 429 => {
                CUSTODIAN_UNAVAILABLE
            }
            Self::Rejected { .. } => CUSTODIAN_REJECTED,
            Self::BadResponse(_) => CUSTODIAN_BAD_RESPONSE,
        }
    }
}

/// Why a webhook was refused. Checked before the body is parsed: nothing unauthenticated is
/// interpreted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    #[error("the webhook carries no `{0}` header")]
    MissingHeader(&'static str),
    #[error("the webhook's signature does not match its body")]
    BadSignature,
    #[error("the webhook's timestamp is not within {tolerance_secs} s of now")]
    Expired { tolerance_secs: i64 },
    #[error("the webhook's body is not a notification: {0}")]
    Malformed(String),
}

pub const CUSTODIAN_WEBHOOK_SIGNATURE_MISSING: ErrorCode = ErrorCode::new(
    "CUSTODIAN_WEBHOOK_SIGNATURE_MISSING",
    "A custodian webhook arrived without its signature or timestamp header; nothing was applied.",
);
pub const CUSTODIAN_WEBHOOK_SIGNATURE_INVALID: ErrorCode = ErrorCode::new(
    "CUSTODIAN_WEBHOOK_SIGNATURE_INVALID",
    "A custodian webhook's signature does not match its body under the custodian's webhook secret, or its timestamp is too old; nothing was applied.",
);
pub const CUSTODIAN_WEBHOOK_MALFORMED: ErrorCode = ErrorCode::new(
    "CUSTODIAN_WEBHOOK_MALFORMED",
    "A correctly signed custodian webhook whose body is not a notification we read.",
);

impl WebhookError {
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::MissingHeader(_) => CUSTODIAN_WEBHOOK_SIGNATURE_MISSING,
            Self::BadSignature | Self::Expired { .. } => CUSTODIAN_WEBHOOK_SIGNATURE_INVALID,
            Self::Malformed(_) => CUSTODIAN_WEBHOOK_MALFORMED,
        }
    }
}
