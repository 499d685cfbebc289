//! Our ledger against cala-ledger 0.33.3, same PostgreSQL, same workloads, durable commits.
//!
//! Workloads (two-leg USD transfers unless noted): uniform pairs over N accounts, Zipf (exponent 1) pairs,
//! one hot destination account, 4-leg postings, and batches of 10 postings per call. Each runs at
//! every concurrency level for a fixed time. Prints postings/s and p50/p99 latency per backend, the
//! ratio, and the PostgreSQL settings.
//!
//! Every run starts with ANALYZE of our database (autovacuum would keep statistics current in a
//! running system; a benchmark outruns it) and a CHECKPOINT (when permitted), so neither backend
//! pays for the WAL the other wrote. Environment: DATABASE_URL (server), BENCH_ACCOUNTS (100000), BENCH_SECONDS (3),
//! BENCH_CONCURRENCY (1,2,4,8,16,32,64,128), BENCH_WORKLOADS (uniform,zipf,hot,four_leg,batch).

use anyhow::Context;
use cala_ledger::posting::PostingInput;
use cala_ledger::{
    CalaLedger, CalaLedgerConfig, TransactionId, account::NewAccount as CalaAccount, job,
    journal::NewJournal, tx_template::*,
};
use clock::Clock;
use es::DbOp;
use ledger::{
    AccountId, Currency, JournalId, Ledger, LedgerConfig, NewAccount, NewEntry, NewTransaction,
    Side,
};
use rust_decimal::Decimal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64*: a small deterministic generator per task.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Cumulative Zipf (exponent 1) weights over n ranks, in integers, for sampling by binary search:
/// rank k weighs 2^40 / k.
fn zipf_cdf(n: usize) -> Vec<u64> {
    let mut acc = 0u64;
    (1..=n as u64)
        .map(|k| {
            acc += (1u64 << 40) / k;
            acc
        })
        .collect()
}

/// Microseconds as milliseconds with two decimals.
fn ms(micros: u64) -> String {
    format!("{}.{:02}", micros / 1000, micros % 1000 / 10)
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Workload {
    Uniform,
    Zipf,
    Hot,
    FourLeg,
    Batch,
}

impl Workload {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "uniform" => Workload::Uniform,
            "zipf" => Workload::Zipf,
            "hot" => Workload::Hot,
            "four_leg" => Workload::FourLeg,
            "batch" => Workload::Batch,
            _ => return None,
        })
    }

    /// Postings per call.
    fn per_call(self) -> usize {
        if self == Workload::Batch { 10 } else { 1 }
    }
}

/// Picks the accounts of one posting: indexes into the account list.
fn pick(workload: Workload, rng: &mut Rng, n: usize, cdf: &[u64]) -> Vec<usize> {
    let distinct = |count: usize, rng: &mut Rng, zipf: bool| {
        let mut out: Vec<usize> = Vec::with_capacity(count);
        while out.len() < count {
            let i = if zipf {
                let total = cdf.last().copied().unwrap_or(1).max(1);
                let u = rng.next() % total;
                cdf.partition_point(|c| *c <= u).min(n - 1)
            } else {
                rng.below(n - 1) + 1
            };
            if !out.contains(&i) {
                out.push(i);
            }
        }
        out
    };
    match workload {
        Workload::Uniform | Workload::Batch => distinct(2, rng, false),
        Workload::Zipf => distinct(2, rng, true),
        // Index 0 is the hot account.
        Workload::Hot => vec![distinct(1, rng, false)[0], 0],
        Workload::FourLeg => distinct(4, rng, false),
    }
}

trait Backend: Send + Sync + 'static {
    fn name(&self) -> &'static str;
    fn post(
        &self,
        postings: Vec<Vec<usize>>,
        seq: u64,
    ) -> impl std::future::Future<Output = anyhow::Result<()>> + Send;
}

struct Ours {
    ledger: Ledger,
    journal: JournalId,
    accounts: Vec<AccountId>,
}

impl Ours {
    fn transaction(&self, legs: &[usize], external_id: String) -> NewTransaction {
        let usd = Currency::usd();
        let effective = chrono::Utc::now().date_naive();
        let mut tx = NewTransaction::new(self.journal, external_id, effective);
        let half = legs.len() / 2;
        for (i, leg) in legs.iter().enumerate() {
            let side = if i < half { Side::Debit } else { Side::Credit };
            tx = tx.entry(NewEntry::new(side, self.accounts[*leg], 100, usd.clone()));
        }
        tx
    }
}

impl Backend for Ours {
    fn name(&self) -> &'static str {
        "ours"
    }

    async fn post(&self, postings: Vec<Vec<usize>>, seq: u64) -> anyhow::Result<()> {
        if postings.len() == 1 {
            self.ledger
                .post(self.transaction(&postings[0], format!("b-{seq}")))
                .await?;
            return Ok(());
        }
        let txs: Vec<NewTransaction> = postings
            .iter()
            .enumerate()
            .map(|(i, legs)| self.transaction(legs, format!("b-{seq}-{i}")))
            .collect();
        let mut op = DbOp::init(self.ledger.pool(), &Clock::real()).await?;
        for result in self.ledger.post_all_in_op(&mut op, &txs).await? {
            result?;
        }
        op.commit().await?;
        Ok(())
    }
}

struct Cala {
    cala: CalaLedger,
    journal: cala_ledger::JournalId,
    accounts: Vec<uuid::Uuid>,
}

impl Cala {
    fn input(&self, legs: &[usize]) -> PostingInput {
        let mut params = Params::new();
        params.insert("journal_id", self.journal);
        params.insert("amount", Decimal::ONE);
        let code = if legs.len() == 4 {
            for (name, leg) in ["a", "b", "c", "d"].iter().zip(legs) {
                params.insert(*name, self.accounts[*leg]);
            }
            "bench_four_leg"
        } else {
            params.insert("sender", self.accounts[legs[0]]);
            params.insert("recipient", self.accounts[legs[1]]);
            "bench_transfer"
        };
        PostingInput::new(TransactionId::new(), code, params)
    }
}

impl Backend for Cala {
    fn name(&self) -> &'static str {
        "cala-ledger"
    }

    async fn post(&self, postings: Vec<Vec<usize>>, _seq: u64) -> anyhow::Result<()> {
        if postings.len() == 1 {
            let input = self.input(&postings[0]);
            self.cala
                .post_transaction(input.tx_id, &input.tx_template_code, input.params)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        } else {
            let batch = postings.iter().map(|legs| self.input(legs)).collect();
            self.cala
                .post_transactions(batch)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        }
        Ok(())
    }
}

struct Figures {
    postings_per_sec: u64,
    p50_micros: u64,
    p99_micros: u64,
}

async fn run<B: Backend>(
    backend: Arc<B>,
    workload: Workload,
    concurrency: usize,
    seconds: u64,
    n: usize,
    cdf: Arc<Vec<u64>>,
    seq: Arc<AtomicU64>,
) -> anyhow::Result<Figures> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|t| {
            let (backend, cdf, seq) = (backend.clone(), cdf.clone(), seq.clone());
            tokio::spawn(async move {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ ((t as u64 + 1) * 0x1000_0000_01b3));
                let mut latencies = Vec::new();
                let mut postings = 0u64;
                while Instant::now() < deadline {
                    let call: Vec<Vec<usize>> = (0..workload.per_call())
                        .map(|_| pick(workload, &mut rng, n, &cdf))
                        .collect();
                    let at = Instant::now();
                    backend
                        .post(call, seq.fetch_add(1, Ordering::Relaxed))
                        .await
                        .context("posting failed")?;
                    latencies.push(u64::try_from(at.elapsed().as_micros()).unwrap_or(u64::MAX));
                    postings += workload.per_call() as u64;
                }
                Ok::<_, anyhow::Error>((postings, latencies))
            })
        })
        .collect();
    let mut total = 0;
    let mut latencies = Vec::new();
    for task in tasks {
        let (postings, mut l) = task.await.context("benchmark task")??;
        total += postings;
        latencies.append(&mut l);
    }
    let elapsed = started.elapsed().as_micros().max(1);
    latencies.sort_unstable();
    let at = |percent: usize| {
        latencies
            .get((latencies.len() * percent / 100).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Ok(Figures {
        postings_per_sec: u64::try_from(u128::from(total) * 1_000_000 / elapsed)
            .unwrap_or(u64::MAX),
        p50_micros: at(50),
        p99_micros: at(99),
    })
}

/// Each backend gets 45 connections: two pools must fit the server's default 100.
async fn fresh_database(admin_url: &str, name: &str) -> anyhow::Result<sqlx::PgPool> {
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(admin_url).await?;
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await?;
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    Ok(sqlx::postgres::PgPoolOptions::new()
        .max_connections(45)
        .connect(&format!("{base}/{name}"))
        .await?)
}

async fn setup_ours(pool: sqlx::PgPool, n: usize) -> anyhow::Result<Ours> {
    es::migrations::combine(&[&es::MIGRATOR, &::outbox::MIGRATOR, &ledger::MIGRATOR])
        .await?
        .run(&pool)
        .await?;
    let config = LedgerConfig {
        committer_workers: env_or("BENCH_WORKERS", 2),
        max_batch: 512,
        batch_window_micros: env_or("BENCH_WINDOW_MICROS", 300),
    };
    let ledger = Ledger::init(
        pool.clone(),
        Clock::real(),
        ::outbox::Outbox::new(pool.clone(), Clock::real()),
        &config,
    )
    .await?;
    let journal = ledger.create_journal("bench").await?;
    let mut accounts = Vec::with_capacity(n);
    let mut op = DbOp::init(&pool, &Clock::real()).await?;
    for i in 0..n {
        let side = if i == 0 { Side::Debit } else { Side::Credit };
        accounts.push(
            ledger
                .create_account_in_op(
                    &mut op,
                    NewAccount::new(format!("a{i}"), format!("account {i}"), side),
                )
                .await?,
        );
    }
    op.commit().await?;
    Ok(Ours {
        ledger,
        journal,
        accounts,
    })
}

fn param(name: &str, ty: ParamDataType) -> anyhow::Result<NewParamDefinition> {
    Ok(NewParamDefinition::builder()
        .name(name)
        .r#type(ty)
        .build()?)
}

fn leg(account: &str, direction: &str) -> anyhow::Result<NewTxTemplateEntry> {
    Ok(NewTxTemplateEntry::builder()
        .entry_type(format!("'BENCH_{}'", direction))
        .account_id(format!("params.{account}"))
        .layer("SETTLED")
        .direction(direction)
        .units("params.amount")
        .currency("'USD'")
        .build()?)
}

async fn setup_cala(pool: sqlx::PgPool, n: usize) -> anyhow::Result<Cala> {
    let mut jobs =
        job::Jobs::init(job::JobSvcConfig::builder().pool(pool.clone()).build()?).await?;
    let config = CalaLedgerConfig::builder()
        .pool(pool)
        .exec_migrations(true)
        .build()?;
    let cala = CalaLedger::init(config, &mut jobs)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let journal = cala
        .journals()
        .create(
            NewJournal::builder()
                .id(cala_ledger::JournalId::new())
                .name("bench")
                .build(),
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let tx = || -> anyhow::Result<NewTxTemplateTransaction> {
        Ok(NewTxTemplateTransaction::builder()
            .journal_id("params.journal_id")
            .effective("params.effective")
            .build()?)
    };
    let mut common = vec![
        param("journal_id", ParamDataType::Uuid)?,
        param("amount", ParamDataType::Decimal)?,
        NewParamDefinition::builder()
            .name("effective")
            .r#type(ParamDataType::Date)
            .default_expr("date()")
            .build()?,
    ];
    let mut transfer_params = common.clone();
    transfer_params.push(param("sender", ParamDataType::Uuid)?);
    transfer_params.push(param("recipient", ParamDataType::Uuid)?);
    let transfer = NewTxTemplate::builder()
        .id(uuid::Uuid::now_v7())
        .code("bench_transfer")
        .params(transfer_params)
        .transaction(tx()?)
        .entries(vec![leg("sender", "DEBIT")?, leg("recipient", "CREDIT")?])
        .build();
    cala.tx_templates()
        .create(transfer)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    for name in ["a", "b", "c", "d"] {
        common.push(param(name, ParamDataType::Uuid)?);
    }
    let four = NewTxTemplate::builder()
        .id(uuid::Uuid::now_v7())
        .code("bench_four_leg")
        .params(common)
        .transaction(tx()?)
        .entries(vec![
            leg("a", "DEBIT")?,
            leg("b", "DEBIT")?,
            leg("c", "CREDIT")?,
            leg("d", "CREDIT")?,
        ])
        .build();
    cala.tx_templates()
        .create(four)
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let mut accounts = Vec::with_capacity(n);
    for chunk_start in (0..n).step_by(1_000) {
        let batch: Vec<CalaAccount> = (chunk_start..(chunk_start + 1_000).min(n))
            .map(|i| {
                let id = uuid::Uuid::now_v7();
                accounts.push(id);
                CalaAccount::builder()
                    .id(id)
                    .name(format!("account {i}"))
                    .code(format!("a{i}"))
                    .build()
            })
            .collect();
        cala.accounts()
            .create_all(batch)
            .await
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    Ok(Cala {
        cala,
        journal: journal.id(),
        accounts,
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let admin = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let n: usize = env_or("BENCH_ACCOUNTS", 100_000);
    let seconds: u64 = env_or("BENCH_SECONDS", 3);
    let levels: Vec<usize> = std::env::var("BENCH_CONCURRENCY")
        .unwrap_or_else(|_| "1,2,4,8,16,32,64,128".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let workloads: Vec<Workload> = std::env::var("BENCH_WORKLOADS")
        .unwrap_or_else(|_| "uniform,zipf,hot,four_leg,batch".into())
        .split(',')
        .filter_map(|s| Workload::parse(s.trim()))
        .collect();

    let ours_pool = fresh_database(&admin, "lana_ledger_bench_ours")
        .await
        .context("ours database")?;
    println!("PostgreSQL: {}", test_db::settings_report(&ours_pool).await);
    println!("accounts: {n}; {seconds}s per run; concurrency {levels:?}");
    let setup = Instant::now();
    let ours = Arc::new(setup_ours(ours_pool, n).await?);
    println!("ours: {n} accounts in {} ms", setup.elapsed().as_millis());
    let setup = Instant::now();
    let cala =
        Arc::new(setup_cala(fresh_database(&admin, "lana_ledger_bench_cala").await?, n).await?);
    println!(
        "cala-ledger: {n} accounts in {} ms",
        setup.elapsed().as_millis()
    );

    let cdf = Arc::new(zipf_cdf(n));
    let seq = Arc::new(AtomicU64::new(0));
    println!();
    println!(
        "{:<9} {:>4}  {:>12} {:>8} {:>8}  {:>12} {:>8} {:>8}  {:>6}",
        "workload", "conc", "ours/s", "p50 ms", "p99 ms", "cala/s", "p50 ms", "p99 ms", "ratio"
    );
    // Each run starts with fresh statistics and a fresh checkpoint.
    let checkpoint = || async {
        for statement in ["ANALYZE", "CHECKPOINT"] {
            if let Err(e) = sqlx::query(statement)
                .execute(&ours.ledger.pool().clone())
                .await
            {
                eprintln!("{statement} failed ({e}); runs may interfere");
            }
        }
    };
    for workload in workloads {
        for &concurrency in &levels {
            checkpoint().await;
            let o = run(
                ours.clone(),
                workload,
                concurrency,
                seconds,
                n,
                cdf.clone(),
                seq.clone(),
            )
            .await?;
            let c = run(
                cala.clone(),
                workload,
                concurrency,
                seconds,
                n,
                cdf.clone(),
                seq.clone(),
            )
            .await?;
            let tenths = o.postings_per_sec * 10 / c.postings_per_sec.max(1);
            println!(
                "{:<9} {:>4}  {:>12} {:>8} {:>8}  {:>12} {:>8} {:>8}  {:>4}.{}x",
                format!("{workload:?}").to_lowercase(),
                concurrency,
                o.postings_per_sec,
                ms(o.p50_micros),
                ms(o.p99_micros),
                c.postings_per_sec,
                ms(c.p50_micros),
                ms(c.p99_micros),
                tenths / 10,
                tenths % 10
            );
        }
    }
    println!("(backends: {} vs {})", ours.name(), cala.name());
    Ok(())
}
