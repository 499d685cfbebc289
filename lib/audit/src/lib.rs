//! The audit log: every authorization decision, allowed or denied, append-only and tamper-evident.
//!
//! **Writing.** An allowed decision is recorded in the use case's transaction (`record_in_op`), so
//! it exists if and only if the use case committed; a denied one is recorded in a transaction of
//! its own (`record`), so it survives the use case failing; an allowed read, which has no
//! transaction, is written in a batch with other reads before it is answered (`record_read`, see
//! [`ReadAudits`] for how durably). The database refuses UPDATE, DELETE and TRUNCATE on
//! `audit_entries` and `audit_chain`.
//!
//! **The chain.** `audit_chain` holds, for position n, `sha256(hash(n-1) || content(entry))`, from
//! 32 zero bytes. Entries are chained by [`Audit::seal`] rather than at insert time, so writers never
//! wait on each other: the sealer chains the entries of every transaction older than the oldest one
//! still running (PostgreSQL's snapshot `xmin`), in `(transaction id, entry id)` order, and moves its
//! watermark there; those transactions are final, so nothing can later appear below the watermark.
//! A recurring job ([`SealJob`]) seals every few seconds; the window in which an entry is not yet
//! chained is that long.
//!
//! **Verify.** [`Audit::verify`] seals, then walks the whole chain recomputing every hash from the
//! entry as stored now, and names the first position that does not match (content changed, entry
//! missing, chain link broken) and any entry below the watermark that is not chained.

mod chain;
mod reads;
mod search;

pub use chain::{Mismatch, SealJob, VerifyReport};
pub use reads::ReadAudits;
pub use search::{AuditFilter, AuditPage};

use chrono::{DateTime, Utc};
use clock::Clock;
use es::DbOp;
use reads::ReadWriter;
use sqlx::PgPool;
use std::sync::{Arc, OnceLock};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The id of an audit entry (its position in insertion order).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct AuditEntryId(pub i64);

impl std::fmt::Display for AuditEntryId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("invalid cursor")]
    InvalidCursor,
    #[error("page size {requested} is outside 1..={max}")]
    InvalidPageSize { requested: usize, max: usize },
    #[error("the writer of read audit entries has stopped")]
    ReadWriterStopped,
    #[error("a batch of read audit entries failed: {0}")]
    ReadBatch(Arc<sqlx::Error>),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub subject: String,
    pub object: String,
    pub action: String,
    pub authorized: bool,
    pub correlation_id: Option<String>,
}

/// A recorded decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub id: AuditEntryId,
    pub subject: String,
    pub object: String,
    pub action: String,
    pub authorized: bool,
    pub correlation_id: Option<String>,
    pub recorded_at: DateTime<Utc>,
}

impl AuditError {
    pub fn code(&self) -> error_code::ErrorCode {
        match self {
            Self::InvalidCursor => error_code::INVALID_CURSOR,
            Self::InvalidPageSize { .. } => error_code::INVALID_INPUT,
            Self::ReadWriterStopped | Self::ReadBatch(_) | Self::Sqlx(_) => error_code::INTERNAL,
        }
    }
}

#[derive(Clone)]
pub struct Audit {
    pool: PgPool,
    clock: Clock,
    read_audits: ReadAudits,
    /// Started by the first read (on the runtime serving it).
    reads: Arc<OnceLock<ReadWriter>>,
}

impl Audit {
    /// Reads' entries are committed durably; see [`Self::with_read_audits`].
    pub fn new(pool: PgPool, clock: Clock) -> Self {
        Self {
            pool,
            clock,
            read_audits: ReadAudits::default(),
            reads: Arc::default(),
        }
    }

    /// How reads' entries are committed (call before the first read).
    pub fn with_read_audits(mut self, read_audits: ReadAudits) -> Self {
        self.read_audits = read_audits;
        self.reads = Arc::default();
        self
    }

    /// Records in the caller's transaction.
    pub async fn record_in_op(
        &self,
        op: &mut DbOp,
        entry: NewAuditEntry,
    ) -> Result<AuditEntryId, AuditError> {
        let now = op.now();
        let id = sqlx::query_scalar!(
            r#"INSERT INTO audit_entries (subject, object, action, authorized, correlation_id, recorded_at)
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING id"#,
            entry.subject,
            entry.object,
            entry.action,
            entry.authorized,
            entry.correlation_id,
            now
        )
        .fetch_one(op.conn())
        .await?;
        Ok(AuditEntryId(id))
    }

    /// Records in a transaction of its own (a denial must outlive the failing use case).
    pub async fn record(&self, entry: NewAuditEntry) -> Result<AuditEntryId, AuditError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        let id = self.record_in_op(&mut op, entry).await?;
        op.commit().await?;
        Ok(id)
    }

    /// Records a read's decision, batched with other reads (see [`ReadAudits`]); returns once the
    /// entry is committed. (A denial that must be on disk whatever the setting goes through
    /// [`Self::record`].)
    pub async fn record_read(&self, entry: NewAuditEntry) -> Result<AuditEntryId, AuditError> {
        self.reads
            .get_or_init(|| {
                ReadWriter::start(self.pool.clone(), self.clock.clone(), self.read_audits)
            })
            .record(entry)
            .await
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}
