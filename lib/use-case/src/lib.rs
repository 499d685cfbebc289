//! The one shape every use case of every domain takes, and the one error contract.
//!
//! **A use case** ([`UseCases::command`]) is one PostgreSQL transaction: open it with the
//! actor's correlation id on its event context -> authorize and audit in it (the audit entry and
//! every event the use case writes name the subject, the entry and the correlation id) -> claim
//! the idempotency key, if the caller sent one ([`UseCases::idempotent_command`]) -> load, let
//! the entity decide, persist events (the domain's publisher writes its public events to the
//! outbox as they are persisted), post to the ledger -> store the idempotency result -> commit.
//! The whole is run again, a bounded number of times, when it fails on an optimistic-concurrency
//! conflict, a serialization failure or a deadlock ([`DomainError::is_retryable`]).
//!
//! **A query** ([`UseCases::query`]) is authorized and audited first (see
//! [`authz::Authorization::enforce`]), then reads; queries on an entity return `Option`.
//!
//! **Reactions** (outbox handlers, inbox handlers, jobs) run in a transaction their runner owns
//! and authorize as a system actor with [`UseCases::authorize_in_op`], so they are audited too.
//!
//! **Errors.** A domain's error type has its business variants plus one `Platform` variant
//! holding a [`PlatformError`] (authorization, repository, idempotency, outbox, ledger, jobs,
//! database); [`platform_errors!`] writes the conversions. Every variant maps to an
//! [`ErrorCode`] ([`DomainError::code`]); a missing entity is the repository's `NotFound`, coded
//! `NOT_FOUND`, in every domain.

mod error;
mod runner;

pub use error::{DomainError, PlatformError};
pub use error_code::ErrorCode;
pub use runner::{Idempotency, UseCases};

#[doc(hidden)]
pub mod __private {
    pub use audit::AuditError;
    pub use authz::AuthzError;
    pub use es::EsRepoError;
    pub use idempotency::IdempotencyError;
    pub use jobs::JobsError;
    pub use ledger::LedgerError;
    pub use outbox::OutboxError;
    pub use sqlx::Error as SqlxError;
}
