use chrono::{DateTime, Utc};
use clock::Clock;
use es::DbOp;
use serde::{Serialize, de::DeserializeOwned};
use sqlx::PgPool;

es::entity_id!(JobId);

/// What a job handler returns.
pub type JobError = Box<dyn std::error::Error + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobStatus {
    Pending,
    Running,
    Completed,
    Failed,
}

impl JobStatus {
    pub(crate) fn parse(s: &str) -> Self {
        match s {
            "running" => JobStatus::Running,
            "completed" => JobStatus::Completed,
            "failed" => JobStatus::Failed,
            _ => JobStatus::Pending,
        }
    }
}

/// A job to spawn.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub(crate) job_type: String,
    pub(crate) payload: serde_json::Value,
    pub(crate) queue_id: Option<String>,
    pub(crate) run_at: Option<DateTime<Utc>>,
    pub(crate) unique_key: Option<String>,
    pub(crate) max_attempts: Option<i32>,
}

impl NewJob {
    pub fn new(job_type: &str, payload: impl Serialize) -> Result<Self, serde_json::Error> {
        Ok(Self {
            job_type: job_type.to_owned(),
            payload: serde_json::to_value(payload)?,
            queue_id: None,
            run_at: None,
            unique_key: None,
            max_attempts: None,
        })
    }

    /// The one job of a recurring `job_type` (no payload, its type as the unique key), due at
    /// once: spawning it again is a no-op and the existing job keeps its schedule, which after
    /// downtime lies in the past, so it runs at once then too.
    pub fn recurring(job_type: &str) -> Self {
        Self {
            job_type: job_type.to_owned(),
            payload: serde_json::Value::Null,
            queue_id: None,
            run_at: None,
            unique_key: Some(job_type.to_owned()),
            max_attempts: None,
        }
    }

    /// Jobs with the same queue id never run at the same time.
    pub fn queue(mut self, queue_id: impl Into<String>) -> Self {
        self.queue_id = Some(queue_id.into());
        self
    }

    /// Not before this time (a time in the past means now).
    pub fn run_at(mut self, at: DateTime<Utc>) -> Self {
        self.run_at = Some(at);
        self
    }

    /// At most one job with this key ever exists.
    pub fn unique_key(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    /// At least 1.
    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = Some(attempts.max(1));
        self
    }
}

/// A job as stored, for operators and tests.
#[derive(Debug, Clone)]
pub struct JobInfo {
    pub id: JobId,
    pub job_type: String,
    pub status: JobStatus,
    pub attempt: i32,
    pub max_attempts: i32,
    pub scheduled_at: DateTime<Utc>,
    pub locked_by: Option<String>,
    pub last_error: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
}

/// The job being run, as its handler sees it.
pub struct CurrentJob {
    pub(crate) id: JobId,
    pub(crate) attempt: i32,
    pub(crate) queue_id: Option<String>,
    pub(crate) payload: serde_json::Value,
    pub(crate) pool: PgPool,
    pub(crate) clock: Clock,
}

impl CurrentJob {
    pub fn id(&self) -> JobId {
        self.id
    }

    /// 1 for the first attempt.
    pub fn attempt(&self) -> i32 {
        self.attempt
    }

    pub fn queue_id(&self) -> Option<&str> {
        self.queue_id.as_deref()
    }

    pub fn payload<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.payload.clone())
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    /// A transaction for the job's effects; hand it back in a `*WithOp` completion so the effects
    /// commit together with the job's completion.
    pub async fn begin_op(&self) -> Result<DbOp, sqlx::Error> {
        DbOp::init(&self.pool, &self.clock).await
    }
}

/// How a job attempt ended well.
pub enum JobCompletion {
    Complete,
    /// Commit these effects with the completion, or neither.
    CompleteWithOp(DbOp),
    /// Run again at this time (recurring jobs); the attempt count starts over.
    RescheduleAt(DateTime<Utc>),
    RescheduleWithOp(DbOp, DateTime<Utc>),
}

/// Runs jobs of one type.
#[async_trait::async_trait]
pub trait JobRunner: Send + Sync + 'static {
    fn job_type(&self) -> &'static str;
    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError>;
}
