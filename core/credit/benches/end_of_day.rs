//! The end of day for many active facilities: for 10k, 50k and 100k facilities (each a $10,000
//! twelve-month facility, paid out), the time of three business days' servicing as the
//! end-of-day dispatch runs it (`ServicingOnEndOfDay`), facilities per second, the peak memory
//! of the process during the day, and a count of the day's accrual postings (one per facility).
//! Prints figures and the PostgreSQL settings; asserts nothing about speed.
//!
//! `cargo bench -p core-credit --bench end_of_day` (uses DATABASE_URL like the tests; the sizes
//! from `EOD_BENCH_SIZES`, default `10000,50000,100000`). Each size gets a fresh database.
//!
//! **Fixture.** One facility is made through the use cases (proposal, consent, collateral,
//! activation, disbursal) and copied by SQL, each copy with ids of its own: the facility's,
//! disbursal's and obligation's events and index rows, and its fifteen ledger accounts (ids
//! derived from the new facility id as the domain derives them), their set memberships and
//! balance rows. The ledger history behind the balances (the disbursal's and the fee's
//! transactions, which also touch the shared customer's deposit account) is not copied: the end
//! of day reads and updates balance rows, not history. The facilities are activated on
//! 2027-01-30, so the three days serviced are each kind of day: the activation day (each
//! facility's first accrual cycle opens and accrues), the end of the month (an accrual, then the
//! cycle completes into an interest obligation) and the first of the next month (a new cycle).

#[path = "../tests/harness/mod.rs"]
mod harness;

use chrono::NaiveDate;
use core_credit::ServicingOnEndOfDay;
use core_credit::ledger::FacilityAccount;
use core_time::{EndOfDayHandler, EndedDay};
use es::{DbOp, EsEntity};
use std::collections::HashMap;
use std::time::Instant;
use uuid::Uuid;

type BenchResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// The template's activation: two days before a month ends.
const ACTIVATION: &str = "2027-01-30T10:00:00Z";

/// Copies inserted per statement.
const CHUNK: usize = 1_000;

/// The tables a facility's copy takes rows from, with the rows of the template: `$1` is the
/// facility id, `$2` its ledger accounts. In insertion order (accounts before what references
/// them).
const TABLES: [(&str, &str); 9] = [
    ("credit_facilities", "id = $1"),
    ("credit_facility_events", "id = $1"),
    ("credit_disbursals", "facility_id = $1"),
    (
        "credit_disbursal_events",
        "id IN (SELECT id FROM credit_disbursals WHERE facility_id = $1)",
    ),
    ("credit_obligations", "facility_id = $1"),
    (
        "credit_obligation_events",
        "id IN (SELECT id FROM credit_obligations WHERE facility_id = $1)",
    ),
    ("ledger_accounts", "id = ANY($2)"),
    ("ledger_set_members", "member_id = ANY($2)"),
    ("ledger_balances", "account_id = ANY($2)"),
];

/// A table's template rows as JSON text, cut where an id of the facility's own appears.
struct Pattern {
    table: &'static str,
    parts: Vec<Part>,
}

enum Part {
    Text(String),
    /// The facility's own id number `n` (see `owned_ids`).
    Owned(usize),
}

impl Pattern {
    fn compile(table: &'static str, text: &str, owned: &HashMap<String, usize>) -> Self {
        const UUID_LEN: usize = 36;
        let (mut parts, mut literal, mut i) = (Vec::new(), String::new(), 0);
        while i < text.len() {
            let found = text
                .get(i..i + UUID_LEN)
                .and_then(|window| owned.get(window));
            match found {
                Some(&n) => {
                    parts.push(Part::Text(std::mem::take(&mut literal)));
                    parts.push(Part::Owned(n));
                    i += UUID_LEN;
                }
                None => {
                    let c = text[i..].chars().next().unwrap_or_default();
                    literal.push(c);
                    i += c.len_utf8();
                }
            }
        }
        parts.push(Part::Text(literal));
        Self { table, parts }
    }

    fn render_into(&self, out: &mut String, ids: &[String]) {
        for part in &self.parts {
            match part {
                Part::Text(text) => out.push_str(text),
                Part::Owned(n) => out.push_str(&ids[*n]),
            }
        }
    }
}

/// The ids that belong to the facility and get new values in each copy: its own, its ledger
/// accounts' (in `FacilityAccount::ALL` order), then its disbursals', obligations' and approval
/// processes'.
async fn owned_ids(pool: &sqlx::PgPool, facility: Uuid) -> BenchResult<Vec<Uuid>> {
    let mut ids = vec![facility];
    ids.extend(accounts_of(facility));
    let others: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM credit_disbursals WHERE facility_id = $1
         UNION ALL SELECT approval_process_id FROM credit_disbursals
           WHERE facility_id = $1 AND approval_process_id IS NOT NULL
         UNION ALL SELECT id FROM credit_obligations WHERE facility_id = $1
         UNION ALL SELECT approval_process_id FROM credit_facilities
           WHERE id = $1 AND approval_process_id IS NOT NULL",
    )
    .bind(facility)
    .fetch_all(pool)
    .await?;
    ids.extend(others);
    Ok(ids)
}

fn accounts_of(facility: Uuid) -> impl Iterator<Item = Uuid> {
    FacilityAccount::ALL
        .into_iter()
        .map(move |account| Uuid::from(account.of(facility.into())))
}

/// The new ids of one copy, in the order of `owned_ids`.
fn copy_ids(owned: usize) -> Vec<String> {
    let facility = Uuid::now_v7();
    let mut ids: Vec<String> = vec![facility.to_string()];
    ids.extend(accounts_of(facility).map(|id| id.to_string()));
    while ids.len() < owned {
        ids.push(Uuid::now_v7().to_string());
    }
    ids
}

/// `copies` copies of `facility`, `CHUNK` per statement per table.
async fn copy_facility(pool: &sqlx::PgPool, facility: Uuid, copies: usize) -> BenchResult<()> {
    let owned = owned_ids(pool, facility).await?;
    let index: HashMap<String, usize> = owned
        .iter()
        .enumerate()
        .map(|(n, id)| (id.to_string(), n))
        .collect();
    let accounts: Vec<Uuid> = accounts_of(facility).collect();
    let mut patterns = Vec::new();
    for (table, rows) in TABLES {
        let text: String = sqlx::query_scalar(&format!(
            "SELECT coalesce(jsonb_agg(to_jsonb(t)), '[]')::text FROM {table} t WHERE {rows}"
        ))
        .bind(facility)
        .bind(&accounts)
        .fetch_one(pool)
        .await?;
        let inner = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .ok_or("jsonb_agg returns an array")?;
        if !inner.is_empty() {
            patterns.push(Pattern::compile(table, inner, &index));
        }
    }
    let mut done = 0;
    while done < copies {
        let n = CHUNK.min(copies - done);
        let ids: Vec<Vec<String>> = (0..n).map(|_| copy_ids(owned.len())).collect();
        let mut tx = pool.begin().await?;
        for pattern in &patterns {
            let mut rows = String::from("[");
            for (k, copy) in ids.iter().enumerate() {
                if k > 0 {
                    rows.push(',');
                }
                pattern.render_into(&mut rows, copy);
            }
            rows.push(']');
            let table = pattern.table;
            sqlx::query(&format!(
                "INSERT INTO {table} SELECT * FROM jsonb_populate_recordset(NULL::{table}, $1::jsonb)"
            ))
            .bind(rows)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        done += n;
    }
    // settled as a bank's tables are between days: vacuumed, analyzed, and the fixture's writes
    // flushed, so the first day timed does not pay for the copying
    for settle in ["VACUUM (ANALYZE)", "CHECKPOINT"] {
        sqlx::query(settle).execute(pool).await?;
    }
    Ok(())
}

/// The process's resident memory (`VmRSS`) or its peak since the last reset (`VmHWM`), in MiB
/// (Linux).
fn rss_mib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

/// The CPU time this process has used, in milliseconds (Linux, at 100 ticks a second).
fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // the fields after the command name, which is in parentheses
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some((user + system) * 10)
}

/// Starts a new peak for `rss_mib("VmHWM:")` (Linux: writing 5 to clear_refs).
fn reset_peak_rss() {
    // without it the peak includes the fixture; the figure then says so
    if std::fs::write("/proc/self/clear_refs", "5").is_err() {
        eprintln!("(the peak memory could not be reset: it includes the fixture)");
    }
}

async fn accruals_on(pool: &sqlx::PgPool, day: NaiveDate) -> BenchResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM ledger_transactions WHERE template = 'credit.interest-accrual' AND effective = $1",
    )
    .bind(day)
    .fetch_one(pool)
    .await?)
}

async fn bench(size: usize) -> BenchResult<()> {
    let h = harness::harness().await;
    h.manual.set(ACTIVATION.parse()?)?;
    let (_, template) = h.paid_out("template@bench.test", 12).await;
    let started = Instant::now();
    copy_facility(&h.db.pool, template.id().into(), size - 1).await?;
    println!(
        "{size} facilities: fixture copied in {} ms",
        started.elapsed().as_millis()
    );
    let handler = ServicingOnEndOfDay::new(h.credit.clone());
    let activated = template.activated_on.ok_or("the template is active")?;
    let month_end = activated.succ_opt().ok_or("a next day")?;
    let next_month = month_end.succ_opt().ok_or("a next day")?;
    for (label, date) in [
        ("activation day", activated),
        ("month end", month_end),
        ("new month", next_month),
    ] {
        reset_peak_rss();
        let resident = rss_mib("VmRSS:");
        let cpu = cpu_ms();
        let started = Instant::now();
        let mut op = DbOp::init(&h.db.pool, h.manual.clock()).await?;
        let day = EndedDay {
            date,
            ended_at: date.and_hms_opt(23, 59, 59).ok_or("a time")?.and_utc(),
            correlation_id: None,
        };
        handler.run(&mut op, &day).await?;
        op.commit().await?;
        let micros = started.elapsed().as_micros().max(1);
        println!(
            "  {label} {date}: {} ms (of which {} ms CPU in this process), {} facilities/s, {} us per facility, memory {} MiB at the start, {} MiB at the peak, accruals posted {}",
            micros / 1000,
            cpu.zip(cpu_ms())
                .map_or("?".into(), |(before, after)| (after - before).to_string()),
            size as u128 * 1_000_000 / micros,
            micros / size as u128,
            resident.map_or("?".into(), |m| m.to_string()),
            rss_mib("VmHWM:").map_or("?".into(), |m| m.to_string()),
            accruals_on(&h.db.pool, date).await?,
        );
    }
    h.db.destroy().await;
    Ok(())
}

#[tokio::main]
async fn main() -> BenchResult<()> {
    let sizes: Vec<usize> = std::env::var("EOD_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,50000,100000".into())
        .split(',')
        .map(|s| s.trim().parse())
        .collect::<Result<_, _>>()?;
    let probe = harness::harness().await;
    println!(
        "end of day, credit servicing; PostgreSQL: {}; batch setting credit-end-of-day-batch at its default",
        test_db::settings_report(&probe.db.pool).await
    );
    probe.db.destroy().await;
    for size in sizes.into_iter().filter(|&s| s > 0) {
        bench(size).await?;
    }
    Ok(())
}
