//! The inbox for incoming webhooks.
//!
//! `receive` stores a webhook with its idempotency key and spawns the job that processes it, in one
//! transaction; a duplicate delivery (same source and key) stores nothing and spawns nothing. The
//! job hands the payload to the source's [`InboxHandler`] inside a transaction that also marks the
//! event completed, so the handler's effects and the status commit together. A handler may find
//! that an authentic webhook concerns nothing here: the event is then `ignored`, with the reason.
//! Failures are kept on the row (`failed` with the error) and retried by the job system with
//! backoff. A delivery refused at the door (its signature) can be kept too
//! (`record_rejected`): `rejected` with the reason, never processed, so staff see every
//! delivery (`list`).

use chrono::{DateTime, Utc};
use clock::Clock;
use es::DbOp;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner, Jobs, NewJob};
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

const JOB_TYPE: &str = "inbox.process";

es::entity_id!(InboxEventId);

pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    #[error("inbox event {0} not found")]
    NotFound(InboxEventId),
    #[error(transparent)]
    Jobs(#[from] jobs::JobsError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InboxStatus {
    Pending,
    Processing,
    Completed,
    /// Authentic, but about nothing here (`error` says why).
    Ignored,
    Failed,
    /// Refused when it arrived (`error` says why); never processed.
    Rejected,
}

impl InboxStatus {
    fn parse(status: &str) -> Self {
        match status {
            "processing" => Self::Processing,
            "completed" => Self::Completed,
            "ignored" => Self::Ignored,
            "failed" => Self::Failed,
            "rejected" => Self::Rejected,
            _ => Self::Pending,
        }
    }
}

/// What a handler made of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Handled {
    /// Its effects are in the handler's transaction.
    Applied,
    /// Nothing to do, and why (kept on the event).
    Ignored(String),
}

/// A stored webhook.
#[derive(Debug, Clone)]
pub struct InboxEvent {
    pub id: InboxEventId,
    pub source: String,
    pub idempotency_key: String,
    pub payload: serde_json::Value,
    pub status: InboxStatus,
    pub attempts: i32,
    pub error: Option<String>,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// What `receive` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    New(InboxEventId),
    Duplicate(InboxEventId),
}

/// Processes the webhooks of one source.
#[async_trait::async_trait]
pub trait InboxHandler: Send + Sync + 'static {
    fn source(&self) -> &'static str;
    async fn handle(&self, op: &mut DbOp, event: &InboxEvent) -> Result<Handled, HandlerError>;
}

type Handlers = Arc<RwLock<HashMap<&'static str, Arc<dyn InboxHandler>>>>;

#[derive(Clone)]
pub struct Inbox {
    pool: PgPool,
    clock: Clock,
    jobs: Jobs,
    handlers: Handlers,
}

#[derive(Serialize, Deserialize)]
struct ProcessPayload {
    inbox_event_id: InboxEventId,
}

impl Inbox {
    /// Registers the processing job type with `jobs`.
    pub fn new(pool: PgPool, clock: Clock, jobs: Jobs) -> Self {
        let handlers: Handlers = Arc::default();
        jobs.register(ProcessInboxEvent {
            pool: pool.clone(),
            handlers: handlers.clone(),
        });
        Self {
            pool,
            clock,
            jobs,
            handlers,
        }
    }

    pub fn register(&self, handler: impl InboxHandler) {
        if let Ok(mut handlers) = self.handlers.write() {
            handlers.insert(handler.source(), Arc::new(handler));
        }
    }

    /// Stores a webhook once per `(source, idempotency_key)` and schedules its processing.
    pub async fn receive(
        &self,
        source: &str,
        idempotency_key: &str,
        payload: serde_json::Value,
    ) -> Result<Received, InboxError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        let id = InboxEventId::new();
        let inserted = sqlx::query_scalar!(
            r#"INSERT INTO inbox_events (id, source, idempotency_key, payload, received_at)
               VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (source, idempotency_key) DO NOTHING
               RETURNING id"#,
            uuid::Uuid::from(id),
            source,
            idempotency_key,
            payload,
            op.now()
        )
        .fetch_optional(op.conn())
        .await?;
        if inserted.is_none() {
            let existing = sqlx::query_scalar!(
                "SELECT id FROM inbox_events WHERE source = $1 AND idempotency_key = $2",
                source,
                idempotency_key
            )
            .fetch_one(op.conn())
            .await?;
            return Ok(Received::Duplicate(existing.into()));
        }
        let job = NewJob::new(JOB_TYPE, ProcessPayload { inbox_event_id: id })
            .map_err(jobs::JobsError::from)?
            .queue(format!("inbox:{source}"));
        self.jobs.spawn_in_op(&mut op, job).await?;
        op.commit().await?;
        Ok(Received::New(id))
    }

    /// Keeps a delivery refused at the door, with the reason; nothing processes it. Each
    /// refusal is its own row (`idempotency_key` must be unique: the caller makes it so).
    pub async fn record_rejected(
        &self,
        source: &str,
        idempotency_key: &str,
        payload: serde_json::Value,
        reason: &str,
    ) -> Result<InboxEventId, InboxError> {
        let id = InboxEventId::new();
        sqlx::query!(
            r#"INSERT INTO inbox_events
                 (id, source, idempotency_key, payload, status, error, received_at, processed_at)
               VALUES ($1, $2, $3, $4, 'rejected', $5, $6, $6)"#,
            uuid::Uuid::from(id),
            source,
            idempotency_key,
            payload,
            reason,
            self.clock.now()
        )
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    pub async fn find(&self, id: InboxEventId) -> Result<InboxEvent, InboxError> {
        load(&self.pool, id).await?.ok_or(InboxError::NotFound(id))
    }

    /// The events of `source` whose key starts with `key_prefix` (one subject's deliveries),
    /// newest first: at most `first` (1..=100) received before `before` when given.
    pub async fn list(
        &self,
        source: &str,
        key_prefix: &str,
        first: usize,
        before: Option<(DateTime<Utc>, InboxEventId)>,
    ) -> Result<Vec<InboxEvent>, InboxError> {
        let escaped = key_prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let (at, after_id) = before.map_or((None, None), |(at, id)| {
            (Some(at), Some(uuid::Uuid::from(id)))
        });
        let rows = sqlx::query_as!(
            InboxRow,
            r#"SELECT id, source, idempotency_key, payload, status, attempts, error, received_at, processed_at
               FROM inbox_events
               WHERE source = $1 AND idempotency_key LIKE $2 || '%'
                 AND ($3::timestamptz IS NULL OR (received_at, id) < ($3, $4))
               ORDER BY received_at DESC, id DESC
               LIMIT $5"#,
            source,
            escaped,
            at,
            after_id,
            i64::try_from(first.clamp(1, 100)).unwrap_or(100)
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(InboxEvent::from).collect())
    }
}

/// An `inbox_events` row as read.
struct InboxRow {
    id: uuid::Uuid,
    source: String,
    idempotency_key: String,
    payload: serde_json::Value,
    status: String,
    attempts: i32,
    error: Option<String>,
    received_at: DateTime<Utc>,
    processed_at: Option<DateTime<Utc>>,
}

impl From<InboxRow> for InboxEvent {
    fn from(r: InboxRow) -> Self {
        Self {
            id: r.id.into(),
            source: r.source,
            idempotency_key: r.idempotency_key,
            payload: r.payload,
            status: InboxStatus::parse(&r.status),
            attempts: r.attempts,
            error: r.error,
            received_at: r.received_at,
            processed_at: r.processed_at,
        }
    }
}

async fn load(pool: &PgPool, id: InboxEventId) -> Result<Option<InboxEvent>, sqlx::Error> {
    let row = sqlx::query_as!(
        InboxRow,
        r#"SELECT id, source, idempotency_key, payload, status, attempts, error, received_at, processed_at
           FROM inbox_events WHERE id = $1"#,
        uuid::Uuid::from(id)
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(InboxEvent::from))
}

struct ProcessInboxEvent {
    pool: PgPool,
    handlers: Handlers,
}

impl ProcessInboxEvent {
    async fn mark(
        &self,
        id: InboxEventId,
        status: &str,
        error: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        sqlx::query!(
            r#"UPDATE inbox_events SET status = $2, error = $3,
                 attempts = attempts + CASE WHEN $2 = 'processing' THEN 1 ELSE 0 END
               WHERE id = $1"#,
            uuid::Uuid::from(id),
            status,
            error
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl JobRunner for ProcessInboxEvent {
    fn job_type(&self) -> &'static str {
        JOB_TYPE
    }

    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        let ProcessPayload { inbox_event_id: id } = job.payload()?;
        let Some(event) = load(&self.pool, id).await? else {
            return Err(format!("inbox event {id} does not exist").into());
        };
        if matches!(
            event.status,
            InboxStatus::Completed | InboxStatus::Ignored | InboxStatus::Rejected
        ) {
            return Ok(JobCompletion::Complete);
        }
        let handler = self
            .handlers
            .read()
            .ok()
            .and_then(|h| h.get(event.source.as_str()).cloned());
        let Some(handler) = handler else {
            let error = format!("no handler for source {}", event.source);
            self.mark(id, "failed", Some(&error)).await?;
            return Err(error.into());
        };
        self.mark(id, "processing", None).await?;
        let mut op = job.begin_op().await?;
        match handler.handle(&mut op, &event).await {
            Ok(handled) => {
                let now = op.now();
                let (status, reason) = match handled {
                    Handled::Applied => ("completed", None),
                    Handled::Ignored(reason) => ("ignored", Some(reason)),
                };
                sqlx::query!(
                    "UPDATE inbox_events SET status = $2, error = $3, processed_at = $4 WHERE id = $1",
                    uuid::Uuid::from(id),
                    status,
                    reason,
                    now
                )
                .execute(op.conn())
                .await?;
                Ok(JobCompletion::CompleteWithOp(op))
            }
            Err(error) => {
                drop(op);
                tracing::warn!(%id, source = %event.source, %error, "inbox event failed");
                self.mark(id, "failed", Some(&error.to_string())).await?;
                Err(error)
            }
        }
    }
}
