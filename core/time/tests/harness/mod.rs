//! Business time against a real PostgreSQL: a bank ("process") on a manual clock, a handler that
//! records each day it processes in a table (in the handler's transaction, so what it counts is
//! what committed), and waiting helpers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use audit::Audit;
use authz::{Actor, Authorization};
use chrono::{DateTime, NaiveDate, Utc};
use clock::{Clock, ManualClock};
use core_time::{EndOfDayHandler, EndedDay, Time, TimeConfig};
use es::DbOp;
use jobs::{Jobs, JobsConfig, RunnerHandle};
use outbox::{DispatcherConfig, DispatcherHandle, HandlerError, Outbox};
use sqlx::PgPool;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::{Duration, Instant};
use use_case::UseCases;

pub fn system() -> Actor {
    Actor::system("time-test").with_correlation_id(Some("time-test".into()))
}

pub fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

pub async fn database() -> test_db::TestDb {
    let migrator = es::migrations::combine(&[
        &es::MIGRATOR,
        &jobs::MIGRATOR,
        &outbox::MIGRATOR,
        &audit::MIGRATOR,
        &authz::MIGRATOR,
        &core_time::MIGRATOR,
    ])
    .await
    .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    sqlx::query(
        "CREATE TABLE processed_days (seq bigserial, handler text NOT NULL, date date NOT NULL, ended_at timestamptz NOT NULL)",
    )
    .execute(&db.pool)
    .await
    .unwrap();
    db
}

/// New York, closing 23:59, on the manual clock.
pub fn config() -> TimeConfig {
    TimeConfig {
        timezone: "America/New_York".parse().unwrap(),
        closing_time: "23:59".parse().unwrap(),
        clock: core_time::ClockKind::Manual,
        manual_start_date: None,
        advance_wait_ms: 10_000,
    }
}

/// One lana process: its own pool, clock, job runner and outbox.
pub struct Bank {
    pub pool: PgPool,
    pub time: Time,
    pub manual: ManualClock,
    jobs: Jobs,
    outbox: Outbox,
}

pub struct Running {
    runner: RunnerHandle,
    dispatchers: Vec<DispatcherHandle>,
}

impl Running {
    pub async fn stop(self) {
        for d in self.dispatchers {
            d.shutdown().await;
        }
        self.runner.shutdown().await;
    }
}

/// 12:00 EST on Friday 6 March 2026 in New York (closing 23:59).
pub const FRIDAY_NOON: &str = "2026-03-06T17:00:00Z";

impl Bank {
    /// A bank on the default configuration whose clock stands at [`FRIDAY_NOON`].
    pub async fn start(pool: PgPool, handlers: Vec<Recorder>) -> Self {
        Self::start_at(pool, &config(), utc(FRIDAY_NOON), handlers).await
    }

    pub async fn start_at(
        pool: PgPool,
        config: &TimeConfig,
        now: DateTime<Utc>,
        handlers: Vec<Recorder>,
    ) -> Self {
        let (clock, manual) = Clock::manual(now);
        let audit = Audit::new(pool.clone(), clock.clone());
        let authz = Authorization::init(pool.clone(), audit).await.unwrap();
        let use_cases = UseCases::new(pool.clone(), clock.clone(), authz);
        let jobs = Jobs::new(
            pool.clone(),
            clock.clone(),
            JobsConfig {
                poll_interval_ms: 50,
                retry_base_ms: 20,
                ..JobsConfig::default()
            },
        );
        let outbox = Outbox::new(pool.clone(), clock);
        let time = Time::init(use_cases, &outbox, &jobs, config).await.unwrap();
        for handler in handlers {
            time.register_end_of_day(handler);
        }
        Self {
            pool,
            time,
            manual,
            jobs,
            outbox,
        }
    }

    /// Runs the bank on its manual clock (as `lana-cli` does with `time.clock: manual`).
    pub async fn attach(&self) {
        self.time
            .attach_manual_clock(self.manual.clone())
            .await
            .unwrap();
    }

    /// The job runner and the end-of-day dispatchers, retrying a failure after 20 ms.
    pub fn run(&self) -> Running {
        let config = DispatcherConfig {
            poll_interval_ms: 20,
            retry_base_ms: 20,
            retry_max_ms: 100,
            ..DispatcherConfig::default()
        };
        Running {
            runner: self.jobs.start_runner(),
            dispatchers: self
                .time
                .end_of_day_dispatchers()
                .into_iter()
                .map(|d| self.outbox.start_dispatcher(d, config.clone()))
                .collect(),
        }
    }
}

/// Records each day in `processed_days`; at `fail_on`, fails until healed.
#[derive(Clone)]
pub struct Recorder {
    pub name: &'static str,
    pub fail_on: Option<NaiveDate>,
    pub healed: Arc<AtomicBool>,
    pub failures: Arc<AtomicU32>,
}

impl Recorder {
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            fail_on: None,
            healed: Arc::default(),
            failures: Arc::default(),
        }
    }

    pub fn failing_on(name: &'static str, day: NaiveDate) -> Self {
        Self {
            fail_on: Some(day),
            ..Self::new(name)
        }
    }

    pub fn heal(&self) {
        self.healed.store(true, Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl EndOfDayHandler for Recorder {
    fn name(&self) -> &'static str {
        self.name
    }

    async fn run(&self, op: &mut DbOp, day: &EndedDay) -> Result<(), HandlerError> {
        sqlx::query("INSERT INTO processed_days (handler, date, ended_at) VALUES ($1, $2, $3)")
            .bind(self.name)
            .bind(day.date)
            .bind(day.ended_at)
            .execute(op.conn())
            .await?;
        if Some(day.date) == self.fail_on && !self.healed.load(Ordering::SeqCst) {
            self.failures.fetch_add(1, Ordering::SeqCst);
            return Err(format!("{} fails on {}", self.name, day.date).into());
        }
        Ok(())
    }
}

/// The days `handler` processed (committed), in the order it processed them.
pub async fn processed(pool: &PgPool, handler: &str) -> Vec<NaiveDate> {
    sqlx::query_scalar("SELECT date FROM processed_days WHERE handler = $1 ORDER BY seq")
        .bind(handler)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// The end-of-day events on the outbox, in delivery order: (date, ended_at).
pub async fn announced(pool: &PgPool) -> Vec<(NaiveDate, DateTime<Utc>)> {
    let rows: Vec<(serde_json::Value,)> = sqlx::query_as(
        "SELECT payload FROM outbox_events WHERE event_type = 'end_of_day' ORDER BY sequence",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(p,)| {
            (
                p["date"].as_str().unwrap().parse().unwrap(),
                p["ended_at"].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect()
}

/// Waits until `handler` has processed `count` days.
pub async fn await_processed(pool: &PgPool, handler: &str, count: usize) -> Vec<NaiveDate> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let days = processed(pool, handler).await;
        if days.len() >= count {
            return days;
        }
        assert!(
            Instant::now() < deadline,
            "{handler} processed only {days:?}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
