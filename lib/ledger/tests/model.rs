//! Model test: random sequences of postings, reversals, replays and back-dated postings, checked
//! after every step against an in-memory reference ledger. Seeded; the seed is printed and can be
//! replayed with LEDGER_MODEL_SEED=<hex>.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{books, day, usd};
use ledger::{
    AccountId, JournalId, Layer, Ledger, LedgerError, NewAccount, NewEntry, NewTransaction,
    PostingError, Side, TransactionId,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::HashMap;

#[derive(Debug, Clone)]
enum Step {
    Post {
        from: usize,
        to: usize,
        amount: u64,
        layer: u8,
        day: u32,
    },
    Reverse {
        pick: usize,
        day: u32,
    },
    Replay {
        pick: usize,
    },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        6 => (0..5usize, 0..5usize, 1..2_000u64, 0..3u8, 0..30u32)
            .prop_map(|(from, to, amount, layer, day)| Step::Post { from, to, amount, layer, day }),
        2 => (any::<usize>(), 0..30u32).prop_map(|(pick, day)| Step::Reverse { pick, day }),
        1 => any::<usize>().prop_map(|pick| Step::Replay { pick }),
    ]
}

/// Account 0 is limited (credit-normal, no overdraft); 1 and 2 are credit-normal; 3 and 4 debit.
fn side(i: usize) -> Side {
    if i >= 3 { Side::Debit } else { Side::Credit }
}

#[derive(Default, Clone)]
struct Reference {
    /// Per account: (layer, effective day, debit-minus-credit) of every entry.
    entries: HashMap<usize, Vec<(Layer, u32, i128)>>,
}

impl Reference {
    fn net(&self, account: usize, layer: Layer, until: u32) -> i128 {
        let dmc: i128 = self.entries.get(&account).map_or(0, |es| {
            es.iter()
                .filter(|(l, d, _)| *l == layer && *d <= until)
                .map(|(_, _, v)| v)
                .sum()
        });
        if side(account) == Side::Debit {
            dmc
        } else {
            -dmc
        }
    }

    fn allows(&self, extra: &[(usize, Layer, i128)]) -> bool {
        let mut with = self.clone();
        for (account, layer, dmc) in extra {
            with.entries
                .entry(*account)
                .or_default()
                .push((*layer, 0, *dmc));
        }
        let settled = with.net(0, Layer::Settled, u32::MAX);
        settled >= 0 && settled + with.net(0, Layer::Pending, u32::MAX) >= 0
    }
}

fn layer(code: u8) -> Layer {
    match code {
        1 => Layer::Pending,
        2 => Layer::Encumbrance,
        _ => Layer::Settled,
    }
}

struct Posted {
    id: TransactionId,
    tx: NewTransaction,
    legs: Vec<(usize, Layer, i128)>,
    reversed: bool,
}

async fn run_case(
    ledger: &Ledger,
    journal: JournalId,
    accounts: &[AccountId],
    steps: &[Step],
) -> Result<(), TestCaseError> {
    let mut reference = Reference::default();
    let mut posted: Vec<Posted> = Vec::new();
    for (n, step) in steps.iter().enumerate() {
        match step {
            Step::Post {
                from,
                to,
                amount,
                layer: l,
                day: d,
            } => {
                if from == to {
                    continue;
                }
                let l = layer(*l);
                let tx = NewTransaction::new(journal, format!("p{n}"), day(*d))
                    .entry(NewEntry::debit(accounts[*from], *amount, usd()).layer(l))
                    .entry(NewEntry::credit(accounts[*to], *amount, usd()).layer(l));
                let legs = vec![
                    (*from, l, i128::from(*amount)),
                    (*to, l, -i128::from(*amount)),
                ];
                let allowed = reference.allows(&legs);
                match ledger.post(tx.clone()).await {
                    Ok(p) => {
                        prop_assert!(allowed, "step {n}: the ledger allowed an overdraft");
                        for (a, l, v) in &legs {
                            reference.entries.entry(*a).or_default().push((*l, *d, *v));
                        }
                        posted.push(Posted {
                            id: p.id,
                            tx,
                            legs,
                            reversed: false,
                        });
                    }
                    Err(LedgerError::Posting(PostingError::InsufficientBalance { .. })) => {
                        prop_assert!(!allowed, "step {n}: refused a posting within the limit");
                    }
                    Err(e) => prop_assert!(false, "step {n}: {e:?}"),
                }
            }
            Step::Reverse { pick, day: d } if !posted.is_empty() => {
                let i = pick % posted.len();
                if posted[i].reversed {
                    continue;
                }
                let opposite: Vec<(usize, Layer, i128)> = posted[i]
                    .legs
                    .iter()
                    .map(|(a, l, v)| (*a, *l, -v))
                    .collect();
                let allowed = reference.allows(&opposite);
                match ledger
                    .reverse(posted[i].id, &format!("r{n}"), day(*d))
                    .await
                {
                    Ok(_) => {
                        prop_assert!(allowed, "step {n}: a reversal overdrew");
                        for (a, l, v) in opposite {
                            reference.entries.entry(a).or_default().push((l, *d, v));
                        }
                        posted[i].reversed = true;
                    }
                    Err(LedgerError::Posting(PostingError::InsufficientBalance { .. })) => {
                        prop_assert!(!allowed, "step {n}: refused a reversal within the limit");
                    }
                    Err(e) => prop_assert!(false, "step {n}: {e:?}"),
                }
            }
            Step::Replay { pick } if !posted.is_empty() => {
                let p = &posted[pick % posted.len()];
                let again = ledger
                    .post(p.tx.clone())
                    .await
                    .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
                prop_assert!(
                    again.replayed && again.id == p.id,
                    "step {n}: replay posted anew"
                );
            }
            _ => continue,
        }
        // After every step: balances now, and as of a few dates.
        for (i, account) in accounts.iter().enumerate() {
            let now = ledger.balance(journal, *account, &usd()).await.unwrap();
            for l in Layer::ALL {
                prop_assert_eq!(
                    now.net(l),
                    reference.net(i, l, u32::MAX),
                    "step {} account {} {:?}",
                    n,
                    i,
                    l
                );
            }
            for d in [0, 7, 15, 29] {
                let then = ledger
                    .balance_as_of(journal, *account, &usd(), day(d))
                    .await
                    .unwrap();
                prop_assert_eq!(
                    then.settled(),
                    reference.net(i, Layer::Settled, d),
                    "step {} account {} as of {}",
                    n,
                    i,
                    d
                );
            }
        }
    }
    Ok(())
}

#[test]
fn random_histories_match_the_reference_model() {
    let seed = test_db::seed("LEDGER_MODEL_SEED");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let books = runtime.block_on(books());
    let config = Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &seed));
    let case = std::sync::atomic::AtomicUsize::new(0);
    let result = runner.run(&prop::collection::vec(step(), 1..25), |steps| {
        runtime.block_on(async {
            let n = case.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let journal = books
                .ledger
                .create_journal(&format!("case-{n}"))
                .await
                .unwrap();
            let mut accounts = Vec::new();
            for i in 0..5 {
                let mut account =
                    NewAccount::new(format!("c{n}-a{i}"), format!("account {i}"), side(i));
                if i == 0 {
                    account = account.no_overdraft();
                }
                accounts.push(books.ledger.create_account(account).await.unwrap());
            }
            run_case(&books.ledger, journal, &accounts, &steps).await
        })
    });
    runtime.block_on(books.assert_invariants());
    if let Err(e) = result {
        let hex: String = seed.iter().map(|b| format!("{b:02x}")).collect();
        panic!("{e} (replay with LEDGER_MODEL_SEED={hex})");
    }
}
