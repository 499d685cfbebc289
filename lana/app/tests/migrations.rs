//! Migrations against a real, empty PostgreSQL database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use clock::Clock;
use lana_app::{AppConfig, DbConfig, LanaApp, migrate};

async fn empty_db() -> test_db::TestDb {
    test_db::TestDb::new(&es::migrations::combine(&[]).await.unwrap()).await
}

#[tokio::test]
async fn migrate_applies_everything_once() {
    let db = empty_db().await;
    let first = migrate(&db.pool).await.unwrap();
    let expected: Vec<i64> = lana_app::migrator()
        .await
        .unwrap()
        .iter()
        .map(|m| m.version)
        .collect();
    assert_eq!(
        first.iter().map(|m| m.version).collect::<Vec<_>>(),
        expected
    );
    assert!(!first.is_empty());
    // A second run finds nothing to do and reports the same history.
    assert_eq!(migrate(&db.pool).await.unwrap(), first);
    let functions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_proc WHERE proname IN ('es_create_events_table', 'es_make_append_only')",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(functions, 2);
}

#[tokio::test]
async fn the_app_reports_health_and_a_clear_error_when_the_database_is_unreachable() {
    let db = empty_db().await;
    let config = AppConfig::for_database(db.url());
    let app = LanaApp::init(&config, Clock::real()).await.unwrap();
    assert!(app.health().await.is_healthy());
    app.shutdown().await;
    assert!(!app.health().await.is_healthy());

    let unreachable = AppConfig {
        db: DbConfig {
            pg_con: "postgres://lana:hunter2@127.0.0.1:1/lana".into(),
            acquire_timeout_secs: 2,
            ..DbConfig::default()
        },
        ..AppConfig::default()
    };
    let err = LanaApp::init(&unreachable, Clock::real())
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(
        err.starts_with("cannot connect to PostgreSQL at postgres://lana:***@127.0.0.1:1/lana"),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
}
