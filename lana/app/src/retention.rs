//! Retention: what the bank keeps of the outbox and of idempotency keys. Both tables grow with
//! every use case; a recurring job deletes, every `interval_secs`, the outbox events older than
//! `outbox_days` that every handler has handled (see `Outbox::prune`: an event a handler still
//! needs is kept) and the idempotency keys older than `idempotency_key_days` (a retry that comes
//! later with the same key is a new request: clients retry within minutes, the default keeps a
//! key for a week).

use chrono::Duration;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner};
use outbox::Outbox;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Days a handled outbox event is kept.
    pub outbox_days: u32,
    /// Days an idempotency key is honoured.
    pub idempotency_key_days: u32,
    /// How often the retention job runs.
    pub interval_secs: u64,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        Self {
            outbox_days: 30,
            idempotency_key_days: 7,
            interval_secs: 3600,
        }
    }
}

/// The recurring retention job.
pub struct RetentionJob {
    pub pool: PgPool,
    pub outbox: Outbox,
    pub config: RetentionConfig,
}

impl RetentionJob {
    pub const JOB_TYPE: &'static str = "platform.retention";
}

#[async_trait::async_trait]
impl JobRunner for RetentionJob {
    fn job_type(&self) -> &'static str {
        Self::JOB_TYPE
    }

    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        let now = job.clock().now();
        let events = self
            .outbox
            .prune(Duration::days(i64::from(self.config.outbox_days)))
            .await?;
        let keys = idempotency::prune(
            &self.pool,
            now - Duration::days(i64::from(self.config.idempotency_key_days)),
        )
        .await?;
        tracing::info!(
            events,
            keys,
            "retention: outbox events and idempotency keys deleted"
        );
        let interval = i64::try_from(self.config.interval_secs.max(1)).unwrap_or(i64::MAX);
        Ok(JobCompletion::RescheduleAt(
            now + Duration::seconds(interval),
        ))
    }
}
