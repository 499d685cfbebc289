//! The runner: claims due jobs, runs them, heartbeats their leases, takes back jobs of runners that
//! stopped heartbeating, and stops gracefully.

use crate::Jobs;
use crate::job::{CurrentJob, JobCompletion, JobId, JobRunner};
use chrono::{DateTime, Utc};
use es::DbOp;
use futures::FutureExt;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};
use tokio::task::{JoinHandle, JoinSet};
use tracing::Instrument;

/// Controls one running runner.
pub struct RunnerHandle {
    id: String,
    stop: watch::Sender<bool>,
    main: JoinHandle<()>,
    heartbeat: JoinHandle<()>,
}

impl RunnerHandle {
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Stops claiming, lets running jobs finish within the grace period, then aborts and releases
    /// the rest.
    pub async fn shutdown(self) {
        let _ = self.stop.send(true);
        let _ = self.main.await;
        self.heartbeat.abort();
    }

    /// Stops dead, as a crashed process would: no release, no more heartbeats. Other runners take
    /// its jobs back after the heartbeat timeout.
    pub fn kill(self) {
        self.main.abort();
        self.heartbeat.abort();
    }
}

struct Claimed {
    id: JobId,
    job_type: String,
    queue_id: Option<String>,
    payload: serde_json::Value,
    attempt: i32,
}

pub(crate) fn start(jobs: Jobs) -> RunnerHandle {
    let id = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
    let (stop, stop_rx) = watch::channel(false);
    let heartbeat = tokio::spawn(heartbeat_loop(jobs.clone(), id.clone()));
    let main = tokio::spawn(main_loop(jobs, id.clone(), stop_rx));
    RunnerHandle {
        id,
        stop,
        main,
        heartbeat,
    }
}

async fn main_loop(jobs: Jobs, runner_id: String, mut stop: watch::Receiver<bool>) {
    let config = jobs.config.clone();
    let slots = Arc::new(Semaphore::new(config.max_concurrent_jobs.max(1)));
    let mut tasks: JoinSet<()> = JoinSet::new();
    let mut listener = es::notify::listen(&jobs.pool, "lana_jobs").await;
    let poll = Duration::from_millis(config.poll_interval_ms);
    loop {
        if *stop.borrow() {
            break;
        }
        let free = slots.available_permits();
        let claimed = if free > 0 {
            match claim(&jobs, &runner_id, free).await {
                Ok(claimed) => claimed,
                Err(e) => {
                    tracing::warn!(error = %e, "jobs: claim failed");
                    Vec::new()
                }
            }
        } else {
            Vec::new()
        };
        let filled = !claimed.is_empty() && claimed.len() == free;
        for job in claimed {
            let Ok(permit) = slots.clone().acquire_owned().await else {
                break;
            };
            let (jobs, runner_id) = (jobs.clone(), runner_id.clone());
            tasks.spawn(async move {
                execute(&jobs, &runner_id, job).await;
                drop(permit);
            });
        }
        if filled {
            // There may be more due work; look again once a slot frees up.
            tokio::select! {
                _ = stop.changed() => {}
                _ = tasks.join_next() => {}
            }
            continue;
        }
        let next_due = next_due(&jobs).await;
        tokio::select! {
            _ = stop.changed() => {}
            _ = tasks.join_next(), if !tasks.is_empty() => {}
            _ = es::notify::notified(&mut listener) => {}
            _ = tokio::time::sleep(poll) => {}
            _ = sleep_until_due(&jobs, next_due) => {}
        }
    }
    // Graceful stop: wait for running jobs, then abort and release what is left.
    let grace = Duration::from_millis(config.shutdown_grace_ms);
    let drained = tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} })
        .await
        .is_ok();
    if !drained {
        tasks.shutdown().await;
        match release(&jobs, &runner_id).await {
            Ok(released) => tracing::info!(released, "jobs: released unfinished jobs"),
            Err(e) => {
                tracing::warn!(error = %e, "jobs: release failed; the reaper will take them back")
            }
        }
    }
}

async fn sleep_until_due(jobs: &Jobs, next_due: Option<DateTime<Utc>>) {
    match next_due {
        Some(at) => jobs.clock.sleep_until(at).await,
        None => std::future::pending().await,
    }
}

async fn next_due(jobs: &Jobs) -> Option<DateTime<Utc>> {
    sqlx::query_scalar!(
        "SELECT min(scheduled_at) FROM jobs WHERE status = 'pending' AND job_type = ANY($1)",
        &jobs.job_types()
    )
    .fetch_one(&jobs.pool)
    .await
    .ok()
    .flatten()
}

/// Claims up to `limit` due jobs. A claim that would put two jobs of one queue in `running` is
/// refused by the `jobs_one_running_per_queue` index; then one job at a time is claimed instead.
async fn claim(jobs: &Jobs, runner_id: &str, limit: usize) -> Result<Vec<Claimed>, sqlx::Error> {
    let mut limit = i64::try_from(limit).unwrap_or(1);
    loop {
        let result = sqlx::query!(
            r#"WITH due AS (
                 SELECT id FROM jobs j
                 WHERE status = 'pending' AND scheduled_at <= $1 AND job_type = ANY($2)
                   AND (queue_id IS NULL OR NOT EXISTS (
                     SELECT 1 FROM jobs r WHERE r.queue_id = j.queue_id AND r.status = 'running'))
                 ORDER BY scheduled_at, created_at
                 LIMIT $3
                 FOR UPDATE SKIP LOCKED
               )
               UPDATE jobs SET status = 'running', locked_by = $4, heartbeat_at = now(), attempt = attempt + 1
               FROM due WHERE jobs.id = due.id
               RETURNING jobs.id, jobs.job_type, jobs.queue_id, jobs.payload, jobs.attempt"#,
            jobs.clock.now(),
            &jobs.job_types(),
            limit,
            runner_id
        )
        .fetch_all(&jobs.pool)
        .await;
        match result {
            Ok(rows) => {
                return Ok(rows
                    .into_iter()
                    .map(|r| Claimed {
                        id: JobId::from(r.id),
                        job_type: r.job_type,
                        queue_id: r.queue_id,
                        payload: r.payload,
                        attempt: r.attempt,
                    })
                    .collect());
            }
            Err(e) if is_queue_conflict(&e) && limit > 1 => limit = 1,
            Err(e) if is_queue_conflict(&e) => return Ok(Vec::new()),
            Err(e) => return Err(e),
        }
    }
}

fn is_queue_conflict(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .is_some_and(|e| e.constraint() == Some("jobs_one_running_per_queue"))
}

async fn execute(jobs: &Jobs, runner_id: &str, claimed: Claimed) {
    let Some(runner) = jobs.runner_for(&claimed.job_type) else {
        finish_failed(
            jobs,
            runner_id,
            &claimed,
            "no runner registered for this job type",
        )
        .await;
        return;
    };
    let mut current = CurrentJob {
        id: claimed.id,
        attempt: claimed.attempt,
        queue_id: claimed.queue_id.clone(),
        payload: claimed.payload.clone(),
        pool: jobs.pool.clone(),
        clock: jobs.clock.clone(),
    };
    // The span follows the attempt's future (`instrument`), never a thread: a guard held
    // across an await would be dropped on another worker thread and leave a closed span
    // "current" on this one, where the next task to read it panics.
    let span = tracing::info_span!("job", id = %claimed.id, job_type = %claimed.job_type, attempt = claimed.attempt);
    let result = async {
        let outcome = AssertUnwindSafe(run(&*runner, &mut current))
            .catch_unwind()
            .await;
        match outcome {
            Ok(Ok(completion)) => finish(jobs, runner_id, &claimed, completion).await,
            Ok(Err(error)) => {
                tracing::warn!(%error, "job attempt failed");
                finish_failed(jobs, runner_id, &claimed, &error.to_string()).await;
                Ok(())
            }
            Err(panic) => {
                let message = panic
                    .downcast_ref::<&str>()
                    .map(|s| (*s).to_owned())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "panic".to_owned());
                tracing::error!(%message, "job panicked");
                finish_failed(jobs, runner_id, &claimed, &format!("panicked: {message}")).await;
                Ok(())
            }
        }
    }
    .instrument(span)
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "job outcome could not be recorded; the lease will expire and it will run again");
    }
}

async fn run(
    runner: &dyn JobRunner,
    job: &mut CurrentJob,
) -> Result<JobCompletion, crate::JobError> {
    runner.run(job).await
}

/// Records a good outcome, fenced on this runner still holding this attempt.
async fn finish(
    jobs: &Jobs,
    runner_id: &str,
    claimed: &Claimed,
    completion: JobCompletion,
) -> Result<(), sqlx::Error> {
    let (op, reschedule_at) = match completion {
        JobCompletion::Complete => (None, None),
        JobCompletion::CompleteWithOp(op) => (Some(op), None),
        JobCompletion::RescheduleAt(at) => (None, Some(at)),
        JobCompletion::RescheduleWithOp(op, at) => (Some(op), Some(at)),
    };
    let mut op = match op {
        Some(op) => op,
        None => DbOp::init(&jobs.pool, &jobs.clock).await?,
    };
    let now = op.now();
    let updated = sqlx::query!(
        r#"UPDATE jobs SET
             status = CASE WHEN $4::timestamptz IS NULL THEN 'completed' ELSE 'pending' END,
             completed_at = CASE WHEN $4::timestamptz IS NULL THEN $5::timestamptz ELSE NULL END,
             scheduled_at = COALESCE($4, scheduled_at),
             attempt = CASE WHEN $4::timestamptz IS NULL THEN attempt ELSE 0 END,
             locked_by = NULL, heartbeat_at = NULL, last_error = NULL
           WHERE id = $1 AND locked_by = $2 AND attempt = $3 AND status = 'running'"#,
        uuid::Uuid::from(claimed.id),
        runner_id,
        claimed.attempt,
        reschedule_at,
        now,
    )
    .execute(op.conn())
    .await?
    .rows_affected();
    if updated == 1 {
        op.commit().await
    } else {
        tracing::warn!("job lease was lost before completion; its effects are rolled back");
        op.rollback().await
    }
}

/// Records a failed attempt: retry later with backoff, or `failed` once attempts are used up.
async fn finish_failed(jobs: &Jobs, runner_id: &str, claimed: &Claimed, error: &str) {
    let retry_at = jobs.retry_at(claimed.attempt);
    let result = sqlx::query!(
        r#"UPDATE jobs SET
             status = CASE WHEN attempt >= max_attempts THEN 'failed' ELSE 'pending' END,
             scheduled_at = $4, last_error = $5, locked_by = NULL, heartbeat_at = NULL
           WHERE id = $1 AND locked_by = $2 AND attempt = $3 AND status = 'running'"#,
        uuid::Uuid::from(claimed.id),
        runner_id,
        claimed.attempt,
        retry_at,
        error,
    )
    .execute(&jobs.pool)
    .await;
    if let Err(e) = result {
        tracing::warn!(error = %e, "job failure could not be recorded; the lease will expire");
    }
}

/// Keeps this runner's leases alive and takes back jobs of runners that stopped heartbeating.
async fn heartbeat_loop(jobs: Jobs, runner_id: String) {
    let interval = Duration::from_millis(jobs.config.heartbeat_interval_ms.max(1));
    loop {
        if let Err(e) = sqlx::query!(
            "UPDATE jobs SET heartbeat_at = now() WHERE locked_by = $1 AND status = 'running'",
            runner_id
        )
        .execute(&jobs.pool)
        .await
        {
            tracing::warn!(error = %e, "jobs: heartbeat failed");
        }
        match reap(&jobs).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                jobs = n,
                "jobs: took back jobs of a runner that stopped heartbeating"
            ),
            Err(e) => tracing::warn!(error = %e, "jobs: reaping failed"),
        }
        tokio::time::sleep(interval).await;
    }
}

async fn reap(jobs: &Jobs) -> Result<u64, sqlx::Error> {
    let timeout_ms = i64::try_from(jobs.config.heartbeat_timeout_ms).unwrap_or(i64::MAX);
    Ok(sqlx::query!(
        r#"UPDATE jobs SET
             status = CASE WHEN attempt >= max_attempts THEN 'failed' ELSE 'pending' END,
             last_error = 'runner ' || locked_by || ' stopped heartbeating',
             scheduled_at = $2, locked_by = NULL, heartbeat_at = NULL
           WHERE status = 'running' AND heartbeat_at < now() - make_interval(secs => $1::bigint / 1000.0)"#,
        timeout_ms,
        jobs.clock.now(),
    )
    .execute(&jobs.pool)
    .await?
    .rows_affected())
}

/// Gives this runner's unfinished jobs back, as if the interrupted attempt never started.
async fn release(jobs: &Jobs, runner_id: &str) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        r#"UPDATE jobs SET status = 'pending', attempt = attempt - 1, locked_by = NULL, heartbeat_at = NULL
           WHERE locked_by = $1 AND status = 'running'"#,
        runner_id
    )
    .execute(&jobs.pool)
    .await?
    .rows_affected())
}
