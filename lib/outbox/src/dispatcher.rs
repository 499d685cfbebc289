//! One dispatcher task per handler: read after the stored position, hand events over in one
//! transaction with the new position, wait for more. Under a steady stream of commits a
//! dispatcher does not chase every notification: after a batch that was not full it waits
//! `batch_delay_ms`, so events arrive in batches and each handler costs a bounded number of
//! transactions per second, not one per commit; while the next sequence is still being committed
//! it looks again on the next notification, at the latest after `batch_delay_ms`. The
//! notifications that arrived meanwhile are answered by one look, not one each
//! ([`es::notify::notified`]).

use crate::{OutboxEvent, OutboxHandler, read_after};
use clock::Clock;
use es::DbOp;
use futures::FutureExt;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::panic::AssertUnwindSafe;
use std::time::Duration;
use tokio::sync::watch;
use tokio::task::JoinHandle;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DispatcherConfig {
    /// Events handed to a handler per transaction.
    pub batch_size: i64,
    /// Fallback polling when no notification arrives.
    pub poll_interval_ms: u64,
    /// After a batch that was not full, how long to let more events arrive before the next
    /// batch; while a sequence is still being committed, the longest wait for it.
    pub batch_delay_ms: u64,
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            batch_size: 100,
            poll_interval_ms: 1_000,
            batch_delay_ms: 20,
            retry_base_ms: 100,
            retry_max_ms: 60_000,
        }
    }
}

pub struct DispatcherHandle {
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl DispatcherHandle {
    /// Stops after the batch in progress.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }

    /// Stops dead, mid-batch if need be (a crash): the batch's transaction rolls back.
    pub fn kill(self) {
        self.task.abort();
    }
}

pub(crate) fn start(
    pool: PgPool,
    clock: Clock,
    handler: impl OutboxHandler,
    config: DispatcherConfig,
) -> DispatcherHandle {
    let (stop, stop_rx) = watch::channel(false);
    let task = tokio::spawn(run(pool, clock, handler, config, stop_rx));
    DispatcherHandle { stop, task }
}

enum Step {
    /// Events were handled (or a dead gap skipped); a full batch: look again at once.
    Progressed { full: bool },
    /// Nothing after the position.
    Idle,
    /// The next sequence is missing and its transaction may still commit.
    Gap,
}

/// A missing sequence and the transactions that were in progress when it was seen missing.
struct PendingGap {
    position: i64,
    snapshot: String,
}

async fn run(
    pool: PgPool,
    clock: Clock,
    handler: impl OutboxHandler,
    config: DispatcherConfig,
    mut stop: watch::Receiver<bool>,
) {
    let name = handler.name();
    let mut listener = es::notify::listen(&pool, "lana_outbox").await;
    let poll = Duration::from_millis(config.poll_interval_ms);
    let batch_delay = Duration::from_millis(config.batch_delay_ms);
    let mut gap: Option<PendingGap> = None;
    let mut failures: u32 = 0;
    let mut registered = false;
    while !*stop.borrow() {
        // A panicking handler is a failure like any other (retried with backoff), never the end
        // of its dispatcher; the panic hook has printed what it said.
        let stepped = AssertUnwindSafe(step(
            &pool,
            &clock,
            &handler,
            &config,
            &mut gap,
            &mut registered,
        ))
        .catch_unwind()
        .await
        .unwrap_or_else(|_| Err("the handler panicked".into()));
        let wait = match stepped {
            Ok(Step::Progressed { full }) => {
                failures = 0;
                if full {
                    continue;
                }
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(batch_delay) => {}
                }
                continue;
            }
            Ok(Step::Idle) => poll,
            Ok(Step::Gap) => batch_delay,
            Err(error) => {
                failures = failures.saturating_add(1);
                let delay = config
                    .retry_base_ms
                    .saturating_mul(1u64 << failures.min(30).saturating_sub(1))
                    .min(config.retry_max_ms);
                tracing::warn!(handler = name, %error, failures, retry_in_ms = delay, "outbox handler failed");
                record_failure(&pool, name, &error.to_string()).await;
                tokio::select! {
                    _ = stop.changed() => {}
                    _ = tokio::time::sleep(Duration::from_millis(delay)) => {}
                }
                continue;
            }
        };
        tokio::select! {
            _ = stop.changed() => {}
            _ = tokio::time::sleep(wait) => {}
            _ = es::notify::notified(&mut listener) => {}
        }
    }
}

async fn step(
    pool: &PgPool,
    clock: &Clock,
    handler: &impl OutboxHandler,
    config: &DispatcherConfig,
    gap: &mut Option<PendingGap>,
    registered: &mut bool,
) -> Result<Step, Box<dyn std::error::Error + Send + Sync>> {
    let name = handler.name();
    // The handler's row, once per dispatcher (committed on its own: a wake-up that finds
    // nothing rolls its transaction back).
    if !*registered {
        sqlx::query!(
            "INSERT INTO outbox_handlers (name) VALUES ($1) ON CONFLICT DO NOTHING",
            name
        )
        .execute(pool)
        .await?;
        *registered = true;
    }
    let mut op = DbOp::init(pool, clock).await?;
    let position = sqlx::query_scalar!(
        "SELECT position FROM outbox_handlers WHERE name = $1 FOR UPDATE",
        name
    )
    .fetch_one(op.conn())
    .await?;
    let events = read_after(op.conn(), position, config.batch_size).await?;
    let Some(first) = events.first() else {
        return Ok(Step::Idle);
    };

    // Deliver the run of consecutive sequences that follows the position.
    let deliverable: Vec<&OutboxEvent> = events
        .iter()
        .zip(position + 1..)
        .take_while(|(event, expected)| event.sequence == *expected)
        .map(|(event, _)| event)
        .collect();
    let full = i64::try_from(deliverable.len()).unwrap_or(i64::MAX) >= config.batch_size;
    let new_position = if let Some(last) = deliverable.last() {
        handler.handle_all(&mut op, &deliverable).await?;
        *gap = None;
        last.sequence
    } else {
        // The next sequence is missing. It is dead once every transaction that was in progress
        // when we first saw it missing has ended (its owner was one of them, or already gone).
        match gap {
            Some(pending) if pending.position == position => {
                let in_progress = sqlx::query_scalar!(
                    r#"SELECT EXISTS (
                         SELECT 1 FROM pg_snapshot_xip($1::text::pg_snapshot) AS x
                         WHERE pg_xact_status(x) = 'in progress') AS "in_progress!""#,
                    pending.snapshot
                )
                .fetch_one(op.conn())
                .await?;
                if in_progress {
                    return Ok(Step::Gap);
                }
                tracing::info!(
                    handler = name,
                    from = position + 1,
                    to = first.sequence - 1,
                    "outbox: skipping sequences of failed commits"
                );
                *gap = None;
                first.sequence - 1
            }
            _ => {
                let snapshot =
                    sqlx::query_scalar!(r#"SELECT pg_current_snapshot()::text AS "snapshot!""#)
                        .fetch_one(op.conn())
                        .await?;
                *gap = Some(PendingGap { position, snapshot });
                return Ok(Step::Gap);
            }
        }
    };
    sqlx::query!(
        "UPDATE outbox_handlers SET position = $2, failures = 0, last_error = NULL, updated_at = now() WHERE name = $1",
        name,
        new_position
    )
    .execute(op.conn())
    .await?;
    op.commit().await?;
    Ok(Step::Progressed { full })
}

async fn record_failure(pool: &PgPool, name: &str, error: &str) {
    let result = sqlx::query!(
        r#"INSERT INTO outbox_handlers (name, failures, last_error) VALUES ($1, 1, $2)
           ON CONFLICT (name) DO UPDATE
           SET failures = outbox_handlers.failures + 1, last_error = $2, updated_at = now()"#,
        name,
        error
    )
    .execute(pool)
    .await;
    if let Err(e) = result {
        tracing::warn!(handler = name, error = %e, "outbox: cannot record a handler failure");
    }
}
