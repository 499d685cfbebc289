//! Throughput of the platform services on the local PostgreSQL: jobs completed per second and
//! outbox events delivered per second, with one and with two runners (each runner on its own pool,
//! as separate processes would be). Prints figures and the PostgreSQL settings; asserts nothing
//! about speed.
//!
//! `cargo bench -p lana-app --bench platform` (uses DATABASE_URL like the tests).

use clock::Clock;
use es::DbOp;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner, Jobs, JobsConfig, NewJob};
use outbox::{DispatcherConfig, HandlerError, Outbox, OutboxEvent, OutboxHandler};
use std::time::{Duration, Instant};

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

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

async fn fresh_db() -> BenchResult<test_db::TestDb> {
    let db = test_db::TestDb::new(&lana_app::migrator().await?).await;
    sqlx::query("CREATE TABLE bench_effects (sequence bigint NOT NULL)")
        .execute(&db.pool)
        .await?;
    Ok(db)
}

/// Waits until the count `sql` returns reaches `target` (at most ten minutes).
async fn wait_for(pool: &sqlx::PgPool, sql: &str, target: i64) -> BenchResult<()> {
    let deadline = Instant::now() + Duration::from_secs(600);
    while sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await? < target {
        if Instant::now() > deadline {
            return Err("benchmark did not finish".into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    Ok(())
}

/// Whole units per second since `started`.
fn per_second(count: usize, started: Instant) -> u128 {
    count as u128 * 1_000_000 / started.elapsed().as_micros().max(1)
}

async fn bench_jobs(runners: usize) -> BenchResult<u128> {
    let db = fresh_db().await?;
    let config = JobsConfig {
        poll_interval_ms: 50,
        ..JobsConfig::default()
    };
    let spawner = Jobs::new(db.pool.clone(), Clock::real(), config.clone());
    let mut op = DbOp::init(&db.pool, &Clock::real()).await?;
    for _ in 0..JOBS {
        spawner
            .spawn_in_op(&mut op, NewJob::new("bench.noop", ())?)
            .await?;
    }
    op.commit().await?;
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
        JOBS as i64,
    )
    .await?;
    let rate = per_second(JOBS, started);
    for handle in handles {
        handle.shutdown().await;
    }
    Ok(rate)
}

async fn bench_outbox(dispatchers: usize) -> BenchResult<(u128, u128)> {
    let db = fresh_db().await?;
    let outbox = Outbox::new(db.pool.clone(), Clock::real());
    let started = Instant::now();
    for chunk in (0..EVENTS).collect::<Vec<_>>().chunks(100) {
        let mut op = DbOp::init(&db.pool, &Clock::real()).await?;
        let events: Vec<BenchEvent> = chunk
            .iter()
            .map(|n| BenchEvent::Happened { n: *n })
            .collect();
        outbox.publish_all_in_op(&mut op, &events).await?;
        op.commit().await?;
    }
    let publish_rate = per_second(EVENTS, started);
    let started = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..dispatchers {
        let outbox = Outbox::new(db.second_pool(3).await, Clock::real());
        handles.push(outbox.start_dispatcher(Effect, DispatcherConfig::default()));
    }
    wait_for(
        &db.pool,
        "SELECT count(*) FROM bench_effects",
        EVENTS as i64,
    )
    .await?;
    let deliver_rate = per_second(EVENTS, started);
    for handle in handles {
        handle.shutdown().await;
    }
    Ok((publish_rate, deliver_rate))
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let db = fresh_db().await?;
    println!("PostgreSQL: {}", test_db::settings_report(&db.pool).await);
    println!(
        "jobs: {JOBS} no-op jobs, each completion its own committed transaction; 8 concurrent per runner"
    );
    for runners in [1, 2] {
        println!(
            "  {runners} runner(s): {:>8} jobs/s",
            bench_jobs(runners).await?
        );
    }
    println!(
        "outbox: {EVENTS} events published 100 per transaction, then delivered 100 per transaction to a handler writing one row per event"
    );
    for dispatchers in [1, 2] {
        let (published, delivered) = bench_outbox(dispatchers).await?;
        println!(
            "  {dispatchers} dispatcher(s) of one handler: published {published:>8} events/s, delivered {delivered:>8} events/s"
        );
    }
    Ok(())
}
