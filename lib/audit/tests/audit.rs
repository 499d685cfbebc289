//! The audit log against a real PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use audit::{Audit, AuditFilter, Mismatch, NewAuditEntry, ReadAudits};
use chrono::{Duration, TimeZone, Utc};
use clock::Clock;
use es::DbOp;

async fn setup() -> (test_db::TestDb, Audit) {
    let migrator = es::migrations::combine(&[&es::MIGRATOR, &jobs::MIGRATOR, &audit::MIGRATOR])
        .await
        .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    let audit = Audit::new(db.pool.clone(), Clock::real());
    (db, audit)
}

fn entry(subject: &str, object: &str, action: &str, authorized: bool) -> NewAuditEntry {
    NewAuditEntry {
        subject: subject.into(),
        object: object.into(),
        action: action.into(),
        authorized,
        correlation_id: Some(format!("corr-{subject}-{action}")),
    }
}

/// Verifies once every committed entry is chained. The horizon is cluster-wide, so transactions of
/// other tests running at the same time can hold sealing back for a moment.
async fn verify_all(audit: &Audit) -> audit::VerifyReport {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let report = audit.verify().await.unwrap();
        if report.unsealed == 0 || report.first_mismatch.is_some() {
            return report;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "entries never got chained: {report:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}

async fn fill(audit: &Audit, n: usize) {
    for i in 0..n {
        audit
            .record(entry(
                &format!("user:{}", i % 3),
                "customer/*",
                "customer:read",
                i % 4 != 0,
            ))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn the_application_cannot_update_delete_or_truncate_the_log() {
    let (db, audit) = setup().await;
    fill(&audit, 3).await;
    assert_eq!(verify_all(&audit).await.checked, 3);
    for statement in [
        "UPDATE audit_entries SET authorized = true",
        "DELETE FROM audit_entries",
        "TRUNCATE audit_entries CASCADE",
        "UPDATE audit_chain SET hash = prev_hash",
        "DELETE FROM audit_chain",
        "TRUNCATE audit_chain",
    ] {
        let err = sqlx::query(statement).execute(&db.pool).await.unwrap_err();
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    assert!(audit.verify().await.unwrap().is_intact());
}

#[tokio::test]
async fn verify_names_the_first_row_altered_behind_the_applications_back() {
    let (db, audit) = setup().await;
    fill(&audit, 10).await;
    let report = verify_all(&audit).await;
    assert_eq!(
        (
            report.checked,
            report.unsealed,
            report.first_mismatch.clone()
        ),
        (10, 0, None)
    );

    // Someone with the power to switch triggers off rewrites history.
    let mut conn = db.pool.acquire().await.unwrap();
    sqlx::query("SET session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .unwrap();
    let (target,): (i64,) = sqlx::query_as("SELECT entry_id FROM audit_chain WHERE position = 4")
        .fetch_one(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_entries SET authorized = NOT authorized WHERE id = $1")
        .bind(target)
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_entries SET action = 'customer:write' WHERE id = (SELECT entry_id FROM audit_chain WHERE position = 7)")
        .execute(&mut *conn)
        .await
        .unwrap();
    let report = audit.verify().await.unwrap();
    assert_eq!(
        report.first_mismatch,
        Some(Mismatch::ContentChanged {
            position: 4,
            entry_id: target
        })
    );
    assert_eq!(report.checked, 3);

    // Restoring the row restores the first three; a deleted entry is named too.
    sqlx::query("UPDATE audit_entries SET authorized = NOT authorized WHERE id = $1")
        .bind(target)
        .execute(&mut *conn)
        .await
        .unwrap();
    sqlx::query("DELETE FROM audit_chain WHERE position = 7")
        .execute(&mut *conn)
        .await
        .unwrap();
    let report = audit.verify().await.unwrap();
    assert_eq!(
        report.first_mismatch,
        Some(Mismatch::PositionGap {
            expected: 7,
            found: 8
        })
    );
    sqlx::query("DELETE FROM audit_entries WHERE id = (SELECT entry_id FROM audit_chain WHERE position = 2)")
        .execute(&mut *conn)
        .await
        .unwrap();
    let report = audit.verify().await.unwrap();
    assert!(
        matches!(
            report.first_mismatch,
            Some(Mismatch::EntryMissing { position: 2, .. })
        ),
        "{report:?}"
    );
}

#[tokio::test]
async fn entries_of_running_transactions_are_chained_once_they_commit() {
    let (db, audit) = setup().await;
    let clock = Clock::real();
    let mut open = DbOp::init(&db.pool, &clock).await.unwrap();
    audit
        .record_in_op(
            &mut open,
            entry("user:slow", "deposit/*", "deposit:write", true),
        )
        .await
        .unwrap();
    fill(&audit, 2).await;
    // The open transaction holds the horizon back: nothing after it can be chained yet, and its own
    // entry is invisible.
    audit.seal().await.unwrap();
    let report = audit.verify().await.unwrap();
    assert!(report.is_intact());
    assert_eq!(report.checked, 0);
    open.commit().await.unwrap();
    let report = verify_all(&audit).await;
    assert_eq!((report.checked, report.unsealed), (3, 0));
    assert!(report.is_intact());
    // A rolled-back entry never appears.
    let mut rolled_back = DbOp::init(&db.pool, &clock).await.unwrap();
    audit
        .record_in_op(&mut rolled_back, entry("user:x", "y", "z", true))
        .await
        .unwrap();
    rolled_back.rollback().await.unwrap();
    let report = verify_all(&audit).await;
    assert_eq!(report.checked, 3);
}

#[tokio::test]
async fn search_filters_and_pages_newest_first() {
    let (db, _) = setup().await;
    let start = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
    let (clock, control) = Clock::manual(start);
    let audit = Audit::new(db.pool.clone(), clock);
    for i in 0..30 {
        audit
            .record(entry(
                &format!("user:{}", i % 3),
                &format!("customer/{i}"),
                "customer:read",
                i % 5 != 0,
            ))
            .await
            .unwrap();
        control.advance(Duration::minutes(1)).unwrap();
    }
    let denied = audit
        .search(
            &AuditFilter {
                authorized: Some(false),
                ..AuditFilter::default()
            },
            100,
            None,
        )
        .await
        .unwrap();
    assert_eq!(denied.entries.len(), 6);
    assert!(
        denied.entries.windows(2).all(|w| w[0].id > w[1].id),
        "newest first"
    );

    let filter = AuditFilter {
        subject: Some("user:1".into()),
        from: Some(start + Duration::minutes(10)),
        until: Some(start + Duration::minutes(25)),
        ..AuditFilter::default()
    };
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = audit.search(&filter, 2, after.as_deref()).await.unwrap();
        seen.extend(page.entries.iter().map(|e| e.object.clone()));
        if !page.has_next_page {
            break;
        }
        after = page.end_cursor;
    }
    assert_eq!(
        seen,
        [
            "customer/22",
            "customer/19",
            "customer/16",
            "customer/13",
            "customer/10"
        ]
    );

    assert!(matches!(
        audit.search(&filter, 0, None).await,
        Err(audit::AuditError::InvalidPageSize { .. })
    ));
    assert!(matches!(
        audit.search(&filter, 101, None).await,
        Err(audit::AuditError::InvalidPageSize { .. })
    ));
    assert!(matches!(
        audit.search(&filter, 5, Some("nope")).await,
        Err(audit::AuditError::InvalidCursor)
    ));
}

#[tokio::test]
async fn reads_are_written_in_batches_and_each_is_answered_with_its_own_entry() {
    for mode in [ReadAudits::Durable, ReadAudits::Asynchronous] {
        let (db, audit) = setup().await;
        let audit = audit.with_read_audits(mode);
        const READS: usize = 300;
        let mut reads = tokio::task::JoinSet::new();
        for i in 0..READS {
            let audit = audit.clone();
            // Some entries are alike (same subject, object, action and correlation id).
            let sent = NewAuditEntry {
                subject: format!("user:{}", i % 5),
                object: format!("customer/{}", i % 7),
                action: "customer:read".into(),
                authorized: true,
                correlation_id: (i % 3 != 0).then(|| format!("req-{}", i % 40)),
            };
            reads.spawn(async move { (audit.record_read(sent.clone()).await.unwrap(), sent) });
        }
        let answered = reads.join_all().await;
        let mut ids: Vec<i64> = answered.iter().map(|(id, _)| id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(
            ids.len(),
            READS,
            "{mode:?}: every read has an entry of its own"
        );
        for (id, sent) in &answered {
            let stored: (String, String, String, bool, Option<String>) = sqlx::query_as(
                "SELECT subject, object, action, authorized, correlation_id FROM audit_entries WHERE id = $1",
            )
            .bind(id.0)
            .fetch_one(&db.pool)
            .await
            .unwrap();
            assert_eq!(
                stored,
                (
                    sent.subject.clone(),
                    sent.object.clone(),
                    sent.action.clone(),
                    true,
                    sent.correlation_id.clone()
                ),
                "{mode:?}: entry {id} is what its reader sent"
            );
        }
        // Rows written by one statement share its transaction id.
        let (rows, transactions): (i64, i64) =
            sqlx::query_as("SELECT count(*), count(DISTINCT xmin::text) FROM audit_entries")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert_eq!(rows as usize, READS);
        assert!(
            (transactions as usize) < READS / 2,
            "{mode:?}: {READS} concurrent reads were written in {transactions} transactions"
        );
        let report = verify_all(&audit).await;
        assert_eq!((report.checked as usize, report.is_intact()), (READS, true));
    }
}
