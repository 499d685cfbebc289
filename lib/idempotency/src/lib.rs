//! Idempotency keys for mutations: a client sends the same key again (a retry after a timeout, a
//! double click) and gets the first result instead of a second effect.
//!
//! A key lives in a `scope` (the operation and who called it). [`claim_in_op`] runs first in the
//! use case's transaction and inserts the key with the hash of the request and the result the use
//! case will have (the id of the entity it creates, chosen before it runs), in one statement:
//! - the key is new: the use case goes on; key and effects commit together (or neither does);
//! - a transaction that used the key is still running: the insert waits on the primary key until
//!   it ends; if it committed, this is a replay; if it rolled back, the key is claimed now. So 50
//!   concurrent requests with one key make one effect;
//! - the key was used with the same request: the stored result is returned (`Claim::Replay`);
//! - the key was used with another request: [`IdempotencyError::KeyReused`].

use chrono::{DateTime, Utc};
use es::DbOp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use sqlx::PgPool;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Longest key accepted.
pub const MAX_KEY_LEN: usize = 255;

#[derive(Debug, thiserror::Error)]
pub enum IdempotencyError {
    #[error("idempotency key must be 1 to {MAX_KEY_LEN} visible ASCII characters")]
    InvalidKey,
    #[error("idempotency key {key} was already used with a different request")]
    KeyReused { key: String },
    #[error("stored result for idempotency key {key} cannot be read: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("request cannot be hashed: {0}")]
    Encode(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

pub const INVALID_IDEMPOTENCY_KEY: error_code::ErrorCode = error_code::ErrorCode::new(
    "INVALID_IDEMPOTENCY_KEY",
    "The idempotency key is not 1 to 255 visible ASCII characters.",
);
pub const IDEMPOTENCY_KEY_REUSED: error_code::ErrorCode = error_code::ErrorCode::new(
    "IDEMPOTENCY_KEY_REUSED",
    "The idempotency key was already used with a different request; use a new key for a new request.",
);

/// The codes of this crate.
pub const CODES: &[error_code::ErrorCode] = &[INVALID_IDEMPOTENCY_KEY, IDEMPOTENCY_KEY_REUSED];

impl IdempotencyError {
    pub fn code(&self) -> error_code::ErrorCode {
        match self {
            Self::InvalidKey => INVALID_IDEMPOTENCY_KEY,
            Self::KeyReused { .. } => IDEMPOTENCY_KEY_REUSED,
            Self::Sqlx(e) if es::sqlx_error_is_retryable(e) => error_code::CONCURRENT_MODIFICATION,
            Self::Corrupt { .. } | Self::Encode(_) | Self::Sqlx(_) => error_code::INTERNAL,
        }
    }
}

impl es::Retryable for IdempotencyError {
    fn is_retryable(&self) -> bool {
        matches!(self, IdempotencyError::Sqlx(e) if es::sqlx_error_is_retryable(e))
    }
}

/// A validated key, as a client sent it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    pub fn parse(key: &str) -> Result<Self, IdempotencyError> {
        let ok = !key.is_empty()
            && key.len() <= MAX_KEY_LEN
            && key.bytes().all(|b| b.is_ascii_graphic());
        if ok {
            Ok(Self(key.to_owned()))
        } else {
            Err(IdempotencyError::InvalidKey)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a claim found.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim<T> {
    /// First use: run the use case and complete the claim.
    New,
    /// Used before with the same request: its result.
    Replay(T),
}

fn request_hash(request: &impl Serialize) -> Result<Vec<u8>, IdempotencyError> {
    let bytes = serde_json::to_vec(request).map_err(|e| IdempotencyError::Encode(e.to_string()))?;
    Ok(Sha256::digest(bytes).to_vec())
}

/// Forgets the keys claimed before `before`, a bounded number per statement; returns how many.
/// A request that repeats a forgotten key is a new request.
pub async fn prune(pool: &PgPool, before: DateTime<Utc>) -> Result<u64, IdempotencyError> {
    const BATCH: i64 = 10_000;
    let mut deleted = 0;
    loop {
        let n = sqlx::query!(
            r#"DELETE FROM idempotency_keys WHERE (scope, key) IN (
                 SELECT scope, key FROM idempotency_keys WHERE created_at < $1 LIMIT $2)"#,
            before,
            BATCH
        )
        .execute(pool)
        .await?
        .rows_affected();
        deleted += n;
        if n < BATCH.unsigned_abs() {
            return Ok(deleted);
        }
    }
}

/// Claims `key` in `scope` for `request` inside the use case's transaction, recording `result`
/// as what the use case (which goes on only on `Claim::New`) returns.
pub async fn claim_in_op<T: Serialize + DeserializeOwned>(
    op: &mut DbOp,
    scope: &str,
    key: &IdempotencyKey,
    request: &impl Serialize,
    result: &T,
) -> Result<Claim<T>, IdempotencyError> {
    let hash = request_hash(request)?;
    let response =
        serde_json::to_value(result).map_err(|e| IdempotencyError::Encode(e.to_string()))?;
    let now = op.now();
    let inserted = sqlx::query_scalar!(
        r#"INSERT INTO idempotency_keys (scope, key, request_hash, response, created_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (scope, key) DO NOTHING
           RETURNING true AS "inserted!""#,
        scope,
        key.as_str(),
        &hash,
        response,
        now
    )
    .fetch_optional(op.conn())
    .await?;
    if inserted.is_some() {
        return Ok(Claim::New);
    }
    let stored = sqlx::query!(
        "SELECT request_hash, response FROM idempotency_keys WHERE scope = $1 AND key = $2",
        scope,
        key.as_str()
    )
    .fetch_one(op.conn())
    .await?;
    if stored.request_hash != hash {
        return Err(IdempotencyError::KeyReused {
            key: key.as_str().to_owned(),
        });
    }
    serde_json::from_value(stored.response)
        .map(Claim::Replay)
        .map_err(|e| IdempotencyError::Corrupt {
            key: key.as_str().to_owned(),
            reason: e.to_string(),
        })
}
