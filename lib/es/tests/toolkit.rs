//! The entity toolkit against a real PostgreSQL: one fresh database per test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use chrono::{Duration, TimeZone, Utc};
use clock::Clock;
use common::{Account, AccountId, AccountRepo, test_db};
use es::{
    EsEntity, EsRepoError, EventContext, ListOrder, ListQuery, RetryPolicy, RowLock,
    retry_conflicts,
};
use std::collections::HashSet;
use std::sync::Arc;
use tokio::sync::Barrier;

fn manual_clock() -> (Clock, clock::ManualClock) {
    Clock::manual(Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap())
}

async fn count_events(repo: &AccountRepo, id: AccountId) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM test_account_events WHERE id = $1")
        .bind(uuid::Uuid::from(id))
        .fetch_one(repo.pool())
        .await
        .unwrap()
}

/// A database, a repository on the real clock and one account in it.
async fn one_account(name: &str) -> (test_db::TestDb, AccountRepo, AccountId) {
    let db = test_db().await;
    let repo = AccountRepo::new(db.pool.clone(), Clock::real());
    let id = repo
        .create(Account::new_events(name, "a@example.com"))
        .await
        .unwrap()
        .id();
    (db, repo, id)
}

/// A whole use case: begin, load, decide, persist, commit.
async fn rename_use_case(repo: &AccountRepo, id: AccountId, name: &str) -> Result<(), EsRepoError> {
    let mut op = repo.begin_op().await?;
    let mut account = repo.find_by_id_in_op(&mut op, id).await?;
    let _ = account.rename(name);
    repo.update_in_op(&mut op, &mut account).await?;
    op.commit().await?;
    Ok(())
}

#[tokio::test]
async fn an_entity_is_rebuilt_from_its_events_with_context() {
    let db = test_db().await;
    let (clock, control) = manual_clock();
    let repo = AccountRepo::new(db.pool.clone(), clock.clone());

    let mut op = repo.begin_op().await.unwrap();
    op.set_context(EventContext {
        subject: Some("user:alice".into()),
        audit_entry_id: Some(42),
        correlation_id: Some("req-1".into()),
    });
    let mut account = repo
        .create_in_op(&mut op, Account::new_events("Main", "a@example.com"))
        .await
        .unwrap();
    op.commit().await.unwrap();

    control.advance(Duration::hours(1)).unwrap();
    assert!(account.rename("Savings").did_execute());
    assert!(account.freeze().did_execute());
    assert_eq!(repo.update(&mut account).await.unwrap(), 2);

    let loaded = repo.find_by_id(account.id()).await.unwrap();
    assert_eq!((loaded.name.as_str(), loaded.frozen), ("Savings", true));
    let persisted = loaded.events().persisted();
    assert_eq!(persisted.len(), 3);
    assert_eq!(persisted[0].context.subject.as_deref(), Some("user:alice"));
    assert_eq!(persisted[0].context.audit_entry_id, Some(42));
    assert_eq!(
        persisted[0].recorded_at,
        Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0).unwrap()
    );
    assert_eq!(
        persisted[2].recorded_at,
        Utc.with_ymd_and_hms(2026, 3, 1, 10, 0, 0).unwrap()
    );
    assert_eq!(persisted[1].context, EventContext::default());

    let (event_type, name): (String, String) = sqlx::query_as(
        "SELECT event_type, event->>'name' FROM test_account_events WHERE id = $1 AND sequence = 2",
    )
    .bind(uuid::Uuid::from(account.id()))
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!((event_type.as_str(), name.as_str()), ("renamed", "Savings"));

    // The index table follows the events.
    let found = repo.find_one_by("name", "Savings").await.unwrap().unwrap();
    assert_eq!(found.id(), account.id());
    assert!(repo.find_one_by("name", "Main").await.unwrap().is_none());
}

#[tokio::test]
async fn missing_entities_and_unknown_columns_are_typed_errors() {
    let db = test_db().await;
    let repo = AccountRepo::new(db.pool.clone(), Clock::real());
    let missing = AccountId::new();
    assert!(matches!(
        repo.find_by_id(missing).await,
        Err(EsRepoError::NotFound { .. })
    ));
    assert!(repo.maybe_find_by_id(missing).await.unwrap().is_none());
    assert!(matches!(
        repo.find_one_by("nickname", "x").await,
        Err(EsRepoError::UnknownColumn {
            column: "nickname",
            ..
        })
    ));
}

#[tokio::test]
async fn a_rolled_back_creation_leaves_nothing() {
    let db = test_db().await;
    let repo = AccountRepo::new(db.pool.clone(), Clock::real());
    let mut op = repo.begin_op().await.unwrap();
    let account = repo
        .create_in_op(&mut op, Account::new_events("Temp", "t@example.com"))
        .await
        .unwrap();
    op.rollback().await.unwrap();
    assert!(repo.maybe_find_by_id(account.id()).await.unwrap().is_none());
    assert_eq!(count_events(&repo, account.id()).await, 0);
}

#[tokio::test]
async fn a_business_unique_constraint_is_reported_by_name() {
    let db = test_db().await;
    let repo = AccountRepo::new(db.pool.clone(), Clock::real());
    repo.create(Account::new_events("One", "same@example.com"))
        .await
        .unwrap();
    let err = repo
        .create(Account::new_events("Two", "same@example.com"))
        .await
        .unwrap_err();
    match err {
        EsRepoError::UniqueViolation { constraint, .. } => {
            assert_eq!(constraint, "test_accounts_email_key")
        }
        other => panic!("expected a unique violation, got {other:?}"),
    }
}

#[tokio::test]
async fn a_command_applied_twice_appends_one_event() {
    let (_db, repo, id) = one_account("Main").await;

    let mut first = repo.find_by_id(id).await.unwrap();
    assert!(first.freeze().did_execute());
    assert_eq!(repo.update(&mut first).await.unwrap(), 1);

    // The same command again, on a freshly loaded entity: the history says it is done.
    let mut again = repo.find_by_id(id).await.unwrap();
    assert!(again.freeze().was_already_applied());
    assert_eq!(repo.update(&mut again).await.unwrap(), 0);
    assert_eq!(count_events(&repo, id).await, 2);

    // After an unfreeze, freezing is a new command.
    assert!(again.unfreeze().did_execute());
    assert!(again.freeze().did_execute());
    assert_eq!(repo.update(&mut again).await.unwrap(), 2);
    assert_eq!(count_events(&repo, id).await, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lock_that_had_to_wait_reads_what_the_holder_committed() {
    let (_db, repo, id) = one_account("Main").await;
    // The holder locks the account and freezes it; the waiter asks for a share lock meanwhile.
    let mut holder = repo.begin_op().await.unwrap();
    let mut account = repo
        .lock_in_op(&mut holder, id, RowLock::Update)
        .await
        .unwrap();
    assert!(account.freeze().did_execute());
    repo.update_in_op(&mut holder, &mut account).await.unwrap();
    let waiter = {
        let repo = repo.clone();
        tokio::spawn(async move {
            let mut op = repo.begin_op().await.unwrap();
            let seen = repo.lock_in_op(&mut op, id, RowLock::Share).await.unwrap();
            op.commit().await.unwrap();
            seen
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!waiter.is_finished(), "the share lock waits for the holder");
    holder.commit().await.unwrap();
    // Locked after the freeze committed: it sees the freeze.
    assert!(waiter.await.unwrap().frozen);
}

#[tokio::test]
async fn two_writers_from_the_same_version_one_wins_and_the_retry_succeeds() {
    let (_db, repo, id) = one_account("Main").await;

    // Both writers load version 1, then write at the same moment.
    let barrier = Arc::new(Barrier::new(2));
    let writers = ["Left", "Right"].map(|name| {
        let (repo, barrier) = (repo.clone(), barrier.clone());
        tokio::spawn(async move {
            let mut account = repo.find_by_id(id).await.unwrap();
            assert_eq!(account.events().version(), 1);
            let _ = account.rename(name);
            let mut op = repo.begin_op().await.unwrap();
            barrier.wait().await;
            let result = repo.update_in_op(&mut op, &mut account).await;
            if result.is_ok() {
                op.commit().await.unwrap();
            }
            (name, result, account)
        })
    });
    let mut results = Vec::new();
    for writer in writers {
        results.push(writer.await.unwrap());
    }
    let winners: Vec<_> = results.iter().filter(|(_, r, _)| r.is_ok()).collect();
    assert_eq!(winners.len(), 1, "exactly one writer wins");
    let (loser_name, loser_result, loser) = results.iter().find(|(_, r, _)| r.is_err()).unwrap();
    assert!(matches!(
        loser_result,
        Err(EsRepoError::ConcurrentModification { id: conflict, .. }) if *conflict == uuid::Uuid::from(id)
    ));
    // The losing entity still holds its undecided event; nothing of it was written.
    assert_eq!(loser.events().new_events().len(), 1);
    assert_eq!(count_events(&repo, id).await, 2);

    // The retry helper re-runs the whole use case (load, decide, persist) and succeeds.
    let attempts = std::sync::atomic::AtomicU32::new(0);
    retry_conflicts(RetryPolicy::default(), || async {
        attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        rename_use_case(&repo, id, loser_name).await
    })
    .await
    .unwrap();
    assert_eq!(attempts.into_inner(), 1);
    let account = repo.find_by_id(id).await.unwrap();
    assert_eq!(account.name, *loser_name);
    assert_eq!(account.events().version(), 3);
}

#[tokio::test]
async fn many_concurrent_use_cases_all_land_through_retries() {
    let (_db, repo, id) = one_account("n0").await;
    let writers = 8;
    let policy = RetryPolicy {
        max_attempts: 4 * writers,
        ..RetryPolicy::default()
    };
    let barrier = Arc::new(Barrier::new(writers as usize));
    let handles: Vec<_> = (0..writers)
        .map(|i| {
            let (repo, barrier) = (repo.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let name = format!("writer-{i}");
                retry_conflicts(policy, || rename_use_case(&repo, id, &name)).await
            })
        })
        .collect();
    for handle in handles {
        handle.await.unwrap().unwrap();
    }
    let account = repo.find_by_id(id).await.unwrap();
    assert_eq!(account.events().version(), 1 + writers as i32);
    let sequences: Vec<i32> = account
        .events()
        .persisted()
        .iter()
        .map(|p| p.sequence)
        .collect();
    assert_eq!(sequences, (1..=1 + writers as i32).collect::<Vec<_>>());
}

#[tokio::test]
async fn the_events_table_refuses_update_delete_truncate_and_gaps() {
    let (db, repo, id) = one_account("Main").await;
    let raw_id = uuid::Uuid::from(id);

    for statement in [
        "UPDATE test_account_events SET event = '{\"type\":\"frozen\"}' WHERE id = $1",
        "DELETE FROM test_account_events WHERE id = $1",
    ] {
        let err = sqlx::query(statement)
            .bind(raw_id)
            .execute(&db.pool)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
    let err = sqlx::query("TRUNCATE test_account_events")
        .execute(&db.pool)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");

    let err = sqlx::query(
        "INSERT INTO test_account_events (id, sequence, event_type, event, recorded_at) \
         VALUES ($1, 3, 'frozen', '{\"type\":\"frozen\"}', now())",
    )
    .bind(raw_id)
    .execute(&db.pool)
    .await
    .unwrap_err();
    assert!(err.to_string().contains("gap"), "{err}");
    assert_eq!(count_events(&repo, id).await, 1);
}

#[tokio::test]
async fn paging_through_1000_entities_by_7_sees_each_once() {
    let db = test_db().await;
    let (clock, control) = manual_clock();
    let repo = AccountRepo::new(db.pool.clone(), clock);

    // Several entities share each created_at, so the id tie-break is exercised.
    let mut created = Vec::new();
    let mut op = repo.begin_op().await.unwrap();
    for i in 0..1000 {
        if i % 10 == 0 {
            op.commit().await.unwrap();
            control.advance(Duration::seconds(1)).unwrap();
            op = repo.begin_op().await.unwrap();
        }
        let account = repo
            .create_in_op(
                &mut op,
                Account::new_events(&format!("acct-{:04}", 999 - i), &format!("{i}@example.com")),
            )
            .await
            .unwrap();
        created.push((i / 10, uuid::Uuid::from(account.id())));
    }
    op.commit().await.unwrap();

    for (order, descending) in [
        (ListOrder::CreatedAt, false),
        (ListOrder::CreatedAt, true),
        (ListOrder::Column("name"), false),
    ] {
        let mut seen = Vec::new();
        let mut after = None;
        let mut pages = 0;
        loop {
            let page = repo
                .list(ListQuery::first(7).order_by(order, descending).after(after))
                .await
                .unwrap();
            pages += 1;
            assert!(page.entities.len() <= 7);
            seen.extend(page.entities.iter().map(|a| uuid::Uuid::from(a.id())));
            if !page.has_next_page {
                break;
            }
            // The cursor travels as an opaque string, as it would through the API.
            after = Some(page.end_cursor.unwrap().encode().parse().unwrap());
        }
        assert_eq!(pages, 143, "{order:?}");
        assert_eq!(seen.len(), 1000);
        assert_eq!(
            seen.iter().collect::<HashSet<_>>().len(),
            1000,
            "each exactly once"
        );
        let mut expected = created.clone();
        match (order, descending) {
            // Ten entities share each second; within it the id decides.
            (ListOrder::CreatedAt, false) => expected.sort(),
            (ListOrder::CreatedAt, true) => expected.sort_by(|a, b| b.cmp(a)),
            // Names count down as entities are created.
            _ => expected.reverse(),
        }
        let expected: Vec<_> = expected.into_iter().map(|(_, id)| id).collect();
        assert_eq!(seen, expected, "{order:?} descending={descending}");
    }

    // A filtered list.
    let frozen = repo
        .list(ListQuery::first(100).filter("frozen", true))
        .await
        .unwrap();
    assert!(frozen.entities.is_empty() && !frozen.has_next_page && frozen.end_cursor.is_none());
}

#[tokio::test]
async fn page_size_and_cursor_are_validated() {
    let db = test_db().await;
    let repo = AccountRepo::new(db.pool.clone(), Clock::real());
    repo.create(Account::new_events("Main", "a@example.com"))
        .await
        .unwrap();
    for first in [0, 101, 100_000] {
        assert!(matches!(
            repo.list(ListQuery::first(first)).await,
            Err(EsRepoError::InvalidPageSize { max: 100, .. })
        ));
    }
    assert!(matches!(
        "garbage".parse::<es::Cursor>(),
        Err(EsRepoError::InvalidCursor)
    ));
    // A cursor from a created_at list does not fit a list ordered by name.
    let page = repo.list(ListQuery::first(1)).await.unwrap();
    let cursor = page.end_cursor.unwrap();
    assert!(matches!(
        repo.list(
            ListQuery::first(1)
                .order_by(ListOrder::Column("name"), false)
                .after(Some(cursor))
        )
        .await,
        Err(EsRepoError::InvalidCursor)
    ));
    assert!(matches!(
        repo.list(ListQuery::first(1).order_by(ListOrder::Column("nickname"), false))
            .await,
        Err(EsRepoError::UnknownColumn { .. })
    ));
}

#[tokio::test]
async fn a_batch_is_created_and_updated_together_and_a_conflict_leaves_every_new_event_in_place() {
    let db = test_db().await;
    let repo = AccountRepo::new(db.pool.clone(), Clock::real());
    let names = ["Ada", "Bea", "Cy"];
    let mut op = repo.begin_op().await.unwrap();
    let created = repo
        .create_all_in_op(
            &mut op,
            names
                .iter()
                .map(|n| Account::new_events(n, &format!("{n}@example.com")))
                .collect(),
        )
        .await
        .unwrap();
    op.commit().await.unwrap();
    assert_eq!(
        created.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        names
    );
    for account in &created {
        // index row and events both written
        let found = repo
            .find_one_by("name", account.name.as_str())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.id(), account.id());
        assert_eq!(found.events().version(), 1);
    }

    // Read back in the order asked, an unknown id skipped.
    let ids: Vec<uuid::Uuid> = [
        created[2].id(),
        AccountId::new(),
        created[0].id(),
        created[1].id(),
    ]
    .into_iter()
    .map(uuid::Uuid::from)
    .collect();
    let mut op = repo.begin_op().await.unwrap();
    let mut batch = repo.find_all_in_op(&mut op, &ids).await.unwrap();
    assert_eq!(
        batch.iter().map(|a| a.name.as_str()).collect::<Vec<_>>(),
        ["Cy", "Ada", "Bea"]
    );

    // Two of the three change: their events and index rows are written, the third is left alone.
    let _ = batch[0].rename("Cyd");
    let _ = batch[2].freeze();
    assert_eq!(repo.update_all_in_op(&mut op, &mut batch).await.unwrap(), 2);
    op.commit().await.unwrap();
    assert!(batch.iter().all(|a| !a.events().has_new_events()));
    let rows: Vec<(String, bool)> =
        sqlx::query_as("SELECT name, frozen FROM test_accounts ORDER BY name")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    assert_eq!(
        rows,
        [
            ("Ada".into(), false),
            ("Bea".into(), true),
            ("Cyd".into(), false)
        ]
    );
    assert_eq!(count_events(&repo, created[0].id()).await, 1);
    assert_eq!(count_events(&repo, created[1].id()).await, 2);
    assert_eq!(count_events(&repo, created[2].id()).await, 2);

    // A stale batch: another writer appended to one of its entities first. Nothing of the batch
    // is written, the conflict names an entity of it, and each entity keeps its new event.
    let mut stale = repo
        .find_all_in_op(&mut repo.begin_op().await.unwrap(), &ids)
        .await
        .unwrap();
    rename_use_case(&repo, created[0].id(), "Ava")
        .await
        .unwrap();
    for (account, name) in stale.iter_mut().zip(["X", "Y", "Z"]) {
        let _ = account.rename(name);
    }
    let mut op = repo.begin_op().await.unwrap();
    let result = repo.update_all_in_op(&mut op, &mut stale).await;
    assert!(matches!(
        result,
        Err(EsRepoError::ConcurrentModification { id, .. })
            if ids.contains(&id)
    ));
    op.rollback().await.unwrap();
    assert!(stale.iter().all(|a| a.events().new_events().len() == 1));
    assert_eq!(count_events(&repo, created[0].id()).await, 2);
    assert_eq!(count_events(&repo, created[1].id()).await, 2);
    assert_eq!(count_events(&repo, created[2].id()).await, 2);
}

/// Whether `notified` resolves within `millis`.
async fn wakes(listener: &mut Option<sqlx::postgres::PgListener>, millis: u64) -> bool {
    let wait = std::time::Duration::from_millis(millis);
    tokio::time::timeout(wait, es::notify::notified(listener))
        .await
        .is_ok()
}

#[tokio::test]
async fn one_wake_up_takes_every_notification_that_arrived_meanwhile() {
    let db = test_db().await;
    let mut listener = es::notify::listen(&db.pool, "es_test_burst").await;
    assert!(listener.is_some(), "LISTEN on a fresh database");
    let notify = async |sql: &str| sqlx::query(sql).execute(&db.pool).await.unwrap();
    // Fifty notifications arrive while nobody waits (distinct payloads: PostgreSQL folds equal
    // ones of one transaction).
    notify("SELECT pg_notify('es_test_burst', n::text) FROM generate_series(1, 50) AS n").await;
    assert!(
        wakes(&mut listener, 5_000).await,
        "the burst wakes the waiter"
    );
    assert!(
        !wakes(&mut listener, 300).await,
        "the first wake-up consumed the whole burst"
    );
    // And the next notification still wakes it.
    notify("SELECT pg_notify('es_test_burst', 'later')").await;
    assert!(wakes(&mut listener, 5_000).await, "a later one wakes it");
}
