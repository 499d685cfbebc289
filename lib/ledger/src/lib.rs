//! The double-entry ledger: the bank's book of record.
//!
//! - **Journals, accounts, sets.** Accounts have a code, a name, a normal balance side, a status
//!   (active or locked), metadata and a limit flag (`allow_negative = false`: neither settled nor
//!   available may go below zero). Account sets have members (accounts or sets, no cycles); a set's
//!   balance is the roll-up of its leaf members, computed when read.
//! - **Transactions** carry entries (account, amount > 0 in minor units, currency, direction,
//!   layer); they must balance per (currency, layer) — checked in code before anything is written
//!   and again by the database at commit. Transactions and entries are append-only; a correction is
//!   a [`Ledger::reverse`], the exact opposite, linked to the original.
//! - **Idempotency.** Each transaction has an external id unique per journal: the same content again
//!   returns the original transaction; other content is refused.
//! - **Two ways in.** `post_in_op` posts inside a use case's own transaction (entity events,
//!   outbox and postings commit together); `post` goes through the group committer (see
//!   `committer`) for throughput. Both run the same batch logic (see `posting`), which locks balance
//!   rows in a fixed order with one statement, so no lost updates and no deadlocks between postings.
//! - **Balances** per (journal, account, currency): totals per layer, now, as of any effective date
//!   (summed from entries, so back-dated postings count where they belong) and over a range.
//! - **Commit order.** Every committed batch publishes `LedgerEvent::TransactionsCommitted` on the
//!   outbox in the same transaction; the outbox delivers in commit order.
//! - **Closed periods** (`periods`): a journal closed through a date takes no posting effective
//!   on or before it, refused with the balance locks and, for any writer, by a trigger.
//! - **Set totals** (`rollup`): each set's totals per day, projected off the posting path from
//!   the commit-ordered events, so statements over millions of accounts read a few rows per set
//!   (plus the transactions not projected yet, in the same snapshot: exact).
//!
//! ## Measured (dev/ledger-bench, 2026-11-21)
//!
//! 2 cores, PostgreSQL 15.20 with fsync, synchronous_commit and full_page_writes on, shared_buffers
//! 128MB; 100,000 accounts; 3 s per run; each run after ANALYZE and CHECKPOINT; cala-ledger 0.33.3
//! on the same server. Postings/s (p50 ms), ours vs cala-ledger:
//!
//! | workload | 1 caller | 16 | 64 | 128 |
//! | --- | --- | --- | --- | --- |
//! | uniform pairs | 315 (3.0) vs 470 (2.0) | 3,956 (3.8) vs 926 (16.9) | 7,775 (7.9) vs 768 (82.5) | 8,500 (14.7) vs 818 (154) |
//! | Zipf (exponent 1) pairs | 335 vs 500 | 4,030 vs 905 | 9,467 vs 876 | 12,098 vs 835 |
//! | one hot account | 398 vs 418 | 4,295 vs 493 | 10,416 vs 475 | 15,805 vs 520 |
//! | 4-leg | 363 vs 389 | 2,959 vs 714 | 5,590 vs 693 | 6,397 vs 678 |
//! | batches of 10 | 2,199 vs 2,221 | 7,958 vs 3,296 | 7,766 vs 3,690 | 8,247 vs 3,473 |
//!
//! Best uniform: 8,500/s against cala-ledger's best 934/s (9.1x); into one hot account 10,416/s
//! at 64 callers and 15,805/s at 128 (30x). The ledger's statements need current planner
//! statistics on its tables (autovacuum keeps them in a running system): without them, plans
//! turn to scans as the tables grow and single postings slow from 3 ms to 15-25 ms.
//!
//! ## One caller (dev/ledger-bench, 2026-12-07)
//!
//! The same machine and settings, 20,000 accounts, 5 s per run (`BENCH_ACCOUNTS=20000
//! BENCH_CONCURRENCY=1,64,128 BENCH_WORKLOADS=uniform,hot BENCH_SECONDS=5`), two runs each.
//! Before: every batch of the group committer waited for company (300 µs asked, about a
//! millisecond given: Tokio's timers tick in milliseconds), also a lone posting. After: it waits
//! only while another batch is committing. Postings/s, ours vs cala-ledger, first; second run:
//!
//! | workload | 1 caller | 64 | 128 |
//! | --- | --- | --- | --- |
//! | uniform, before | 250 vs 266; 262 vs 302 | 4,186 vs 448; 4,509 vs 428 | 6,501 vs 479; 7,415 vs 497 |
//! | uniform, after | 398 vs 283; 394 vs 272 | 5,003 vs 493; 5,029 vs 457 | 8,132 vs 502; 7,848 vs 507 |
//! | hot, before | 289 vs 198; 280 vs 206 | 6,693 vs 255; 6,801 vs 223 | 9,578 vs 236; 8,526 vs 249 |
//! | hot, after | 510 vs 193; 573 vs 231 | 6,599 vs 253; 7,639 vs 282 | 9,348 vs 258; 10,614 vs 290 |
//!
//! At one caller ours went from behind cala-ledger to ahead (uniform p50 3.6-3.8 ms to 2.4 ms,
//! cala-ledger's 3.3-3.4); at 64 and 128 callers nothing was lost. Tried and reverted: looking the
//! external ids up in the balance lock statement (one round trip fewer) made deposits through the
//! API 15-20% slower at 16 and 64 callers in alternating runs, where the omnibus rows are contended.

mod balance;
mod committer;
mod error;
mod periods;
mod posting;
mod primitives;
mod queries;
mod rollup;
mod template;

pub use balance::{Balance, BalanceRange, LayerTotals};
pub use error::{LedgerError, PostingError};
pub use posting::{LedgerEvent, MAX_ENTRIES, NewEntry, NewTransaction, Posted};
pub use primitives::{AccountId, Currency, JournalId, Layer, Side, TransactionId};
pub use queries::{EntryPage, LedgerEntry};
pub use rollup::{AccountInfo, Period, SetTotalsProjector, Totals};
pub use template::{TxTemplate, net_credit};

use chrono::NaiveDate;
use clock::Clock;
use es::DbOp;
use outbox::Outbox;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use tokio::sync::{mpsc, oneshot};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Balance rows known to exist are remembered up to this many, then the memory starts over.
pub(crate) const KNOWN_BALANCES_MAX: usize = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LedgerConfig {
    /// Committer tasks taking batches off the queue.
    pub committer_workers: usize,
    /// Most postings in one group-commit transaction.
    pub max_batch: usize,
    /// How long a committer waits for more postings after the first one of a batch, when another
    /// batch is being committed (with none in flight a lone posting goes at once).
    pub batch_window_micros: u64,
}

impl Default for LedgerConfig {
    fn default() -> Self {
        Self {
            committer_workers: 2,
            max_batch: 256,
            batch_window_micros: 300,
        }
    }
}

/// An account set of a domain that a chart of accounts may attach (its postings then roll up
/// into the chart's statements).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachableSet {
    /// Stable name of the set, e.g. `deposit-accounts`.
    pub key: String,
    pub name: String,
    pub account: AccountId,
    pub normal_side: Side,
}

/// A new account or account set.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub id: AccountId,
    pub code: String,
    pub name: String,
    pub normal_side: Side,
    pub allow_negative: bool,
    pub is_set: bool,
    pub metadata: serde_json::Value,
}

impl NewAccount {
    pub fn new(code: impl Into<String>, name: impl Into<String>, normal_side: Side) -> Self {
        Self {
            id: AccountId::new(),
            code: code.into(),
            name: name.into(),
            normal_side,
            allow_negative: true,
            is_set: false,
            metadata: serde_json::Value::Object(Default::default()),
        }
    }

    /// Settled and available balances may not go below zero.
    pub fn no_overdraft(mut self) -> Self {
        self.allow_negative = false;
        self
    }

    pub fn set(mut self) -> Self {
        self.is_set = true;
        self
    }

    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = metadata;
        self
    }
}

#[derive(Clone)]
pub struct Ledger {
    pub(crate) pool: PgPool,
    pub(crate) clock: Clock,
    pub(crate) outbox: Outbox,
    pub(crate) known_balances: Arc<Mutex<HashSet<(JournalId, AccountId, Currency)>>>,
    pub(crate) account_facts: Arc<RwLock<HashMap<AccountId, posting::AccountFacts>>>,
    currencies: Arc<RwLock<BTreeSet<Currency>>>,
    committer: Arc<OnceLock<mpsc::Sender<committer::Request>>>,
}

fn unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

impl Ledger {
    /// Loads the currencies and starts the group committer.
    pub async fn init(
        pool: PgPool,
        clock: Clock,
        outbox: Outbox,
        config: &LedgerConfig,
    ) -> Result<Self, LedgerError> {
        let ledger = Self {
            outbox,
            clock,
            known_balances: Arc::default(),
            account_facts: Arc::default(),
            currencies: Arc::default(),
            committer: Arc::default(),
            pool,
        };
        ledger.reload_currencies().await?;
        let sender = committer::start(ledger.clone(), config);
        let _ = ledger.committer.set(sender);
        Ok(ledger)
    }

    async fn reload_currencies(&self) -> Result<BTreeSet<Currency>, LedgerError> {
        let codes: BTreeSet<Currency> = sqlx::query_scalar!("SELECT code FROM ledger_currencies")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|c| Currency::new(c))
            .collect();
        if let Ok(mut cached) = self.currencies.write() {
            cached.clone_from(&codes);
        }
        if let Ok(mut known) = self.known_balances.lock()
            && known.len() > KNOWN_BALANCES_MAX
        {
            known.clear();
        }
        Ok(codes)
    }

    pub(crate) async fn currencies(&self) -> Result<BTreeSet<Currency>, LedgerError> {
        let cached = self
            .currencies
            .read()
            .map(|c| c.clone())
            .unwrap_or_default();
        if cached.is_empty() {
            self.reload_currencies().await
        } else {
            Ok(cached)
        }
    }

    pub async fn create_journal(&self, name: &str) -> Result<JournalId, LedgerError> {
        let id = JournalId::new();
        sqlx::query!(
            "INSERT INTO ledger_journals (id, name, created_at) VALUES ($1, $2, $3)",
            uuid::Uuid::from(id),
            name,
            self.clock.now()
        )
        .execute(&self.pool)
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                LedgerError::Duplicate
            } else {
                e.into()
            }
        })?;
        Ok(id)
    }

    /// The journal named `name`, created if missing (safe when several processes start at once).
    pub async fn ensure_journal(&self, name: &str) -> Result<JournalId, LedgerError> {
        sqlx::query!(
            "INSERT INTO ledger_journals (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING",
            uuid::Uuid::from(JournalId::new()),
            name,
            self.clock.now()
        )
        .execute(&self.pool)
        .await?;
        let id = sqlx::query_scalar!("SELECT id FROM ledger_journals WHERE name = $1", name)
            .fetch_one(&self.pool)
            .await?;
        Ok(JournalId::from(id))
    }

    pub async fn create_account_in_op(
        &self,
        op: &mut DbOp,
        account: NewAccount,
    ) -> Result<AccountId, LedgerError> {
        let now = op.now();
        sqlx::query!(
            r#"INSERT INTO ledger_accounts (id, code, name, normal_side, is_set, allow_negative, metadata, created_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"#,
            uuid::Uuid::from(account.id),
            account.code,
            account.name,
            account.normal_side.as_str(),
            account.is_set,
            account.allow_negative,
            account.metadata,
            now
        )
        .execute(op.conn())
        .await
        .map_err(|e| if unique_violation(&e) { LedgerError::Duplicate } else { e.into() })?;
        Ok(account.id)
    }

    pub async fn create_account(&self, account: NewAccount) -> Result<AccountId, LedgerError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        let id = self.create_account_in_op(&mut op, account).await?;
        op.commit().await?;
        Ok(id)
    }

    /// Makes `member` (an account or a set) a member of `set`; refuses cycles and an account
    /// that is already in another set. An account that already has entries brings its history
    /// into the set's totals (see `rollup.rs`). Adding an existing member changes nothing.
    pub async fn add_member_in_op(
        &self,
        op: &mut DbOp,
        set: AccountId,
        member: AccountId,
    ) -> Result<(), LedgerError> {
        let row = sqlx::query!(
            r#"SELECT s.is_set AS set_is_set, m.is_set AS member_is_set,
                      EXISTS (SELECT 1 FROM ledger_set_members WHERE set_id = $1 AND member_id = $2) AS "already!",
                      EXISTS (SELECT 1 FROM ledger_entries WHERE account_id = $2) AS "has_entries!"
               FROM ledger_accounts s, ledger_accounts m WHERE s.id = $1 AND m.id = $2"#,
            uuid::Uuid::from(set),
            uuid::Uuid::from(member)
        )
        .fetch_optional(op.conn())
        .await?;
        let Some(row) = row else {
            let missing = sqlx::query_scalar!(
                "SELECT EXISTS (SELECT 1 FROM ledger_accounts WHERE id = $1) AS \"found!\"",
                uuid::Uuid::from(set)
            )
            .fetch_one(op.conn())
            .await?;
            return Err(LedgerError::AccountNotFound(if missing {
                member
            } else {
                set
            }));
        };
        if !row.set_is_set {
            return Err(PostingError::Invalid(format!("account {set} is not a set")).into());
        }
        if row.already {
            return Ok(());
        }

        // `set` reachable from `member` (or the same) would close a cycle.
        let cycle = sqlx::query_scalar!(
            r#"WITH RECURSIVE below(id) AS (
                 SELECT $1::uuid
                 UNION SELECT m.member_id FROM ledger_set_members m JOIN below ON m.set_id = below.id
                       WHERE m.member_is_set
               )
               SELECT EXISTS (SELECT 1 FROM below WHERE id = $2) AS "cycle!""#,
            uuid::Uuid::from(member),
            uuid::Uuid::from(set)
        )
        .fetch_one(op.conn())
        .await?;
        if cycle {
            return Err(LedgerError::SetCycle { set, member });
        }
        sqlx::query!(
            "INSERT INTO ledger_set_members (set_id, member_id, member_is_set) VALUES ($1, $2, $3) ON CONFLICT (set_id, member_id) DO NOTHING",
            uuid::Uuid::from(set),
            uuid::Uuid::from(member),
            row.member_is_set
        )
        .execute(op.conn())
        .await
        .map_err(|e| {
            if unique_violation(&e) {
                LedgerError::AccountInOtherSet(member)
            } else {
                e.into()
            }
        })?;
        if !row.member_is_set && row.has_entries {
            self.project_history_in_op(op, member).await?;
        }
        Ok(())
    }

    pub async fn add_member(&self, set: AccountId, member: AccountId) -> Result<(), LedgerError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        self.add_member_in_op(&mut op, set, member).await?;
        op.commit().await?;
        Ok(())
    }

    /// Locks or unlocks an account: a locked account takes no postings.
    pub async fn set_account_locked_in_op(
        &self,
        op: &mut DbOp,
        account: AccountId,
        locked: bool,
    ) -> Result<(), LedgerError> {
        let updated = sqlx::query!(
            "UPDATE ledger_accounts SET status = $2 WHERE id = $1",
            uuid::Uuid::from(account),
            if locked { "locked" } else { "active" }
        )
        .execute(op.conn())
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(LedgerError::AccountNotFound(account));
        }
        Ok(())
    }

    /// Posts inside the caller's transaction: it commits with the caller's other writes, or not at
    /// all. A refused posting writes nothing.
    pub async fn post_in_op(
        &self,
        op: &mut DbOp,
        tx: NewTransaction,
    ) -> Result<Posted, LedgerError> {
        let mut results = self.apply(op, std::slice::from_ref(&tx)).await?;
        results
            .pop()
            .unwrap_or(Err(PostingError::Invalid("empty batch".into())))
            .map_err(LedgerError::from)
    }

    /// Posts several transactions in the caller's transaction, each judged on its own (a refused
    /// one writes nothing; the others are written).
    pub async fn post_all_in_op(
        &self,
        op: &mut DbOp,
        txs: &[NewTransaction],
    ) -> Result<Vec<Result<Posted, PostingError>>, LedgerError> {
        self.apply(op, txs).await
    }

    /// Posts through the group committer, in a transaction shared with concurrent postings.
    pub async fn post(&self, tx: NewTransaction) -> Result<Posted, LedgerError> {
        let sender = self.committer.get().ok_or(LedgerError::CommitterStopped)?;
        let (reply, answer) = oneshot::channel();
        sender
            .send((tx, reply))
            .await
            .map_err(|_| LedgerError::CommitterStopped)?;
        answer.await.map_err(|_| LedgerError::CommitterStopped)?
    }

    /// The exact opposite of `original`, linked to it, under its own external id. Reversing twice
    /// with the same external id returns the first reversal; with another it is refused.
    pub async fn reversal(
        &self,
        conn: &mut sqlx::PgConnection,
        original: TransactionId,
        external_id: &str,
        effective: NaiveDate,
    ) -> Result<NewTransaction, LedgerError> {
        let tx = sqlx::query!(
            "SELECT journal_id FROM ledger_transactions WHERE id = $1",
            uuid::Uuid::from(original)
        )
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(PostingError::TransactionNotFound(original))?;
        let earlier = sqlx::query_scalar!(
            "SELECT external_id FROM ledger_transactions WHERE reverses = $1",
            uuid::Uuid::from(original)
        )
        .fetch_optional(&mut *conn)
        .await?;
        if earlier.is_some_and(|e| e != external_id) {
            return Err(PostingError::AlreadyReversed(original).into());
        }
        let entries = sqlx::query!(
            r#"SELECT account_id, currency, layer, direction, amount, description
               FROM ledger_entries WHERE transaction_id = $1 ORDER BY id"#,
            uuid::Uuid::from(original)
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut reversal =
            NewTransaction::new(JournalId::from(tx.journal_id), external_id, effective)
                .description(format!("reversal of {original}"));
        reversal.template = Some("reversal".into());
        reversal.reverses = Some(original);
        for e in entries {
            let direction = if e.direction > 0 {
                Side::Credit
            } else {
                Side::Debit
            };
            let layer = match e.layer {
                1 => Layer::Pending,
                2 => Layer::Encumbrance,
                _ => Layer::Settled,
            };
            let mut entry = NewEntry::new(
                direction,
                AccountId::from(e.account_id),
                e.amount.unsigned_abs(),
                Currency::new(&e.currency),
            )
            .layer(layer);
            entry.description = e.description;
            reversal = reversal.entry(entry);
        }
        Ok(reversal)
    }

    pub async fn reverse_in_op(
        &self,
        op: &mut DbOp,
        original: TransactionId,
        external_id: &str,
        effective: NaiveDate,
    ) -> Result<Posted, LedgerError> {
        let reversal = self
            .reversal(op.conn(), original, external_id, effective)
            .await?;
        self.post_in_op(op, reversal).await
    }

    pub async fn reverse(
        &self,
        original: TransactionId,
        external_id: &str,
        effective: NaiveDate,
    ) -> Result<Posted, LedgerError> {
        let mut conn = self.pool.acquire().await?;
        let reversal = self
            .reversal(&mut conn, original, external_id, effective)
            .await?;
        drop(conn);
        self.post(reversal).await
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}
