//! Authorization against a real PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use audit::{Audit, AuditFilter};
use authz::{Actor, Authorization, AuthzError, PermissionSetDef, RoleDef, Subject};
use clock::Clock;
use es::{DbOp, EventContext};
use std::time::{Duration, Instant};
use uuid::Uuid;

const SETS: &[PermissionSetDef] = &[
    PermissionSetDef {
        name: "customer-viewer",
        description: "Read customers",
        permissions: &[("customer/*", "customer:read")],
    },
    PermissionSetDef {
        name: "customer-writer",
        description: "Change customers",
        permissions: &[
            ("customer/*", "customer:write"),
            ("customer/*", "customer:read"),
        ],
    },
    PermissionSetDef {
        name: "everything",
        description: "All",
        permissions: &[("*", "*")],
    },
];

const ROLES: &[RoleDef] = &[
    RoleDef {
        name: "viewer",
        permission_sets: &["customer-viewer"],
    },
    RoleDef {
        name: "superuser",
        permission_sets: &["everything"],
    },
];

async fn setup() -> (test_db::TestDb, Authorization, Audit) {
    let migrator = es::migrations::combine(&[&es::MIGRATOR, &audit::MIGRATOR, &authz::MIGRATOR])
        .await
        .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    let audit = Audit::new(db.pool.clone(), Clock::real());
    let authz = Authorization::init(db.pool.clone(), audit.clone())
        .await
        .unwrap();
    authz.seed(SETS, ROLES).await.unwrap();
    (db, authz, audit)
}

async fn assign(db: &test_db::TestDb, authz: &Authorization, subject: &Subject, role: &str) {
    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    authz
        .assign_role_in_op(&mut op, subject, role)
        .await
        .unwrap();
    op.commit().await.unwrap();
    authz.reload().await.unwrap();
}

#[tokio::test]
async fn allowed_decisions_are_audited_in_the_use_case_and_stamp_its_events() {
    let (db, authz, audit) = setup().await;
    let alice = Subject::User(Uuid::now_v7());
    assign(&db, &authz, &alice, "viewer").await;

    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    op.set_context(EventContext {
        correlation_id: Some("req-7".into()),
        ..EventContext::default()
    });
    let id = authz
        .enforce_in_op(&mut op, &alice, "customer/1", "customer:read")
        .await
        .unwrap();
    assert_eq!(
        op.context(),
        &EventContext {
            subject: Some(alice.to_string()),
            audit_entry_id: Some(id.0),
            correlation_id: Some("req-7".into())
        }
    );
    // Rolled back with its use case: no trace of an allowed read that never happened.
    op.rollback().await.unwrap();
    let all = audit
        .search(&AuditFilter::default(), 100, None)
        .await
        .unwrap();
    assert!(all.entries.is_empty());

    let id = authz
        .enforce(
            &Actor::new(alice.clone(), "req-8"),
            "customer/1",
            "customer:read",
        )
        .await
        .unwrap();
    let all = audit
        .search(&AuditFilter::default(), 100, None)
        .await
        .unwrap();
    assert_eq!(all.entries.len(), 1);
    let entry = &all.entries[0];
    assert_eq!(entry.id, id);
    assert_eq!(
        (
            entry.subject.as_str(),
            entry.object.as_str(),
            entry.action.as_str(),
            entry.authorized
        ),
        (
            alice.to_string().as_str(),
            "customer/1",
            "customer:read",
            true
        )
    );
    assert_eq!(entry.correlation_id.as_deref(), Some("req-8"));
}

#[tokio::test]
async fn denied_decisions_are_audited_even_though_the_use_case_fails() {
    let (db, authz, audit) = setup().await;
    let bob = Subject::User(Uuid::now_v7());
    assign(&db, &authz, &bob, "viewer").await;
    let nobody = Subject::User(Uuid::now_v7());
    let customer = Subject::Customer(Uuid::now_v7());

    for (subject, action) in [
        (&bob, "customer:write"),
        (&nobody, "customer:read"),
        (&customer, "customer:read"),
    ] {
        let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
        let err = authz
            .enforce_in_op(&mut op, subject, "customer/9", action)
            .await
            .unwrap_err();
        assert!(matches!(err, AuthzError::NotAuthorized { .. }), "{err}");
        op.rollback().await.unwrap();
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
    assert_eq!(denied.entries.len(), 3);
    assert_eq!(denied.entries[2].subject, bob.to_string());
    assert_eq!(denied.entries[2].action, "customer:write");

    // check() answers without auditing.
    assert!(!authz.check(&bob, "customer/9", "customer:write"));
    assert!(authz.check(&bob, "customer/9", "customer:read"));
    assert!(authz.check(
        &Subject::System("end-of-day".into()),
        "deposit/1",
        "deposit:write"
    ));
    assert_eq!(
        audit
            .search(&AuditFilter::default(), 100, None)
            .await
            .unwrap()
            .entries
            .len(),
        3
    );
}

#[tokio::test]
async fn a_change_through_one_pool_is_seen_by_another_process() {
    let (db, authz, _) = setup().await;
    let second = Authorization::init(
        db.second_pool(3).await,
        Audit::new(db.pool.clone(), Clock::real()),
    )
    .await
    .unwrap();
    let carol = Subject::User(Uuid::now_v7());
    assert!(!second.check(&carol, "customer/1", "customer:write"));

    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    authz.create_role_in_op(&mut op, "clerk").await.unwrap();
    authz
        .add_permission_sets_in_op(&mut op, "clerk", &["customer-writer".into()])
        .await
        .unwrap();
    authz
        .assign_role_in_op(&mut op, &carol, "clerk")
        .await
        .unwrap();
    op.commit().await.unwrap();

    let deadline = Instant::now() + Duration::from_secs(5);
    while !second.check(&carol, "customer/1", "customer:write") {
        assert!(
            Instant::now() < deadline,
            "the second process never saw the change"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(second.role_of(&carol).as_deref(), Some("clerk"));

    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    authz
        .remove_permission_sets_in_op(&mut op, "clerk", &["customer-writer".into()])
        .await
        .unwrap();
    op.commit().await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    while second.check(&carol, "customer/1", "customer:write") {
        assert!(Instant::now() < deadline, "the removal was never seen");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(second.is_listening());
}

#[tokio::test]
async fn seeding_is_idempotent_and_brings_declared_roles_back_to_their_declaration() {
    let (db, authz, _) = setup().await;
    let count = |table: &'static str| {
        let pool = db.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    let before = (
        count("authz_permissions").await,
        count("authz_role_permission_sets").await,
    );
    // Someone widened the predefined viewer role at run time; the next start restores it.
    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    authz
        .add_permission_sets_in_op(&mut op, "viewer", &["everything".into()])
        .await
        .unwrap();
    op.commit().await.unwrap();
    authz.seed(SETS, ROLES).await.unwrap();
    authz.seed(SETS, ROLES).await.unwrap();
    assert_eq!(
        (
            count("authz_permissions").await,
            count("authz_role_permission_sets").await
        ),
        before
    );
    assert_eq!(
        authz.roles(),
        [
            ("superuser".to_owned(), vec!["everything".to_owned()]),
            ("viewer".to_owned(), vec!["customer-viewer".to_owned()])
        ]
    );
}

#[tokio::test]
async fn management_errors_are_typed() {
    let (db, authz, _) = setup().await;
    let mut op = DbOp::init(&db.pool, &Clock::real()).await.unwrap();
    assert!(matches!(
        authz.create_role_in_op(&mut op, "viewer").await,
        Err(AuthzError::RoleExists(_))
    ));
    assert!(matches!(
        authz
            .add_permission_sets_in_op(&mut op, "ghost", &["customer-viewer".into()])
            .await,
        Err(AuthzError::UnknownRole(_))
    ));
    assert!(matches!(
        authz.add_permission_sets_in_op(&mut op, "viewer", &["nope".into()]).await,
        Err(AuthzError::UnknownPermissionSet(s)) if s == "nope"
    ));
    assert!(matches!(
        authz
            .assign_role_in_op(&mut op, &Subject::User(Uuid::nil()), "ghost")
            .await,
        Err(AuthzError::UnknownRole(_))
    ));
    assert!("user:not-a-uuid".parse::<Subject>().is_err());
    let system: Subject = "system:end-of-day".parse().unwrap();
    assert_eq!(system, Subject::System("end-of-day".into()));
}
