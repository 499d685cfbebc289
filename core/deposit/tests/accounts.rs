//! Deposit accounts against PostgreSQL: opening, status changes (also through the customer's),
//! who sees what, and the events they publish.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use core_deposit::{AccountStatus, AccountStatusChange, DepositError};
use es::{EsEntity, ListQuery};
use harness::{as_customer, cents, harness, no_reference, staff};
use use_case::DomainError;

#[tokio::test]
async fn an_account_opens_only_for_an_active_customer() {
    let h = harness().await;
    let customer = h.customer("ada@bank.test").await;
    let account = h.account(customer).await;
    assert_eq!(account.status, AccountStatus::Active);
    assert_eq!(
        h.published("deposit_account_opened").await[0].0["account_id"],
        account.id().to_string()
    );

    h.customers.freeze(&staff(), customer).await.unwrap();
    let refused = h.deposits.create_account(&staff(), customer).await;
    assert!(matches!(refused, Err(DepositError::CustomerNotActive(c)) if c == customer));
    let unknown = h
        .deposits
        .create_account(&staff(), core_customer::CustomerId::new())
        .await
        .unwrap_err();
    assert_eq!(unknown.code().as_str(), "NOT_FOUND");
}

#[tokio::test]
async fn closing_needs_an_empty_active_account_and_locks_its_ledger_account() {
    let h = harness().await;
    let account = h.funded_account("bo@bank.test", 500).await;
    let actor = staff();
    let close = |id| {
        h.deposits
            .change_account_status(&actor, id, AccountStatusChange::Close)
    };
    assert!(matches!(
        close(account.id()).await,
        Err(DepositError::AccountHasBalance(_))
    ));

    // frozen: it cannot close either; the money moved aside
    h.deposits
        .change_account_status(&staff(), account.id(), AccountStatusChange::Freeze)
        .await
        .unwrap();
    assert_eq!(h.ledger_sums(&account).await, (0, 0, 500));
    assert!(matches!(
        close(account.id()).await,
        Err(DepositError::AccountFrozen(_))
    ));
    h.deposits
        .change_account_status(&staff(), account.id(), AccountStatusChange::Unfreeze)
        .await
        .unwrap();
    assert_eq!(h.ledger_sums(&account).await, (500, 0, 0));

    // emptied, it closes once; nothing can post to it afterwards
    let withdrawal = h
        .deposits
        .initiate_withdrawal(&staff(), account.id(), cents(500), no_reference(), None)
        .await
        .unwrap();
    h.deposits
        .confirm_withdrawal(&staff(), withdrawal.id())
        .await
        .unwrap();
    let closed = close(account.id()).await.unwrap();
    assert_eq!(closed.status, AccountStatus::Closed);
    let again = close(account.id()).await.unwrap();
    assert_eq!(
        again.events().persisted().len(),
        closed.events().persisted().len()
    );
    let deposit = h
        .deposits
        .record_deposit(&staff(), account.id(), cents(1), no_reference(), None)
        .await;
    assert!(matches!(deposit, Err(DepositError::AccountClosed(_))));
    assert_eq!(h.published("deposit_account_closed").await.len(), 1);
}

#[tokio::test]
async fn a_customer_with_150_accounts_is_frozen_unfrozen_and_closed_entirely() {
    let h = harness().await;
    let customer = h.customer("many@bank.test").await;
    let mut accounts = Vec::new();
    for _ in 0..150 {
        accounts.push(h.account(customer).await);
    }
    // money on the first ten: closing the customer freezes those instead
    for account in &accounts[..10] {
        h.deposits
            .record_deposit(&staff(), account.id(), cents(100), no_reference(), None)
            .await
            .unwrap();
    }
    let statuses = || async {
        let mut counts = std::collections::BTreeMap::new();
        let mut after = None;
        loop {
            let page = h
                .deposits
                .list_accounts(&staff(), ListQuery::first(100).after(after))
                .await
                .unwrap();
            for a in &page.entities {
                *counts.entry(format!("{:?}", a.status)).or_insert(0) += 1;
            }
            if !page.has_next_page {
                return counts;
            }
            after = page.end_cursor;
        }
    };

    h.customers.freeze(&staff(), customer).await.unwrap();
    h.deliver_customer_events().await;
    assert_eq!(statuses().await, [("Frozen".to_owned(), 150)].into());
    // the money of the funded ones moved to their frozen ledger accounts
    assert_eq!(h.ledger_sums(&accounts[9]).await, (0, 0, 100));

    h.customers.unfreeze(&staff(), customer).await.unwrap();
    h.deliver_customer_events().await;
    assert_eq!(statuses().await, [("Active".to_owned(), 150)].into());

    h.customers.close(&staff(), customer).await.unwrap();
    h.deliver_customer_events().await;
    assert_eq!(
        statuses().await,
        [("Closed".to_owned(), 140), ("Frozen".to_owned(), 10)].into()
    );
    // each change is published once per account, under the customer change's correlation id
    let frozen = h.published("deposit_account_frozen").await;
    assert_eq!(frozen.len(), 150 + 10);
    assert!(
        frozen
            .iter()
            .all(|(_, correlation)| correlation.as_deref() == Some("deposit-test"))
    );
}

#[tokio::test]
async fn a_customer_sees_only_their_own_accounts() {
    let h = harness().await;
    let ann = h.funded_account("ann@bank.test", 700).await;
    let ben = h.funded_account("ben@bank.test", 900).await;
    let as_ann = as_customer(ann.customer_id);

    let mine = h
        .deposits
        .list_accounts(&as_ann, ListQuery::first(10))
        .await
        .unwrap();
    assert_eq!(
        mine.entities.iter().map(EsEntity::id).collect::<Vec<_>>(),
        [ann.id()]
    );
    assert!(
        h.deposits
            .find_account(&as_ann, ben.id())
            .await
            .unwrap()
            .is_none()
    );
    let balances = h.deposits.balances(&as_ann, &[&ann]).await.unwrap();
    assert_eq!(balances[&ann.id()].settled.into_minor(), 700);
    for refused in [
        h.deposits
            .balances(&as_ann, &[&ann, &ben])
            .await
            .map(|_| ()),
        h.deposits
            .history(&as_ann, &ben, 10, None)
            .await
            .map(|_| ()),
    ] {
        assert_eq!(refused.unwrap_err().code().as_str(), "NOT_FOUND");
    }
    let theirs = h
        .deposits
        .accounts_of_customers(
            &as_ann,
            &[ann.customer_id, ben.customer_id],
            ListQuery::first(10),
        )
        .await
        .unwrap();
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[&ann.customer_id].entities[0].id(), ann.id());
    // one request reading accounts several times leaves one audit entry for it
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_entries
         WHERE correlation_id = 'customer-test' AND action = 'deposit:read'",
    )
    .fetch_one(&h.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
    // and no customer may change anything
    let frozen = h
        .deposits
        .change_account_status(&as_ann, ann.id(), AccountStatusChange::Freeze)
        .await
        .unwrap_err();
    assert_eq!(frozen.code().as_str(), "NOT_AUTHORIZED");
}

#[tokio::test]
async fn accounts_of_many_customers_come_in_one_page_each() {
    let h = harness().await;
    let (a, b, c) = (
        h.customer("a@bank.test").await,
        h.customer("b@bank.test").await,
        h.customer("c@bank.test").await,
    );
    for _ in 0..3 {
        h.account(a).await;
    }
    h.account(b).await;
    let pages = h
        .deposits
        .accounts_of_customers(&staff(), &[a, b, c], ListQuery::first(2))
        .await
        .unwrap();
    assert_eq!(pages[&a].entities.len(), 2);
    assert!(pages[&a].has_next_page);
    assert_eq!(pages[&b].entities.len(), 1);
    assert!(!pages[&b].has_next_page);
    assert!(pages[&c].entities.is_empty());
    // the next page of one customer continues after the cursor
    let rest = h
        .deposits
        .accounts_of_customers(
            &staff(),
            &[a],
            ListQuery::first(2).after(pages[&a].end_cursor.clone()),
        )
        .await
        .unwrap();
    assert_eq!(rest[&a].entities.len(), 1);
    assert!(!rest[&a].has_next_page);
}
