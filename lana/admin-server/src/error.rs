//! Domain errors as client errors: a stable code and a message safe to show.

use core_access::AccessError;
use graphql_kit::{CorrelationId, api_error, internal_error};

pub(crate) fn access_error(
    correlation_id: &CorrelationId,
    error: AccessError,
) -> async_graphql::Error {
    let code = match &error {
        AccessError::NotAuthorized(_) => "NOT_AUTHORIZED",
        AccessError::InvalidValue(_) => "INVALID_INPUT",
        AccessError::UserNotFound(_)
        | AccessError::RoleNotFound(_)
        | AccessError::UnknownRole(_) => "NOT_FOUND",
        AccessError::EmailTaken(_) => "EMAIL_TAKEN",
        AccessError::RoleNameTaken(_) => "ROLE_NAME_TAKEN",
        AccessError::UnknownPermissionSet(_) => "UNKNOWN_PERMISSION_SET",
        AccessError::PredefinedRole(_) => "PREDEFINED_ROLE",
        AccessError::SubjectMismatch { .. } => "FORBIDDEN",
        AccessError::Repo(_) | AccessError::Authz(_) | AccessError::Sqlx(_) => {
            return internal_error(&correlation_id.0, &error);
        }
    };
    api_error(code, error)
}

pub(crate) fn audit_error(
    correlation_id: &CorrelationId,
    error: audit::AuditError,
) -> async_graphql::Error {
    match error {
        audit::AuditError::InvalidCursor => {
            api_error("INVALID_CURSOR", "after is not a cursor this list issued")
        }
        audit::AuditError::InvalidPageSize { .. } => api_error("BAD_USER_INPUT", error),
        audit::AuditError::Sqlx(_) => internal_error(&correlation_id.0, &error),
    }
}

/// A domain error with its stable code; `INTERNAL` ones are logged and hidden.
pub(crate) fn domain_error(
    correlation_id: &CorrelationId,
    code: &'static str,
    error: &dyn std::fmt::Display,
) -> async_graphql::Error {
    if code == "INTERNAL" {
        internal_error(&correlation_id.0, error)
    } else {
        api_error(code, error)
    }
}
