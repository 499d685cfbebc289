//! The transactional outbox.
//!
//! **Publishing.** `publish_all_in_op` writes public events in the use case's transaction: they exist
//! if and only if it commits. Each gets its delivery `sequence` while the transaction commits (a
//! deferred trigger), so delivery follows commit order, and a transaction that waited on another
//! one's locks is always delivered after it. A rolled-back transaction publishes nothing.
//!
//! **Delivery.** Each handler has a stored position. A dispatcher task per handler reads the events
//! after its position in sequence order and hands them to the handler inside one transaction that
//! also moves the position: the handler's effects and the position commit together, so after a
//! crash it resumes exactly where it left off (delivery at least once, effects once for handlers
//! whose effects live in that transaction or are idempotent). Dispatchers wake on `NOTIFY` and poll
//! as a fallback. A failing handler is retried with exponential backoff and blocks only itself.
//! Several processes may run the same handler: the position row is locked while a batch runs.
//!
//! **Gaps.** A sequence number can go missing only if a transaction failed after taking it. When
//! the next event is missing, the dispatcher notes which transactions were in progress and waits
//! until all of them have ended; if the number is still missing then, it can never appear and is
//! skipped. So no event is ever skipped while its transaction could still commit.

mod dispatcher;

pub use dispatcher::{DispatcherConfig, DispatcherHandle};

use chrono::{DateTime, Utc};
use clock::Clock;
use es::DbOp;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::PgPool;
use sqlx::types::Json;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// A handler's failure; the batch is rolled back and retried.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    #[error("event cannot be published: {0}")]
    Encode(String),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

/// A delivered event.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboxEvent {
    pub sequence: i64,
    pub event_type: String,
    pub payload: serde_json::Value,
    pub recorded_at: DateTime<Utc>,
    /// The correlation id of the request that caused it, if one did.
    pub correlation_id: Option<String>,
}

/// A domain's public events: a serde enum tagged `type`, whose tags are [`Self::EVENT_TYPES`].
/// Handlers pick a domain's events by these types ([`OutboxEvent::decode_as`]), never by a
/// prefix of the name.
pub trait PublicEvent: Serialize + DeserializeOwned {
    const EVENT_TYPES: &'static [&'static str];
}

impl OutboxEvent {
    /// The payload as one of the publisher's event types.
    pub fn decode<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.payload.clone())
    }

    /// The event as `E`, when it is one of `E`'s types; `None` for any other event.
    pub fn decode_as<E: PublicEvent>(&self) -> Result<Option<E>, serde_json::Error> {
        if E::EVENT_TYPES.contains(&self.event_type.as_str()) {
            self.decode().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// For publishers that run as an entity repository's persist hook.
impl From<OutboxError> for es::EsRepoError {
    fn from(e: OutboxError) -> Self {
        match e {
            OutboxError::Sqlx(e) => Self::Sqlx(e),
            OutboxError::Encode(reason) => Self::EventEncode {
                entity: "outbox event",
                reason,
            },
        }
    }
}

/// Reacts to public events, inside the transaction that records its progress.
#[async_trait::async_trait]
pub trait OutboxHandler: Send + Sync + 'static {
    /// Stable: the stored position is keyed by it.
    fn name(&self) -> &'static str;
    async fn handle(&self, op: &mut DbOp, event: &OutboxEvent) -> Result<(), HandlerError>;

    /// The events of one delivery, in order, in one transaction. One by one unless a handler
    /// does better with them together (the ledger's set totals: one statement for the lot).
    async fn handle_all(&self, op: &mut DbOp, events: &[&OutboxEvent]) -> Result<(), HandlerError> {
        for event in events {
            self.handle(op, event).await?;
        }
        Ok(())
    }
}

/// An event's `type` tag and its payload.
fn encode<E: Serialize>(event: &E) -> Result<(String, serde_json::Value), OutboxError> {
    let payload = serde_json::to_value(event).map_err(|e| OutboxError::Encode(e.to_string()))?;
    let event_type = payload
        .get("type")
        .and_then(|t| t.as_str())
        .ok_or_else(|| {
            OutboxError::Encode("events must serialize to an object with a string `type`".into())
        })?
        .to_owned();
    Ok((event_type, payload))
}

/// The `type` tags `events` are published under, in order: a publisher's tests compare them
/// with its [`PublicEvent::EVENT_TYPES`].
pub fn event_types<E: Serialize>(events: &[E]) -> Result<Vec<String>, OutboxError> {
    events.iter().map(|e| encode(e).map(|(t, _)| t)).collect()
}

/// Events deleted per statement by [`Outbox::prune`].
const PRUNE_BATCH: i64 = 10_000;

#[derive(Clone)]
pub struct Outbox {
    pool: PgPool,
    clock: Clock,
}

impl Outbox {
    pub fn new(pool: PgPool, clock: Clock) -> Self {
        Self { pool, clock }
    }

    /// Writes `events` (serde enums tagged `type`) in the caller's transaction, under the
    /// correlation id on its context.
    pub async fn publish_all_in_op<E: Serialize>(
        &self,
        op: &mut DbOp,
        events: &[E],
    ) -> Result<(), OutboxError> {
        if events.is_empty() {
            return Ok(());
        }
        let (types, payloads): (Vec<String>, Vec<serde_json::Value>) =
            events.iter().map(encode).collect::<Result<_, _>>()?;
        let now = op.now();
        let correlation_id = op.context().correlation_id.clone();
        sqlx::query!(
            r#"INSERT INTO outbox_events (event_type, payload, recorded_at, correlation_id)
               SELECT t, p, $3, $4 FROM unnest($1::text[], $2::jsonb[]) WITH ORDINALITY AS u(t, p, n) ORDER BY n"#,
            &types,
            &payloads,
            now,
            correlation_id
        )
        .execute(op.conn())
        .await?;
        Ok(())
    }

    /// Where a handler is (0 before its first event).
    pub async fn handler_position(&self, name: &str) -> Result<i64, OutboxError> {
        Ok(
            sqlx::query_scalar!("SELECT position FROM outbox_handlers WHERE name = $1", name)
                .fetch_optional(&self.pool)
                .await?
                .unwrap_or(0),
        )
    }

    /// Moves a handler back (or forward) so it replays from just after `position`.
    pub async fn set_handler_position(&self, name: &str, position: i64) -> Result<(), OutboxError> {
        sqlx::query!(
            r#"INSERT INTO outbox_handlers (name, position) VALUES ($1, $2)
               ON CONFLICT (name) DO UPDATE SET position = $2, failures = 0, last_error = NULL, updated_at = now()"#,
            name,
            position.max(0)
        )
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Deletes the events recorded more than `keep` ago that every handler has handled, a
    /// bounded number per statement; returns how many. An event a handler has not handled yet
    /// stays whatever its age (so a stopped or failing handler keeps everything from where it
    /// is); a handler that starts for the first time starts with what is left.
    pub async fn prune(&self, keep: chrono::Duration) -> Result<u64, OutboxError> {
        let before = self.clock.now() - keep;
        let mut deleted = 0;
        loop {
            let n = sqlx::query!(
                r#"DELETE FROM outbox_events WHERE id IN (
                     SELECT id FROM outbox_events
                     WHERE recorded_at < $1
                       AND sequence <= (SELECT min(position) FROM outbox_handlers)
                     ORDER BY id LIMIT $2)"#,
                before,
                PRUNE_BATCH
            )
            .execute(&self.pool)
            .await?
            .rows_affected();
            deleted += n;
            if n < PRUNE_BATCH.unsigned_abs() {
                return Ok(deleted);
            }
        }
    }

    /// The latest delivered-or-deliverable sequence, for lag reporting.
    pub async fn last_sequence(&self) -> Result<i64, OutboxError> {
        Ok(
            sqlx::query_scalar!("SELECT max(sequence) FROM outbox_events")
                .fetch_one(&self.pool)
                .await?
                .unwrap_or(0),
        )
    }

    /// Starts delivering to `handler` in a task of its own.
    pub fn start_dispatcher(
        &self,
        handler: impl OutboxHandler,
        config: DispatcherConfig,
    ) -> DispatcherHandle {
        dispatcher::start(self.pool.clone(), self.clock.clone(), handler, config)
    }
}

/// Reads events after `position`, in sequence order.
pub(crate) async fn read_after(
    conn: &mut sqlx::PgConnection,
    position: i64,
    limit: i64,
) -> Result<Vec<OutboxEvent>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT sequence AS "sequence!", event_type, payload AS "payload: Json<serde_json::Value>", recorded_at,
                  correlation_id
           FROM outbox_events WHERE sequence > $1 ORDER BY sequence LIMIT $2"#,
        position,
        limit
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| OutboxEvent {
            sequence: r.sequence,
            event_type: r.event_type,
            payload: r.payload.0,
            recorded_at: r.recorded_at,
            correlation_id: r.correlation_id,
        })
        .collect())
}
