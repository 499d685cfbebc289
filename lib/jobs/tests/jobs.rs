//! Jobs against a real PostgreSQL, with several runners in one process standing in for several
//! processes (each runner has its own pool).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{TimeZone, Utc};
use clock::Clock;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner, JobStatus, Jobs, JobsConfig, NewJob};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

async fn test_db() -> test_db::TestDb {
    let migrator = es::migrations::combine(&[&es::MIGRATOR, &jobs::MIGRATOR])
        .await
        .unwrap();
    test_db::TestDb::new(&migrator).await
}

fn fast_config() -> JobsConfig {
    JobsConfig {
        poll_interval_ms: 50,
        heartbeat_interval_ms: 100,
        heartbeat_timeout_ms: 1_000,
        shutdown_grace_ms: 200,
        retry_base_ms: 1_000,
        ..JobsConfig::default()
    }
}

async fn wait_until<F, Fut>(what: &str, within: Duration, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Counts runs per job in memory and records each run's effect in the job's own transaction.
#[derive(Clone, Default)]
struct Counting {
    runs: Arc<Mutex<HashMap<jobs::JobId, usize>>>,
}

#[async_trait::async_trait]
impl JobRunner for Counting {
    fn job_type(&self) -> &'static str {
        "counting"
    }
    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        *self.runs.lock().unwrap().entry(job.id()).or_default() += 1;
        let mut op = job.begin_op().await?;
        sqlx::query("INSERT INTO job_effects (job_id) VALUES ($1)")
            .bind(uuid::Uuid::from(job.id()))
            .execute(op.conn())
            .await?;
        Ok(JobCompletion::CompleteWithOp(op))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_runners_run_each_of_1000_jobs_exactly_once() {
    let db = test_db().await;
    sqlx::query("CREATE TABLE job_effects (job_id uuid NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    let counting = Counting::default();
    let spawner = Jobs::new(db.pool.clone(), Clock::real(), fast_config());
    let mut op = es::DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    let mut ids = Vec::new();
    for i in 0..1000 {
        ids.push(
            spawner
                .spawn_in_op(
                    &mut op,
                    NewJob::new("counting", serde_json::json!({ "n": i })).unwrap(),
                )
                .await
                .unwrap()
                .unwrap(),
        );
    }
    op.commit().await.unwrap();

    let mut runners = Vec::new();
    for _ in 0..2 {
        let jobs = Jobs::new(db.second_pool(10).await, Clock::real(), fast_config());
        jobs.register(counting.clone());
        runners.push(jobs.start_runner());
    }
    wait_until("all jobs to complete", Duration::from_secs(60), || async {
        let done: i64 = sqlx::query_scalar("SELECT count(*) FROM jobs WHERE status = 'completed'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        done == 1000
    })
    .await;
    for runner in runners {
        runner.shutdown().await;
    }
    let runs = counting.runs.lock().unwrap().clone();
    assert_eq!(runs.len(), 1000);
    assert!(runs.values().all(|n| *n == 1), "a job ran more than once");
    let effects: Vec<(uuid::Uuid, i64)> =
        sqlx::query_as("SELECT job_id, count(*) FROM job_effects GROUP BY job_id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(effects.len(), 1000);
    assert!(effects.iter().all(|(_, n)| *n == 1));
    let attempts: Vec<i32> = sqlx::query_scalar("SELECT DISTINCT attempt FROM jobs")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(attempts, [1]);
}

/// Records how many jobs of the queue run at once.
#[derive(Clone, Default)]
struct Overlap {
    running: Arc<AtomicUsize>,
    max_running: Arc<AtomicUsize>,
    done: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl JobRunner for Overlap {
    fn job_type(&self) -> &'static str {
        "overlap"
    }
    async fn run(&self, _job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_running.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(15)).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        self.done.fetch_add(1, Ordering::SeqCst);
        Ok(JobCompletion::Complete)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jobs_of_one_queue_never_overlap_while_other_jobs_do() {
    let db = test_db().await;
    let same_queue = Overlap::default();
    let spawner = Jobs::new(db.pool.clone(), Clock::real(), fast_config());
    for _ in 0..30 {
        spawner
            .spawn(NewJob::new("overlap", ()).unwrap().queue("account-1"))
            .await
            .unwrap();
    }
    let mut runners = Vec::new();
    for _ in 0..2 {
        let jobs = Jobs::new(db.second_pool(10).await, Clock::real(), fast_config());
        jobs.register(same_queue.clone());
        runners.push(jobs.start_runner());
    }
    wait_until("the queue to drain", Duration::from_secs(30), || async {
        same_queue.done.load(Ordering::SeqCst) == 30
    })
    .await;
    assert_eq!(
        same_queue.max_running.load(Ordering::SeqCst),
        1,
        "two jobs of one queue ran at once"
    );

    // Without a queue, the same jobs do run side by side.
    let free = Overlap::default();
    for runner in runners {
        runner.shutdown().await;
    }
    let jobs = Jobs::new(db.pool.clone(), Clock::real(), fast_config());
    jobs.register(free.clone());
    for _ in 0..16 {
        jobs.spawn(NewJob::new("overlap", ()).unwrap())
            .await
            .unwrap();
    }
    let runner = jobs.start_runner();
    wait_until("free jobs", Duration::from_secs(30), || async {
        free.done.load(Ordering::SeqCst) == 16
    })
    .await;
    runner.shutdown().await;
    assert!(free.max_running.load(Ordering::SeqCst) > 1);
}

/// Blocks until told to finish; counts its runs.
#[derive(Clone, Default)]
struct Stuck {
    started: Arc<AtomicUsize>,
    release: Arc<tokio::sync::Notify>,
}

#[async_trait::async_trait]
impl JobRunner for Stuck {
    fn job_type(&self) -> &'static str {
        "stuck"
    }
    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        self.started.fetch_add(1, Ordering::SeqCst);
        if job.attempt() == 1 {
            self.release.notified().await;
        }
        Ok(JobCompletion::Complete)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_runners_job_is_retried_by_another_after_the_heartbeat_timeout() {
    let db = test_db().await;
    let stuck = Stuck::default();
    let first = Jobs::new(db.second_pool(5).await, Clock::real(), fast_config());
    first.register(stuck.clone());
    let id = first
        .spawn(NewJob::new("stuck", ()).unwrap())
        .await
        .unwrap()
        .unwrap();
    let doomed = first.start_runner();
    let doomed_id = doomed.id().to_owned();
    wait_until(
        "the first runner to start the job",
        Duration::from_secs(10),
        || async { stuck.started.load(Ordering::SeqCst) == 1 },
    )
    .await;
    assert_eq!(
        first.find(id).await.unwrap().locked_by.as_deref(),
        Some(doomed_id.as_str())
    );

    doomed.kill();
    let second = Jobs::new(db.second_pool(5).await, Clock::real(), fast_config());
    second.register(stuck.clone());
    let killed_at = Instant::now();
    let survivor = second.start_runner();
    wait_until(
        "the job to complete elsewhere",
        Duration::from_secs(15),
        || async { second.find(id).await.unwrap().status == JobStatus::Completed },
    )
    .await;
    assert!(
        killed_at.elapsed() >= Duration::from_millis(500),
        "taken back before the heartbeat timeout"
    );
    let info = second.find(id).await.unwrap();
    assert_eq!(info.attempt, 2);
    assert_eq!(stuck.started.load(Ordering::SeqCst), 2);
    survivor.shutdown().await;
}

/// Fails the first `failures` attempts.
#[derive(Clone)]
struct Flaky {
    failures: i32,
    attempts: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl JobRunner for Flaky {
    fn job_type(&self) -> &'static str {
        "flaky"
    }
    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        self.attempts.fetch_add(1, Ordering::SeqCst);
        if job.attempt() <= self.failures {
            return Err(format!("attempt {} failed", job.attempt()).into());
        }
        Ok(JobCompletion::Complete)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_attempts_are_retried_on_the_backoff_schedule_then_given_up() {
    let db = test_db().await;
    let start = Utc.with_ymd_and_hms(2026, 5, 1, 12, 0, 0).unwrap();
    let (clock, control) = Clock::manual(start);
    let jobs = Jobs::new(db.pool.clone(), clock, fast_config());
    let flaky = Flaky {
        failures: 2,
        attempts: Arc::default(),
    };
    jobs.register(flaky.clone());
    let id = jobs
        .spawn(NewJob::new("flaky", ()).unwrap())
        .await
        .unwrap()
        .unwrap();
    let runner = jobs.start_runner();

    let attempts = |n: usize| {
        let flaky = flaky.clone();
        let jobs = jobs.clone();
        async move {
            wait_until(
                &format!("attempt {n} to be recorded"),
                Duration::from_secs(10),
                || async {
                    flaky.attempts.load(Ordering::SeqCst) == n
                        && jobs.find(id).await.unwrap().status != JobStatus::Running
                },
            )
            .await
        }
    };
    attempts(1).await;
    let info = jobs.find(id).await.unwrap();
    assert_eq!((info.status, info.attempt), (JobStatus::Pending, 1));
    assert_eq!(
        info.scheduled_at,
        start + chrono::Duration::seconds(1),
        "first retry after 1s"
    );
    assert_eq!(info.last_error.as_deref(), Some("attempt 1 failed"));

    // Nothing runs before the clock reaches the retry time.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(flaky.attempts.load(Ordering::SeqCst), 1);
    control.advance(chrono::Duration::seconds(1)).unwrap();
    attempts(2).await;
    let info = jobs.find(id).await.unwrap();
    assert_eq!(
        info.scheduled_at,
        start + chrono::Duration::seconds(1 + 2),
        "second retry after 2s"
    );
    control
        .advance(chrono::Duration::milliseconds(1_999))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        flaky.attempts.load(Ordering::SeqCst),
        2,
        "ran before its backoff elapsed"
    );
    control.advance(chrono::Duration::milliseconds(1)).unwrap();
    attempts(3).await;
    assert_eq!(jobs.find(id).await.unwrap().status, JobStatus::Completed);

    // A job that always fails ends as failed after max_attempts, with its last error.
    let hopeless = Flaky {
        failures: i32::MAX,
        attempts: Arc::default(),
    };
    let jobs2 = Jobs::new(
        db.pool.clone(),
        Clock::real(),
        JobsConfig {
            retry_base_ms: 1,
            ..fast_config()
        },
    );
    jobs2.register(hopeless.clone());
    runner.shutdown().await;
    let id = jobs2
        .spawn(NewJob::new("flaky", ()).unwrap().max_attempts(3))
        .await
        .unwrap()
        .unwrap();
    let runner = jobs2.start_runner();
    wait_until("the job to fail", Duration::from_secs(10), || async {
        jobs2.find(id).await.unwrap().status == JobStatus::Failed
    })
    .await;
    runner.shutdown().await;
    let info = jobs2.find(id).await.unwrap();
    assert_eq!(
        (info.attempt, info.last_error.as_deref()),
        (3, Some("attempt 3 failed"))
    );
    assert_eq!(hopeless.attempts.load(Ordering::SeqCst), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_job_spawned_in_a_rolled_back_transaction_never_runs() {
    let db = test_db().await;
    sqlx::query("CREATE TABLE job_effects (job_id uuid NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    let counting = Counting::default();
    let jobs = Jobs::new(db.pool.clone(), Clock::real(), fast_config());
    jobs.register(counting.clone());
    let runner = jobs.start_runner();
    let mut op = es::DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    let id = jobs
        .spawn_in_op(&mut op, NewJob::new("counting", ()).unwrap())
        .await
        .unwrap()
        .unwrap();
    op.rollback().await.unwrap();
    // A committed job spawned afterwards runs, so the runner was live while the other did not.
    let later = jobs
        .spawn(NewJob::new("counting", ()).unwrap())
        .await
        .unwrap()
        .unwrap();
    wait_until("the committed job", Duration::from_secs(10), || async {
        jobs.find(later).await.unwrap().status == JobStatus::Completed
    })
    .await;
    runner.shutdown().await;
    assert!(matches!(
        jobs.find(id).await,
        Err(jobs::JobsError::NotFound(_))
    ));
    assert!(!counting.runs.lock().unwrap().contains_key(&id));
}

/// Reschedules itself a day later, three times.
#[derive(Clone, Default)]
struct Daily {
    runs: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl JobRunner for Daily {
    fn job_type(&self) -> &'static str {
        "daily"
    }
    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        let n = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        if n < 3 {
            Ok(JobCompletion::RescheduleAt(
                job.clock().now() + chrono::Duration::days(1),
            ))
        } else {
            Ok(JobCompletion::Complete)
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recurring_jobs_run_on_their_schedule_and_spawn_once() {
    let db = test_db().await;
    let start = Utc.with_ymd_and_hms(2026, 5, 1, 0, 0, 0).unwrap();
    let (clock, control) = Clock::manual(start);
    let jobs = Jobs::new(db.pool.clone(), clock, fast_config());
    let daily = Daily::default();
    jobs.register(daily.clone());
    let id = jobs
        .spawn(NewJob::new("daily", ()).unwrap().unique_key("daily-report"))
        .await
        .unwrap()
        .unwrap();
    assert!(
        jobs.spawn(NewJob::new("daily", ()).unwrap().unique_key("daily-report"))
            .await
            .unwrap()
            .is_none()
    );
    let runner = jobs.start_runner();
    for day in 1..=3 {
        wait_until(&format!("run {day}"), Duration::from_secs(10), || async {
            daily.runs.load(Ordering::SeqCst) == day
                && jobs.find(id).await.unwrap().status != JobStatus::Running
        })
        .await;
        if day < 3 {
            let info = jobs.find(id).await.unwrap();
            assert_eq!(info.status, JobStatus::Pending);
            assert_eq!(
                info.scheduled_at,
                start + chrono::Duration::days(day as i64)
            );
            control.advance(chrono::Duration::days(1)).unwrap();
        }
    }
    runner.shutdown().await;
    assert_eq!(jobs.find(id).await.unwrap().status, JobStatus::Completed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_releases_jobs_that_outlive_the_grace_period() {
    let db = test_db().await;
    let stuck = Stuck::default();
    let jobs = Jobs::new(db.pool.clone(), Clock::real(), fast_config());
    jobs.register(stuck.clone());
    let id = jobs
        .spawn(NewJob::new("stuck", ()).unwrap())
        .await
        .unwrap()
        .unwrap();
    let runner = jobs.start_runner();
    wait_until("the job to start", Duration::from_secs(10), || async {
        stuck.started.load(Ordering::SeqCst) == 1
    })
    .await;
    runner.shutdown().await;
    let info = jobs.find(id).await.unwrap();
    assert_eq!(
        (info.status, info.attempt, info.locked_by),
        (JobStatus::Pending, 0, None)
    );
}
