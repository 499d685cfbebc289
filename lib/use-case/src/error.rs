use error_code::{CONCURRENT_MODIFICATION, ErrorCode, INTERNAL};
use es::Retryable;

/// A failure of the platform under a use case: authorization, the entity repository,
/// idempotency, outbox, ledger, jobs or the database itself.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error(transparent)]
    Authz(#[from] authz::AuthzError),
    #[error(transparent)]
    Audit(#[from] audit::AuditError),
    #[error(transparent)]
    Repo(#[from] es::EsRepoError),
    #[error(transparent)]
    Idempotency(#[from] idempotency::IdempotencyError),
    #[error(transparent)]
    Outbox(#[from] outbox::OutboxError),
    #[error(transparent)]
    Ledger(#[from] ledger::LedgerError),
    #[error(transparent)]
    Jobs(#[from] jobs::JobsError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl PlatformError {
    /// Whether running the use case again may succeed (a conflict, not a verdict).
    pub fn is_retryable(&self) -> bool {
        match self {
            Self::Authz(authz::AuthzError::Sqlx(e))
            | Self::Audit(audit::AuditError::Sqlx(e))
            | Self::Outbox(outbox::OutboxError::Sqlx(e))
            | Self::Jobs(jobs::JobsError::Sqlx(e))
            | Self::Sqlx(e) => es::sqlx_error_is_retryable(e),
            Self::Repo(e) => e.is_retryable(),
            Self::Idempotency(e) => e.is_retryable(),
            Self::Ledger(e) => e.is_retryable(),
            Self::Authz(_) | Self::Audit(_) | Self::Outbox(_) | Self::Jobs(_) => false,
        }
    }

    /// A conflict that outlasted the retries is `CONCURRENT_MODIFICATION`; everything else the
    /// client cannot act on is `INTERNAL`.
    pub fn code(&self) -> ErrorCode {
        if self.is_retryable() {
            return CONCURRENT_MODIFICATION;
        }
        match self {
            Self::Authz(e) => e.code(),
            Self::Audit(e) => e.code(),
            Self::Repo(e) => e.code(),
            Self::Idempotency(e) => e.code(),
            Self::Outbox(_) | Self::Ledger(_) | Self::Jobs(_) | Self::Sqlx(_) => INTERNAL,
        }
    }
}

/// A domain's error type: business variants that name the entity involved, and `Platform`.
pub trait DomainError: std::error::Error + From<PlatformError> + Send + Sync + 'static {
    /// The stable code clients see.
    fn code(&self) -> ErrorCode;

    /// The platform failure behind this error, if it is one (also inside another domain's error).
    fn platform(&self) -> Option<&PlatformError>;

    fn is_retryable(&self) -> bool {
        self.platform().is_some_and(PlatformError::is_retryable)
    }
}

/// `From` every platform error for a domain error type with a `Platform(PlatformError)` variant,
/// so `?` works on every platform call in the domain's use cases.
#[macro_export]
macro_rules! platform_errors {
    ($error:ty) => {
        $crate::platform_errors!(@from $error,
            $crate::__private::AuthzError,
            $crate::__private::AuditError,
            $crate::__private::EsRepoError,
            $crate::__private::IdempotencyError,
            $crate::__private::OutboxError,
            $crate::__private::LedgerError,
            $crate::__private::JobsError,
            $crate::__private::SqlxError
        );
    };
    (@from $error:ty, $($source:ty),+) => {
        $(
            impl From<$source> for $error {
                fn from(e: $source) -> Self {
                    Self::from($crate::PlatformError::from(e))
                }
            }
        )+
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use error_code::{INVALID_CURSOR, NOT_AUTHORIZED, NOT_FOUND};

    #[test]
    fn platform_failures_have_codes() {
        let cases = [
            (
                PlatformError::from(es::EsRepoError::NotFound {
                    entity: "deposit",
                    id: "x".into(),
                }),
                NOT_FOUND,
            ),
            (
                PlatformError::from(es::EsRepoError::InvalidCursor),
                INVALID_CURSOR,
            ),
            (
                PlatformError::from(es::EsRepoError::ConcurrentModification {
                    entity: "deposit",
                    id: uuid::Uuid::nil(),
                }),
                CONCURRENT_MODIFICATION,
            ),
            (
                PlatformError::from(authz::AuthzError::NotAuthorized {
                    subject: "user:x".into(),
                    object: "o".into(),
                    action: "a".into(),
                    audit_entry_id: audit::AuditEntryId(1),
                }),
                NOT_AUTHORIZED,
            ),
            (PlatformError::from(sqlx::Error::PoolTimedOut), INTERNAL),
        ];
        for (error, code) in cases {
            assert_eq!(error.code(), code, "{error}");
        }
    }
}
