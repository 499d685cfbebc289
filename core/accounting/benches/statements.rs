//! Statements over a large ledger: the trial balance and the balance sheet with 1,000,000 ledger
//! accounts under the chart and 10,000,000 entries, for the current date and for dates in the
//! past, through the use cases as the API calls them. Prints figures and the PostgreSQL
//! settings; asserts nothing about speed.
//!
//! `cargo bench -p core-accounting --bench statements` (uses DATABASE_URL like the tests;
//! `STATEMENTS_BENCH_ACCOUNTS` and `STATEMENTS_BENCH_ENTRIES`, default 1000000 and 10000000).
//!
//! **Fixture.** The test chart (`tests/harness`) with its four module sets attached; the deposit
//! module's set gets the accounts, made by SQL. The entries are pairs (a debit to one of two
//! cash accounts, a credit to a deposit account spread over all of them) dated over 440 days
//! up to the bank's today, written by SQL with one `transactions_committed` outbox event per
//! 1,000 transactions (as the ledger publishes them), then projected by the ledger's own
//! projector (`SetTotalsProjector`, run as the dispatcher runs it; its time is printed). The
//! balance rows of the accounts are not made: statements do not read them.

#[path = "../tests/harness/mod.rs"]
mod harness;

use chrono::NaiveDate;
use core_accounting::{BookCurrency, StatementLayer};
use std::time::{Duration, Instant};

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

const TODAY: &str = "2027-03-16";
/// Transactions written per statement.
const CHUNK: i64 = 250_000;
const RUNS: usize = 7;

fn env(name: &str, default: i64) -> BenchResult<i64> {
    Ok(std::env::var(name).map_or(Ok(default), |v| v.parse())?)
}

/// Milliseconds with one decimal, from integer microseconds (no float arithmetic).
fn ms(d: Duration) -> String {
    let micros = d.as_micros();
    format!("{}.{}", micros / 1000, micros % 1000 / 100)
}

/// Median and minimum of `RUNS` calls.
async fn timed<F, T>(mut call: impl FnMut() -> F) -> (Duration, Duration)
where
    F: std::future::Future<Output = T>,
{
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        call().await;
        times.push(start.elapsed());
    }
    times.sort();
    (times[RUNS / 2], times[0])
}

async fn fixture(h: &harness::Harness, accounts: i64, entries: i64) -> BenchResult<()> {
    let pool = &h.db.pool;
    let set = uuid::Uuid::from(h.deposits.set.account);
    let start = Instant::now();
    sqlx::query(
        "INSERT INTO ledger_accounts (id, code, name, normal_side, created_at)
         SELECT md5(n::text || 'account')::uuid, 'bench-deposit-' || n, 'Deposit ' || n, 'credit', now()
         FROM generate_series(1, $1) n",
    )
    .bind(accounts)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO ledger_set_members (set_id, member_id)
         SELECT $1, md5(n::text || 'account')::uuid FROM generate_series(1, $2) n",
    )
    .bind(set)
    .bind(accounts)
    .execute(pool)
    .await?;
    println!(
        "  {accounts} accounts in the deposit set: {:.1} s",
        start.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let transactions = entries / 2;
    let cash = [
        uuid::Uuid::from(h.cash.leaves[0]),
        uuid::Uuid::from(h.cash.leaves[1]),
    ];
    let today: NaiveDate = TODAY.parse()?;
    let mut low = 1;
    while low <= transactions {
        let high = (low + CHUNK - 1).min(transactions);
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO ledger_transactions (id, journal_id, external_id, effective, recorded_at, content_hash)
             SELECT md5(g::text || 'tx')::uuid, $1, 'bench-' || g, $4::date - (g % 440)::int, now(), '\\x00'
             FROM generate_series($2, $3) g",
        )
        .bind(uuid::Uuid::from(h.journal))
        .bind(low)
        .bind(high)
        .bind(today)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO ledger_entries (transaction_id, journal_id, account_id, currency, layer, direction, amount, effective, version)
             SELECT md5(g::text || 'tx')::uuid, $1,
                    CASE WHEN side = 1 THEN ($5::uuid[])[1 + g % 2] ELSE md5((1 + (g * 7919) % $4)::text || 'account')::uuid END,
                    'USD', 0, side, 1 + g % 100000, $6::date - (g % 440)::int, 1
             FROM generate_series($2, $3) g, (VALUES (1::smallint), (-1::smallint)) s(side)",
        )
        .bind(uuid::Uuid::from(h.journal))
        .bind(low)
        .bind(high)
        .bind(accounts)
        .bind(&cash[..])
        .bind(today)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO outbox_events (event_type, payload, recorded_at)
             SELECT 'transactions_committed',
                    jsonb_build_object('type', 'transactions_committed', 'transactions', jsonb_agg(md5(g::text || 'tx')::uuid)),
                    now()
             FROM generate_series($1, $2) g GROUP BY g / 1000 ORDER BY g / 1000",
        )
        .bind(low)
        .bind(high)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        low = high + 1;
    }
    println!(
        "  {} entries ({transactions} transactions over 440 days): {:.1} s",
        transactions * 2,
        start.elapsed().as_secs_f64()
    );
    sqlx::query("VACUUM ANALYZE").execute(pool).await?;
    sqlx::query("CHECKPOINT").execute(pool).await?;
    Ok(())
}

/// Runs the projector until it has every event; returns the time it took.
async fn project(h: &harness::Harness) -> BenchResult<Duration> {
    let outbox = outbox::Outbox::new(h.db.pool.clone(), clock::Clock::real());
    let last = outbox.last_sequence().await?;
    let start = Instant::now();
    let projector = outbox.start_dispatcher(
        ledger::SetTotalsProjector,
        outbox::DispatcherConfig::default(),
    );
    while outbox
        .handler_position(ledger::SetTotalsProjector::NAME)
        .await?
        < last
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let took = start.elapsed();
    projector.shutdown().await;
    Ok(took)
}

async fn measure(h: &harness::Harness, label: &str) -> BenchResult<()> {
    let staff = harness::staff();
    let usd = BookCurrency::Usd;
    let settled = StatementLayer::Settled;
    let date = |s: &str| -> NaiveDate { s.parse().unwrap_or_default() };
    let cases: [(&str, NaiveDate, NaiveDate); 3] = [
        ("current month", date("2027-03-01"), date(TODAY)),
        ("a month a year ago", date("2026-03-01"), date("2026-03-31")),
        (
            "a month at the start",
            date("2026-01-01"),
            date("2026-01-31"),
        ),
    ];
    for (what, from, to) in cases {
        let (median, min) =
            timed(|| h.accounting.trial_balance(&staff, from, to, usd, settled)).await;
        let tb = h
            .accounting
            .trial_balance(&staff, from, to, usd, settled)
            .await?;
        println!(
            "  {label}: trial balance, {what} ({from}..{to}): median {} ms, min {} ms (debits {} = credits {})",
            ms(median),
            ms(min),
            tb.total_debits,
            tb.total_credits
        );
    }
    for (what, as_of) in [("today", date(TODAY)), ("a year ago", date("2026-03-16"))] {
        let (median, min) = timed(|| h.accounting.balance_sheet(&staff, as_of, usd, settled)).await;
        let bs = h
            .accounting
            .balance_sheet(&staff, as_of, usd, settled)
            .await?;
        println!(
            "  {label}: balance sheet as of {what} ({as_of}): median {} ms, min {} ms (assets {} = liabilities {} + equity {})",
            ms(median),
            ms(min),
            bs.total_assets,
            bs.total_liabilities,
            bs.total_equity
        );
    }
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let accounts = env("STATEMENTS_BENCH_ACCOUNTS", 1_000_000)?;
    let entries = env("STATEMENTS_BENCH_ENTRIES", 10_000_000)?;
    let h = harness::harness(&format!("{TODAY}T12:00:00Z")).await;
    h.books(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default())
        .await;
    println!(
        "statements over {accounts} accounts and {entries} entries; PostgreSQL: {}",
        test_db::settings_report(&h.db.pool).await
    );
    fixture(&h, accounts, entries).await?;
    // Before the projector runs, every transaction is in the tail: what a reader pays when the
    // projector is far behind (one run, not seven).
    let start = Instant::now();
    let tb = h
        .accounting
        .trial_balance(
            &harness::staff(),
            "2027-03-01".parse()?,
            TODAY.parse()?,
            BookCurrency::Usd,
            StatementLayer::Settled,
        )
        .await?;
    println!(
        "  nothing projected (all {entries} entries in the tail): trial balance, current month: {} ms (debits {})",
        ms(start.elapsed()),
        tb.total_debits
    );
    let took = project(&h).await?;
    println!(
        "  projection of {entries} entries: {:.1} s ({} entries/s)",
        took.as_secs_f64(),
        u128::try_from(entries).unwrap_or(0) * 1000 / took.as_millis().max(1)
    );
    measure(&h, "projected").await?;
    // A live tail: 10,000 more postings through the ledger, not projected yet.
    for i in 0..10_000u32 {
        let leaf = h.deposits.leaves[usize::try_from(i).unwrap_or(0) % h.deposits.leaves.len()];
        h.post(&format!("tail-{i}"), h.cash.leaves[0], leaf, 100, TODAY)
            .await?;
    }
    measure(&h, "with 10,000 transactions in the tail").await?;
    h.db.destroy().await;
    Ok(())
}
