//! Governance against a real PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use audit::{Audit, AuditFilter};
use authz::{Actor, Authorization, PermissionSetDef, RoleDef, Subject};
use clock::Clock;
use core_governance::primitives::permissions;
use core_governance::public::APPROVAL_PROCESS_CONCLUDED;
use core_governance::{
    ApprovalProcess, ApprovalProcessId, ApprovalProcessStatus, ApprovalRules, CommitteeName,
    DenialReason, Governance, GovernanceError, ProcessType, StaffDirectory,
};
use es::{DbOp, EsEntity, ListQuery};
use outbox::Outbox;
use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use use_case::{DomainError, PlatformError, UseCases};
use uuid::Uuid;

const SETS: &[PermissionSetDef] = &[PermissionSetDef {
    name: "governance-writer",
    description: "Read and change committees, policies and approvals",
    permissions: &[
        (permissions::ALL, permissions::READ),
        (permissions::ALL, permissions::WRITE),
    ],
}];

const ROLE: &str = "approver";
const ROLES: &[RoleDef] = &[RoleDef {
    name: ROLE,
    permission_sets: &["governance-writer"],
}];

struct Env {
    db: test_db::TestDb,
    authz: Authorization,
    audit: Audit,
    outbox: Outbox,
    staff: KnownStaff,
    governance: Governance,
}

/// The staff users the tests made (the access domain's part in the bank).
#[derive(Clone, Default)]
struct KnownStaff(Arc<Mutex<BTreeSet<Uuid>>>);

#[async_trait::async_trait]
impl StaffDirectory for KnownStaff {
    async fn unknown_in_op(
        &self,
        _op: &mut DbOp,
        users: &[Uuid],
    ) -> Result<Vec<Uuid>, PlatformError> {
        let known = self.0.lock().unwrap();
        Ok(users
            .iter()
            .filter(|u| !known.contains(u))
            .copied()
            .collect())
    }
}

async fn setup() -> Env {
    let migrator = es::migrations::combine(&[
        &es::MIGRATOR,
        &audit::MIGRATOR,
        &authz::MIGRATOR,
        &outbox::MIGRATOR,
        &core_governance::MIGRATOR,
    ])
    .await
    .unwrap();
    let db = test_db::TestDb::new(&migrator).await;
    let clock = Clock::real();
    let audit = Audit::new(db.pool.clone(), clock.clone());
    let authz = Authorization::init(db.pool.clone(), audit.clone())
        .await
        .unwrap();
    authz.seed(SETS, ROLES).await.unwrap();
    let outbox = Outbox::new(db.pool.clone(), clock.clone());
    let staff = KnownStaff::default();
    let governance = Governance::init(
        UseCases::new(db.pool.clone(), clock, authz.clone()),
        &outbox,
        Arc::new(staff.clone()),
        &[ProcessType::WITHDRAW, ProcessType::DISBURSAL],
    )
    .await
    .unwrap();
    Env {
        db,
        authz,
        audit,
        outbox,
        staff,
        governance,
    }
}

/// Where authorization is not the point.
fn admin() -> Actor {
    Actor::system("governance-test")
}

/// A staff user acting.
fn user(id: Uuid) -> Actor {
    Actor::new(Subject::User(id), "governance-test")
}

/// `n` staff users allowed to read and change governance.
async fn staff<const N: usize>(env: &Env) -> [Uuid; N] {
    let users = [(); N].map(|()| Uuid::now_v7());
    let mut op = DbOp::init(&env.db.pool, &Clock::real()).await.unwrap();
    for user in users {
        env.authz
            .assign_role_in_op(&mut op, &Subject::User(user), ROLE)
            .await
            .unwrap();
    }
    op.commit().await.unwrap();
    env.authz.reload().await.unwrap();
    env.staff.0.lock().unwrap().extend(users);
    users
}

/// A committee of `members` that withdrawals need.
async fn withdrawals_need(env: &Env, name: &str, members: &[Uuid]) {
    let committee = env
        .governance
        .create_committee(
            &admin(),
            CommitteeName::parse(name).unwrap(),
            members.to_vec(),
        )
        .await
        .unwrap();
    let policy = env
        .governance
        .find_policy_by_process_type(&admin(), &ProcessType::WITHDRAW)
        .await
        .unwrap()
        .unwrap();
    env.governance
        .assign_committee(&admin(), policy.id(), committee.id())
        .await
        .unwrap();
}

/// Starts a process the way another domain does: in its own transaction, committed.
async fn start(env: &Env, process_type: &ProcessType, target: &str) -> ApprovalProcess {
    let mut op = DbOp::init(&env.db.pool, &Clock::real()).await.unwrap();
    let process = env
        .governance
        .start_process_in_op(&mut op, process_type, target)
        .await
        .unwrap();
    op.commit().await.unwrap();
    process
}

/// The conclusions published on the outbox, in publishing order.
async fn conclusions(env: &Env) -> Vec<serde_json::Value> {
    sqlx::query_scalar("SELECT payload FROM outbox_events WHERE event_type = $1 ORDER BY id")
        .bind(APPROVAL_PROCESS_CONCLUDED)
        .fetch_all(&env.db.pool)
        .await
        .unwrap()
}

fn code<T: std::fmt::Debug>(result: Result<T, GovernanceError>) -> &'static str {
    result.unwrap_err().code().as_str()
}

fn reason(text: &str) -> DenialReason {
    DenialReason::parse(text).unwrap()
}

#[tokio::test]
async fn a_two_member_committee_needs_both_approvals_and_publishes_one_conclusion() {
    let env = setup().await;
    let [alice, bob] = staff(&env).await;
    withdrawals_need(&env, "Withdrawals", &[alice, bob]).await;
    let process = start(&env, &ProcessType::WITHDRAW, "w-1").await;
    assert_eq!(process.status, ApprovalProcessStatus::InProgress);
    assert_eq!(process.eligible_voters, BTreeSet::from([alice, bob]));

    let after_alice = env
        .governance
        .approve(&user(alice), process.id())
        .await
        .unwrap();
    assert_eq!(after_alice.status, ApprovalProcessStatus::InProgress);
    assert!(conclusions(&env).await.is_empty());

    let after_bob = env
        .governance
        .approve(&user(bob), process.id())
        .await
        .unwrap();
    assert_eq!(after_bob.status, ApprovalProcessStatus::Approved);
    assert_eq!(
        conclusions(&env).await,
        [serde_json::json!({
            "type": APPROVAL_PROCESS_CONCLUDED,
            "process_id": process.id(),
            "process_type": "withdraw",
            "target_id": "w-1",
            "approved": true,
            "denial_reason": null,
        })]
    );

    // A concluded process takes no more votes and announces nothing more; an approval repeated
    // changes nothing.
    let repeated = env
        .governance
        .approve(&user(alice), process.id())
        .await
        .unwrap();
    assert_eq!(repeated.events().persisted().len(), 4);
    assert_eq!(
        code(
            env.governance
                .deny(&user(alice), process.id(), reason("late"))
                .await
        ),
        "APPROVAL_PROCESS_CONCLUDED"
    );
    assert_eq!(conclusions(&env).await.len(), 1);

    // Each vote is stamped with its voter and the audit entry that allowed it.
    let stored = env
        .governance
        .find_process(&admin(), process.id())
        .await
        .unwrap()
        .unwrap();
    let subjects: Vec<Option<String>> = stored.events().persisted()[1..]
        .iter()
        .map(|e| e.context.subject.clone())
        .collect();
    let (alice_subject, bob_subject) = (
        Subject::User(alice).to_string(),
        Subject::User(bob).to_string(),
    );
    assert_eq!(
        subjects,
        [
            Some(alice_subject.clone()),
            Some(bob_subject.clone()),
            Some(bob_subject.clone())
        ]
    );
    let bobs_entries = env
        .audit
        .search(
            &AuditFilter {
                subject: Some(bob_subject),
                ..AuditFilter::default()
            },
            100,
            None,
        )
        .await
        .unwrap()
        .entries;
    assert_eq!(bobs_entries.len(), 1);
    assert_eq!(
        (
            bobs_entries[0].object.as_str(),
            bobs_entries[0].action.as_str(),
            bobs_entries[0].authorized
        ),
        (permissions::APPROVAL_PROCESSES, permissions::WRITE, true)
    );
    assert_eq!(
        stored.events().persisted()[2].context.audit_entry_id,
        Some(bobs_entries[0].id.0)
    );
}

#[tokio::test]
async fn one_denial_denies_the_process() {
    let env = setup().await;
    let [alice, bob] = staff(&env).await;
    withdrawals_need(&env, "Withdrawals", &[alice, bob]).await;
    let process = start(&env, &ProcessType::WITHDRAW, "w-2").await;

    let denied = env
        .governance
        .deny(
            &user(alice),
            process.id(),
            reason("source of funds unclear"),
        )
        .await
        .unwrap();
    assert_eq!(denied.status, ApprovalProcessStatus::Denied);
    assert_eq!(
        denied.denial.map(|d| (d.voter, d.reason.to_string())),
        Some((alice, "source of funds unclear".to_owned()))
    );
    let published = conclusions(&env).await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["approved"], false);
    assert_eq!(published[0]["denial_reason"], "source of funds unclear");
    assert_eq!(
        code(env.governance.approve(&user(bob), process.id()).await),
        "APPROVAL_PROCESS_CONCLUDED"
    );
}

#[tokio::test]
async fn a_vote_from_outside_the_committee_is_refused() {
    let env = setup().await;
    let [alice, carol] = staff(&env).await;
    withdrawals_need(&env, "Withdrawals", &[alice]).await;
    let process = start(&env, &ProcessType::WITHDRAW, "w-3").await;

    assert_eq!(
        code(env.governance.approve(&user(carol), process.id()).await),
        "NOT_AN_ELIGIBLE_VOTER"
    );
    assert_eq!(
        code(
            env.governance
                .deny(&user(carol), process.id(), reason("no"))
                .await
        ),
        "NOT_AN_ELIGIBLE_VOTER"
    );
    let stored = env
        .governance
        .find_process(&admin(), process.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.events().persisted().len(), 1);
}

#[tokio::test]
async fn a_member_votes_only_once() {
    let env = setup().await;
    let [alice, bob] = staff(&env).await;
    withdrawals_need(&env, "Withdrawals", &[alice, bob]).await;
    let process = start(&env, &ProcessType::WITHDRAW, "w-4").await;

    env.governance
        .approve(&user(alice), process.id())
        .await
        .unwrap();
    let repeated = env
        .governance
        .approve(&user(alice), process.id())
        .await
        .unwrap();
    assert_eq!(repeated.events().persisted().len(), 2);
    assert_eq!(
        code(
            env.governance
                .deny(&user(alice), process.id(), reason("changed my mind"))
                .await
        ),
        "ALREADY_VOTED"
    );
    let stored = env
        .governance
        .find_process(&admin(), process.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.approvals, BTreeSet::from([alice]));
    assert_eq!(stored.status, ApprovalProcessStatus::InProgress);
}

#[tokio::test]
async fn an_automatic_policy_concludes_in_the_callers_op_and_publishes_nothing_if_it_rolls_back() {
    let env = setup().await;

    let mut op = DbOp::init(&env.db.pool, &Clock::real()).await.unwrap();
    let process = env
        .governance
        .start_process_in_op(&mut op, &ProcessType::DISBURSAL, "d-1")
        .await
        .unwrap();
    assert_eq!(process.status, ApprovalProcessStatus::Approved);
    assert_eq!(process.rules, ApprovalRules::Automatic);
    let in_op: i64 = sqlx::query_scalar("SELECT count(*) FROM outbox_events WHERE event_type = $1")
        .bind(APPROVAL_PROCESS_CONCLUDED)
        .fetch_one(op.conn())
        .await
        .unwrap();
    assert_eq!(in_op, 1);
    op.rollback().await.unwrap();

    assert!(conclusions(&env).await.is_empty());
    assert!(
        env.governance
            .find_process(&admin(), process.id())
            .await
            .unwrap()
            .is_none()
    );

    // Committed, it is there and announced.
    let process = start(&env, &ProcessType::DISBURSAL, "d-2").await;
    let published = conclusions(&env).await;
    assert_eq!(published.len(), 1);
    assert_eq!(published[0]["process_id"], process.id().to_string());
    assert_eq!(published[0]["approved"], true);
    assert_eq!(env.outbox.last_sequence().await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_votes_of_two_members_both_land() {
    let env = setup().await;
    let [alice, bob] = staff(&env).await;
    withdrawals_need(&env, "Withdrawals", &[alice, bob]).await;

    // Both vote on the same version; one of them meets a conflict and is re-run. Several rounds, so
    // the race is all but certain to happen.
    let rounds = 8;
    for round in 0..rounds {
        let process = start(&env, &ProcessType::WITHDRAW, &format!("w-{round}")).await;
        let (alice_votes, bob_votes) = (user(alice), user(bob));
        let (a, b) = tokio::join!(
            env.governance.approve(&alice_votes, process.id()),
            env.governance.approve(&bob_votes, process.id())
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        // Whichever committed last saw the other's vote and concluded.
        assert!(
            a.status == ApprovalProcessStatus::Approved
                || b.status == ApprovalProcessStatus::Approved
        );
        let stored = env
            .governance
            .find_process(&admin(), process.id())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.approvals, BTreeSet::from([alice, bob]));
        assert_eq!(stored.status, ApprovalProcessStatus::Approved);
    }
    assert_eq!(conclusions(&env).await.len(), rounds);
}

#[tokio::test]
async fn the_last_member_cannot_be_removed() {
    let env = setup().await;
    let [alice, bob, carol] = staff(&env).await;
    let committee = env
        .governance
        .create_committee(
            &admin(),
            CommitteeName::parse("Credit").unwrap(),
            vec![alice, bob],
        )
        .await
        .unwrap();

    let committee_id = committee.id();
    let after = env
        .governance
        .remove_committee_member(&admin(), committee_id, alice)
        .await
        .unwrap();
    assert_eq!(after.members, BTreeSet::from([bob]));
    assert_eq!(
        code(
            env.governance
                .remove_committee_member(&admin(), committee_id, bob)
                .await
        ),
        "COMMITTEE_WOULD_BE_EMPTY"
    );
    assert_eq!(
        code(
            env.governance
                .remove_committee_member(&admin(), committee_id, carol)
                .await
        ),
        "NOT_A_COMMITTEE_MEMBER"
    );

    // Adding a member twice records it once.
    env.governance
        .add_committee_member(&admin(), committee_id, carol)
        .await
        .unwrap();
    let again = env
        .governance
        .add_committee_member(&admin(), committee_id, carol)
        .await
        .unwrap();
    assert_eq!(again.members, BTreeSet::from([bob, carol]));
    assert_eq!(again.events().persisted().len(), 3);

    assert_eq!(
        code(
            env.governance
                .create_committee(&admin(), CommitteeName::parse("Empty").unwrap(), vec![])
                .await
        ),
        "INVALID_INPUT"
    );

    // Members are staff users: anyone else is refused, and nothing changes.
    let stranger = Uuid::now_v7();
    let refused = env
        .governance
        .add_committee_member(&admin(), committee_id, stranger)
        .await;
    assert!(matches!(&refused, Err(GovernanceError::UnknownStaffUser(u)) if *u == stranger));
    assert_eq!(code(refused), "NOT_FOUND");
    assert_eq!(
        code(
            env.governance
                .create_committee(
                    &admin(),
                    CommitteeName::parse("Strangers").unwrap(),
                    vec![bob, stranger]
                )
                .await
        ),
        "NOT_FOUND"
    );
    let unchanged = env
        .governance
        .find_committee(&admin(), committee_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(unchanged.members, BTreeSet::from([bob, carol]));
}

#[tokio::test]
async fn committee_names_are_unique_regardless_of_case() {
    let env = setup().await;
    let [alice] = staff(&env).await;
    let name = |n: &str| CommitteeName::parse(n).unwrap();
    env.governance
        .create_committee(&admin(), name("Credit"), vec![alice])
        .await
        .unwrap();
    let taken = env
        .governance
        .create_committee(&admin(), name(" credit "), vec![alice])
        .await;
    assert!(matches!(
        &taken,
        Err(GovernanceError::CommitteeNameTaken(n)) if n == "credit"
    ));
    assert_eq!(code(taken), "COMMITTEE_NAME_TAKEN");
    let page = env
        .governance
        .list_committees(&admin(), ListQuery::first(10))
        .await
        .unwrap();
    assert_eq!(page.entities.len(), 1);
}

#[tokio::test]
async fn an_actor_without_a_role_is_refused_and_audited() {
    let env = setup().await;
    let [alice] = staff(&env).await;
    withdrawals_need(&env, "Withdrawals", &[alice]).await;
    let process = start(&env, &ProcessType::WITHDRAW, "w-5").await;
    let nobody = Uuid::now_v7();
    let subject = Subject::User(nobody);
    let actor = user(nobody);

    assert_eq!(
        code(
            env.governance
                .create_committee(
                    &actor,
                    CommitteeName::parse("Shadow").unwrap(),
                    vec![nobody]
                )
                .await
        ),
        "NOT_AUTHORIZED"
    );
    assert_eq!(
        code(env.governance.approve(&user(nobody), process.id()).await),
        "NOT_AUTHORIZED"
    );
    assert_eq!(
        code(
            env.governance
                .list_processes(&actor, ListQuery::first(10), None)
                .await
        ),
        "NOT_AUTHORIZED"
    );

    let denials = env
        .audit
        .search(
            &AuditFilter {
                subject: Some(subject.to_string()),
                ..AuditFilter::default()
            },
            100,
            None,
        )
        .await
        .unwrap()
        .entries;
    let mut recorded: Vec<(String, String, bool)> = denials
        .into_iter()
        .map(|e| (e.object, e.action, e.authorized))
        .collect();
    recorded.sort();
    assert_eq!(
        recorded,
        [
            (
                permissions::APPROVAL_PROCESSES.to_owned(),
                permissions::READ.to_owned(),
                false
            ),
            (
                permissions::APPROVAL_PROCESSES.to_owned(),
                permissions::WRITE.to_owned(),
                false
            ),
            (
                permissions::COMMITTEES.to_owned(),
                permissions::WRITE.to_owned(),
                false
            ),
        ]
    );
    let stored = env
        .governance
        .find_process(&admin(), process.id())
        .await
        .unwrap()
        .unwrap();
    assert!(stored.approvals.is_empty());
}

#[tokio::test]
async fn running_processes_keep_the_voters_they_started_with() {
    let env = setup().await;
    let [alice, bob, carol] = staff(&env).await;
    withdrawals_need(&env, "Withdrawals", &[alice, bob]).await;
    let before = start(&env, &ProcessType::WITHDRAW, "w-6").await;

    let policy = env
        .governance
        .find_policy_by_process_type(&admin(), &ProcessType::WITHDRAW)
        .await
        .unwrap()
        .unwrap();
    let ApprovalRules::Committee { committee_id } = policy.rules else {
        panic!("withdrawals need a committee");
    };
    env.governance
        .add_committee_member(&admin(), committee_id, carol)
        .await
        .unwrap();
    env.governance
        .remove_committee_member(&admin(), committee_id, bob)
        .await
        .unwrap();
    let after = start(&env, &ProcessType::WITHDRAW, "w-7").await;

    assert_eq!(after.eligible_voters, BTreeSet::from([alice, carol]));
    assert_eq!(
        code(env.governance.approve(&user(carol), before.id()).await),
        "NOT_AN_ELIGIBLE_VOTER"
    );
    env.governance
        .approve(&user(bob), before.id())
        .await
        .unwrap();
    let approved = env
        .governance
        .approve(&user(alice), before.id())
        .await
        .unwrap();
    assert_eq!(approved.status, ApprovalProcessStatus::Approved);
}

#[tokio::test]
async fn policies_exist_once_per_process_type_and_take_an_existing_committee() {
    let env = setup().await;
    let [alice] = staff(&env).await;
    let committee = env
        .governance
        .create_committee(
            &admin(),
            CommitteeName::parse("Credit").unwrap(),
            vec![alice],
        )
        .await
        .unwrap();
    let withdraw = env
        .governance
        .find_policy_by_process_type(&admin(), &ProcessType::WITHDRAW)
        .await
        .unwrap()
        .unwrap();

    assert_eq!(
        code(
            env.governance
                .assign_committee(&admin(), withdraw.id(), core_governance::CommitteeId::new())
                .await
        ),
        "NOT_FOUND"
    );
    env.governance
        .assign_committee(&admin(), withdraw.id(), committee.id())
        .await
        .unwrap();
    let again = env
        .governance
        .assign_committee(&admin(), withdraw.id(), committee.id())
        .await
        .unwrap();
    assert_eq!(again.events().persisted().len(), 2);

    // A restart with one more process type adds its policy and keeps the existing ones as they are.
    Governance::init(
        UseCases::new(env.db.pool.clone(), Clock::real(), env.authz.clone()),
        &env.outbox,
        Arc::new(env.staff.clone()),
        &[
            ProcessType::WITHDRAW,
            ProcessType::DISBURSAL,
            ProcessType::CREDIT_FACILITY_PROPOSAL,
        ],
    )
    .await
    .unwrap();
    let policies = env
        .governance
        .list_policies(&admin(), ListQuery::first(10))
        .await
        .unwrap()
        .entities;
    let mut types: Vec<&str> = policies.iter().map(|p| p.process_type.as_str()).collect();
    types.sort_unstable();
    assert_eq!(types, ["credit-facility-proposal", "disbursal", "withdraw"]);
    let kept = env
        .governance
        .find_policy(&admin(), withdraw.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        kept.rules,
        ApprovalRules::Committee {
            committee_id: committee.id()
        }
    );
}

#[tokio::test]
async fn a_process_type_without_a_policy_cannot_start() {
    let env = setup().await;
    let mut op = DbOp::init(&env.db.pool, &Clock::real()).await.unwrap();
    let started = env
        .governance
        .start_process_in_op(&mut op, &ProcessType::CREDIT_FACILITY_PROPOSAL, "p-1")
        .await;
    assert!(matches!(
        &started,
        Err(GovernanceError::NoPolicyForProcessType(t)) if *t == ProcessType::CREDIT_FACILITY_PROPOSAL
    ));
    assert_eq!(code(started), "NOT_FOUND");
}

#[tokio::test]
async fn processes_are_listed_by_status() {
    let env = setup().await;
    let [alice] = staff(&env).await;
    start(&env, &ProcessType::DISBURSAL, "d-1").await;
    withdrawals_need(&env, "Withdrawals", &[alice]).await;
    let denied = start(&env, &ProcessType::WITHDRAW, "w-1").await;
    let pending = start(&env, &ProcessType::WITHDRAW, "w-2").await;
    env.governance
        .deny(&user(alice), denied.id(), reason("no"))
        .await
        .unwrap();

    let targets = |status| {
        let governance = env.governance.clone();
        async move {
            governance
                .list_processes(&admin(), ListQuery::first(10), status)
                .await
                .unwrap()
                .entities
                .into_iter()
                .map(|p| p.target_id)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(targets(None).await, ["d-1", "w-1", "w-2"]);
    assert_eq!(
        targets(Some(ApprovalProcessStatus::InProgress)).await,
        ["w-2"]
    );
    assert_eq!(targets(Some(ApprovalProcessStatus::Denied)).await, ["w-1"]);
    assert_eq!(
        targets(Some(ApprovalProcessStatus::Approved)).await,
        ["d-1"]
    );

    let first = env
        .governance
        .list_processes(&admin(), ListQuery::first(1), None)
        .await
        .unwrap();
    assert!(first.has_next_page);
    let rest = env
        .governance
        .list_processes(&admin(), ListQuery::first(10).after(first.end_cursor), None)
        .await
        .unwrap();
    let ids: Vec<ApprovalProcessId> = rest.entities.iter().map(|p| p.id()).collect();
    assert_eq!(ids, [denied.id(), pending.id()]);
    assert_eq!(
        code(
            env.governance
                .list_processes(&admin(), ListQuery::first(101), None)
                .await
        ),
        "INVALID_INPUT"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processes_starting_at_once_create_each_policy_once() {
    let env = setup().await;
    let process_types: Vec<ProcessType> = (0..20)
        .map(|i| ProcessType::parse(&format!("kind-{i}")).unwrap())
        .collect();
    let init = || {
        Governance::init(
            UseCases::new(env.db.pool.clone(), Clock::real(), env.authz.clone()),
            &env.outbox,
            Arc::new(env.staff.clone()),
            &process_types,
        )
    };
    let (a, b, c, d) = tokio::join!(init(), init(), init(), init());
    for started in [a, b, c, d] {
        started.unwrap();
    }
    let policies = env
        .governance
        .list_policies(&admin(), ListQuery::first(100))
        .await
        .unwrap()
        .entities;
    let types: BTreeSet<&str> = policies.iter().map(|p| p.process_type.as_str()).collect();
    assert_eq!(policies.len(), 22);
    assert_eq!(types.len(), 22);
}
