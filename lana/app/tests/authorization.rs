//! The predefined roles against the bank's actions: what each may and may not do.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use authz::{Actor, Subject};
use clock::Clock;
use es::DbOp;
use lana_app::authorization::{ACCOUNTANT, ADMIN, BANK_MANAGER, CUSTOMER, SUPERUSER};
use lana_app::{AppConfig, LanaApp};

/// (object, action) and, per role in the order superuser, admin, bank-manager, accountant,
/// customer, whether it is allowed.
const MATRIX: &[(&str, &str, [bool; 5])] = &[
    (
        "access/user",
        "access:write",
        [true, true, false, false, false],
    ),
    (
        "access/user",
        "access:read",
        [true, true, true, false, false],
    ),
    ("audit/log", "audit:read", [true, true, true, false, false]),
    (
        "customer/c-1",
        "customer:write",
        [true, true, true, false, false],
    ),
    (
        "customer/c-1",
        "customer:read",
        [true, true, true, true, false],
    ),
    (
        "deposit/d-1",
        "deposit:write",
        [true, true, true, false, false],
    ),
    (
        "deposit/d-1",
        "deposit:read",
        [true, true, true, true, false],
    ),
    (
        "deposit/account",
        "deposit:read",
        [true, true, true, true, true],
    ),
    (
        "deposit/account",
        "deposit:write",
        [true, true, true, false, false],
    ),
    (
        "governance/committee",
        "governance:write",
        [true, true, true, false, false],
    ),
    (
        "credit/f-1",
        "credit:write",
        [true, true, true, false, false],
    ),
    ("credit/f-1", "credit:read", [true, true, true, true, false]),
    (
        "accounting/chart",
        "accounting:write",
        [true, true, false, true, false],
    ),
    (
        "accounting/chart",
        "accounting:read",
        [true, true, true, true, false],
    ),
    (
        "config/domain",
        "config:write",
        [true, true, false, false, false],
    ),
    (
        "config/domain",
        "config:read",
        [true, true, true, false, false],
    ),
    ("time/clock", "time:read", [true, true, true, true, false]),
    (
        "price/btc-usd",
        "price:read",
        [true, true, true, true, true],
    ),
    (
        "price/provider",
        "price:read",
        [true, true, true, true, false],
    ),
    (
        "price/provider",
        "price:manage",
        [true, true, false, false, false],
    ),
    (
        "time/clock",
        "time:advance",
        [true, false, false, false, false],
    ),
    (
        "system/shutdown",
        "system:write",
        [true, false, false, false, false],
    ),
];

#[tokio::test]
async fn each_predefined_role_is_allowed_exactly_what_it_declares() {
    let db = test_db::TestDb::new(&es::migrations::combine(&[]).await.unwrap()).await;
    let config = AppConfig::for_database(db.url());
    let app = LanaApp::init(&config, Clock::real()).await.unwrap();
    // Seeding again (a restart) changes nothing.
    let again = LanaApp::init(&config, Clock::real()).await.unwrap();
    assert_eq!(app.authz().roles(), again.authz().roles());

    let staff_roles = [SUPERUSER, ADMIN, BANK_MANAGER, ACCOUNTANT];
    let mut subjects = Vec::new();
    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    for role in staff_roles {
        let subject = Subject::User(uuid::Uuid::now_v7());
        app.authz()
            .assign_role_in_op(&mut op, &subject, role)
            .await
            .unwrap();
        subjects.push(subject);
    }
    op.commit().await.unwrap();
    app.authz().reload().await.unwrap();
    // Customers have the customer role without any assignment.
    subjects.push(Subject::Customer(uuid::Uuid::now_v7()));
    let roles = [SUPERUSER, ADMIN, BANK_MANAGER, ACCOUNTANT, CUSTOMER];

    let mut wrong = Vec::new();
    for (object, action, expected) in MATRIX {
        for ((role, subject), allowed) in roles.iter().zip(&subjects).zip(expected) {
            let checked = app.authz().check(subject, object, action);
            let enforced = app
                .authz()
                .enforce(&Actor::new(subject.clone(), "matrix"), object, action)
                .await
                .is_ok();
            if checked != *allowed || enforced != *allowed {
                wrong.push(format!("{role} {action} on {object}: expected {allowed}, check {checked}, enforce {enforced}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every enforce left an audit entry, allowed or not, under the request's correlation id.
    let entries: i64 =
        sqlx::query_scalar("SELECT count(*) FROM audit_entries WHERE correlation_id = 'matrix'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(entries as usize, MATRIX.len() * roles.len());
    let denied: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_entries WHERE correlation_id = 'matrix' AND NOT authorized",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    let expected_denied = MATRIX
        .iter()
        .flat_map(|(_, _, e)| e)
        .filter(|a| !**a)
        .count();
    assert_eq!(denied as usize, expected_denied);
}
