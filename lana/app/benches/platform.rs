//! Throughput of the platform services on the local PostgreSQL: jobs completed per second and
//! outbox events delivered per second, with one and with two runners (each runner on its own pool,
//! as separate processes would be). Prints figures and the PostgreSQL settings; asserts nothing
//! about speed.
//!
//! `cargo bench -p lana-app --bench platform` (uses DATABASE_URL like the tests).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::float_arithmetic)] // rates are report figures, not money

use clock::Clock;
use es::DbOp;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner, Jobs, JobsConfig, NewJob};
use outbox::{DispatcherConfig, HandlerError, Outbox, OutboxEvent, OutboxHandler};
use std::time::{Duration, Instant};

const JOBS: usize = 5_000;
const EVENTS: usize = 20_000;

struct Noop;

#[async_trait::async_trait]
impl JobRunner for Noop {
    fn job_type(&self) -> &'static str {
        "bench.noop"
    }
    async fn run(&self, _job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        Ok(JobCompletion::Complete)
    }
}

/// Writes one effect row per event, in the delivery transaction.
struct Effect;

#[async_trait::async_trait]
impl OutboxHandler for Effect {
    fn name(&self) -> &'static str {
        "bench.effect"
    }
    async fn handle(&self, op: &mut DbOp, event: &OutboxEvent) -> Result<(), HandlerError> {
        sqlx::query("INSERT INTO bench_effects (sequence) VALUES ($1)")
            .bind(event.sequence)
            .execute(op.conn())
            .await?;
        Ok(())
    }
}

#[derive(serde::Serialize)]
#[serde(tag = "type")]
enum BenchEvent {
    Happened { n: usize },
}

async fn fresh_db() -> test_db::TestDb {
    let db = test_db::TestDb::new(&lana_app::migrator().await.unwrap()).await;
    sqlx::query("CREATE TABLE bench_effects (sequence bigint NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    db
}

async fn count(pool: &sqlx::PgPool, sql: &str) -> usize {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await
        .unwrap() as usize
}

async fn wait_for(pool: &sqlx::PgPool, sql: &str, target: usize) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while count(pool, sql).await < target {
        assert!(Instant::now() < deadline, "benchmark did not finish");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn bench_jobs(runners: usize) -> f64 {
    let db = fresh_db().await;
    let config = JobsConfig {
        poll_interval_ms: 50,
        ..JobsConfig::default()
    };
    let spawner = Jobs::new(db.pool.clone(), Clock::real(), config.clone());
    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    for _ in 0..JOBS {
        spawner
            .spawn_in_op(&mut op, NewJob::new("bench.noop", ()).unwrap())
            .await
            .unwrap();
    }
    op.commit().await.unwrap();
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..runners {
        let jobs = Jobs::new(db.second_pool(10).await, Clock::real(), config.clone());
        jobs.register(Noop);
        handles.push(jobs.start_runner());
    }
    wait_for(
        &db.pool,
        "SELECT count(*) FROM jobs WHERE status = 'completed'",
        JOBS,
    )
    .await;
    let rate = JOBS as f64 / started.elapsed().as_secs_f64();
    for handle in handles {
        handle.shutdown().await;
    }
    rate
}

async fn bench_outbox(dispatchers: usize) -> (f64, f64) {
    let db = fresh_db().await;
    let outbox = Outbox::new(db.pool.clone(), Clock::real());
    let started = Instant::now();
    for chunk in (0..EVENTS).collect::<Vec<_>>().chunks(100) {
        let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
        let events: Vec<BenchEvent> = chunk
            .iter()
            .map(|n| BenchEvent::Happened { n: *n })
            .collect();
        outbox.publish_all_in_op(&mut op, &events).await.unwrap();
        op.commit().await.unwrap();
    }
    let publish_rate = EVENTS as f64 / started.elapsed().as_secs_f64();
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..dispatchers {
        let outbox = Outbox::new(db.second_pool(3).await, Clock::real());
        handles.push(outbox.start_dispatcher(Effect, DispatcherConfig::default()));
    }
    wait_for(&db.pool, "SELECT count(*) FROM bench_effects", EVENTS).await;
    let deliver_rate = EVENTS as f64 / started.elapsed().as_secs_f64();
    for handle in handles {
        handle.shutdown().await;
    }
    (publish_rate, deliver_rate)
}

#[tokio::main]
async fn main() {
    let db = fresh_db().await;
    println!("PostgreSQL: {}", test_db::settings_report(&db.pool).await);
    println!(
        "jobs: {JOBS} no-op jobs, each completion its own committed transaction; 8 concurrent per runner"
    );
    for runners in [1, 2] {
        println!(
            "  {runners} runner(s): {:>8.0} jobs/s",
            bench_jobs(runners).await
        );
    }
    println!(
        "outbox: {EVENTS} events published 100 per transaction, then delivered 100 per transaction to a handler writing one row per event"
    );
    for dispatchers in [1, 2] {
        let (published, delivered) = bench_outbox(dispatchers).await;
        println!(
            "  {dispatchers} dispatcher(s) of one handler: published {published:>8.0} events/s, delivered {delivered:>8.0} events/s"
        );
    }
}
