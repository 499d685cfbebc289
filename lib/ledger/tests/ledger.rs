//! The ledger against a real PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Books, books, books_with, day, usd};
use es::{DbOp, RetryPolicy, retry_conflicts};
use ledger::{
    Currency, Layer, LedgerConfig, LedgerError, NewAccount, NewEntry, NewTransaction, PostingError,
    Side, TxTemplate,
};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::sync::Barrier;

async fn op(books: &Books) -> DbOp {
    DbOp::init(&books.db.pool, &clock::Clock::real())
        .await
        .unwrap()
}

#[tokio::test]
async fn unbalanced_or_invalid_transactions_are_refused_and_write_nothing() {
    let books = books().await;
    let (cash, deposits) = books.cash_and_deposits().await;
    let cases = [
        (
            "one-sided",
            NewTransaction::new(books.journal, "t1", day(0)).entry(NewEntry::debit(
                cash,
                100,
                usd(),
            )),
            "Unbalanced",
        ),
        (
            "amounts differ",
            books
                .transfer("t2", cash, deposits, 100, day(0))
                .entry(NewEntry::credit(deposits, 1, usd())),
            "Unbalanced",
        ),
        (
            "balanced in total but not per layer",
            NewTransaction::new(books.journal, "t3", day(0))
                .entry(NewEntry::debit(cash, 100, usd()))
                .entry(NewEntry::credit(deposits, 100, usd()).layer(Layer::Pending)),
            "Unbalanced",
        ),
        (
            "balanced in total but not per currency",
            NewTransaction::new(books.journal, "t4", day(0))
                .entry(NewEntry::debit(cash, 100, usd()))
                .entry(NewEntry::credit(deposits, 100, Currency::btc())),
            "Unbalanced",
        ),
        (
            "zero amount",
            books.transfer("t5", cash, deposits, 0, day(0)),
            "Invalid",
        ),
        (
            "too large",
            books.transfer("t6", cash, deposits, u64::MAX, day(0)),
            "Invalid",
        ),
        (
            "no entries",
            NewTransaction::new(books.journal, "t7", day(0)),
            "Invalid",
        ),
        (
            "empty external id",
            books.transfer("", cash, deposits, 1, day(0)),
            "Invalid",
        ),
        (
            "unknown currency",
            NewTransaction::new(books.journal, "t8", day(0))
                .entry(NewEntry::debit(cash, 1, Currency::new("EUR")))
                .entry(NewEntry::credit(deposits, 1, Currency::new("EUR"))),
            "UnknownCurrency",
        ),
        (
            "unknown account",
            books.transfer("t9", cash, ledger::AccountId::new(), 1, day(0)),
            "UnknownAccount",
        ),
    ];
    for (name, tx, kind) in cases {
        let mut op = op(&books).await;
        let err = books
            .ledger
            .post_in_op(&mut op, tx.clone())
            .await
            .unwrap_err();
        assert!(format!("{err:?}").contains(kind), "{name}: {err:?}");
        op.commit().await.unwrap();
        let err = books.ledger.post(tx).await.unwrap_err();
        assert!(format!("{err:?}").contains(kind), "{name} (group): {err:?}");
    }
    assert_eq!(books.count("ledger_transactions").await, 0);
    assert_eq!(books.count("ledger_entries").await, 0);
    // The database refuses an unbalanced transaction written behind the ledger's back, too.
    let mut tx = books.db.pool.begin().await.unwrap();
    let id = uuid::Uuid::now_v7();
    sqlx::query("INSERT INTO ledger_transactions (id, journal_id, external_id, effective, recorded_at, content_hash) VALUES ($1, $2, 'raw', current_date, now(), '\\x00')")
        .bind(id)
        .bind(uuid::Uuid::from(books.journal))
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = sqlx::query("INSERT INTO ledger_entries (transaction_id, journal_id, account_id, currency, layer, direction, amount, effective, version) VALUES ($1, $2, $3, 'USD', 0, 1, 5, current_date, 1)")
        .bind(id)
        .bind(uuid::Uuid::from(books.journal))
        .bind(uuid::Uuid::from(cash))
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("does not balance"), "{err}");
}

#[tokio::test]
async fn transactions_and_entries_are_append_only() {
    let books = books().await;
    let (cash, deposits) = books.cash_and_deposits().await;
    books
        .post_transfer("t1", cash, deposits, 100, day(0))
        .await
        .unwrap();
    for statement in [
        "UPDATE ledger_entries SET amount = 1",
        "DELETE FROM ledger_entries",
        "UPDATE ledger_transactions SET effective = current_date",
        "DELETE FROM ledger_transactions",
    ] {
        let err = sqlx::query(statement)
            .execute(&books.db.pool)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("append-only"),
            "{statement}: {err}"
        );
    }
}

#[tokio::test]
async fn the_same_external_id_replays_and_other_content_is_refused() {
    let books = books().await;
    let (cash, deposits) = books.cash_and_deposits().await;
    let first = books
        .post_transfer("dep-1", cash, deposits, 100, day(0))
        .await
        .unwrap();
    assert!(!first.replayed);
    let again = books
        .post_transfer("dep-1", cash, deposits, 100, day(0))
        .await
        .unwrap();
    assert_eq!((again.id, again.replayed), (first.id, true));
    let mut op = op(&books).await;
    let again = books
        .ledger
        .post_in_op(
            &mut op,
            books.transfer("dep-1", cash, deposits, 100, day(0)),
        )
        .await
        .unwrap();
    op.commit().await.unwrap();
    assert_eq!(again.id, first.id);
    let err = books
        .post_transfer("dep-1", cash, deposits, 101, day(0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LedgerError::Posting(PostingError::ExternalIdConflict { .. })
        ),
        "{err:?}"
    );
    assert_eq!(books.count("ledger_transactions").await, 1);
    assert_eq!(
        books
            .ledger
            .balance(books.journal, deposits, &usd())
            .await
            .unwrap()
            .settled(),
        100
    );
}

#[tokio::test]
async fn a_locked_account_takes_no_postings_but_a_recorded_external_id_still_answers() {
    let books = books().await;
    let (cash, deposits) = books.cash_and_deposits().await;
    let first = books
        .post_transfer("dep-1", cash, deposits, 100, day(0))
        .await
        .unwrap();
    let mut op = op(&books).await;
    books
        .ledger
        .set_account_locked_in_op(&mut op, deposits, true)
        .await
        .unwrap();
    op.commit().await.unwrap();
    // The same posting again is its replay, although the account is locked now.
    let again = books
        .post_transfer("dep-1", cash, deposits, 100, day(0))
        .await
        .unwrap();
    assert_eq!((again.id, again.replayed), (first.id, true));
    // Other content under the id is a conflict, even naming an account that does not exist.
    let err = books
        .post_transfer("dep-1", cash, ledger::AccountId::new(), 100, day(0))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LedgerError::Posting(PostingError::ExternalIdConflict { .. })
        ),
        "{err:?}"
    );
    // A new id: the unknown account and the lock are what refuse it.
    let unknown = ledger::AccountId::new();
    let err = books
        .post_transfer("dep-2", cash, unknown, 100, day(0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, LedgerError::Posting(PostingError::UnknownAccount(a)) if a == unknown),
        "{err:?}"
    );
    let err = books
        .post_transfer("dep-3", cash, deposits, 100, day(0))
        .await
        .unwrap_err();
    assert!(
        matches!(err, LedgerError::Posting(PostingError::AccountLocked(a)) if a == deposits),
        "{err:?}"
    );
    assert_eq!(books.count("ledger_transactions").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_connections_posting_one_external_id_make_one_posting() {
    let books = Arc::new(books().await);
    let (cash, deposits) = books.cash_and_deposits().await;
    for round in 0..10 {
        let barrier = Arc::new(Barrier::new(2));
        let tasks: Vec<_> = (0..2)
            .map(|_| {
                let (books, barrier) = (books.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    retry_conflicts(RetryPolicy::default(), || async {
                        let mut op = op(&books).await;
                        let posted = books
                            .ledger
                            .post_in_op(
                                &mut op,
                                books.transfer(&format!("race-{round}"), cash, deposits, 7, day(0)),
                            )
                            .await?;
                        op.commit().await?;
                        Ok::<_, LedgerError>(posted)
                    })
                    .await
                    .unwrap()
                })
            })
            .collect();
        let mut ids = Vec::new();
        for task in tasks {
            ids.push(task.await.unwrap().id);
        }
        assert_eq!(ids[0], ids[1], "both callers see the one posting");
    }
    assert_eq!(books.count("ledger_transactions").await, 10);
    assert_eq!(
        books
            .ledger
            .balance(books.journal, deposits, &usd())
            .await
            .unwrap()
            .settled(),
        70
    );
    books.assert_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_debits_over_a_balance_never_overdraw() {
    for group_commit in [true, false] {
        let books = Arc::new(books().await);
        let (omnibus, customer) = (
            books.account("omnibus", Side::Debit).await,
            books.limited("customer").await,
        );
        books
            .post_transfer("fund", omnibus, customer, 1_000, day(0))
            .await
            .unwrap();
        let (k, amount) = (25u64, 70u64);
        let barrier = Arc::new(Barrier::new(k as usize));
        let tasks: Vec<_> = (0..k)
            .map(|i| {
                let (books, barrier) = (books.clone(), barrier.clone());
                tokio::spawn(async move {
                    let tx = books.transfer(&format!("w-{i}"), customer, omnibus, amount, day(1));
                    barrier.wait().await;
                    if group_commit {
                        books.ledger.post(tx).await
                    } else {
                        let mut op = op(&books).await;
                        let result = books.ledger.post_in_op(&mut op, tx).await;
                        op.commit().await.unwrap();
                        result
                    }
                })
            })
            .collect();
        let mut accepted = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => accepted += 1,
                Err(LedgerError::Posting(PostingError::InsufficientBalance {
                    account, ..
                })) => assert_eq!(account, customer),
                Err(other) => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(accepted, 1_000 / amount, "group commit: {group_commit}");
        let balance = books
            .ledger
            .balance(books.journal, customer, &usd())
            .await
            .unwrap();
        assert_eq!(balance.settled(), i128::from(1_000 % amount));
        books.assert_invariants().await;
    }
}

#[tokio::test]
async fn pending_funds_are_not_available() {
    let books = books().await;
    let (omnibus, customer) = (
        books.account("omnibus", Side::Debit).await,
        books.limited("customer").await,
    );
    books
        .post_transfer("fund", omnibus, customer, 100, day(0))
        .await
        .unwrap();
    // Move 80 to pending: still settled, no longer available.
    let hold = NewTransaction::new(books.journal, "hold", day(0))
        .entry(NewEntry::debit(customer, 80, usd()).layer(Layer::Pending))
        .entry(NewEntry::credit(omnibus, 80, usd()).layer(Layer::Pending));
    books.ledger.post(hold).await.unwrap();
    let balance = books
        .ledger
        .balance(books.journal, customer, &usd())
        .await
        .unwrap();
    assert_eq!(
        (balance.settled(), balance.pending(), balance.available()),
        (100, -80, 20)
    );
    let err = books
        .post_transfer("spend", customer, omnibus, 30, day(0))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        LedgerError::Posting(PostingError::InsufficientBalance { .. })
    ));
    books
        .post_transfer("spend-ok", customer, omnibus, 20, day(0))
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postings_over_the_same_accounts_in_opposite_orders_never_deadlock() {
    let books = Arc::new(books().await);
    let mut accounts = Vec::new();
    for code in ["a", "b", "c", "d"] {
        accounts.push(books.account(code, Side::Debit).await);
    }
    let barrier = Arc::new(Barrier::new(16));
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (books, barrier, mut accounts) = (books.clone(), barrier.clone(), accounts.clone());
            tokio::spawn(async move {
                if i % 2 == 1 {
                    accounts.reverse();
                }
                barrier.wait().await;
                for n in 0..10 {
                    let tx = NewTransaction::new(books.journal, format!("x-{i}-{n}"), day(0))
                        .entry(NewEntry::debit(accounts[0], 3, usd()))
                        .entry(NewEntry::debit(accounts[1], 2, usd()))
                        .entry(NewEntry::credit(accounts[2], 1, usd()))
                        .entry(NewEntry::credit(accounts[3], 4, usd()));
                    // In a use case's own transaction, without retries: a deadlock would surface.
                    let mut op = op(&books).await;
                    books.ledger.post_in_op(&mut op, tx).await.unwrap();
                    op.commit().await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(books.count("ledger_transactions").await, 160);
    books.assert_invariants().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrency_stress_uniform_and_hot_then_invariants() {
    let books = Arc::new(
        books_with(LedgerConfig {
            committer_workers: 2,
            max_batch: 64,
            ..LedgerConfig::default()
        })
        .await,
    );
    let mut accounts = Vec::new();
    for i in 0..40 {
        accounts.push(
            books
                .account(
                    &format!("acct-{i}"),
                    if i % 2 == 0 {
                        Side::Debit
                    } else {
                        Side::Credit
                    },
                )
                .await,
        );
    }
    let hot = books.account("settlement", Side::Debit).await;
    let workers = 8;
    let per_worker = 60;
    let tasks: Vec<_> = (0..workers)
        .map(|w| {
            let (books, accounts) = (books.clone(), accounts.clone());
            tokio::spawn(async move {
                let mut expected: HashMap<ledger::AccountId, i128> = HashMap::new();
                for n in 0..per_worker {
                    // A small deterministic generator: uniform pairs, and every third posting
                    // through the hot account.
                    let seed = (w * 7919 + n * 104_729) as usize;
                    let from = accounts[seed % accounts.len()];
                    let to = if n % 3 == 0 {
                        hot
                    } else {
                        accounts[(seed / 7 + 1) % accounts.len()]
                    };
                    if from == to {
                        continue;
                    }
                    let amount = (seed % 997 + 1) as u64;
                    let tx = books.transfer(
                        &format!("s-{w}-{n}"),
                        from,
                        to,
                        amount,
                        day((n % 5) as u32),
                    );
                    if n % 2 == 0 {
                        books.ledger.post(tx).await.unwrap();
                    } else {
                        let mut op = op(&books).await;
                        books.ledger.post_in_op(&mut op, tx).await.unwrap();
                        op.commit().await.unwrap();
                    }
                    *expected.entry(from).or_default() += i128::from(amount);
                    *expected.entry(to).or_default() -= i128::from(amount);
                }
                expected
            })
        })
        .collect();
    let mut debit_minus_credit: HashMap<ledger::AccountId, i128> = HashMap::new();
    for task in tasks {
        for (account, delta) in task.await.unwrap() {
            *debit_minus_credit.entry(account).or_default() += delta;
        }
    }
    books.assert_invariants().await;
    for (account, expected) in debit_minus_credit {
        let b = books
            .ledger
            .balance(books.journal, account, &usd())
            .await
            .unwrap();
        let totals = b.totals(Layer::Settled);
        assert_eq!(
            i128::from(totals.debit) - i128::from(totals.credit),
            expected
        );
    }
}

#[tokio::test]
async fn balances_as_of_a_date_count_only_entries_effective_by_then() {
    let books = books().await;
    let (cash, deposits) = books.cash_and_deposits().await;
    // Posted out of order: later dates first, then back-dated ones.
    let postings = [
        (10, 500u64),
        (3, 70),
        (20, 1_000),
        (1, 5),
        (10, 25),
        (15, 300),
    ];
    for (i, (d, amount)) in postings.iter().enumerate() {
        books
            .post_transfer(&format!("p{i}"), cash, deposits, *amount, day(*d))
            .await
            .unwrap();
    }
    for d in [0, 1, 2, 3, 9, 10, 14, 15, 19, 20, 30] {
        let expected: u64 = postings
            .iter()
            .filter(|(pd, _)| *pd <= d)
            .map(|(_, a)| a)
            .sum();
        let count = postings.iter().filter(|(pd, _)| *pd <= d).count() as i64;
        let b = books
            .ledger
            .balance_as_of(books.journal, deposits, &usd(), day(d))
            .await
            .unwrap();
        assert_eq!(
            (b.settled(), b.version),
            (i128::from(expected), count),
            "as of day {d}"
        );
        let raw: Option<i64> = sqlx::query_scalar(
            "SELECT sum(amount)::bigint FROM ledger_entries WHERE account_id = $1 AND effective <= $2",
        )
        .bind(uuid::Uuid::from(deposits))
        .bind(day(d))
        .fetch_one(&books.db.pool)
        .await
        .unwrap();
        assert_eq!(raw.unwrap_or(0) as u64, expected);
    }
    let range = books
        .ledger
        .balance_range(books.journal, deposits, &usd(), day(3), day(14))
        .await
        .unwrap();
    assert_eq!(
        (
            range.opening.settled(),
            range.movement.settled(),
            range.closing.settled()
        ),
        (5, 595, 600)
    );
    let now = books
        .ledger
        .balance(books.journal, deposits, &usd())
        .await
        .unwrap();
    assert_eq!(now.settled(), 1_900);
    assert_eq!(
        now,
        books
            .ledger
            .balance_as_of(books.journal, deposits, &usd(), day(365))
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn a_reversal_posts_the_exact_opposite_once() {
    let books = books().await;
    let (cash, deposits) = books.cash_and_deposits().await;
    let original = books
        .post_transfer("dep", cash, deposits, 250, day(0))
        .await
        .unwrap();
    let reversal = books
        .ledger
        .reverse(original.id, "dep-revert", day(2))
        .await
        .unwrap();
    let again = books
        .ledger
        .reverse(original.id, "dep-revert", day(2))
        .await
        .unwrap();
    assert_eq!((again.id, again.replayed), (reversal.id, true));
    let err = books
        .ledger
        .reverse(original.id, "dep-revert-2", day(2))
        .await
        .unwrap_err();
    assert!(
        matches!(err, LedgerError::Posting(PostingError::AlreadyReversed(_))),
        "{err:?}"
    );
    let err = books
        .ledger
        .reverse(ledger::TransactionId::new(), "nothing", day(2))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LedgerError::Posting(PostingError::TransactionNotFound(_))
        ),
        "{err:?}"
    );
    assert_eq!(
        books
            .ledger
            .balance(books.journal, deposits, &usd())
            .await
            .unwrap()
            .settled(),
        0
    );
    assert_eq!(
        books
            .ledger
            .balance_as_of(books.journal, deposits, &usd(), day(1))
            .await
            .unwrap()
            .settled(),
        250
    );
    let linked: Option<uuid::Uuid> =
        sqlx::query_scalar("SELECT reverses FROM ledger_transactions WHERE id = $1")
            .bind(uuid::Uuid::from(reversal.id))
            .fetch_one(&books.db.pool)
            .await
            .unwrap();
    assert_eq!(linked, Some(original.id.into()));
    books.assert_invariants().await;
}

#[tokio::test]
async fn account_sets_roll_up_their_members_and_refuse_cycles() {
    let books = books().await;
    let cash = books.account("cash", Side::Debit).await;
    let (alice, bob, carol) = (
        books.account("alice", Side::Credit).await,
        books.account("bob", Side::Credit).await,
        books.account("carol", Side::Credit).await,
    );
    let ledger = &books.ledger;
    let individuals = ledger
        .create_account(NewAccount::new("individuals", "Individuals", Side::Credit).set())
        .await
        .unwrap();
    let all = ledger
        .create_account(NewAccount::new("deposits", "All deposits", Side::Credit).set())
        .await
        .unwrap();
    ledger.add_member(individuals, alice).await.unwrap();
    ledger.add_member(individuals, bob).await.unwrap();
    ledger.add_member(all, individuals).await.unwrap();
    ledger.add_member(all, carol).await.unwrap();
    for (i, (account, amount)) in [(alice, 10u64), (bob, 20), (carol, 40)]
        .into_iter()
        .enumerate()
    {
        books
            .post_transfer(&format!("d{i}"), cash, account, amount, day(i as u32))
            .await
            .unwrap();
    }
    assert_eq!(
        ledger
            .balance(books.journal, individuals, &usd())
            .await
            .unwrap()
            .settled(),
        30
    );
    assert_eq!(
        ledger
            .balance(books.journal, all, &usd())
            .await
            .unwrap()
            .settled(),
        70
    );
    assert_eq!(
        ledger
            .balance_as_of(books.journal, all, &usd(), day(1))
            .await
            .unwrap()
            .settled(),
        30
    );
    assert!(matches!(
        ledger.add_member(individuals, all).await,
        Err(LedgerError::SetCycle { .. })
    ));
    assert!(matches!(
        ledger.add_member(all, all).await,
        Err(LedgerError::SetCycle { .. })
    ));
    let err = books
        .post_transfer("to-set", cash, all, 1, day(0))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        LedgerError::Posting(PostingError::PostingToSet(_))
    ));
}

/// The kind of template a domain crate declares.
struct RecordDeposit {
    omnibus: ledger::AccountId,
}

struct DepositParams {
    account: ledger::AccountId,
    amount: u64,
    reference: String,
}

impl TxTemplate for RecordDeposit {
    const NAME: &'static str = "record_deposit";
    type Params = DepositParams;

    fn entries(&self, p: &DepositParams) -> Vec<NewEntry> {
        vec![
            NewEntry::debit(self.omnibus, p.amount, usd()).description(p.reference.clone()),
            NewEntry::credit(p.account, p.amount, usd()).description(p.reference.clone()),
        ]
    }

    fn description(&self, p: &DepositParams) -> Option<String> {
        Some(format!("deposit {}", p.reference))
    }
}

#[tokio::test]
async fn templates_build_named_transactions_and_history_pages_newest_first() {
    let books = books().await;
    let omnibus = books.account("omnibus", Side::Debit).await;
    let account = books.account("customer", Side::Credit).await;
    let template = RecordDeposit { omnibus };
    for i in 0..25u64 {
        let params = DepositParams {
            account,
            amount: 100 + i,
            reference: format!("ref-{i}"),
        };
        books
            .ledger
            .post(template.build(&params, books.journal, format!("dep-{i}"), day(0)))
            .await
            .unwrap();
    }
    let templates: Vec<Option<String>> =
        sqlx::query_scalar("SELECT DISTINCT template FROM ledger_transactions")
            .fetch_all(&books.db.pool)
            .await
            .unwrap();
    assert_eq!(templates, [Some("record_deposit".to_owned())]);
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = books.ledger.entries(account, 10, after).await.unwrap();
        seen.extend(page.entries.iter().map(|e| e.amount));
        if !page.has_next_page {
            break;
        }
        after = page.end_cursor;
    }
    assert_eq!(seen, (100..125).rev().collect::<Vec<u64>>());
    // Every committed batch was announced on the outbox.
    let announced: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM outbox_events, jsonb_array_elements_text(payload->'transactions') WHERE event_type = 'transactions_committed'",
    )
    .fetch_one(&books.db.pool)
    .await
    .unwrap();
    assert_eq!(announced, 25);
}

#[tokio::test]
async fn a_closed_period_takes_no_posting_by_either_path_and_never_reopens() {
    let books = books().await;
    let (cash, deposits) = books.cash_and_deposits().await;
    for (i, d) in [5, 10, 20].into_iter().enumerate() {
        books
            .post_transfer(&format!("before-{i}"), cash, deposits, 100, day(d))
            .await
            .unwrap();
    }
    let mut close = op(&books).await;
    books
        .ledger
        .close_through_in_op(&mut close, books.journal, day(10))
        .await
        .unwrap();
    close.commit().await.unwrap();
    assert_eq!(
        books.ledger.closed_through(books.journal).await.unwrap(),
        Some(day(10))
    );
    let refused = PostingError::PeriodClosed {
        effective: day(10),
        closed_through: day(10),
    };
    // The group committer and a use case's own transaction refuse it alike, and write nothing.
    let before = books.count("ledger_transactions").await;
    let err = books
        .post_transfer("late-1", cash, deposits, 7, day(10))
        .await
        .unwrap_err();
    assert!(
        matches!(err, LedgerError::Posting(ref e) if *e == refused),
        "{err:?}"
    );
    let mut own = op(&books).await;
    let err = books
        .ledger
        .post_in_op(
            &mut own,
            books.transfer("late-2", cash, deposits, 7, day(1)),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, LedgerError::Posting(PostingError::PeriodClosed { effective, .. }) if effective == day(1)),
        "{err:?}"
    );
    // The transaction is still usable: the refusal was the ledger's, not the database's.
    books
        .ledger
        .post_in_op(
            &mut own,
            books.transfer("open-1", cash, deposits, 7, day(11)),
        )
        .await
        .unwrap();
    own.commit().await.unwrap();
    assert_eq!(books.count("ledger_transactions").await, before + 1);
    // Whatever writes, the database refuses a closed date itself.
    let raw = sqlx::query(
        "INSERT INTO ledger_transactions (id, journal_id, external_id, effective, recorded_at, content_hash)
         VALUES ($1, $2, 'raw', $3, now(), '\\x00')",
    )
    .bind(uuid::Uuid::new_v4())
    .bind(uuid::Uuid::from(books.journal))
    .bind(day(3))
    .execute(&books.db.pool)
    .await
    .unwrap_err();
    assert_eq!(
        raw.as_database_error().and_then(|d| d.code()).as_deref(),
        Some("LD001")
    );
    // Closing further is fine, the same date again changes nothing, going back is refused.
    let mut again = op(&books).await;
    books
        .ledger
        .close_through_in_op(&mut again, books.journal, day(10))
        .await
        .unwrap();
    let err = books
        .ledger
        .close_through_in_op(&mut again, books.journal, day(9))
        .await
        .unwrap_err();
    assert!(matches!(err, LedgerError::Reopening { .. }), "{err:?}");
    drop(again);
    assert_eq!(
        books.ledger.closed_through(books.journal).await.unwrap(),
        Some(day(10))
    );
}

#[tokio::test]
async fn a_closing_waits_for_the_postings_in_flight_and_later_ones_see_it() {
    let books = books().await;
    let (cash, deposits) = books.cash_and_deposits().await;
    // A posting holds its balance locks, uncommitted, while the closing starts.
    let mut in_flight = op(&books).await;
    books
        .ledger
        .post_in_op(
            &mut in_flight,
            books.transfer("in-flight", cash, deposits, 9, day(4)),
        )
        .await
        .unwrap();
    let closing = {
        let ledger = books.ledger.clone();
        let (pool, journal) = (books.db.pool.clone(), books.journal);
        tokio::spawn(async move {
            let mut op = DbOp::init(&pool, &clock::Clock::real()).await.unwrap();
            ledger
                .close_through_in_op(&mut op, journal, day(5))
                .await
                .unwrap();
            op.commit().await.unwrap();
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert!(
        !closing.is_finished(),
        "the closing waits for the posting in flight"
    );
    in_flight.commit().await.unwrap();
    closing.await.unwrap();
    let err = books
        .post_transfer("after", cash, deposits, 9, day(5))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        LedgerError::Posting(PostingError::PeriodClosed { .. })
    ));
    let b = books
        .ledger
        .balance(books.journal, deposits, &usd())
        .await
        .unwrap();
    assert_eq!(b.settled(), 9);
}

#[tokio::test]
async fn rollups_sum_the_sets_below_now_through_a_date_and_between_dates_whatever_the_projector_did()
 {
    let books = books().await;
    let (cash, deposits) = books.cash_and_deposits().await;
    let other = books.account("other-deposits", Side::Credit).await;
    let set = |code: &str| NewAccount::new(code, code, Side::Credit).set();
    let all = books.ledger.create_account(set("all")).await.unwrap();
    let part = books.ledger.create_account(set("part")).await.unwrap();
    books.ledger.add_member(part, deposits).await.unwrap();
    books.ledger.add_member(all, part).await.unwrap();
    books.ledger.add_member(all, other).await.unwrap();
    // An account is in one set; sets nest.
    let twice = books.ledger.add_member(all, deposits).await.unwrap_err();
    assert!(
        matches!(twice, LedgerError::AccountInOtherSet(_)),
        "{twice:?}"
    );
    let posts = [
        ("a", deposits, 100u64, 2),
        ("b", other, 40, 3),
        ("c", deposits, 5, 8),
    ];
    for (ext, to, amount, d) in posts {
        books
            .post_transfer(ext, cash, to, amount, day(d))
            .await
            .unwrap();
    }
    let credit = |totals: &ledger::Totals| totals[0].credit;
    let check = async |expected: &[(ledger::Period, i64, i64)]| {
        for (period, all_expected, part_expected) in expected {
            let totals = books
                .ledger
                .rollups(books.journal, &[all, part], &usd(), &[*period])
                .await
                .unwrap()
                .remove(0);
            assert_eq!(
                totals.get(&all).map_or(0, credit),
                *all_expected,
                "{period:?}"
            );
            assert_eq!(
                totals.get(&part).map_or(0, credit),
                *part_expected,
                "{period:?}"
            );
            assert!(totals.values().all(|t| t[0].debit == 0));
        }
    };
    let expected = [
        (ledger::Period::Now, 145, 105),
        (ledger::Period::Through(day(3)), 140, 100),
        (ledger::Period::Between(day(3), day(8)), 45, 5),
        (ledger::Period::Through(day(1)), 0, 0),
    ];
    // Nothing projected yet: everything is read from the tail.
    check(&expected).await;
    // Projected: the same figures from the set totals.
    let outbox = outbox::Outbox::new(books.db.pool.clone(), clock::Clock::real());
    let projector = outbox.start_dispatcher(
        ledger::SetTotalsProjector,
        outbox::DispatcherConfig::default(),
    );
    let last = outbox.last_sequence().await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while outbox
        .handler_position(ledger::SetTotalsProjector::NAME)
        .await
        .unwrap()
        < last
    {
        assert!(
            std::time::Instant::now() < deadline,
            "the projector never caught up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    projector.shutdown().await;
    assert!(books.count("ledger_set_totals").await > 0);
    check(&expected).await;
    // Partly projected: a later posting is in the tail.
    books
        .post_transfer("d", cash, other, 1_000, day(9))
        .await
        .unwrap();
    check(&[
        (ledger::Period::Now, 1_145, 105),
        (ledger::Period::Through(day(8)), 145, 105),
    ])
    .await;
    // An account with entries joins a set with its history, whatever is projected: `cash` has
    // 1,145 of debits, all projected but the last 1,000 (in the tail).
    let late = books.ledger.create_account(set("late")).await.unwrap();
    books.ledger.add_member(late, cash).await.unwrap();
    let debit = |totals: &ledger::Totals| totals[0].debit;
    let totals = books
        .ledger
        .rollups(
            books.journal,
            &[late],
            &usd(),
            &[ledger::Period::Now, ledger::Period::Through(day(8))],
        )
        .await
        .unwrap();
    assert_eq!(totals[0].get(&late).map_or(0, debit), 1_145);
    assert_eq!(totals[1].get(&late).map_or(0, debit), 145);
    // Once the projector has caught up too.
    let projector = outbox.start_dispatcher(
        ledger::SetTotalsProjector,
        outbox::DispatcherConfig::default(),
    );
    let last = outbox.last_sequence().await.unwrap();
    while outbox
        .handler_position(ledger::SetTotalsProjector::NAME)
        .await
        .unwrap()
        < last
    {
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    projector.shutdown().await;
    let totals = books
        .ledger
        .rollups(books.journal, &[late, all], &usd(), &[ledger::Period::Now])
        .await
        .unwrap();
    assert_eq!(totals[0].get(&late).map_or(0, debit), 1_145);
    assert_eq!(totals[0].get(&all).map_or(0, credit), 1_145);
    let (page, more) = books.ledger.leaves_under(all, 1, None).await.unwrap();
    assert_eq!((page[0].code.as_str(), more), ("deposits", true));
    let (page, more) = books
        .ledger
        .leaves_under(all, 5, Some(page[0].code.as_str()))
        .await
        .unwrap();
    assert_eq!(
        (
            page.iter().map(|a| a.code.as_str()).collect::<Vec<_>>(),
            more
        ),
        (vec!["other-deposits"], false)
    );
}
