//! The inbox against a real PostgreSQL, processed by a real job runner.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use clock::Clock;
use es::DbOp;
use inbox::{HandlerError, Inbox, InboxEvent, InboxHandler, InboxStatus, Received};
use jobs::{Jobs, JobsConfig};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Fails its first `fail_first` calls, then records the payload's applicant in its transaction.
#[derive(Clone, Default)]
struct Kyc {
    calls: Arc<AtomicUsize>,
    fail_first: usize,
}

#[async_trait::async_trait]
impl InboxHandler for Kyc {
    fn source(&self) -> &'static str {
        "sumsub"
    }
    async fn handle(&self, op: &mut DbOp, event: &InboxEvent) -> Result<(), HandlerError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if call <= self.fail_first {
            return Err(format!("provider lookup failed (call {call})").into());
        }
        let applicant = event.payload["applicantId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        sqlx::query("INSERT INTO kyc_effects (applicant) VALUES ($1)")
            .bind(applicant)
            .execute(op.conn())
            .await?;
        Ok(())
    }
}

async fn setup(handler: Kyc) -> (test_db::TestDb, Inbox, jobs::RunnerHandle) {
    let migrator = es::migrations::combine(&[&es::MIGRATOR, &jobs::MIGRATOR, &inbox::MIGRATOR])
        .await
        .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    sqlx::query("CREATE TABLE kyc_effects (applicant text NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    let config = JobsConfig {
        poll_interval_ms: 50,
        retry_base_ms: 50,
        ..JobsConfig::default()
    };
    let jobs = Jobs::new(db.pool.clone(), Clock::real(), config);
    let inbox = Inbox::new(db.pool.clone(), Clock::real(), jobs.clone());
    inbox.register(handler);
    let runner = jobs.start_runner();
    (db, inbox, runner)
}

async fn wait_for(inbox: &Inbox, id: inbox::InboxEventId, status: InboxStatus) -> InboxEvent {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let event = inbox.find(id).await.unwrap();
        if event.status == status {
            return event;
        }
        assert!(
            Instant::now() < deadline,
            "event stuck in {:?}",
            event.status
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_is_stored_once_and_processed_once() {
    let kyc = Kyc::default();
    let (db, inbox, runner) = setup(kyc.clone()).await;
    let payload = serde_json::json!({ "type": "applicantReviewed", "applicantId": "app-1" });
    let Received::New(id) = inbox
        .receive("sumsub", "app-1:reviewed", payload.clone())
        .await
        .unwrap()
    else {
        panic!("first delivery was not new");
    };
    let again = inbox
        .receive("sumsub", "app-1:reviewed", payload.clone())
        .await
        .unwrap();
    assert_eq!(again, Received::Duplicate(id));
    // The same key from another source is another event.
    assert!(matches!(
        inbox
            .receive("bitgo", "app-1:reviewed", payload)
            .await
            .unwrap(),
        Received::New(_)
    ));

    let event = wait_for(&inbox, id, InboxStatus::Completed).await;
    assert_eq!((event.attempts, event.error), (1, None));
    assert!(event.processed_at.is_some());
    tokio::time::sleep(Duration::from_millis(200)).await;
    runner.shutdown().await;
    assert_eq!(kyc.calls.load(Ordering::SeqCst), 1);
    let effects: i64 = sqlx::query_scalar("SELECT count(*) FROM kyc_effects")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(effects, 1);
    let rows: i64 = sqlx::query_scalar("SELECT count(*) FROM inbox_events WHERE source = 'sumsub'")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(rows, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failure_is_kept_with_its_error_and_retried() {
    let kyc = Kyc {
        fail_first: 2,
        ..Kyc::default()
    };
    let (db, inbox, runner) = setup(kyc.clone()).await;
    let Received::New(id) = inbox
        .receive(
            "sumsub",
            "app-2:reviewed",
            serde_json::json!({ "applicantId": "app-2" }),
        )
        .await
        .unwrap()
    else {
        panic!("not new");
    };
    let failed = wait_for(&inbox, id, InboxStatus::Failed).await;
    assert!(failed.error.unwrap().starts_with("provider lookup failed"));
    let done = wait_for(&inbox, id, InboxStatus::Completed).await;
    runner.shutdown().await;
    assert_eq!(done.attempts, 3);
    assert_eq!(done.error, None);
    let effects: i64 = sqlx::query_scalar("SELECT count(*) FROM kyc_effects")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(effects, 1, "failed attempts left effects behind");
}
