//! Reads' audit entries, written in batches.
//!
//! A change is audited in its own transaction (`record_in_op`); a read has none, and giving each
//! read one (begin, insert, commit) cost more round trips than the read itself. Instead every
//! allowed read hands its entry to one writer task per process and waits for it: the writer takes
//! whatever entries are waiting (up to 512), inserts them with one statement and answers
//! each reader with its entry's id once that statement committed. While one batch commits the next
//! one gathers, so under load many reads share a commit and at one caller a read waits for one
//! insert. No read is answered before its entry is committed.
//!
//! How committed is a setting ([`ReadAudits`]): `durable` (the default) waits for the WAL flush,
//! like a change, so a read that was answered is on record even after a crash; `asynchronous`
//! does not wait for the flush (`synchronous_commit = off`), so a crash can lose the last fraction
//! of a second of read entries (never a change's, never a denial's). Denials are always written
//! durably in a transaction of their own ([`crate::Audit::record`]).

use crate::{AuditEntryId, AuditError, NewAuditEntry};
use clock::Clock;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// Most entries one insert holds.
const MAX_BATCH: usize = 512;
/// Most entries waiting for the writer; a reader beyond it waits for room.
const QUEUE: usize = 4 * MAX_BATCH;

/// How a read's audit entry is committed before the read is answered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReadAudits {
    /// Flushed to the WAL on disk (survives a crash).
    #[default]
    Durable,
    /// Committed without waiting for the flush (a crash can lose the last moments' entries).
    Asynchronous,
}

type Reply = oneshot::Sender<Result<AuditEntryId, Arc<sqlx::Error>>>;

/// The handle readers send their entries through; the writer task ends when the last handle is
/// dropped.
pub(crate) struct ReadWriter {
    queue: mpsc::Sender<(NewAuditEntry, Reply)>,
}

impl ReadWriter {
    /// Starts the writer task (on the current Tokio runtime).
    pub(crate) fn start(pool: PgPool, clock: Clock, mode: ReadAudits) -> Self {
        let (queue, waiting) = mpsc::channel(QUEUE);
        tokio::spawn(write_batches(pool, clock, mode, waiting));
        Self { queue }
    }

    pub(crate) async fn record(&self, entry: NewAuditEntry) -> Result<AuditEntryId, AuditError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((entry, reply))
            .await
            .map_err(|_| AuditError::ReadWriterStopped)?;
        answer
            .await
            .map_err(|_| AuditError::ReadWriterStopped)?
            .map_err(AuditError::ReadBatch)
    }
}

async fn write_batches(
    pool: PgPool,
    clock: Clock,
    mode: ReadAudits,
    mut waiting: mpsc::Receiver<(NewAuditEntry, Reply)>,
) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while waiting.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let (entries, replies): (Vec<NewAuditEntry>, Vec<Reply>) = batch.drain(..).unzip();
        match insert(&pool, &clock, mode, &entries).await {
            Ok(ids) => {
                for (reply, id) in replies.into_iter().zip(ids) {
                    // A reader that gave up (its request was dropped) no longer listens.
                    let _ = reply.send(Ok(id));
                }
            }
            Err(e) => {
                tracing::error!(error = %e, entries = entries.len(), "audit: a batch of read entries was not written");
                let e = Arc::new(e);
                for reply in replies {
                    let _ = reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// Inserts `entries` with one statement and returns their ids in the same order.
async fn insert(
    pool: &PgPool,
    clock: &Clock,
    mode: ReadAudits,
    entries: &[NewAuditEntry],
) -> Result<Vec<AuditEntryId>, sqlx::Error> {
    let subjects: Vec<String> = entries.iter().map(|e| e.subject.clone()).collect();
    let objects: Vec<String> = entries.iter().map(|e| e.object.clone()).collect();
    let actions: Vec<String> = entries.iter().map(|e| e.action.clone()).collect();
    let authorized: Vec<bool> = entries.iter().map(|e| e.authorized).collect();
    let correlations: Vec<Option<String>> =
        entries.iter().map(|e| e.correlation_id.clone()).collect();
    let query = sqlx::query!(
        r#"INSERT INTO audit_entries (subject, object, action, authorized, correlation_id, recorded_at)
           SELECT s, o, a, d, c, $6
           FROM unnest($1::text[], $2::text[], $3::text[], $4::bool[], $5::text[]) AS u(s, o, a, d, c)
           RETURNING id, subject, object, action, authorized, correlation_id"#,
        &subjects,
        &objects,
        &actions,
        &authorized,
        &correlations as &[Option<String>],
        clock.now()
    );
    let rows = match mode {
        ReadAudits::Durable => query.fetch_all(pool).await?,
        ReadAudits::Asynchronous => {
            let mut tx = pool.begin().await?;
            sqlx::query("SET LOCAL synchronous_commit TO OFF")
                .execute(&mut *tx)
                .await?;
            let rows = query.fetch_all(&mut *tx).await?;
            tx.commit().await?;
            rows
        }
    };
    // Matched by content, not by position: entries with equal content are interchangeable.
    type Content<'a> = (&'a str, &'a str, &'a str, bool, Option<&'a str>);
    let mut ids: HashMap<Content<'_>, Vec<i64>> = HashMap::new();
    for r in &rows {
        let content = (
            r.subject.as_str(),
            r.object.as_str(),
            r.action.as_str(),
            r.authorized,
            r.correlation_id.as_deref(),
        );
        ids.entry(content).or_default().push(r.id);
    }
    entries
        .iter()
        .map(|e| {
            let content = (
                e.subject.as_str(),
                e.object.as_str(),
                e.action.as_str(),
                e.authorized,
                e.correlation_id.as_deref(),
            );
            ids.get_mut(&content)
                .and_then(Vec::pop)
                .map(AuditEntryId)
                .ok_or_else(|| {
                    sqlx::Error::Protocol("an audit entry was not returned by its insert".into())
                })
        })
        .collect()
}
