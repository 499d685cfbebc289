use crate::primitives::{InvalidValue, RoleId, UserId};

#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    #[error(transparent)]
    NotAuthorized(authz::AuthzError),
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("user {0} not found")]
    UserNotFound(UserId),
    #[error("role {0} not found")]
    RoleNotFound(RoleId),
    #[error("no role is named {0}")]
    UnknownRole(String),
    #[error("a user with email {0} already exists")]
    EmailTaken(String),
    #[error("a role named {0} already exists")]
    RoleNameTaken(String),
    #[error("permission set {0} does not exist")]
    UnknownPermissionSet(String),
    #[error("user {user_id} is linked to another identity")]
    SubjectMismatch { user_id: UserId },
    #[error("the predefined role {0} cannot be changed")]
    PredefinedRole(String),
    #[error(transparent)]
    Repo(es::EsRepoError),
    #[error(transparent)]
    Authz(authz::AuthzError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl From<authz::AuthzError> for AccessError {
    fn from(e: authz::AuthzError) -> Self {
        match e {
            authz::AuthzError::NotAuthorized { .. } => AccessError::NotAuthorized(e),
            authz::AuthzError::UnknownPermissionSet(set) => AccessError::UnknownPermissionSet(set),
            other => AccessError::Authz(other),
        }
    }
}

impl From<es::EsRepoError> for AccessError {
    fn from(e: es::EsRepoError) -> Self {
        AccessError::Repo(e)
    }
}

impl es::Retryable for AccessError {
    fn is_retryable(&self) -> bool {
        match self {
            AccessError::Repo(e) => e.is_retryable(),
            AccessError::Sqlx(e) => es::sqlx_error_is_retryable(e),
            _ => false,
        }
    }
}

impl From<email::InvalidEmail> for AccessError {
    fn from(e: email::InvalidEmail) -> Self {
        AccessError::InvalidValue(e.into())
    }
}
