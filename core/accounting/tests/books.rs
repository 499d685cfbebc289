//! An accountant's year in the domain: postings of a pretend domain and manual transactions,
//! statements against figures computed by hand, the drill-down, closing months in order, a
//! back-dated posting refused by the ledger, and the year's close into retained earnings.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use core_accounting::{
    BookCurrency, EntryAccount, ManualEntryInput, Month, NewManualTransaction, StatementLayer,
};
use harness::{Harness, code, code_of, date, harness, staff, tb_line};
use idempotency::IdempotencyKey;
use ledger::{LedgerError, PostingError, Side};

fn entry(account: EntryAccount, direction: Side, cents: u64) -> ManualEntryInput {
    ManualEntryInput {
        account,
        currency: BookCurrency::Usd,
        direction,
        amount: cents,
        description: None,
    }
}

fn by_code(c: &str, direction: Side, cents: u64) -> ManualEntryInput {
    entry(EntryAccount::Code(code(c)), direction, cents)
}

fn manual(
    description: &str,
    effective: &str,
    entries: Vec<ManualEntryInput>,
) -> NewManualTransaction {
    NewManualTransaction::parse(description, date(effective), entries).unwrap()
}

/// November and December 2026, then January 2027 (amounts in cents; see each line).
async fn a_quarter_of_business(h: &Harness) {
    let (cash, dep, fees, sal) = (
        &h.cash.leaves,
        &h.deposits.leaves,
        &h.fees.leaves,
        &h.salaries.leaves,
    );
    h.post("n1", cash[0], dep[0], 100_000, "2026-11-03")
        .await
        .unwrap(); // deposit
    h.post("n2", cash[1], dep[1], 250_000, "2026-11-10")
        .await
        .unwrap(); // deposit
    h.post("n3", dep[0], fees[0], 2_500, "2026-11-20")
        .await
        .unwrap(); // fee charged
    h.post("n4", sal[0], cash[0], 40_000, "2026-11-28")
        .await
        .unwrap(); // salaries paid
    h.post("d1", dep[1], cash[1], 50_000, "2026-12-05")
        .await
        .unwrap(); // withdrawal
    h.post("d2", dep[1], fees[0], 3_000, "2026-12-15")
        .await
        .unwrap(); // fee charged
    h.accounting
        .create_manual_transaction(
            &staff(),
            manual(
                "Capital paid in",
                "2026-12-20",
                vec![
                    by_code("1.01", Side::Debit, 500_000),
                    by_code("3.01", Side::Credit, 500_000),
                ],
            ),
            None,
        )
        .await
        .unwrap();
    h.accounting
        .create_manual_transaction(
            &staff(),
            manual(
                "December rent",
                "2026-12-31",
                vec![
                    by_code("6.02", Side::Debit, 20_000),
                    entry(EntryAccount::Account(cash[0]), Side::Credit, 20_000),
                ],
            ),
            None,
        )
        .await
        .unwrap();
    h.post("j1", cash[0], dep[2], 75_000, "2027-01-07")
        .await
        .unwrap(); // deposit
    h.post("j2", dep[2], fees[0], 1_000, "2027-01-08")
        .await
        .unwrap(); // fee charged
}

#[tokio::test]
async fn statements_equal_the_figures_by_hand_and_the_year_closes_into_retained_earnings() {
    // Days up to 9 February 2027 have ended.
    let h = harness("2027-02-10T12:00:00Z").await;
    h.books(date("2026-11-01")).await;
    a_quarter_of_business(&h).await;

    // November: cash 350,000 in, 40,000 out; deposits 350,000 less a 2,500 fee; salaries.
    let nov = h.trial_balance("2026-11-01", "2026-11-30").await;
    assert_eq!(tb_line(&nov, "1.01"), (0, 350_000, 40_000, 310_000));
    assert_eq!(tb_line(&nov, "1"), (0, 350_000, 40_000, 310_000));
    assert_eq!(tb_line(&nov, "2.01"), (0, 2_500, 350_000, 347_500));
    assert_eq!(tb_line(&nov, "4.01"), (0, 0, 2_500, 2_500));
    assert_eq!(tb_line(&nov, "6.01"), (0, 40_000, 0, 40_000));
    assert_eq!((nov.total_debits, nov.total_credits), (392_500, 392_500));
    // December opens where November closed.
    let dec = h.trial_balance("2026-12-01", "2026-12-31").await;
    assert_eq!(tb_line(&dec, "1.01"), (310_000, 500_000, 70_000, 740_000));
    assert_eq!(tb_line(&dec, "2.01"), (347_500, 53_000, 0, 294_500));
    assert_eq!(tb_line(&dec, "3.01"), (0, 0, 500_000, 500_000));
    assert_eq!(tb_line(&dec, "6.02"), (0, 20_000, 0, 20_000));
    assert_eq!((dec.total_debits, dec.total_credits), (573_000, 573_000));

    let bs = h
        .accounting
        .balance_sheet(
            &staff(),
            date("2026-12-31"),
            BookCurrency::Usd,
            StatementLayer::Settled,
        )
        .await
        .unwrap();
    assert_eq!(bs.total_assets, 740_000);
    assert_eq!(bs.total_liabilities, 294_500);
    // Revenue 5,500 - expenses 60,000.
    assert_eq!(bs.current_earnings, -54_500);
    assert_eq!(bs.total_equity, 500_000 - 54_500);
    assert_eq!(bs.total_assets, bs.total_liabilities + bs.total_equity);

    let pl = h
        .accounting
        .profit_and_loss(
            &staff(),
            date("2026-11-01"),
            date("2026-12-31"),
            BookCurrency::Usd,
            StatementLayer::Settled,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            pl.total_revenue,
            pl.total_cost_of_revenue,
            pl.total_expenses,
            pl.net_income
        ),
        (5_500, 0, 60_000, -54_500)
    );
    assert!(core_accounting::profit_and_loss_csv(&pl).contains("total,,Net income,-545.00\n"));

    // The drill-down: the deposit accounts and the node's own account, then entries.
    let (accounts, more) = h
        .accounting
        .ledger_accounts_under(&staff(), &code("2.01"), 10, None)
        .await
        .unwrap();
    assert!(!more);
    let balances: Vec<(String, i128)> = accounts
        .iter()
        .map(|a| (a.account.code.clone(), a.usd))
        .collect();
    assert_eq!(
        balances,
        vec![
            ("chart:2.01:own".to_owned(), 0),
            ("test-deposits-0".to_owned(), 97_500),
            ("test-deposits-1".to_owned(), 197_000),
            ("test-deposits-2".to_owned(), 74_000),
        ]
    );
    let entries = h
        .accounting
        .ledger_account_entries(&staff(), h.deposits.leaves[0], 10, None)
        .await
        .unwrap();
    assert_eq!(
        entries
            .entries
            .iter()
            .map(|e| (e.external_id.as_str(), e.amount))
            .collect::<Vec<_>>(),
        vec![("n3", 2_500), ("n1", 100_000)]
    );

    // Months close in order, once ended.
    let e = h
        .accounting
        .close_month(&staff(), Month::parse(2026, 12).unwrap())
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "PERIOD_NOT_NEXT");
    let fy = h
        .accounting
        .close_month(&staff(), Month::parse(2026, 11).unwrap())
        .await
        .unwrap();
    assert_eq!((fy.year, fy.closed_through), (2026, Some(11)));
    assert_eq!(
        h.ledger.closed_through(h.journal).await.unwrap(),
        Some(date("2026-11-30"))
    );
    // Nothing lands in November any more: not a domain's posting, not a manual transaction.
    let late = h
        .post(
            "late",
            h.cash.leaves[0],
            h.deposits.leaves[0],
            9_999,
            "2026-11-29",
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            late,
            LedgerError::Posting(PostingError::PeriodClosed { .. })
        ),
        "{late:?}"
    );
    let e = h
        .accounting
        .create_manual_transaction(
            &staff(),
            manual(
                "Back-dated",
                "2026-11-15",
                vec![
                    by_code("6.02", Side::Debit, 1),
                    by_code("1.01", Side::Credit, 1),
                ],
            ),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "PERIOD_CLOSED");
    assert_eq!(h.trial_balance("2026-11-01", "2026-11-30").await, nov);
    let e = h
        .accounting
        .close_month(&staff(), Month::parse(2026, 12).unwrap())
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "YEAR_CLOSE_REQUIRED");
    let e = h.accounting.close_year(&staff(), 2027).await.unwrap_err();
    assert_eq!(code_of(&e), "PERIOD_NOT_NEXT");

    // The year closes: revenue and expenses to zero as of 31 December, the loss to retained
    // earnings (losses), and 2027 opens with the closing balances.
    let closed = h.accounting.close_year(&staff(), 2026).await.unwrap();
    assert!(closed.closed);
    assert_eq!(
        closed.closing_transactions.len(),
        1,
        "USD only (no BTC was posted)"
    );
    let dec_after = h.trial_balance("2026-12-01", "2026-12-31").await;
    for node in ["4", "4.01", "5", "6", "6.01", "6.02"] {
        assert_eq!(tb_line(&dec_after, node).3, 0, "{node} after the close");
    }
    assert_eq!(tb_line(&dec_after, "3.03").3, 54_500);
    assert_eq!(tb_line(&dec_after, "3.02").3, 0);
    assert_eq!(tb_line(&dec_after, "3").3, 500_000 - 54_500);
    assert_eq!(dec_after.total_debits, dec_after.total_credits);
    let bs = h
        .accounting
        .balance_sheet(
            &staff(),
            date("2026-12-31"),
            BookCurrency::Usd,
            StatementLayer::Settled,
        )
        .await
        .unwrap();
    assert_eq!((bs.current_earnings, bs.total_equity), (0, 445_500));
    assert_eq!(bs.total_assets, bs.total_liabilities + bs.total_equity);
    let jan = h.trial_balance("2027-01-01", "2027-01-31").await;
    for (closing, opening) in dec_after.lines.iter().zip(&jan.lines) {
        assert_eq!(
            (&closing.code, closing.closing),
            (&opening.code, opening.opening)
        );
    }
    let pl_2027 = h
        .accounting
        .profit_and_loss(
            &staff(),
            date("2027-01-01"),
            date("2027-01-31"),
            BookCurrency::Usd,
            StatementLayer::Settled,
        )
        .await
        .unwrap();
    assert_eq!(pl_2027.net_income, 1_000);
    // Closing again changes nothing; 2027 is open at January, which has ended; February not.
    let again = h.accounting.close_year(&staff(), 2026).await.unwrap();
    assert_eq!(again.closing_transactions, closed.closing_transactions);
    let years = h.accounting.fiscal_years(&staff()).await.unwrap();
    assert_eq!(
        years
            .iter()
            .map(|y| (y.year, y.closed, y.next_open_month()))
            .collect::<Vec<_>>(),
        vec![
            (2026, true, None),
            (2027, false, Some(Month::parse(2027, 1).unwrap()))
        ]
    );
    h.accounting
        .close_month(&staff(), Month::parse(2027, 1).unwrap())
        .await
        .unwrap();
    let e = h
        .accounting
        .close_month(&staff(), Month::parse(2027, 2).unwrap())
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "PERIOD_NOT_ENDED");
    // Once February has ended (its days announced), it closes.
    h.advance_to("2027-03-01T00:30:00Z").await;
    h.accounting
        .close_month(&staff(), Month::parse(2027, 2).unwrap())
        .await
        .unwrap();

    // Every change that committed was audited with the actor's correlation id: the import, the
    // configuration, 4 attachments, 2 manual transactions, 5 closings (the year's twice); the
    // refused ones rolled back with their audit entry.
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_entries WHERE action = 'accounting:write' AND correlation_id = 'accounting-test' AND authorized",
    )
    .fetch_one(&h.db.pool)
    .await
    .unwrap();
    assert_eq!(audited, 13);
}

#[tokio::test]
async fn manual_transactions_are_refused_with_their_codes_and_replay_by_key() {
    let h = harness("2027-02-10T12:00:00Z").await;
    let t = manual(
        "Accrued rent",
        "2027-02-01",
        vec![
            by_code("6.02", Side::Debit, 700),
            by_code("1.01", Side::Credit, 700),
        ],
    );
    let e = h
        .accounting
        .create_manual_transaction(&staff(), t.clone(), None)
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "ACCOUNTING_NOT_CONFIGURED");
    h.books(date("2027-01-01")).await;
    let code = |c: &str| EntryAccount::Code(code(c));
    let (rent, cash) = (code("6.02"), code("1.01"));
    let refusals = [
        (
            "unbalanced",
            "2027-02-01",
            rent.clone(),
            700,
            699,
            "TRANSACTION_UNBALANCED",
        ),
        (
            "before inception",
            "2026-12-31",
            rent.clone(),
            1,
            1,
            "BEFORE_INCEPTION",
        ),
        (
            "in the future",
            "2027-02-11",
            rent.clone(),
            1,
            1,
            "INVALID_INPUT",
        ),
        (
            "unknown code",
            "2027-02-01",
            code("6.09"),
            1,
            1,
            "CHART_NODE_NOT_FOUND",
        ),
        (
            "unknown account",
            "2027-02-01",
            EntryAccount::Account(ledger::AccountId::new()),
            1,
            1,
            "NOT_FOUND",
        ),
        (
            "a set",
            "2027-02-01",
            EntryAccount::Account(h.cash.set.account),
            1,
            1,
            "LEDGER_ACCOUNT_REFUSED",
        ),
    ]
    .map(
        |(what, effective, debit, debit_cents, credit_cents, expected)| {
            let entries = vec![
                entry(debit, Side::Debit, debit_cents),
                entry(cash.clone(), Side::Credit, credit_cents),
            ];
            (what, manual("x", effective, entries), expected)
        },
    );
    for (what, t, expected) in refusals {
        let e = h
            .accounting
            .create_manual_transaction(&staff(), t, None)
            .await
            .unwrap_err();
        assert_eq!(code_of(&e), expected, "{what}: {e}");
    }
    assert!(
        NewManualTransaction::parse(
            "x",
            date("2027-02-01"),
            vec![by_code("1.01", Side::Debit, 1)]
        )
        .is_err()
    );
    assert!(
        NewManualTransaction::parse(
            " ",
            date("2027-02-01"),
            vec![
                by_code("1.01", Side::Debit, 1),
                by_code("2.01", Side::Credit, 1)
            ]
        )
        .is_err()
    );
    assert!(
        NewManualTransaction::parse(
            "x",
            date("2027-02-01"),
            vec![
                by_code("1.01", Side::Debit, 0),
                by_code("2.01", Side::Credit, 0)
            ]
        )
        .is_err()
    );
    let count = async || -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM ledger_transactions WHERE template = 'manual'")
            .fetch_one(&h.db.pool)
            .await
            .unwrap()
    };
    assert_eq!(count().await, 0, "nothing refused was posted");

    let key = IdempotencyKey::parse("rent-feb").unwrap();
    let first = h
        .accounting
        .create_manual_transaction(&staff(), t.clone(), Some(&key))
        .await
        .unwrap();
    let replay = h
        .accounting
        .create_manual_transaction(&staff(), t.clone(), Some(&key))
        .await
        .unwrap();
    assert_eq!(first.ledger_transaction, replay.ledger_transaction);
    assert_eq!(count().await, 1);
    let other = manual(
        "Other",
        "2027-02-01",
        vec![
            by_code("6.02", Side::Debit, 5),
            by_code("1.01", Side::Credit, 5),
        ],
    );
    let e = h
        .accounting
        .create_manual_transaction(&staff(), other, Some(&key))
        .await
        .unwrap_err();
    assert_eq!(code_of(&e), "IDEMPOTENCY_KEY_REUSED");
    let feb = h.trial_balance("2027-02-01", "2027-02-28").await;
    assert_eq!(tb_line(&feb, "6.02"), (0, 700, 0, 700));
    assert_eq!(tb_line(&feb, "1.01"), (0, 0, 700, -700));
}
