//! Random postings over random charts: the trial balance's debits equal its credits, the balance
//! sheet balances, and every trial balance line equals the sum of the postings under its node,
//! computed here from the test's own record of which account hangs under which code (not from
//! the ledger's sets). Seeded; the seed is printed (`ACCOUNTING_PROPERTY_SEED` replays it).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use chrono::{Days, NaiveDate};
use core_accounting::{AccountCode, BookCurrency, StatementLayer};
use harness::{base_config, code, date, harness, staff};
use ledger::{AccountId, Currency, Layer, NewEntry, NewTransaction, Side};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// The six categories (code, side) and the off-balance-sheet code; extra nodes are generated
/// under the categories.
const CATEGORIES: [(&str, &str, Side); 6] = [
    ("1", "Assets", Side::Debit),
    ("2", "Liabilities", Side::Credit),
    ("3", "Equity", Side::Credit),
    ("4", "Revenue", Side::Credit),
    ("5", "Cost of revenue", Side::Debit),
    ("6", "Expenses", Side::Debit),
];

#[derive(Debug, Clone)]
struct Case {
    /// Children per category, and grandchildren per child (all on the parent's side).
    shape: Vec<(u8, u8)>,
    /// Where each module set attaches (an index into the nodes on its side).
    attach: Vec<u8>,
    /// (debit account, credit account, amount, day of 2027, pending)
    postings: Vec<(u8, u8, u64, u32, bool)>,
    /// A trial balance range and a balance sheet date, as days of 2027.
    range: (u32, u32),
    as_of: u32,
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((0u8..3, 0u8..3), 6),
        prop::collection::vec(any::<u8>(), 4),
        prop::collection::vec(
            (
                any::<u8>(),
                any::<u8>(),
                1u64..1_000_000,
                0u32..90,
                prop::bool::weighted(0.2),
            ),
            1..30,
        ),
        (0u32..90, 0u32..90),
        0u32..90,
    )
        .prop_map(|(shape, attach, postings, (a, b), as_of)| Case {
            shape,
            attach,
            postings,
            range: (a.min(b), a.max(b)),
            as_of,
        })
}

/// Whether `code` is `node` or under it: these charts' top-level codes are single digits, so
/// the dotted path is the tree.
fn within(code: &AccountCode, node: &AccountCode) -> bool {
    code.sections().starts_with(node.sections())
}

fn day(n: u32) -> NaiveDate {
    date("2027-01-01") + Days::new(u64::from(n))
}

/// The chart file of a case and its nodes (code, side), parents first.
fn chart(shape: &[(u8, u8)]) -> (String, Vec<(AccountCode, Side)>) {
    let mut file = String::new();
    let mut nodes = Vec::new();
    for ((top, name, side), (children, grandchildren)) in CATEGORIES.iter().zip(shape) {
        let side_text = if *side == Side::Debit {
            "Debit"
        } else {
            "Credit"
        };
        file += &format!("{top},,,{name},{side_text}\n");
        nodes.push((code(top), *side));
        for c in 1..=*children {
            file += &format!(",{c:02},,{name} {c},\n");
            nodes.push((code(&format!("{top}.{c:02}")), *side));
            for g in 1..=*grandchildren {
                file += &format!(",,{g:02},{name} {c}.{g},\n");
                nodes.push((code(&format!("{top}.{c:02}.{g:02}")), *side));
            }
        }
        if *top == "3" {
            // Where the configuration keeps retained earnings.
            file += ",98,,Retained earnings,\n";
            nodes.push((code("3.98"), *side));
        }
    }
    // The off-balance-sheet code the configuration needs (nothing attaches or posts there).
    file += "9,,,Memo,Debit\n";
    (file, nodes)
}

async fn run_case(case: &Case) {
    let h = harness("2027-04-02T12:00:00Z").await;
    let (file, nodes) = chart(&case.shape);
    h.accounting
        .import_chart_csv(&staff(), file.as_bytes())
        .await
        .unwrap();
    let mut config = base_config(date("2027-01-01"));
    config.retained_earnings_gain = code("3.98");
    config.retained_earnings_loss = code("3.98");
    h.accounting
        .configure_books(&staff(), config)
        .await
        .unwrap();
    let chart = h.accounting.chart(&staff()).await.unwrap();

    // Every account the postings use, with the code it hangs under directly.
    let mut accounts: Vec<(AccountId, AccountCode)> = Vec::new();
    let modules = [&h.cash, &h.deposits, &h.fees, &h.salaries];
    for (module, pick) in modules.iter().zip(&case.attach) {
        let on_side: Vec<&AccountCode> = nodes
            .iter()
            .filter(|(_, side)| *side == module.set.normal_side)
            .map(|(c, _)| c)
            .collect();
        let at = on_side[usize::from(*pick) % on_side.len()].clone();
        h.accounting
            .attach_module_set(&staff(), &module.set.key, at.clone())
            .await
            .unwrap();
        for leaf in &module.leaves {
            accounts.push((*leaf, at.clone()));
        }
    }
    for (c, _) in &nodes {
        accounts.push((chart.node(c).unwrap().own_account, c.clone()));
    }

    let mut posted = Vec::new();
    for (i, (d, c, amount, on, pending)) in case.postings.iter().enumerate() {
        let (debit, credit) = (
            &accounts[usize::from(*d) % accounts.len()],
            &accounts[usize::from(*c) % accounts.len()],
        );
        let layer = if *pending {
            Layer::Pending
        } else {
            Layer::Settled
        };
        h.ledger
            .post(
                NewTransaction::new(h.journal, format!("p{i}"), day(*on))
                    .entry(NewEntry::debit(debit.0, *amount, Currency::usd()).layer(layer))
                    .entry(NewEntry::credit(credit.0, *amount, Currency::usd()).layer(layer)),
            )
            .await
            .unwrap();
        posted.push((
            debit.1.clone(),
            credit.1.clone(),
            i128::from(*amount),
            day(*on),
            *pending,
        ));
    }

    let (from, to) = (day(case.range.0), day(case.range.1));
    for layer in [StatementLayer::Settled, StatementLayer::Pending] {
        let counts = |pending: bool| layer == StatementLayer::Pending || !pending;
        let tb = h
            .accounting
            .trial_balance(&staff(), from, to, BookCurrency::Usd, layer)
            .await
            .unwrap();
        assert_eq!(tb.total_debits, tb.total_credits, "{layer:?}");
        for line in &tb.lines {
            let (mut before, mut debits, mut credits) = (0i128, 0i128, 0i128);
            for (d, c, amount, on, pending) in &posted {
                if !counts(*pending) || *on > to {
                    continue;
                }
                let (d_in, c_in) = (within(d, &line.code), within(c, &line.code));
                if *on < from {
                    before += i128::from(d_in) * amount - i128::from(c_in) * amount;
                } else {
                    debits += i128::from(d_in) * amount;
                    credits += i128::from(c_in) * amount;
                }
            }
            let sign = if line.normal_side == Side::Debit {
                1
            } else {
                -1
            };
            assert_eq!(
                (line.opening, line.debits, line.credits, line.closing),
                (
                    sign * before,
                    debits,
                    credits,
                    sign * (before + debits - credits)
                ),
                "{} ({layer:?})",
                line.code
            );
        }
        let bs = h
            .accounting
            .balance_sheet(&staff(), day(case.as_of), BookCurrency::Usd, layer)
            .await
            .unwrap();
        assert_eq!(
            bs.total_assets,
            bs.total_liabilities + bs.total_equity,
            "{layer:?}"
        );
    }
}

#[test]
fn random_postings_over_random_charts_make_statements_that_add_up() {
    let seed = test_db::seed("ACCOUNTING_PROPERTY_SEED");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let config = Config {
        cases: 12,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    runner
        .run(&case(), |case| {
            runtime.block_on(run_case(&case));
            Ok(())
        })
        .unwrap();
}
