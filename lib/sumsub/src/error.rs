use error_code::ErrorCode;

/// Why a call to the provider failed. Messages carry no secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SumsubError {
    /// The configuration cannot work (missing credentials, invalid base URL, zero timeout).
    #[error("invalid KYC provider configuration: {0}")]
    Config(String),
    /// The provider could not be reached or did not answer in time.
    #[error("the KYC provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider answered with an error status. `code` and `correlation_id` come from its
    /// error body when it has the provider's shape; otherwise `description` is the status text.
    #[error("the KYC provider answered {status}: {description}")]
    Api {
        status: u16,
        code: Option<i64>,
        description: String,
        correlation_id: Option<String>,
    },
    /// The provider answered with a success status but a body we cannot use.
    #[error("unexpected response from the KYC provider: {0}")]
    BadResponse(String),
}

pub const KYC_PROVIDER_MISCONFIGURED: ErrorCode = ErrorCode::new(
    "KYC_PROVIDER_MISCONFIGURED",
    "The KYC provider's configuration cannot work (credentials, base URL); an operator must fix it.",
);
pub const KYC_PROVIDER_UNAVAILABLE: ErrorCode = ErrorCode::new(
    "KYC_PROVIDER_UNAVAILABLE",
    "The KYC provider did not answer, or answered 5xx or 429; try again later.",
);
pub const KYC_PROVIDER_REJECTED: ErrorCode = ErrorCode::new(
    "KYC_PROVIDER_REJECTED",
    "The KYC provider refused the request (a 4xx answer); the message carries its reason.",
);
pub const KYC_PROVIDER_BAD_RESPONSE: ErrorCode = ErrorCode::new(
    "KYC_PROVIDER_BAD_RESPONSE",
    "The KYC provider answered with something that is not its documented response.",
);

impl SumsubError {
    /// A stable code for the API edge. A 5xx or 429 answer counts as the provider being
    /// unavailable (retrying later may work); any other error status as a rejection.
    pub fn code(&self) -> ErrorCode {
        match self {
            Self::Config(_) => KYC_PROVIDER_MISCONFIGURED,
            Self::Unavailable(_) => KYC_PROVIDER_UNAVAILABLE,
            Self::Api { status, .. } if *status >= 500 || *status == 429 => {
                KYC_PROVIDER_UNAVAILABLE
            }
            Self::Api { .. } => KYC_PROVIDER_REJECTED,
            Self::BadResponse(_) => KYC_PROVIDER_BAD_RESPONSE,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(status: u16) -> SumsubError {
        SumsubError::Api {
            status,
            code: None,
            description: String::new(),
            correlation_id: None,
        }
    }

    #[test]
    fn codes() {
        assert_eq!(api(400).code().as_str(), "KYC_PROVIDER_REJECTED");
        assert_eq!(api(401).code().as_str(), "KYC_PROVIDER_REJECTED");
        assert_eq!(api(429).code().as_str(), "KYC_PROVIDER_UNAVAILABLE");
        assert_eq!(api(503).code().as_str(), "KYC_PROVIDER_UNAVAILABLE");
        assert_eq!(
            SumsubError::Unavailable("timed out".into()).code().as_str(),
            "KYC_PROVIDER_UNAVAILABLE"
        );
        assert_eq!(
            SumsubError::BadResponse("x".into()).code().as_str(),
            "KYC_PROVIDER_BAD_RESPONSE"
        );
        assert_eq!(
            SumsubError::Config("x".into()).code().as_str(),
            "KYC_PROVIDER_MISCONFIGURED"
        );
    }
}
