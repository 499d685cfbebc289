//! Durable background jobs in PostgreSQL.
//!
//! - **Spawned in a transaction.** `spawn_in_op` writes the job row in the caller's `DbOp`, so a job
//!   exists if and only if the use case committed.
//! - **Scheduled.** A job runs at or after `scheduled_at`, read from the injected clock (a manual
//!   clock in tests: advancing it wakes runners).
//! - **Retried.** A failed attempt is retried after `retry_base * 2^(attempt-1)` (capped at
//!   `retry_max`) until `max_attempts`, then the job is `failed` with its last error.
//! - **Serialized per queue.** Jobs with the same `queue_id` never run at once (a partial unique
//!   index allows one running job per queue; a racing claim is refused by the database).
//! - **Several runners.** Runners claim with `FOR UPDATE SKIP LOCKED`, so no job is claimed twice.
//!   A claim is a lease kept alive by heartbeats (database time); a runner that stops heartbeating
//!   for `heartbeat_timeout` loses its jobs to the others. Every completion is fenced on
//!   `(locked_by, attempt)`: a runner that lost its lease cannot complete the job, and effects a job
//!   writes through `JobCompletion::*WithOp` commit only together with the fenced completion.
//! - **Recurring.** A job that returns `RescheduleAt` goes back to pending for that time; spawn it
//!   once with a `unique_key`.
//! - **Shutdown.** A runner stops claiming, waits up to `shutdown_grace` for running jobs, then aborts
//!   and releases the rest (back to pending, the attempt not counted).

mod job;
mod runner;

pub use job::{CurrentJob, JobCompletion, JobError, JobId, JobInfo, JobRunner, JobStatus, NewJob};
pub use runner::RunnerHandle;

use chrono::{DateTime, Utc};
use clock::Clock;
use es::DbOp;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The jobs schema, for this crate's tests and for `lana-schema`.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JobsConfig {
    /// How often an idle runner looks for due jobs when no notification wakes it.
    pub poll_interval_ms: u64,
    /// Jobs one runner runs at once.
    pub max_concurrent_jobs: usize,
    pub heartbeat_interval_ms: u64,
    /// A running job whose heartbeat is older than this is taken back and retried.
    pub heartbeat_timeout_ms: u64,
    pub shutdown_grace_ms: u64,
    pub retry_base_ms: u64,
    pub retry_max_ms: u64,
    /// Attempts of a job spawned without an explicit limit.
    pub default_max_attempts: i32,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            poll_interval_ms: 1_000,
            max_concurrent_jobs: 8,
            heartbeat_interval_ms: 2_000,
            heartbeat_timeout_ms: 20_000,
            shutdown_grace_ms: 10_000,
            retry_base_ms: 1_000,
            retry_max_ms: 3_600_000,
            default_max_attempts: 10,
        }
    }
}

impl JobsConfig {
    /// The delay before retrying after failed attempt number `attempt` (1-based).
    pub fn retry_delay(&self, attempt: i32) -> Duration {
        let exponent = u32::try_from(attempt.saturating_sub(1))
            .unwrap_or(0)
            .min(40);
        let delay = self.retry_base_ms.saturating_mul(1u64 << exponent);
        Duration::from_millis(delay.min(self.retry_max_ms))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum JobsError {
    #[error("job payload cannot be serialized: {0}")]
    Payload(#[from] serde_json::Error),
    #[error("job {0} not found")]
    NotFound(JobId),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

/// Spawning, inspecting and running jobs.
#[derive(Clone)]
pub struct Jobs {
    pool: PgPool,
    clock: Clock,
    config: JobsConfig,
    runners: Arc<RwLock<HashMap<&'static str, Arc<dyn JobRunner>>>>,
}

impl Jobs {
    pub fn new(pool: PgPool, clock: Clock, config: JobsConfig) -> Self {
        Self {
            pool,
            clock,
            config,
            runners: Arc::default(),
        }
    }

    pub fn config(&self) -> &JobsConfig {
        &self.config
    }

    /// Makes this process able to run jobs of `runner.job_type()`.
    pub fn register(&self, runner: impl JobRunner) {
        let runner: Arc<dyn JobRunner> = Arc::new(runner);
        if let Ok(mut runners) = self.runners.write() {
            runners.insert(runner.job_type(), runner);
        }
    }

    fn runner_for(&self, job_type: &str) -> Option<Arc<dyn JobRunner>> {
        self.runners.read().ok()?.get(job_type).cloned()
    }

    fn job_types(&self) -> Vec<String> {
        self.runners
            .read()
            .map(|r| r.keys().map(|k| (*k).to_owned()).collect())
            .unwrap_or_default()
    }

    /// Writes the job in the caller's transaction. With a `unique_key` that already exists, nothing
    /// is written and `None` is returned.
    pub async fn spawn_in_op(
        &self,
        op: &mut DbOp,
        job: NewJob,
    ) -> Result<Option<JobId>, JobsError> {
        let now = op.now();
        let id = JobId::new();
        let max_attempts = job.max_attempts.unwrap_or(self.config.default_max_attempts);
        let inserted = sqlx::query_scalar!(
            r#"INSERT INTO jobs (id, job_type, queue_id, unique_key, payload, max_attempts, scheduled_at, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               ON CONFLICT (unique_key) DO NOTHING
               RETURNING id"#,
            uuid::Uuid::from(id),
            job.job_type,
            job.queue_id,
            job.unique_key,
            job.payload,
            max_attempts,
            job.run_at.unwrap_or(now).max(now),
            now,
        )
        .fetch_optional(op.conn())
        .await?;
        Ok(inserted.map(JobId::from))
    }

    /// Spawns in a transaction of its own.
    pub async fn spawn(&self, job: NewJob) -> Result<Option<JobId>, JobsError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        let id = self.spawn_in_op(&mut op, job).await?;
        op.commit().await?;
        Ok(id)
    }

    pub async fn find(&self, id: JobId) -> Result<JobInfo, JobsError> {
        let row = sqlx::query!(
            r#"SELECT job_type, status, attempt, max_attempts, scheduled_at, locked_by, last_error, completed_at
               FROM jobs WHERE id = $1"#,
            uuid::Uuid::from(id)
        )
        .fetch_optional(&self.pool)
        .await?
        .ok_or(JobsError::NotFound(id))?;
        Ok(JobInfo {
            id,
            job_type: row.job_type,
            status: JobStatus::parse(&row.status),
            attempt: row.attempt,
            max_attempts: row.max_attempts,
            scheduled_at: row.scheduled_at,
            locked_by: row.locked_by,
            last_error: row.last_error,
            completed_at: row.completed_at,
        })
    }

    /// Starts a runner in this process for the registered job types.
    pub fn start_runner(&self) -> RunnerHandle {
        runner::start(self.clone())
    }

    fn retry_at(&self, attempt: i32) -> DateTime<Utc> {
        let delay = chrono::Duration::from_std(self.config.retry_delay(attempt))
            .unwrap_or(chrono::Duration::MAX);
        self.clock
            .now()
            .checked_add_signed(delay)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delay_doubles_and_is_capped() {
        let config = JobsConfig {
            retry_base_ms: 100,
            retry_max_ms: 1_000,
            ..JobsConfig::default()
        };
        let delays: Vec<u64> = (1..=6)
            .map(|a| config.retry_delay(a).as_millis() as u64)
            .collect();
        assert_eq!(delays, [100, 200, 400, 800, 1_000, 1_000]);
        assert_eq!(config.retry_delay(i32::MAX), Duration::from_millis(1_000));
        assert_eq!(config.retry_delay(0), Duration::from_millis(100));
    }
}
