#![allow(clippy::unwrap_used)]

use clock::Clock;
use es::DbOp;
use idempotency::{Claim, IdempotencyError, IdempotencyKey, claim_in_op};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

async fn db() -> test_db::TestDb {
    test_db::TestDb::new(&idempotency::MIGRATOR).await
}

/// One use case: claim with the id the effect will have, "do" the effect (a row in a table),
/// commit.
async fn run(pool: &sqlx::PgPool, key: &str, amount: i64) -> Result<(i64, bool), IdempotencyError> {
    let clock = Clock::real();
    let key = IdempotencyKey::parse(key)?;
    let mut op = DbOp::init(pool, &clock).await?;
    let id: i64 = sqlx::query_scalar("SELECT nextval('effects_id_seq')")
        .fetch_one(op.conn())
        .await?;
    match claim_in_op::<i64>(&mut op, "deposit.record", &key, &amount, &id).await? {
        Claim::Replay(id) => Ok((id, true)),
        Claim::New => {
            sqlx::query("INSERT INTO effects (id, amount) VALUES ($1, $2)")
                .bind(id)
                .bind(amount)
                .execute(op.conn())
                .await?;
            op.commit().await?;
            Ok((id, false))
        }
    }
}

async fn with_effects() -> test_db::TestDb {
    let db = db().await;
    sqlx::query("CREATE TABLE effects (id bigserial PRIMARY KEY, amount bigint NOT NULL)")
        .execute(&db.pool)
        .await
        .unwrap();
    db
}

#[tokio::test]
async fn fifty_concurrent_uses_of_one_key_make_one_effect() {
    let db = with_effects().await;
    let pool = db.second_pool(60).await;
    let replays = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let (pool, replays) = (pool.clone(), replays.clone());
            tokio::spawn(async move {
                let (id, replay) = run(&pool, "key-1", 100).await.unwrap();
                if replay {
                    replays.fetch_add(1, Ordering::Relaxed);
                }
                id
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    ids.dedup();
    assert_eq!(ids.len(), 1, "every caller got the same result");
    assert_eq!(replays.load(Ordering::Relaxed), 49);
    let effects: i64 = sqlx::query_scalar("SELECT count(*) FROM effects")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(effects, 1);
}

#[tokio::test]
async fn the_same_key_with_another_request_is_refused() {
    let db = with_effects().await;
    run(&db.pool, "key-2", 100).await.unwrap();
    let err = run(&db.pool, "key-2", 101).await.unwrap_err();
    assert!(matches!(err, IdempotencyError::KeyReused { .. }), "{err}");
    // other keys and the original request are unaffected
    assert!(run(&db.pool, "key-2", 100).await.unwrap().1);
    assert!(!run(&db.pool, "key-3", 101).await.unwrap().1);
}

#[tokio::test]
async fn a_rolled_back_use_case_leaves_the_key_free() {
    let db = with_effects().await;
    let key = IdempotencyKey::parse("key-4").unwrap();
    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    assert_eq!(
        claim_in_op::<i64>(&mut op, "s", &key, &1, &10)
            .await
            .unwrap(),
        Claim::New
    );
    op.rollback().await.unwrap();
    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    assert_eq!(
        claim_in_op::<i64>(&mut op, "s", &key, &2, &20)
            .await
            .unwrap(),
        Claim::New
    );
    op.commit().await.unwrap();
    // the result claimed with the key is what a replay returns
    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    assert_eq!(
        claim_in_op::<i64>(&mut op, "s", &key, &2, &30)
            .await
            .unwrap(),
        Claim::Replay(20)
    );
}

#[test]
fn keys_are_checked() {
    assert!(IdempotencyKey::parse("").is_err());
    assert!(IdempotencyKey::parse("has space").is_err());
    assert!(IdempotencyKey::parse(&"k".repeat(256)).is_err());
    assert!(IdempotencyKey::parse(&"k".repeat(255)).is_ok());
    assert!(IdempotencyKey::parse("9f1c-4a7e_ok").is_ok());
}

#[tokio::test]
async fn keys_older_than_the_retention_are_forgotten_and_their_next_use_is_a_new_request() {
    let db = db().await;
    let (clock, manual) = Clock::manual("2027-03-01T09:00:00Z".parse().unwrap());
    // whether the claim replayed an earlier request
    let replayed = async |key: &str, amount: i64| -> bool {
        let mut op = DbOp::init(&db.pool, &clock).await.unwrap();
        let key = IdempotencyKey::parse(key).unwrap();
        let claim = claim_in_op::<i64>(&mut op, "deposit.record", &key, &amount, &amount)
            .await
            .unwrap();
        op.commit().await.unwrap();
        matches!(claim, Claim::Replay(_))
    };
    assert!(!replayed("old", 1).await);
    manual.advance(chrono::Duration::days(8)).unwrap();
    assert!(!replayed("young", 2).await);
    assert!(replayed("old", 1).await, "remembered until pruned");

    let week_ago = manual.now() - chrono::Duration::days(7);
    assert_eq!(idempotency::prune(&db.pool, week_ago).await.unwrap(), 1);
    assert!(
        !replayed("old", 1).await,
        "a forgotten key is a new request"
    );
    assert!(
        replayed("young", 2).await,
        "a younger key is still honoured"
    );
    assert_eq!(idempotency::prune(&db.pool, week_ago).await.unwrap(), 0);
}
