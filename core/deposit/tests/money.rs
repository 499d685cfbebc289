//! Deposits and withdrawals against PostgreSQL: idempotency, reverts, approvals, the ledger, the
//! published events and the correlation id on everything a use case writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use authz::{Actor, Subject};
use core_deposit::{DepositError, WithdrawalStatus};
use core_governance::DenialReason;
use es::EsEntity;
use harness::{cents, harness, no_reference, staff};
use idempotency::IdempotencyKey;
use use_case::DomainError;
use uuid::Uuid;

#[tokio::test]
async fn a_repeated_revert_is_a_no_op() {
    let h = harness().await;
    let account = h.funded_account("rev@bank.test", 1_000).await;
    let deposit = h
        .deposits
        .record_deposit(&staff(), account.id(), cents(250), no_reference(), None)
        .await
        .unwrap();
    assert_eq!(h.ledger_sums(&account).await, (1_250, 0, 0));

    let reverted = h
        .deposits
        .revert_deposit(&staff(), deposit.id())
        .await
        .unwrap();
    assert!(reverted.reverted);
    assert_eq!(h.ledger_sums(&account).await, (1_000, 0, 0));
    let again = h
        .deposits
        .revert_deposit(&staff(), deposit.id())
        .await
        .unwrap();
    assert!(again.reverted);
    assert_eq!(again.events().persisted().len(), 2);
    assert_eq!(h.ledger_sums(&account).await, (1_000, 0, 0));
    assert_eq!(h.published("deposit_reverted").await.len(), 1);
}

#[tokio::test]
async fn an_idempotency_key_makes_one_deposit() {
    let h = harness().await;
    let account = h.funded_account("idem@bank.test", 1).await;
    let (key, actor) = (IdempotencyKey::parse("wire-1").unwrap(), staff());
    let record = |amount| {
        h.deposits.record_deposit(
            &actor,
            account.id(),
            cents(amount),
            no_reference(),
            Some(&key),
        )
    };
    let first = record(300).await.unwrap();
    let replay = record(300).await.unwrap();
    assert_eq!(first.id(), replay.id());
    assert_eq!(h.ledger_sums(&account).await, (301, 0, 0));
    let reused = record(301).await.unwrap_err();
    assert_eq!(reused.code().as_str(), "IDEMPOTENCY_KEY_REUSED");
    // another caller's key is its own
    let other = Actor::new(Subject::User(Uuid::now_v7()), "x");
    let theirs = h
        .deposits
        .record_deposit(&other, account.id(), cents(300), no_reference(), Some(&key))
        .await
        .unwrap_err();
    assert_eq!(theirs.code().as_str(), "NOT_AUTHORIZED");
}

#[tokio::test]
async fn the_correlation_id_is_on_the_audit_entry_the_events_and_the_outbox() {
    let h = harness().await;
    let account = h.funded_account("corr@bank.test", 10).await;
    let actor = staff().with_correlation_id(Some("req-42".into()));
    let deposit = h
        .deposits
        .record_deposit(&actor, account.id(), cents(5), no_reference(), None)
        .await
        .unwrap();
    let event = &deposit.events().persisted()[0];
    assert_eq!(event.context.correlation_id.as_deref(), Some("req-42"));
    let stored: (Option<String>, Option<i64>) = sqlx::query_as(
        "SELECT context->>'correlation_id', (context->>'audit_entry_id')::bigint
         FROM deposit_deposit_events WHERE id = $1",
    )
    .bind(Uuid::from(deposit.id()))
    .fetch_one(&h.db.pool)
    .await
    .unwrap();
    assert_eq!(stored.0.as_deref(), Some("req-42"));
    let audit: (String, String, Option<String>) =
        sqlx::query_as("SELECT object, action, correlation_id FROM audit_entries WHERE id = $1")
            .bind(stored.1.unwrap())
            .fetch_one(&h.db.pool)
            .await
            .unwrap();
    assert_eq!(
        audit,
        (
            "deposit/deposit".to_owned(),
            "deposit:write".to_owned(),
            Some("req-42".to_owned())
        )
    );
    let published = h.published("deposit_recorded").await;
    let (payload, correlation) = published.last().unwrap();
    assert_eq!(payload["deposit_id"], deposit.id().to_string());
    assert_eq!(payload["amount"], 5);
    assert_eq!(correlation.as_deref(), Some("req-42"));
}

#[tokio::test]
async fn a_denied_withdrawal_releases_its_hold_and_an_approved_one_settles() {
    let h = harness().await;
    let account = h.funded_account("wd@bank.test", 1_000).await;
    let (voter, actor) = (h.withdrawals_need_approval().await, staff());
    let withdraw = |amount| {
        h.deposits
            .initiate_withdrawal(&actor, account.id(), cents(amount), no_reference(), None)
    };

    // denied: the hold is released, nothing leaves
    let denied = withdraw(300).await.unwrap();
    assert_eq!(denied.status, WithdrawalStatus::PendingApproval);
    assert_eq!(h.ledger_sums(&account).await, (1_000, -300, 0));
    let early = h.deposits.confirm_withdrawal(&staff(), denied.id()).await;
    assert!(matches!(early, Err(DepositError::WithdrawalNotApproved(_))));
    h.governance
        .deny(
            &voter,
            denied.approval_process_id.into(),
            DenialReason::parse("source of funds").unwrap(),
        )
        .await
        .unwrap();
    h.deliver_approvals().await;
    let denied = h
        .deposits
        .find_withdrawal(&staff(), denied.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(denied.status, WithdrawalStatus::Denied);
    assert_eq!(denied.denial_reason.as_deref(), Some("source of funds"));
    assert_eq!(h.ledger_sums(&account).await, (1_000, 0, 0));
    // a redelivered conclusion changes nothing
    h.deliver_approvals().await;
    assert_eq!(h.published("withdrawal_denied").await.len(), 1);

    // approved: confirmed once, reverted once
    let approved = withdraw(400).await.unwrap();
    h.governance
        .approve(&voter, approved.approval_process_id.into())
        .await
        .unwrap();
    h.deliver_approvals().await;
    let confirmed = h
        .deposits
        .confirm_withdrawal(&staff(), approved.id())
        .await
        .unwrap();
    assert_eq!(confirmed.status, WithdrawalStatus::Confirmed);
    assert_eq!(h.ledger_sums(&account).await, (600, 0, 0));
    let again = h
        .deposits
        .confirm_withdrawal(&staff(), approved.id())
        .await
        .unwrap();
    assert_eq!(
        again.events().persisted().len(),
        confirmed.events().persisted().len()
    );
    h.deposits
        .revert_withdrawal(&staff(), approved.id())
        .await
        .unwrap();
    h.deposits
        .revert_withdrawal(&staff(), approved.id())
        .await
        .unwrap();
    assert_eq!(h.ledger_sums(&account).await, (1_000, 0, 0));
    let cancel = h
        .deposits
        .cancel_withdrawal(&staff(), approved.id())
        .await
        .unwrap_err();
    assert_eq!(cancel.code().as_str(), "INVALID_WITHDRAWAL_TRANSITION");
    assert_eq!(h.published("withdrawal_initiated").await.len(), 2);
    assert_eq!(h.published("withdrawal_approved").await.len(), 1);
    assert_eq!(h.published("withdrawal_confirmed").await.len(), 1);
    assert_eq!(h.published("withdrawal_reverted").await.len(), 1);
}

#[tokio::test]
async fn more_than_is_available_cannot_leave_and_frozen_money_stays() {
    let h = harness().await;
    let account = h.funded_account("limit@bank.test", 100).await;
    let too_much = h
        .deposits
        .initiate_withdrawal(&staff(), account.id(), cents(101), no_reference(), None)
        .await;
    assert!(matches!(
        too_much,
        Err(DepositError::InsufficientBalance(_))
    ));
    // under an automatic policy a withdrawal is approved at once
    let w = h
        .deposits
        .initiate_withdrawal(&staff(), account.id(), cents(60), no_reference(), None)
        .await
        .unwrap();
    assert_eq!(w.status, WithdrawalStatus::Approved);
    let second = h
        .deposits
        .initiate_withdrawal(&staff(), account.id(), cents(41), no_reference(), None)
        .await;
    assert!(matches!(second, Err(DepositError::InsufficientBalance(_))));
    // cancelling releases the hold; cancelling again changes nothing
    h.deposits
        .cancel_withdrawal(&staff(), w.id())
        .await
        .unwrap();
    h.deposits
        .cancel_withdrawal(&staff(), w.id())
        .await
        .unwrap();
    assert_eq!(h.ledger_sums(&account).await, (100, 0, 0));
    assert_eq!(h.published("withdrawal_cancelled").await.len(), 1);
}
