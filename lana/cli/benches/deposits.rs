//! Load benchmark of `depositRecord` through the admin server, with real tokens, on the local
//! stack: PostgreSQL, the development OIDC provider and `lana-cli serve` (release build, default
//! configuration), each a real process on loopback, started by the end-to-end tests' `Stack`.
//!
//! What it measures:
//! 1. Setup: a staff token for the superuser, manual prospect conversion enabled, then
//!    `BENCH_ACCOUNTS` customers (prospect created and converted) with one deposit account each,
//!    16 requests at a time.
//! 2. Phase "after 1k": 1,000 deposits through the API (warm-up; they stay as history), then for
//!    each concurrency in `BENCH_CONCURRENCY` a closed loop of `BENCH_SECONDS`: N callers, each
//!    sending the next `depositRecord` (100 cents to a uniformly random account, a fresh
//!    `Idempotency-Key` per request) as soon as the previous one answered. One pooled HTTP client
//!    (keep-alive, as many idle connections as callers). A request counts as an error when the
//!    answer is not HTTP 200, carries `errors`, or lacks the deposit id; errors are counted apart
//!    and the first is printed. Latencies (of successful requests) are measured in the client.
//! 3. Seeding: the ledger is brought to `BENCH_SEED_DEPOSITS` deposit postings in bulk, straight
//!    through the ledger crate (the deposit domain's `RecordDeposit` template, 1,000 per transaction, four
//!    writers, each on its own omnibus shards so they never wait on each other). Only the ledger
//!    grows: the deposit entities (`deposit_deposits` and their events) are those the API made.
//!    Then `ANALYZE` and `CHECKPOINT`, so the planner's statistics are current as a running
//!    system's autovacuum would keep them (the same is done before the first phase).
//! 4. Phase "after 1M" (named after `BENCH_SEED_DEPOSITS`): the same closed loops again; then
//!    the ratio of the two rates, in percent.
//! 5. Reads at 16 callers: one account with its balance (`depositAccount`), and the first page of
//!    20 customers with their deposit accounts (`customers`).
//!
//! Prints figures (integers only) and the PostgreSQL settings used; asserts nothing about speed.
//! The client, the server and PostgreSQL share the machine's cores.
//!
//! Where a deposit's time goes, round trip by round trip (one `depositRecord` with an
//! `Idempotency-Key` on an idle bank, read off PostgreSQL's statement log with
//! `log_statement = 'all'` on the database, 2026-12-07). The use case's own transaction is 16
//! round trips: `BEGIN`; the audit entry; the idempotency key's claim; the account locked `FOR
//! SHARE`; the account's events loaded; the ledger: the transaction looked up by external id, the
//! balance rows read, the transaction, its entries, the balances updated (4); the ledger's outbox
//! event; the deposit's events and its index row (2); the deposit's outbox event; `COMMIT` (a WAL
//! flush). Then every outbox dispatcher (7 on this bank: withdrawal approvals, customer events,
//! deposit activity, credit approvals, price changes, servicing, the set totals projection) wakes
//! on the commit's notification and runs `BEGIN`, its handler row inserted if missing, locked,
//! the events after its position read, the position updated, `COMMIT`: 6 round trips and one more
//! WAL flush each, about 42 round trips and 7 flushes per deposit when deposits come one at a time
//! (under load one wake-up takes many events, so this shrinks per deposit, but it stays on the
//! same two cores). Since then the handler row is inserted once per dispatcher (5 round trips a
//! wake-up). Tried and not kept: handlers declaring their event types, a delivery with none of
//! them moving the position with `synchronous_commit` off (one durable dispatcher commit per
//! deposit instead of seven); with `BENCH_SEED_DEPOSITS=1000 BENCH_SECONDS=5` on this machine it
//! measured, with the handler row once as well, 171/401/486 deposits/s at 1/16/64 callers against
//! 185/486/452 with neither change: no gain
//! beyond the noise of 5-second runs (the flushes are grouped under load, and the extra `SET`
//! is a round trip). Folded since: the ledger's three writes are one statement, and so are an
//! entity's events and its index row (three round trips fewer per deposit); measured with the
//! defaults (1M seeded), 221/481/574/629 deposits/s at 1/4/16/64 callers after 1k (p50 4.2 ms at
//! one caller) and 227/468/541/603 after 1M. Tried and reverted: the external-id check inside
//! the balance lock statement (one round trip fewer) measured 15-20% slower at 16 and 64 callers
//! in alternating runs of the two builds (with `BENCH_SEED_DEPOSITS=1000`: 404-443 and 418-476
//! deposits/s against 475-540 and 516-552), the lock statement being where contended omnibus
//! rows wait. Still foldable: the claim into the audit statement, the two outbox rows into one.
//!
//! Where a server's time goes (`perf record -F 999` on `lana-cli serve` for 10 s under 16 callers
//! of `depositAccount`, 2026-12-07; `top` at the same time): the machine is busy (96% of both
//! cores: `lana-cli` one core, the eleven PostgreSQL backends 0.85 of one, this client 0.09).
//! Of `lana-cli`'s samples 42% are in the kernel (20% switching tasks in, 9% in lock releases
//! around wake-ups: every round trip to PostgreSQL and every HTTP answer wakes a thread), 10% in
//! the allocator and copies, and 48% in our process spread thinly over hyper, axum,
//! async-graphql, sqlx and tracing (no function above 0.6%; RS256 verification about 1.5%).
//! A read audited in a transaction of its own was four round trips of the read's six; batched
//! (see `audit::ReadAudits`) it is part of one shared insert, and the reads kept their rate while
//! their audit became durable: 1,054 `depositAccount`/s and 549 pages of customers/s (before,
//! with the asynchronous commit: 1,165 and 606). What is left per read is one HTTP exchange and
//! two PostgreSQL round trips (the account, its balance) on cores the database shares.
//!
//! The database side (`pg_stat_statements`, 2026-12-07; 64 callers, 1k seeded, then the reads).
//! A deposit's statements execute in about 0.9 ms of PostgreSQL time besides waiting: the
//! balance rows locked (1.8 ms mean, nearly all of it waiting on the row locks of the omnibus
//! shards), the ledger's write (0.37 ms), the deposit's events with its index row (0.10), the two
//! outbox rows (0.04 each, plus 0.03 each for the commit-order sequence), the audit entry (0.06),
//! the idempotency claim (0.06), the account's events (0.04), the external-id lookup (0.03) and
//! the account lock (0.02). The same view showed the outbox dispatchers locking their position
//! 33,990 times for 12,676 deposits and moving it 6,597 times: a dispatcher busy through a stream
//! of commits later woke once per notification it had missed (each `recv` takes one), stepping
//! through an outbox with nothing new, thousands of times, into the reads that followed. One
//! wake-up now takes every notification that arrived (`es::notify::notified`): 2,016 steps for
//! 6,701 deposits. In alternating runs of the two builds (`BENCH_CONCURRENCY=64
//! BENCH_SEED_DEPOSITS=1000`; eleven runs of the build before, seven after) `depositAccount` reads
//! went from 958-1,198/s to 1,382-1,767/s, pages of customers from 425-543/s to 614-730/s, deposits
//! unchanged within the noise (511-600/s against 461-644/s). Tried with it and not kept: a
//! dispatcher facing a sequence still being committed waiting its whole `batch_delay_ms` rather
//! than the next notification (deposits 10% slower over four pairs). Measured and not kept: the
//! GraphQL batch loaders on Tokio's timer rather than async-io's thread (no gain: Tokio rounds
//! their 50 µs wait up to the next millisecond), and the server on one worker thread
//! (`TOKIO_WORKER_THREADS=1`: deposits and reads 20-30% slower). Pages are read from an index on
//! `(created_at, id)` now (every entity table has one); before, each page sorted the whole
//! customers table: 0.2 ms at 1,000 customers, 127 ms at a million. With both, the defaults (1M
//! seeded) measured 173/418/525/584 deposits/s at 1/4/16/64 callers after 1k and 204/377/544/606
//! after 1M, 1,541 `depositAccount` reads/s and 673 pages/s (the same day, the build before them
//! gave 958-1,198 and 425-543 in the alternating runs above).
//!
//! Per request, the server's own CPU (2026-12-08; `perf record -F 999` under 16 readers of
//! `depositAccount`, its samples grouped by crate): 28% kernel, 17% glibc's malloc, free and
//! copies, 8.5% cloning and dropping the domain services (the admin server cloned `LanaApp` twice,
//! and the batch loaders the deposit service three times and the credit service six, for every
//! request: each clone walks every nested service's handles), 3.6% parsing the query text (pest),
//! 3.5% RS256 verification of the same token as the request before, 5% async-graphql's execution
//! and validation, the rest thin. Since then `LanaApp` is one `Arc`, the loaders hold the two
//! services behind an `Arc`, a schema remembers the documents it parsed (`graphql_kit::ErrorCodes`)
//! and the verifier the tokens it verified until they expire (`jwt_auth`). This machine had 7-16%
//! steal that day and ran about half as fast as the day before, so rates were compared by the
//! CPU each request cost, not by wall time: `lana-cli`'s user and system time over a phase (from
//! `/proc`) divided by its requests, alternating the builds (`BENCH_CONCURRENCY=64
//! BENCH_SEED_DEPOSITS=1000`). Server CPU per `depositAccount` read went from 787-1,046 µs (three
//! runs) to 600-717 µs (four), per deposit at 64 callers from 1,507-2,021 µs to 1,354-1,644 µs; the
//! whole machine's CPU per read from 1,954-2,464 µs to 1,746-2,032 µs. Rates over the same runs
//! and six more alternating pairs: reads 674-912/s before, 717-1,082/s after in nine runs of ten
//! (one at 474/s during a burst of steal); deposits within the noise (188-306/s against
//! 145-312/s). Tried and not kept: mimalloc as the global allocator (per read 595-641 µs against
//! 634-639 µs without it, deposits 255-277/s against 311-312/s in two alternating pairs).
//!
//! Run: `cargo bench -p lana-cli --bench deposits` (PostgreSQL at `DATABASE_URL`, as for the tests;
//! node and `npm ci --prefix dev/oidc` for the OIDC provider). Knobs (environment):
//! `BENCH_SECONDS` (5), `BENCH_CONCURRENCY` (`1,4,16,64`), `BENCH_SEED_DEPOSITS` (1000000),
//! `BENCH_ACCOUNTS` (1000), `BENCH_RNG_SEED` (from the time; printed), `BENCH_KEEP_DB` (`1` keeps
//! the database afterwards; otherwise it is dropped), `BENCH_NODES` (1: how many `lana-cli serve`
//! on the one database; the callers of every run are spread evenly over them).

#[path = "../tests/common/mod.rs"]
mod common;

use anyhow::{Context, bail};
use core_deposit::ledger::templates::{Movement, RecordDeposit};
use core_deposit::ledger::{DepositLedger, PostingKind};
use core_deposit::primitives::{Amount, DepositId};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

const SUPERUSER: &str = "admin@bench.test";
/// Deposits made through the API before the first measured phase.
const WARM_UP_DEPOSITS: usize = 1_000;
/// Concurrent requests while creating customers and accounts, and during the warm-up.
const SETUP_CONCURRENCY: usize = 16;
/// Callers in the read benchmarks.
const READ_CONCURRENCY: usize = 16;
/// Postings per seeding transaction.
const SEED_BATCH: usize = 1_000;
/// Concurrent seeding transactions.
const SEED_WRITERS: usize = 4;
/// The amount of every deposit, in cents.
const DEPOSIT_CENTS: u64 = 100;
/// No single request may take longer than this.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);

const DEPOSIT_RECORD: &str =
    "mutation($input: DepositRecordInput!){ depositRecord(input:$input){ deposit { id } } }";
const ACCOUNT_READ: &str =
    "query($id: UUID!){ depositAccount(id:$id){ id balance { settled available } } }";
const CUSTOMERS_PAGE: &str = "{ customers(first: 20) { edges { node { id email depositAccounts(first: 10) { nodes { id publicId status } } } } } }";

struct Knobs {
    seconds: u64,
    concurrency: Vec<usize>,
    seed_deposits: u64,
    accounts: usize,
    rng_seed: u64,
    keep_db: bool,
    nodes: usize,
}

fn knob<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T>
where
    T::Err: std::fmt::Display,
{
    match std::env::var(name) {
        Ok(raw) => raw
            .trim()
            .parse()
            .map_err(|e| anyhow::anyhow!("{name}={raw:?}: {e}")),
        Err(_) => Ok(default),
    }
}

impl Knobs {
    fn from_env() -> anyhow::Result<Self> {
        let raw = std::env::var("BENCH_CONCURRENCY").unwrap_or_else(|_| "1,4,16,64".into());
        let mut concurrency = Vec::new();
        for part in raw.split(',').filter(|p| !p.trim().is_empty()) {
            let n: usize = part
                .trim()
                .parse()
                .with_context(|| format!("BENCH_CONCURRENCY={raw:?}"))?;
            if n == 0 {
                bail!("BENCH_CONCURRENCY={raw:?}: a concurrency must be at least 1");
            }
            concurrency.push(n);
        }
        if concurrency.is_empty() {
            bail!("BENCH_CONCURRENCY={raw:?}: no concurrency given");
        }
        let time_seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1);
        let knobs = Self {
            seconds: knob("BENCH_SECONDS", 5)?,
            concurrency,
            seed_deposits: knob("BENCH_SEED_DEPOSITS", 1_000_000)?,
            accounts: knob("BENCH_ACCOUNTS", 1_000)?,
            rng_seed: knob("BENCH_RNG_SEED", time_seed)?,
            keep_db: knob("BENCH_KEEP_DB", 0u8)? == 1,
            nodes: knob("BENCH_NODES", 1)?,
        };
        if knobs.seconds == 0 || knobs.accounts == 0 || knobs.nodes == 0 {
            bail!("BENCH_SECONDS, BENCH_ACCOUNTS and BENCH_NODES must be at least 1");
        }
        Ok(knobs)
    }
}

/// SplitMix64: small, fast, and reproducible from the printed seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, stream: u64) -> Self {
        Self(seed ^ stream.wrapping_mul(0xA076_1D64_78BD_642F))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (multiply-shift, no modulo bias worth the name for small `n`).
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// `1k`, `1M` and the like for round counts; the number otherwise.
fn count_label(n: u64) -> String {
    match n {
        0 => "0".into(),
        n if n % 1_000_000 == 0 => format!("{}M", n / 1_000_000),
        n if n % 1_000 == 0 => format!("{}k", n / 1_000),
        n => n.to_string(),
    }
}

/// Whole units per second.
fn per_second(count: u64, elapsed: Duration) -> u64 {
    (u128::from(count) * 1_000_000 / elapsed.as_micros().max(1)) as u64
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[u64], p: usize) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (sorted.len() * p).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// An error with its sources, on one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The admin API with one staff token, over one pooled client.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    url: String,
    token: Arc<str>,
}

impl Api {
    /// Sends one GraphQL request; `Ok` is the `data`, `Err` describes what went wrong.
    async fn send(&self, body: &Value, idempotency_key: Option<&str>) -> Result<Value, String> {
        let mut request = self
            .http
            .post(&self.url)
            .bearer_auth(&*self.token)
            .json(body);
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        let response = request.send().await.map_err(|e| chain(&e))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| chain(&e))?;
        let mut reply: Value = serde_json::from_slice(&bytes)
            .map_err(|_| format!("HTTP {status}: {}", String::from_utf8_lossy(&bytes)))?;
        if status != 200 || !reply["errors"].is_null() {
            return Err(format!("HTTP {status}: {reply}"));
        }
        Ok(reply
            .get_mut("data")
            .map(Value::take)
            .unwrap_or(Value::Null))
    }

    /// A setup call: any error ends the benchmark.
    async fn call(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        self.send(&json!({ "query": query, "variables": variables }), None)
            .await
            .map_err(|e| anyhow::anyhow!("{query}: {e}"))
    }
}

/// What the callers of a closed loop send.
#[derive(Clone, Copy)]
enum Load {
    Deposit,
    AccountRead,
    CustomersPage,
}

impl Load {
    async fn request(self, api: &Api, account: Uuid) -> Result<(), String> {
        let (data, path) = match self {
            Self::Deposit => {
                let body = json!({
                    "query": DEPOSIT_RECORD,
                    "variables": { "input": { "depositAccountId": account, "amount": DEPOSIT_CENTS } },
                });
                let key = Uuid::new_v4().to_string();
                (
                    api.send(&body, Some(&key)).await?,
                    "/depositRecord/deposit/id",
                )
            }
            Self::AccountRead => {
                let body = json!({ "query": ACCOUNT_READ, "variables": { "id": account } });
                (
                    api.send(&body, None).await?,
                    "/depositAccount/balance/settled",
                )
            }
            Self::CustomersPage => {
                let body = json!({ "query": CUSTOMERS_PAGE });
                (api.send(&body, None).await?, "/customers/edges/0/node/id")
            }
        };
        if data.pointer(path).is_none_or(Value::is_null) {
            return Err(format!("no {path} in {data}"));
        }
        Ok(())
    }
}

struct RunResult {
    ok: u64,
    errors: u64,
    elapsed: Duration,
    /// Microseconds, sorted.
    latencies: Vec<u64>,
    first_error: Option<String>,
}

impl RunResult {
    fn rate(&self) -> u64 {
        per_second(self.ok, self.elapsed)
    }

    fn row(&self, callers: usize) -> String {
        format!(
            "{callers:>8} {:>9} {:>7} {:>11} {:>8} {:>8} {:>8}",
            self.ok + self.errors,
            self.errors,
            self.rate(),
            percentile(&self.latencies, 50),
            percentile(&self.latencies, 99),
            self.latencies.last().copied().unwrap_or(0),
        )
    }
}

/// The column heads of [`RunResult::row`], with the rate's unit (at most 11 characters).
fn table_header(unit: &str) -> String {
    format!(" callers  requests  errors {unit:>11}   p50 µs   p99 µs   max µs")
}

/// `callers` tasks, each sending its next request as soon as the previous one answered, until
/// `seconds` have passed (requests in flight then still finish and count).
async fn closed_loop(
    apis: &[Api],
    accounts: &Arc<Vec<Uuid>>,
    load: Load,
    callers: usize,
    seconds: u64,
    seed: u64,
) -> anyhow::Result<RunResult> {
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut tasks = tokio::task::JoinSet::new();
    for caller in 0..callers {
        // Callers are spread over the nodes.
        let (api, accounts) = (apis[caller % apis.len()].clone(), Arc::clone(accounts));
        let mut rng = Rng::new(seed, caller as u64);
        tasks.spawn(async move {
            let mut latencies = Vec::new();
            let mut errors = 0u64;
            let mut first_error: Option<(Instant, String)> = None;
            while Instant::now() < deadline {
                let account = accounts[rng.below(accounts.len())];
                let sent = Instant::now();
                match load.request(&api, account).await {
                    Ok(()) => latencies.push(sent.elapsed().as_micros() as u64),
                    Err(e) => {
                        errors += 1;
                        if first_error.is_none() {
                            first_error = Some((sent, e));
                        }
                    }
                }
            }
            (latencies, errors, first_error)
        });
    }
    let mut result = RunResult {
        ok: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
        first_error: None,
    };
    let mut first: Option<(Instant, String)> = None;
    while let Some(joined) = tasks.join_next().await {
        let (latencies, errors, first_error) = joined.context("a caller task failed")?;
        result.ok += latencies.len() as u64;
        result.errors += errors;
        result.latencies.extend(latencies);
        if let Some((at, e)) = first_error
            && first.as_ref().is_none_or(|(earlier, _)| at < *earlier)
        {
            first = Some((at, e));
        }
    }
    result.elapsed = started.elapsed();
    result.latencies.sort_unstable();
    result.first_error = first.map(|(_, e)| e);
    Ok(result)
}

fn print_first_error(result: &RunResult) {
    if let Some(e) = &result.first_error {
        let shown: String = e.chars().take(600).collect();
        println!("           first error: {shown}");
    }
}

/// The deposit closed loops at every concurrency; the rate per concurrency.
async fn deposit_phase(
    stack: &common::Stack,
    http: &reqwest::Client,
    accounts: &Arc<Vec<Uuid>>,
    knobs: &Knobs,
    name: &str,
    seed: u64,
) -> anyhow::Result<Vec<u64>> {
    let apis = staff_api(stack, http).await;
    let (ledger_deposits, entity_deposits) = deposit_counts(&stack.db.pool).await?;
    println!();
    println!(
        "phase \"{name}\": the ledger holds {ledger_deposits} deposits ({entity_deposits} of them recorded through the API); {}s per run",
        knobs.seconds
    );
    println!("depositRecord mutations:");
    println!("{}", table_header("mutations/s"));
    let mut rates = Vec::new();
    for (i, &callers) in knobs.concurrency.iter().enumerate() {
        let result = closed_loop(
            &apis,
            accounts,
            Load::Deposit,
            callers,
            knobs.seconds,
            seed.wrapping_add(i as u64 * 1_000),
        )
        .await?;
        println!("{}", result.row(callers));
        print_first_error(&result);
        rates.push(result.rate());
    }
    Ok(rates)
}

/// Deposits in the ledger, and deposit entities (those recorded through the API).
async fn deposit_counts(pool: &sqlx::PgPool) -> anyhow::Result<(i64, i64)> {
    let ledger: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM ledger_transactions WHERE external_id LIKE 'deposit:%'",
    )
    .fetch_one(pool)
    .await?;
    let entities: i64 = sqlx::query_scalar("SELECT count(*) FROM deposit_deposits")
        .fetch_one(pool)
        .await?;
    Ok((ledger, entities))
}

/// The admin API of every node with a fresh staff token (tokens live an hour; each phase takes a
/// new one).
async fn staff_api(stack: &common::Stack, http: &reqwest::Client) -> Vec<Api> {
    let token: Arc<str> = stack.token("internal", SUPERUSER).await.into();
    stack
        .admin_ports()
        .into_iter()
        .map(|port| Api {
            http: http.clone(),
            url: format!("http://127.0.0.1:{port}/graphql"),
            token: token.clone(),
        })
        .collect()
}

/// Runs `work(i)` for `i` in `0..count`, `concurrency` at a time; the results in order.
async fn in_parallel<T, F, Fut>(count: usize, concurrency: usize, work: F) -> anyhow::Result<Vec<T>>
where
    T: Send + 'static,
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<T>> + Send + 'static,
{
    let work = Arc::new(work);
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency.min(count) {
        let (work, next) = (Arc::clone(&work), Arc::clone(&next));
        tasks.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count {
                    return Ok::<_, anyhow::Error>(done);
                }
                done.push((i, work(i).await?));
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    while let Some(joined) = tasks.join_next().await {
        all.extend(joined.context("a setup task failed")??);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, t)| t).collect())
}

/// A customer (prospect created, then converted) with one deposit account; the account's id.
async fn open_account(api: Api, i: usize) -> anyhow::Result<Uuid> {
    let prospect = api
        .call(
            "mutation($input: ProspectCreateInput!){ prospectCreate(input:$input){ prospect { id } } }",
            json!({ "input": {
                "email": format!("customer{i}@bench.test"),
                "telegramHandle": format!("bench_{i:07}"),
                "customerType": "INDIVIDUAL",
            }}),
        )
        .await?;
    let prospect_id = &prospect["prospectCreate"]["prospect"]["id"];
    let customer = api
        .call(
            "mutation($input: ProspectConvertInput!){ prospectConvert(input:$input){ customer { id } } }",
            json!({ "input": { "prospectId": prospect_id } }),
        )
        .await?;
    let customer_id = &customer["prospectConvert"]["customer"]["id"];
    let account = api
        .call(
            "mutation($input: DepositAccountCreateInput!){ depositAccountCreate(input:$input){ account { id } } }",
            json!({ "input": { "customerId": customer_id } }),
        )
        .await?;
    let id = account["depositAccountCreate"]["account"]["id"]
        .as_str()
        .context("depositAccountCreate returned no account id")?;
    Ok(id.parse()?)
}

/// `ANALYZE` and `CHECKPOINT` on the benchmark's database; how long they took.
async fn analyze_and_checkpoint(pool: &sqlx::PgPool) -> anyhow::Result<Duration> {
    let started = Instant::now();
    sqlx::query("ANALYZE").execute(pool).await?;
    sqlx::query("CHECKPOINT").execute(pool).await?;
    Ok(started.elapsed())
}

/// Posts deposits straight into the ledger until it holds `target` of them.
async fn seed_ledger(pool: &sqlx::PgPool, target: u64, rng_seed: u64) -> anyhow::Result<()> {
    let (existing, _) = deposit_counts(pool).await?;
    let missing = target.saturating_sub(u64::try_from(existing).unwrap_or(0));
    println!();
    if missing == 0 {
        println!("seeding: the ledger already holds {existing} deposits (target {target})");
        return Ok(());
    }
    let clock = clock::Clock::real();
    let outbox = outbox::Outbox::new(pool.clone(), clock.clone());
    let ledger = ledger::Ledger::init(
        pool.clone(),
        clock.clone(),
        outbox.clone(),
        &ledger::LedgerConfig::default(),
    )
    .await?;
    let deposits = DepositLedger::init(ledger.clone()).await?;
    let amount = Amount::parse(money::UsdCents::from_minor(DEPOSIT_CENTS))?;
    let rows: Vec<(Uuid, Uuid, Uuid)> = sqlx::query_as(
        "SELECT id, ledger_account_id, omnibus_account_id FROM deposit_accounts ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    if rows.is_empty() {
        bail!("no deposit accounts to seed");
    }
    // Writers own disjoint omnibus shards (and so disjoint accounts): they never wait on each
    // other's balance rows. Each writer's share of the deposits follows its share of the accounts.
    let mut by_shard: BTreeMap<Uuid, Vec<(ledger::AccountId, ledger::AccountId)>> = BTreeMap::new();
    for (_, account, omnibus) in &rows {
        by_shard.entry(*omnibus).or_default().push((
            ledger::AccountId::from(*account),
            ledger::AccountId::from(*omnibus),
        ));
    }
    let mut groups: Vec<Vec<(ledger::AccountId, ledger::AccountId)>> =
        vec![Vec::new(); SEED_WRITERS];
    for (n, (_, accounts)) in by_shard.into_iter().enumerate() {
        groups[n % SEED_WRITERS].extend(accounts);
    }
    groups.retain(|g| !g.is_empty());
    let total_accounts = rows.len() as u64;
    let mut quotas: Vec<u64> = groups
        .iter()
        .map(|g| missing * g.len() as u64 / total_accounts)
        .collect();
    let assigned: u64 = quotas.iter().sum();
    if let Some(last) = quotas.last_mut() {
        *last += missing - assigned;
    }
    println!(
        "seeding: {missing} deposits of {DEPOSIT_CENTS} cents straight into the ledger (RecordDeposit postings, post_all_in_op), {SEED_BATCH} per transaction, {} concurrent writers on disjoint omnibus shards",
        groups.len()
    );
    let started = Instant::now();
    let done = Arc::new(AtomicU64::new(0));
    let step = (missing / 10).max(1);
    let mut tasks = tokio::task::JoinSet::new();
    for (writer, (accounts, quota)) in groups.into_iter().zip(quotas).enumerate() {
        let (pool, clock, deposits, ledger, done) = (
            pool.clone(),
            clock.clone(),
            deposits.clone(),
            ledger.clone(),
            Arc::clone(&done),
        );
        let mut rng = Rng::new(rng_seed, 1_000_000 + writer as u64);
        tasks.spawn(async move {
            let mut left = quota;
            while left > 0 {
                let n = left.min(SEED_BATCH as u64);
                let effective = clock.now().date_naive();
                let txs: Vec<_> = (0..n)
                    .map(|_| {
                        let (customer, omnibus) = accounts[rng.below(accounts.len())];
                        let movement = Movement {
                            customer,
                            omnibus,
                            amount,
                        };
                        deposits.posting(
                            RecordDeposit,
                            PostingKind::Deposit,
                            DepositId::new(),
                            &movement,
                            effective,
                        )
                    })
                    .collect();
                let mut op = es::DbOp::init(&pool, &clock).await?;
                let results = ledger.post_all_in_op(&mut op, &txs).await?;
                if let Some(Err(e)) = results.iter().find(|r| r.is_err()) {
                    bail!("a seeded posting was refused: {e}");
                }
                op.commit().await?;
                left -= n;
                let before = done.fetch_add(n, Ordering::Relaxed);
                if (before + n) / step != before / step {
                    let elapsed = started.elapsed();
                    println!(
                        "  {:>9} posted, {:>4}s, {:>6} deposits/s",
                        before + n,
                        elapsed.as_secs(),
                        per_second(before + n, elapsed)
                    );
                }
            }
            Ok(())
        });
    }
    while let Some(joined) = tasks.join_next().await {
        joined.context("a seeding task failed")??;
    }
    let elapsed = started.elapsed();
    println!(
        "seeding took {} ms: {} deposits/s",
        elapsed.as_millis(),
        per_second(missing, elapsed)
    );
    // The server's set totals projector catches up with the seeded postings before anything is
    // measured (it works off the posting path, but its backlog would share the CPU).
    let started = Instant::now();
    let last = outbox.last_sequence().await?;
    while outbox
        .handler_position(ledger::SetTotalsProjector::NAME)
        .await?
        < last
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    println!(
        "the set totals projection caught up in {} ms",
        started.elapsed().as_millis()
    );
    Ok(())
}

/// Database size and the largest ledger tables, for the report.
async fn sizes(pool: &sqlx::PgPool) -> anyhow::Result<String> {
    let (database, entries, transactions): (String, String, String) = sqlx::query_as(
        "SELECT pg_size_pretty(pg_database_size(current_database())),
                pg_size_pretty(pg_total_relation_size('ledger_entries')),
                pg_size_pretty(pg_total_relation_size('ledger_transactions'))",
    )
    .fetch_one(pool)
    .await?;
    Ok(format!(
        "database {database}, ledger_entries {entries}, ledger_transactions {transactions} (with indexes)"
    ))
}

/// The server configuration that shapes these figures (the defaults, which the stack keeps).
fn server_settings() -> anyhow::Result<String> {
    let output = common::run(common::lana_cli().arg("dump-default-config"));
    if !output.status.success() {
        bail!("lana-cli dump-default-config: {}", common::stderr(&output));
    }
    let config: serde_yaml::Value = serde_yaml::from_slice(&output.stdout)?;
    let mut parts = Vec::new();
    for (section, key) in [
        ("db", "max_connections"),
        ("db", "acquire_timeout_secs"),
        ("ledger", "committer_workers"),
        ("ledger", "max_batch"),
        ("audit", "seal_interval_secs"),
        ("audit", "read_audits"),
    ] {
        let value = serde_yaml::to_string(&config[section][key])?;
        parts.push(format!("{section}.{key}={}", value.trim()));
    }
    Ok(parts.join(" "))
}

async fn run(stack: &common::Stack, knobs: &Knobs) -> anyhow::Result<()> {
    let pool = &stack.db.pool;
    println!("PostgreSQL: {}", test_db::settings_report(pool).await);
    let autovacuum: String = sqlx::query_scalar("SHOW autovacuum")
        .fetch_one(pool)
        .await?;
    println!(
        "  autovacuum={autovacuum}; database {} on the server at DATABASE_URL",
        stack.db.name
    );
    println!(
        "lana-cli serve ({} build) on {} node(s), default configuration: {}",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        },
        stack.admin_ports().len(),
        server_settings()?
    );
    println!(
        "machine: {} cores shared by this client, lana-cli and PostgreSQL",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    println!(
        "knobs: BENCH_SECONDS={} BENCH_CONCURRENCY={} BENCH_SEED_DEPOSITS={} BENCH_ACCOUNTS={} BENCH_RNG_SEED={}",
        knobs.seconds,
        knobs
            .concurrency
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        knobs.seed_deposits,
        knobs.accounts,
        knobs.rng_seed
    );

    let most_callers = knobs
        .concurrency
        .iter()
        .copied()
        .max()
        .unwrap_or(1)
        .max(SETUP_CONCURRENCY)
        .max(READ_CONCURRENCY);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(most_callers)
        .tcp_nodelay(true)
        .timeout(REQUEST_TIMEOUT)
        .build()?;

    // Setup, through the first node.
    let api = staff_api(stack, &http).await.swap_remove(0);
    api.call(
        "mutation($input: DomainConfigUpdateInput!){ domainConfigUpdate(input:$input){ domainConfig { key value } } }",
        json!({ "input": { "key": "customer-manual-conversion-allowed", "value": true } }),
    )
    .await?;
    let started = Instant::now();
    let setup_api = api.clone();
    let accounts = in_parallel(knobs.accounts, SETUP_CONCURRENCY, move |i| {
        open_account(setup_api.clone(), i)
    })
    .await?;
    let elapsed = started.elapsed();
    println!();
    println!(
        "setup: {} customers with one deposit account each in {} ms ({} customers/s; 3 mutations each, {SETUP_CONCURRENCY} at a time)",
        accounts.len(),
        elapsed.as_millis(),
        per_second(accounts.len() as u64, elapsed)
    );
    let accounts = Arc::new(accounts);

    // Warm-up: the first 1,000 deposits, through the API.
    let started = Instant::now();
    let warm_api = api.clone();
    let warm_accounts = Arc::clone(&accounts);
    let seed = knobs.rng_seed;
    let outcomes = in_parallel(WARM_UP_DEPOSITS, SETUP_CONCURRENCY, move |i| {
        let (api, accounts) = (warm_api.clone(), Arc::clone(&warm_accounts));
        async move {
            let account = accounts[Rng::new(seed, 2_000_000 + i as u64).below(accounts.len())];
            Ok::<_, anyhow::Error>(Load::Deposit.request(&api, account).await)
        }
    })
    .await?;
    let elapsed = started.elapsed();
    let failed: Vec<&String> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    println!(
        "warm-up: {WARM_UP_DEPOSITS} deposits through the API in {} ms ({} deposits/s, {SETUP_CONCURRENCY} at a time), {} errors",
        elapsed.as_millis(),
        per_second(WARM_UP_DEPOSITS as u64, elapsed),
        failed.len()
    );
    if let Some(e) = failed.first() {
        println!("  first error: {}", e.chars().take(600).collect::<String>());
    }
    let took = analyze_and_checkpoint(pool).await?;
    println!(
        "ANALYZE and CHECKPOINT ({} ms): planner statistics current, as autovacuum keeps them in a running system",
        took.as_millis()
    );

    let before = deposit_phase(stack, &http, &accounts, knobs, "after 1k", seed).await?;

    seed_ledger(pool, knobs.seed_deposits, seed).await?;
    let took = analyze_and_checkpoint(pool).await?;
    println!(
        "ANALYZE and CHECKPOINT after seeding ({} ms): planner statistics current, as autovacuum keeps them in a running system",
        took.as_millis()
    );
    println!("sizes: {}", sizes(pool).await?);

    let seeded = format!("after {}", count_label(knobs.seed_deposits));
    let after = deposit_phase(
        stack,
        &http,
        &accounts,
        knobs,
        &seeded,
        seed.wrapping_add(7),
    )
    .await?;
    println!();
    println!("depositRecord rate {seeded} vs after 1k (mutations/s; ratio = {seeded} / after 1k):");
    println!(
        " callers  after-1k {:>9}  ratio %",
        seeded.replace(' ', "-")
    );
    for ((callers, b), a) in knobs.concurrency.iter().zip(&before).zip(&after) {
        let ratio = u128::from(*a) * 100 / u128::from(*b).max(1);
        println!("{callers:>8} {b:>9} {a:>9} {ratio:>8}");
    }

    let apis = staff_api(stack, &http).await;
    println!();
    println!(
        "reads at {READ_CONCURRENCY} callers, {}s each:",
        knobs.seconds
    );
    println!("{}  query", table_header("reads/s"));
    for (i, (load, name)) in [
        (
            Load::AccountRead,
            "depositAccount(id) { balance } on a random account",
        ),
        (
            Load::CustomersPage,
            "customers(first: 20) { depositAccounts }",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let result = closed_loop(
            &apis,
            &accounts,
            load,
            READ_CONCURRENCY,
            knobs.seconds,
            seed.wrapping_add(100 + i as u64),
        )
        .await?;
        println!("{}  {name}", result.row(READ_CONCURRENCY));
        print_first_error(&result);
    }
    Ok(())
}

/// Drops the benchmark's database (the stack's processes are stopped by then).
async fn drop_database(name: &str) -> anyhow::Result<()> {
    use sqlx::Connection;
    let url = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut admin = sqlx::PgConnection::connect(&url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    admin.close().await?;
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let knobs = Knobs::from_env()?;
    let mut stack = common::Stack::start(SUPERUSER).await;
    while stack.admin_ports().len() < knobs.nodes {
        stack.start_node();
    }
    let result = run(&stack, &knobs).await;
    let name = stack.db.name.clone();
    stack.db.pool.close().await;
    drop(stack);
    if knobs.keep_db {
        println!("kept database {name}");
    } else {
        drop_database(&name).await?;
    }
    result
}
