//! The outbox against a real PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use clock::Clock;
use es::DbOp;
use outbox::{DispatcherConfig, HandlerError, Outbox, OutboxEvent, OutboxHandler};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Public {
    Happened { label: String },
}

fn happened(label: &str) -> Public {
    Public::Happened {
        label: label.into(),
    }
}

async fn setup() -> (test_db::TestDb, Outbox) {
    let migrator = es::migrations::combine(&[&es::MIGRATOR, &outbox::MIGRATOR])
        .await
        .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    sqlx::query("CREATE TABLE effects (label text NOT NULL, sequence bigint NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    let outbox = Outbox::new(db.pool.clone(), Clock::real());
    (db, outbox)
}

fn fast() -> DispatcherConfig {
    DispatcherConfig {
        poll_interval_ms: 50,
        retry_base_ms: 10,
        retry_max_ms: 50,
        ..DispatcherConfig::default()
    }
}

async fn publish(outbox: &Outbox, pool: &sqlx::PgPool, labels: &[&str]) {
    let mut op = DbOp::init(pool, &Clock::real()).await.unwrap();
    let events: Vec<Public> = labels.iter().map(|l| happened(l)).collect();
    outbox.publish_all_in_op(&mut op, &events).await.unwrap();
    op.commit().await.unwrap();
}

/// Writes one effect row per event in the delivery transaction; can be told to fail, to hang or
/// to panic (once) on a label.
#[derive(Clone, Default)]
struct Recorder {
    seen: Arc<Mutex<Vec<String>>>,
    fail_on: Arc<Mutex<Option<String>>>,
    hang_on: Arc<Mutex<Option<String>>>,
    panic_once_on: Arc<Mutex<Option<String>>>,
    failures: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl OutboxHandler for Recorder {
    fn name(&self) -> &'static str {
        "recorder"
    }
    async fn handle(&self, op: &mut DbOp, event: &OutboxEvent) -> Result<(), HandlerError> {
        let Public::Happened { label } = event.decode()?;
        sqlx::query("INSERT INTO effects (label, sequence) VALUES ($1, $2)")
            .bind(&label)
            .bind(event.sequence)
            .execute(op.conn())
            .await?;
        if self.hang_on.lock().unwrap().as_deref() == Some(label.as_str()) {
            std::future::pending::<()>().await;
        }
        let panics = {
            let mut panic_on = self.panic_once_on.lock().unwrap();
            let hit = panic_on.as_deref() == Some(label.as_str());
            if hit {
                *panic_on = None;
            }
            hit
        };
        assert!(!panics, "a bug in the handler for {label}");
        if self.fail_on.lock().unwrap().as_deref() == Some(label.as_str()) {
            self.failures.fetch_add(1, Ordering::SeqCst);
            return Err(format!("cannot handle {label}").into());
        }
        self.seen.lock().unwrap().push(label);
        Ok(())
    }
}

async fn effects(pool: &sqlx::PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT label FROM effects ORDER BY sequence")
        .fetch_all(pool)
        .await
        .unwrap()
}

async fn wait_for_effects(pool: &sqlx::PgPool, count: usize) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let found = effects(pool).await;
        if found.len() >= count {
            return found;
        }
        assert!(
            Instant::now() < deadline,
            "only {} of {count} effects: {found:?}",
            found.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn events_arrive_in_commit_order_and_rollbacks_publish_nothing() {
    let (db, outbox) = setup().await;
    let clock = Clock::real();
    // A publishes first but commits last; B publishes second and commits first.
    let mut a = DbOp::init(&db.pool, &clock).await.unwrap();
    outbox
        .publish_all_in_op(&mut a, &[happened("a1"), happened("a2")])
        .await
        .unwrap();
    let mut b = DbOp::init(&db.pool, &clock).await.unwrap();
    outbox
        .publish_all_in_op(&mut b, &[happened("b")])
        .await
        .unwrap();
    let mut rolled_back = DbOp::init(&db.pool, &clock).await.unwrap();
    outbox
        .publish_all_in_op(&mut rolled_back, &[happened("never")])
        .await
        .unwrap();
    b.commit().await.unwrap();
    rolled_back.rollback().await.unwrap();
    a.commit().await.unwrap();
    publish(&outbox, &db.pool, &["c"]).await;

    let recorder = Recorder::default();
    let dispatcher = outbox.start_dispatcher(recorder.clone(), fast());
    assert_eq!(wait_for_effects(&db.pool, 4).await, ["b", "a1", "a2", "c"]);
    tokio::time::sleep(Duration::from_millis(200)).await;
    dispatcher.shutdown().await;
    assert_eq!(*recorder.seen.lock().unwrap(), ["b", "a1", "a2", "c"]);
    assert_eq!(outbox.handler_position("recorder").await.unwrap(), 4);
    // Sequences are gap-free: the rolled-back transaction never took one.
    let sequences: Vec<i64> =
        sqlx::query_scalar("SELECT sequence FROM outbox_events ORDER BY sequence")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(sequences, [1, 2, 3, 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_crashes_mid_batch_resumes_without_lost_or_doubled_effects() {
    let (db, outbox) = setup().await;
    let labels: Vec<String> = (0..20).map(|i| format!("e{i:02}")).collect();
    let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
    publish(&outbox, &db.pool, &refs).await;

    // First run: the process dies while handling e10 (after e00..e09 in the same batch).
    let crashing = Recorder::default();
    *crashing.hang_on.lock().unwrap() = Some("e10".into());
    let dispatcher = outbox.start_dispatcher(crashing.clone(), fast());
    let deadline = Instant::now() + Duration::from_secs(10);
    while crashing.seen.lock().unwrap().len() < 10 {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    dispatcher.kill();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        effects(&db.pool).await.is_empty(),
        "effects of an unfinished batch were committed"
    );
    assert_eq!(outbox.handler_position("recorder").await.unwrap(), 0);

    // Second run: a handler failure in the middle is retried with backoff, then succeeds.
    let flaky = Recorder::default();
    *flaky.fail_on.lock().unwrap() = Some("e15".into());
    let dispatcher = outbox.start_dispatcher(flaky.clone(), fast());
    let deadline = Instant::now() + Duration::from_secs(10);
    while flaky.failures.load(Ordering::SeqCst) < 2 {
        assert!(Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(effects(&db.pool).await.is_empty());
    *flaky.fail_on.lock().unwrap() = None;
    assert_eq!(wait_for_effects(&db.pool, 20).await, labels);
    dispatcher.shutdown().await;
    let counts: Vec<i64> = sqlx::query_scalar("SELECT count(*) FROM effects GROUP BY label")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert!(counts.iter().all(|c| *c == 1), "an effect was doubled");
}

#[derive(Clone, Default)]
struct AlwaysFails;

#[async_trait::async_trait]
impl OutboxHandler for AlwaysFails {
    fn name(&self) -> &'static str {
        "always-fails"
    }
    async fn handle(&self, _op: &mut DbOp, _event: &OutboxEvent) -> Result<(), HandlerError> {
        Err("broken".into())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_handler_does_not_block_others_and_a_handler_can_replay() {
    let (db, outbox) = setup().await;
    publish(&outbox, &db.pool, &["x", "y"]).await;
    let broken = outbox.start_dispatcher(AlwaysFails, fast());
    let recorder = Recorder::default();
    let working = outbox.start_dispatcher(recorder.clone(), fast());
    assert_eq!(wait_for_effects(&db.pool, 2).await, ["x", "y"]);
    broken.shutdown().await;
    let (failures, error): (i32, Option<String>) = sqlx::query_as(
        "SELECT failures, last_error FROM outbox_handlers WHERE name = 'always-fails'",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(failures >= 1);
    assert_eq!(error.as_deref(), Some("broken"));
    assert_eq!(outbox.handler_position("always-fails").await.unwrap(), 0);

    // Replay from the start: the handler sees both events again, in order.
    working.shutdown().await;
    outbox.set_handler_position("recorder", 0).await.unwrap();
    let replay = outbox.start_dispatcher(recorder.clone(), fast());
    assert_eq!(wait_for_effects(&db.pool, 4).await.len(), 4);
    replay.shutdown().await;
    assert_eq!(*recorder.seen.lock().unwrap(), ["x", "y", "x", "y"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_is_retried_like_a_failing_one_and_its_dispatcher_goes_on() {
    let (db, outbox) = setup().await;
    let recorder = Recorder::default();
    *recorder.panic_once_on.lock().unwrap() = Some("b".into());
    publish(&outbox, &db.pool, &["a", "b", "c"]).await;
    let dispatcher = outbox.start_dispatcher(recorder.clone(), fast());
    // the batch with the panic rolled back; the retry delivers all three, each once
    assert_eq!(wait_for_effects(&db.pool, 3).await, ["a", "b", "c"]);
    let later = ["d"];
    publish(&outbox, &db.pool, &later).await;
    assert_eq!(wait_for_effects(&db.pool, 4).await[3], "d");
    dispatcher.shutdown().await;
    let (failures, error): (i32, Option<String>) =
        sqlx::query_as("SELECT failures, last_error FROM outbox_handlers WHERE name = 'recorder'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    // reset by the deliveries that followed
    assert_eq!((failures, error), (0, None));
    assert_eq!(*recorder.seen.lock().unwrap(), ["a", "a", "b", "c", "d"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_sequence_is_waited_for_while_its_transaction_may_commit_then_skipped() {
    let (db, outbox) = setup().await;
    // A transaction takes a sequence number and stays open, as one failing in its commit would.
    let mut holder = db.pool.begin().await.unwrap();
    sqlx::query("SELECT pg_current_xact_id()")
        .execute(&mut *holder)
        .await
        .unwrap();
    let taken: i64 = sqlx::query_scalar("SELECT nextval('outbox_commit_sequence')")
        .fetch_one(&mut *holder)
        .await
        .unwrap();
    assert_eq!(taken, 1);
    publish(&outbox, &db.pool, &["after-the-gap"]).await;

    let recorder = Recorder::default();
    let dispatcher = outbox.start_dispatcher(recorder.clone(), fast());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        effects(&db.pool).await.is_empty(),
        "delivered past a sequence that could still commit"
    );

    holder.rollback().await.unwrap();
    assert_eq!(wait_for_effects(&db.pool, 1).await, ["after-the-gap"]);
    dispatcher.shutdown().await;
    assert_eq!(outbox.handler_position("recorder").await.unwrap(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_dispatchers_of_one_handler_deliver_each_event_once() {
    let (db, outbox) = setup().await;
    let recorder = Recorder::default();
    let first = outbox.start_dispatcher(recorder.clone(), fast());
    let second = Outbox::new(db.second_pool(5).await, Clock::real())
        .start_dispatcher(recorder.clone(), fast());
    for i in 0..50 {
        publish(&outbox, &db.pool, &[&format!("n{i:02}")]).await;
    }
    let delivered = wait_for_effects(&db.pool, 50).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    first.shutdown().await;
    second.shutdown().await;
    let expected: Vec<String> = (0..50).map(|i| format!("n{i:02}")).collect();
    assert_eq!(delivered, expected);
    assert_eq!(effects(&db.pool).await.len(), 50);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_steady_stream_of_commits_is_delivered_in_batches_not_one_transaction_each() {
    let (db, outbox) = setup().await;
    // Each effect row names the transaction that delivered it.
    sqlx::query("ALTER TABLE effects ADD COLUMN batch bigint NOT NULL DEFAULT txid_current()")
        .execute(&db.pool)
        .await
        .unwrap();
    let config = DispatcherConfig {
        batch_delay_ms: 200,
        ..fast()
    };
    let dispatcher = outbox.start_dispatcher(Recorder::default(), config);
    // A steady stream: 100 commits of one event each, one every 5 ms (half a second or more).
    let started = Instant::now();
    for i in 0..100 {
        publish(&outbox, &db.pool, &[&format!("e{i}")]).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let publishing = started.elapsed();
    let delivered = wait_for_effects(&db.pool, 100).await;
    let distinct: std::collections::HashSet<_> = delivered.iter().collect();
    assert_eq!((delivered.len(), distinct.len()), (100, 100));
    // Chasing every notification would take one transaction per commit; waiting 200 ms after
    // each batch takes at most one per 200 ms of the stream, plus the last.
    let batches: u128 = sqlx::query_scalar::<_, i64>("SELECT count(DISTINCT batch) FROM effects")
        .fetch_one(&db.pool)
        .await
        .unwrap()
        .try_into()
        .unwrap();
    assert!(
        batches <= publishing.as_millis() / 200 + 2 && batches < 50,
        "{batches} delivery transactions for 100 commits in {publishing:?}"
    );
    dispatcher.shutdown().await;
}

#[tokio::test]
async fn pruning_deletes_old_events_every_handler_has_handled_and_keeps_the_rest() {
    let (db, _) = setup().await;
    let (clock, manual) = Clock::manual("2027-03-01T09:00:00Z".parse().unwrap());
    let outbox = Outbox::new(db.pool.clone(), clock.clone());
    let publish_at = async |labels: &[&str]| {
        let mut op = DbOp::init(&db.pool, &clock).await.unwrap();
        let events: Vec<Public> = labels.iter().map(|l| happened(l)).collect();
        outbox.publish_all_in_op(&mut op, &events).await.unwrap();
        op.commit().await.unwrap();
    };
    let labels = async || -> Vec<String> {
        sqlx::query_scalar("SELECT payload->>'label' FROM outbox_events ORDER BY sequence")
            .fetch_all(&db.pool)
            .await
            .unwrap()
    };
    publish_at(&["a", "b", "c"]).await;
    manual.advance(chrono::Duration::days(40)).unwrap();
    publish_at(&["d", "e"]).await;
    let sequence_of = async |label: &str| -> i64 {
        sqlx::query_scalar("SELECT sequence FROM outbox_events WHERE payload->>'label' = $1")
            .bind(label)
            .fetch_one(&db.pool)
            .await
            .unwrap()
    };
    let e = sequence_of("e").await;
    // no handler has recorded where it is: nothing is known to be handled, nothing goes
    assert_eq!(outbox.prune(chrono::Duration::days(30)).await.unwrap(), 0);
    // one handler is behind (it has handled a and b), the other is done
    outbox
        .set_handler_position("slow", sequence_of("b").await)
        .await
        .unwrap();
    outbox.set_handler_position("fast", e).await.unwrap();

    // kept 30 days: a and b are older and handled by both; c is older but slow still needs it
    assert_eq!(outbox.prune(chrono::Duration::days(30)).await.unwrap(), 2);
    assert_eq!(labels().await, ["c", "d", "e"]);
    // once slow has handled everything, c goes too; d and e are younger than 30 days
    outbox.set_handler_position("slow", e).await.unwrap();
    assert_eq!(outbox.prune(chrono::Duration::days(30)).await.unwrap(), 1);
    assert_eq!(labels().await, ["d", "e"]);
    // 30 days later they are old enough
    manual.advance(chrono::Duration::days(31)).unwrap();
    assert_eq!(outbox.prune(chrono::Duration::days(30)).await.unwrap(), 2);
    assert!(labels().await.is_empty());
    // the sequence goes on after what was deleted
    publish_at(&["f"]).await;
    assert!(sequence_of("f").await > e);
}
