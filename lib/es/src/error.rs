use crate::entity::EsEntityError;
use crate::retry::{Retryable, sqlx_error_is_retryable};
use uuid::Uuid;

#[derive(Debug, thiserror::Error)]
pub enum EsRepoError {
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("{entity} {id} was modified concurrently")]
    ConcurrentModification { entity: &'static str, id: Uuid },
    #[error("{entity} violates unique constraint {constraint}")]
    UniqueViolation {
        entity: &'static str,
        constraint: String,
    },
    #[error("more than one {entity} has {column} = the given value")]
    NotUnique {
        entity: &'static str,
        column: &'static str,
    },
    #[error("page size {requested} is outside 1..={max}")]
    InvalidPageSize { requested: usize, max: usize },
    #[error("invalid cursor")]
    InvalidCursor,
    #[error("{entity} has no index column {column}")]
    UnknownColumn {
        entity: &'static str,
        column: &'static str,
    },
    #[error("event {sequence} of {entity} {id} cannot be read: {source}")]
    EventDecode {
        entity: &'static str,
        id: Uuid,
        sequence: i32,
        source: serde_json::Error,
    },
    #[error("event of {entity} cannot be stored: {reason}")]
    EventEncode {
        entity: &'static str,
        reason: String,
    },
    #[error(transparent)]
    Entity(#[from] EsEntityError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl EsRepoError {
    /// The code a client sees: a missing entity, a bad page request, a conflict that outlasted
    /// the retries; anything else is the bank's problem.
    pub fn code(&self) -> error_code::ErrorCode {
        match self {
            Self::NotFound { .. } => error_code::NOT_FOUND,
            Self::InvalidCursor => error_code::INVALID_CURSOR,
            Self::InvalidPageSize { .. } => error_code::INVALID_INPUT,
            e if e.is_retryable() => error_code::CONCURRENT_MODIFICATION,
            _ => error_code::INTERNAL,
        }
    }
}

impl Retryable for EsRepoError {
    fn is_retryable(&self) -> bool {
        match self {
            EsRepoError::ConcurrentModification { .. } => true,
            EsRepoError::Sqlx(e) => sqlx_error_is_retryable(e),
            _ => false,
        }
    }
}
