//! Event-sourced entities on PostgreSQL.
//!
//! An entity is the fold of its events. Each entity type has
//! - an events table `<entity>_events(id, sequence, event_type, event, context, recorded_at)` with
//!   `UNIQUE(id, sequence)`, created by the SQL function `es_create_events_table` from this crate's
//!   migration; the database refuses UPDATE, DELETE, TRUNCATE and gaps in a sequence;
//! - an index table holding `id`, `created_at` and the columns the entity is queried by, kept in
//!   step with the events in the same transaction.
//!
//! The pieces:
//! - [`DbOp`]: one PostgreSQL transaction plus the clock's "now" and the [`EventContext`] (who
//!   caused the events). Every repository operation has an `_in_op` variant taking it first.
//! - [`EntityEvents`]: the persisted history plus the events a command just decided. A command
//!   looks at the state its history built and returns [`Idempotent::AlreadyApplied`] (appending
//!   nothing) when it was applied before, or a typed error, or [`Idempotent::Executed`].
//! - [`EsRepo`]: create / update / find / list for one entity type described by [`EsRepoConfig`];
//!   `lock_in_op` loads an entity with its index row locked, in one statement; a
//!   [`PersistHook`] (the domain's publisher) runs in the transaction right after new events
//!   are written.
//! - Optimistic concurrency: an update appends at `version + 1`; if another transaction took that
//!   sequence first, the update fails with [`EsRepoError::ConcurrentModification`] and
//!   [`retry_conflicts`] re-runs the whole use case a bounded number of times.
//! - Keyset pagination with opaque cursors and a bounded page size ([`ListQuery`], [`Page`]).

mod context;
mod entity;
mod error;
mod events;
pub mod migrations;
pub mod notify;
mod op;
mod page;
mod repo;
mod retry;

pub use context::EventContext;
pub use entity::{EntityId, EsEntity, EsEntityError};
pub use error::EsRepoError;
pub use events::{EntityEvents, Idempotent, PersistedEvent};
pub use op::DbOp;
pub use page::{Cursor, ListOrder, ListQuery, MAX_PAGE_SIZE, Page};
pub use repo::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue, PersistHook, RowLock};
pub use retry::{RetryPolicy, Retryable, retry_conflicts, sqlx_error_is_retryable};

/// The toolkit's own schema (the functions that create events tables). Run before any migration
/// that calls `es_create_events_table`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use uuid;
}
