//! The inbox against a real PostgreSQL, processed by a real job runner.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use clock::Clock;
use es::DbOp;
use inbox::{Handled, HandlerError, Inbox, InboxEvent, InboxHandler, InboxStatus, Received};
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
    async fn handle(&self, op: &mut DbOp, event: &InboxEvent) -> Result<Handled, HandlerError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        if call <= self.fail_first {
            return Err(format!("provider lookup failed (call {call})").into());
        }
        if event.payload.get("applicantId").is_none() {
            return Ok(Handled::Ignored("no applicant".into()));
        }
        let applicant = event.payload["applicantId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        sqlx::query("INSERT INTO kyc_effects (applicant) VALUES ($1)")
            .bind(applicant)
            .execute(op.conn())
            .await?;
        Ok(Handled::Applied)
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ignored_and_rejected_deliveries_are_kept_with_their_reason_and_listed_by_subject() {
    let kyc = Kyc::default();
    let (_db, inbox, runner) = setup(kyc.clone()).await;
    let Received::New(ignored) = inbox
        .receive(
            "sumsub",
            "subject-a:1",
            serde_json::json!({ "type": "other" }),
        )
        .await
        .unwrap()
    else {
        panic!("not new");
    };
    let event = wait_for(&inbox, ignored, InboxStatus::Ignored).await;
    assert_eq!(event.error.as_deref(), Some("no applicant"));
    let rejected = inbox
        .record_rejected(
            "sumsub",
            "subject-a:rejected:1",
            serde_json::json!({ "body": "tampered" }),
            "bad signature",
        )
        .await
        .unwrap();
    let event = inbox.find(rejected).await.unwrap();
    assert_eq!(event.status, InboxStatus::Rejected);
    assert_eq!(event.error.as_deref(), Some("bad signature"));
    inbox
        .receive(
            "sumsub",
            "subject-b:1",
            serde_json::json!({ "applicantId": "b" }),
        )
        .await
        .unwrap();
    // a prefix with LIKE's wildcards matches itself only
    inbox
        .receive(
            "sumsub",
            "subjectXa:1",
            serde_json::json!({ "applicantId": "x" }),
        )
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    runner.shutdown().await;

    let listed = inbox.list("sumsub", "subject-a:", 10, None).await.unwrap();
    let ids: Vec<_> = listed.iter().map(|e| e.id).collect();
    assert_eq!(ids, vec![rejected, ignored], "newest first, subject a only");
    let page = inbox.list("sumsub", "subject-a:", 1, None).await.unwrap();
    let rest = inbox
        .list(
            "sumsub",
            "subject-a:",
            10,
            Some((page[0].received_at, page[0].id)),
        )
        .await
        .unwrap();
    assert_eq!(rest.iter().map(|e| e.id).collect::<Vec<_>>(), vec![ignored]);
    assert!(
        inbox
            .list("sumsub", "subject_a:", 10, None)
            .await
            .unwrap()
            .is_empty()
    );
    // the processing job never ran for the rejected one
    assert_eq!(kyc.calls.load(Ordering::SeqCst), 3);
}
