//! Turning postings into rows: validation, idempotency, locking, limits, bulk writes.
//!
//! A batch (one posting from a use case, or many from the group committer) is applied in one
//! database transaction with a fixed number of statements whatever its size:
//! 1. validate each posting in memory (balanced per currency and layer, sane amounts);
//! 2. look up the batch's external ids: the same content again is a replay of the original, other
//!    content is refused;
//! 3. look up the accounts involved (existence, set or not, limit: facts that never change, cached);
//! 4. create the balance rows never seen before (in key order), then lock every balance row the
//!    batch touches with one `SELECT .. ORDER BY key FOR UPDATE` — a
//!    fixed lock order, so concurrent batches never deadlock on each other, and lock and read are one
//!    statement; the same statement share-locks the accounts and reads their status, so locking an
//!    account waits for postings in flight and postings wait for the lock to commit;
//! 5. apply the postings one after the other to the locked balances in memory; a posting that would
//!    take a limited account below zero is refused alone;
//! 6. write transactions, entries and balances with one statement (three `unnest`s), and publish one
//!    outbox event listing the batch's transactions (delivered in commit order).

use crate::Ledger;
use crate::balance::Balance;
use crate::error::{LedgerError, PostingError};
use crate::primitives::{AccountId, Currency, JournalId, Layer, Side, TransactionId};
use chrono::{DateTime, NaiveDate, Utc};
use es::DbOp;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use uuid::Uuid;

/// Most entries one transaction may hold.
pub const MAX_ENTRIES: usize = 256;

/// One line of a transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewEntry {
    pub account_id: AccountId,
    /// Minor units, more than zero.
    pub amount: u64,
    pub currency: Currency,
    pub direction: Side,
    pub layer: Layer,
    pub description: Option<String>,
}

impl NewEntry {
    pub fn new(direction: Side, account_id: AccountId, amount: u64, currency: Currency) -> Self {
        Self {
            account_id,
            amount,
            currency,
            direction,
            layer: Layer::Settled,
            description: None,
        }
    }

    pub fn debit(account_id: AccountId, amount: u64, currency: Currency) -> Self {
        Self::new(Side::Debit, account_id, amount, currency)
    }

    pub fn credit(account_id: AccountId, amount: u64, currency: Currency) -> Self {
        Self::new(Side::Credit, account_id, amount, currency)
    }

    pub fn layer(mut self, layer: Layer) -> Self {
        self.layer = layer;
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

/// A transaction to post.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewTransaction {
    pub journal_id: JournalId,
    /// Unique per journal: posting the same content again returns the original.
    pub external_id: String,
    /// The accounting date; may differ from when it is recorded (back-dating).
    pub effective: NaiveDate,
    pub description: Option<String>,
    pub metadata: serde_json::Value,
    /// The template that built it, if any.
    pub template: Option<String>,
    pub entries: Vec<NewEntry>,
    pub(crate) reverses: Option<TransactionId>,
}

impl NewTransaction {
    pub fn new(
        journal_id: JournalId,
        external_id: impl Into<String>,
        effective: NaiveDate,
    ) -> Self {
        Self {
            journal_id,
            external_id: external_id.into(),
            effective,
            description: None,
            metadata: serde_json::Value::Object(Default::default()),
            template: None,
            entries: Vec::new(),
            reverses: None,
        }
    }

    pub fn entry(mut self, entry: NewEntry) -> Self {
        self.entries.push(entry);
        self
    }

    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    pub fn metadata(mut self, metadata: serde_json::Value) -> Self {
        self.metadata = metadata;
        self
    }

    /// Checks shape and balance; returns the content hash that idempotency compares.
    fn check(&self, currencies: &BTreeSet<Currency>) -> Result<Vec<u8>, PostingError> {
        let invalid = |m: &str| Err(PostingError::Invalid(m.to_owned()));
        if self.external_id.is_empty() || self.external_id.len() > 200 {
            return invalid("external id must be 1 to 200 characters");
        }
        if self.entries.is_empty() || self.entries.len() > MAX_ENTRIES {
            return invalid("a transaction has 1 to 256 entries");
        }
        let mut sums: BTreeMap<(Currency, Layer), i128> = BTreeMap::new();
        for entry in &self.entries {
            if entry.amount == 0 || i64::try_from(entry.amount).is_err() {
                return invalid("entry amounts are more than zero and at most 2^63-1 minor units");
            }
            if !currencies.contains(&entry.currency) {
                return Err(PostingError::UnknownCurrency(entry.currency.clone()));
            }
            *sums
                .entry((entry.currency.clone(), entry.layer))
                .or_default() += i128::from(entry.direction.sign()) * i128::from(entry.amount);
        }
        if let Some(((currency, layer), difference)) = sums.into_iter().find(|(_, s)| *s != 0) {
            return Err(PostingError::Unbalanced {
                currency,
                layer,
                difference,
            });
        }
        // Serializing plain data cannot fail.
        Ok(Sha256::digest(serde_json::to_vec(self).unwrap_or_default()).to_vec())
    }
}

/// A transaction as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct Posted {
    pub id: TransactionId,
    pub journal_id: JournalId,
    pub external_id: String,
    pub effective: NaiveDate,
    pub recorded_at: DateTime<Utc>,
    /// True when this call found the transaction already posted (idempotent retry).
    pub replayed: bool,
}

/// What the ledger publishes, once per committed batch, in commit order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LedgerEvent {
    TransactionsCommitted { transactions: Vec<TransactionId> },
}

impl outbox::PublicEvent for LedgerEvent {
    const EVENT_TYPES: &'static [&'static str] = &["transactions_committed"];
}

type Key = (JournalId, AccountId, Currency);

/// What never changes about an account once created; its status is read with its balance lock.
#[derive(Debug, Clone, Copy)]
pub(crate) struct AccountFacts {
    normal_side: Side,
    is_set: bool,
    allow_negative: bool,
}

/// What locking the balances of a batch read: the balances, the locked accounts among them and
/// how far each journal is closed.
#[derive(Default)]
struct Locked {
    balances: HashMap<Key, Balance>,
    accounts: HashSet<AccountId>,
    closed_through: HashMap<JournalId, NaiveDate>,
}

enum Outcome {
    Done(Result<Posted, PostingError>),
    /// The same external id earlier in this batch.
    SameAs(usize),
    Open,
}

impl Ledger {
    /// Applies `batch` in `op`'s transaction. The outer error means the database failed and the
    /// whole transaction must be abandoned; inner errors refuse single postings.
    pub(crate) async fn apply(
        &self,
        op: &mut DbOp,
        batch: &[NewTransaction],
    ) -> Result<Vec<Result<Posted, PostingError>>, LedgerError> {
        let now = op.now();
        let currencies = self.currencies().await?;
        let mut outcomes: Vec<Outcome> = Vec::with_capacity(batch.len());
        let mut hashes: Vec<Vec<u8>> = Vec::with_capacity(batch.len());
        let mut first_of: HashMap<(JournalId, &str), usize> = HashMap::new();
        for (i, tx) in batch.iter().enumerate() {
            let (outcome, hash) = match tx.check(&currencies) {
                Err(e) => (Outcome::Done(Err(e)), Vec::new()),
                Ok(hash) => match first_of.get(&(tx.journal_id, tx.external_id.as_str())) {
                    Some(&index) => (Outcome::SameAs(index), hash),
                    None => {
                        first_of.insert((tx.journal_id, tx.external_id.as_str()), i);
                        (Outcome::Open, hash)
                    }
                },
            };
            outcomes.push(outcome);
            hashes.push(hash);
        }

        // Idempotency against what is already recorded.
        let open: Vec<usize> = (0..batch.len())
            .filter(|i| matches!(outcomes[*i], Outcome::Open))
            .collect();
        if !open.is_empty() {
            let journals: Vec<Uuid> = open.iter().map(|i| batch[*i].journal_id.into()).collect();
            let externals: Vec<String> =
                open.iter().map(|i| batch[*i].external_id.clone()).collect();
            let existing = sqlx::query!(
                r#"SELECT t.id, t.journal_id, t.external_id, t.content_hash, t.effective, t.recorded_at
                   FROM ledger_transactions t
                   JOIN unnest($1::uuid[], $2::text[]) AS k(j, e) ON t.journal_id = k.j AND t.external_id = k.e"#,
                &journals,
                &externals
            )
            .fetch_all(op.conn())
            .await?;
            let by_key: HashMap<(Uuid, String), _> = existing
                .into_iter()
                .map(|r| ((r.journal_id, r.external_id.clone()), r))
                .collect();
            for i in open {
                let tx = &batch[i];
                if let Some(r) = by_key.get(&(tx.journal_id.into(), tx.external_id.clone())) {
                    outcomes[i] = Outcome::Done(if hashes[i] == r.content_hash {
                        Ok(Posted {
                            id: r.id.into(),
                            journal_id: tx.journal_id,
                            external_id: tx.external_id.clone(),
                            effective: r.effective,
                            recorded_at: r.recorded_at,
                            replayed: true,
                        })
                    } else {
                        Err(PostingError::ExternalIdConflict {
                            external_id: tx.external_id.clone(),
                        })
                    });
                }
            }
        }

        // The accounts involved (their immutable facts come from a cache).
        let account_ids: BTreeSet<AccountId> = batch
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| matches!(o, Outcome::Open))
            .flat_map(|(tx, _)| tx.entries.iter().map(|e| e.account_id))
            .collect();
        let accounts = self.facts_of(op, &account_ids).await?;
        for (tx, outcome) in batch.iter().zip(outcomes.iter_mut()) {
            if !matches!(outcome, Outcome::Open) {
                continue;
            }
            for entry in &tx.entries {
                let refusal = match accounts.get(&entry.account_id) {
                    None => Some(PostingError::UnknownAccount(entry.account_id)),
                    Some(a) if a.is_set => Some(PostingError::PostingToSet(entry.account_id)),
                    Some(_) => None,
                };
                if let Some(refusal) = refusal {
                    *outcome = Outcome::Done(Err(refusal));
                    break;
                }
            }
        }

        // Lock and read every balance the open postings touch, in key order.
        let keys: BTreeSet<Key> = batch
            .iter()
            .zip(&outcomes)
            .filter(|(_, o)| matches!(o, Outcome::Open))
            .flat_map(|(tx, _)| {
                tx.entries
                    .iter()
                    .map(|e| (tx.journal_id, e.account_id, e.currency.clone()))
            })
            .collect();
        let Locked {
            mut balances,
            accounts: locked,
            closed_through,
        } = self.lock_balances(op, &keys, &accounts).await?;
        for (tx, outcome) in batch.iter().zip(outcomes.iter_mut()) {
            if !matches!(outcome, Outcome::Open) {
                continue;
            }
            if let Some(entry) = tx.entries.iter().find(|e| locked.contains(&e.account_id)) {
                *outcome = Outcome::Done(Err(PostingError::AccountLocked(entry.account_id)));
            } else if let Some(&closed) = closed_through.get(&tx.journal_id)
                && tx.effective <= closed
            {
                *outcome = Outcome::Done(Err(PostingError::PeriodClosed {
                    effective: tx.effective,
                    closed_through: closed,
                }));
            }
        }

        // Apply in order; a posting that breaks a limit is refused alone.
        let mut transactions = Vec::new();
        let mut entries = Vec::new();
        let mut touched: BTreeSet<Key> = BTreeSet::new();
        for (i, tx) in batch.iter().enumerate() {
            if !matches!(outcomes[i], Outcome::Open) {
                continue;
            }
            let mut scratch: BTreeMap<Key, Balance> = BTreeMap::new();
            let mut refusal = None;
            for entry in &tx.entries {
                let key = (tx.journal_id, entry.account_id, entry.currency.clone());
                let balance = scratch.entry(key.clone()).or_insert_with(|| {
                    let mut b = balances[&key];
                    b.version += 1;
                    b
                });
                // Checked by `check`: amounts fit an i64.
                let amount = i64::try_from(entry.amount).unwrap_or(i64::MAX);
                if !balance.add(entry.layer, entry.direction, amount) {
                    refusal = Some(PostingError::Invalid(
                        "a balance total would overflow".into(),
                    ));
                    break;
                }
            }
            if refusal.is_none() {
                refusal = scratch.iter().find_map(|((_, account, currency), b)| {
                    let limited = accounts.get(account).is_some_and(|a| !a.allow_negative);
                    (limited && (b.settled() < 0 || b.available() < 0)).then(|| {
                        PostingError::InsufficientBalance {
                            account: *account,
                            currency: currency.clone(),
                        }
                    })
                });
            }
            if let Some(refusal) = refusal {
                outcomes[i] = Outcome::Done(Err(refusal));
                continue;
            }
            let id = TransactionId::new();
            for entry in &tx.entries {
                let key = (tx.journal_id, entry.account_id, entry.currency.clone());
                entries.push((id, tx, entry, scratch[&key].version));
            }
            for (key, b) in scratch {
                touched.insert(key.clone());
                balances.insert(key, b);
            }
            transactions.push((id, tx, hashes[i].clone()));
            outcomes[i] = Outcome::Done(Ok(Posted {
                id,
                journal_id: tx.journal_id,
                external_id: tx.external_id.clone(),
                effective: tx.effective,
                recorded_at: now,
                replayed: false,
            }));
        }

        if !transactions.is_empty() {
            self.write(op, now, &transactions, &entries, &balances, &touched)
                .await?;
        }

        // Later copies of an external id within the batch follow the first: the same content is a
        // replay of it, other content a conflict.
        let mut results: Vec<Result<Posted, PostingError>> = Vec::with_capacity(batch.len());
        for (i, outcome) in outcomes.iter().enumerate() {
            let result = match outcome {
                Outcome::Done(result) => result.clone(),
                Outcome::SameAs(index) if hashes[*index] == hashes[i] => match &results[*index] {
                    Ok(posted) => Ok(Posted {
                        replayed: true,
                        ..posted.clone()
                    }),
                    Err(e) => Err(e.clone()),
                },
                Outcome::SameAs(_) => Err(PostingError::ExternalIdConflict {
                    external_id: batch[i].external_id.clone(),
                }),
                Outcome::Open => Err(PostingError::Invalid("posting was not processed".into())),
            };
            results.push(result);
        }
        Ok(results)
    }

    /// Locks (creating them first when missing) and reads the balances of `keys`, in key order.
    async fn lock_balances(
        &self,
        op: &mut DbOp,
        keys: &BTreeSet<Key>,
        accounts: &HashMap<AccountId, AccountFacts>,
    ) -> Result<Locked, LedgerError> {
        if keys.is_empty() {
            return Ok(Locked::default());
        }
        // Rows this process has not seen are created first (in key order); a row it believed to
        // exist but did not (its creating transaction rolled back) is created on a second pass.
        let unknown: Vec<&Key> = {
            let known = self
                .known_balances
                .lock()
                .map_err(|_| LedgerError::CommitterStopped)?;
            keys.iter().filter(|k| !known.contains(*k)).collect()
        };
        if !unknown.is_empty() {
            self.create_balance_rows(op, &unknown).await?;
        }
        let journals: Vec<Uuid> = keys.iter().map(|k| k.0.into()).collect();
        let account_ids: Vec<Uuid> = keys.iter().map(|k| k.1.into()).collect();
        let currencies: Vec<String> = keys.iter().map(|k| k.2.as_str().to_owned()).collect();
        let mut rows = Vec::new();
        for pass in 0..2 {
            rows = sqlx::query!(
                r#"SELECT b.journal_id, b.account_id, b.currency, b.version,
                          b.settled_dr, b.settled_cr, b.pending_dr, b.pending_cr, b.encumbrance_dr, b.encumbrance_cr,
                          a.status = 'locked' AS "locked!", j.closed_through
                   FROM ledger_balances b
                   JOIN unnest($1::uuid[], $2::uuid[], $3::text[]) AS k(j, a, c)
                     ON b.journal_id = k.j AND b.account_id = k.a AND b.currency = k.c
                   JOIN ledger_accounts a ON a.id = b.account_id
                   JOIN ledger_journals j ON j.id = b.journal_id
                   ORDER BY b.journal_id, b.account_id, b.currency
                   FOR UPDATE OF b FOR SHARE OF a"#,
                &journals,
                &account_ids,
                &currencies
            )
            .fetch_all(op.conn())
            .await?;
            if rows.len() == keys.len() || pass == 1 {
                break;
            }
            let found: HashSet<(Uuid, Uuid, &str)> = rows
                .iter()
                .map(|r| (r.journal_id, r.account_id, r.currency.as_str()))
                .collect();
            let absent: Vec<&Key> = keys
                .iter()
                .filter(|k| !found.contains(&(k.0.into(), k.1.into(), k.2.as_str())))
                .collect();
            self.create_balance_rows(op, &absent).await?;
        }
        if let Ok(mut known) = self.known_balances.lock() {
            if known.len() > crate::KNOWN_BALANCES_MAX {
                known.clear();
            }
            known.extend(keys.iter().cloned());
        }
        let mut locked = Locked {
            balances: HashMap::with_capacity(rows.len()),
            ..Locked::default()
        };
        for r in rows {
            let account = AccountId::from(r.account_id);
            if r.locked {
                locked.accounts.insert(account);
            }
            if let Some(date) = r.closed_through {
                locked
                    .closed_through
                    .insert(JournalId::from(r.journal_id), date);
            }
            let side = accounts
                .get(&account)
                .map_or(Side::Debit, |a| a.normal_side);
            let balance = Balance::from_totals(
                side,
                r.version,
                [
                    (r.settled_dr, r.settled_cr),
                    (r.pending_dr, r.pending_cr),
                    (r.encumbrance_dr, r.encumbrance_cr),
                ],
            );
            locked.balances.insert(
                (
                    JournalId::from(r.journal_id),
                    account,
                    Currency::new(&r.currency),
                ),
                balance,
            );
        }
        Ok(locked)
    }

    /// Facts of `ids` from the cache, loading the ones not seen yet; unknown ids are absent.
    async fn facts_of(
        &self,
        op: &mut DbOp,
        ids: &BTreeSet<AccountId>,
    ) -> Result<HashMap<AccountId, AccountFacts>, LedgerError> {
        let mut found = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        if let Ok(cache) = self.account_facts.read() {
            for id in ids {
                match cache.get(id) {
                    Some(facts) => {
                        found.insert(*id, *facts);
                    }
                    None => missing.push(Uuid::from(*id)),
                }
            }
        }
        if missing.is_empty() {
            return Ok(found);
        }
        let rows = sqlx::query!(
            "SELECT id, normal_side, is_set, allow_negative FROM ledger_accounts WHERE id = ANY($1)",
            &missing
        )
        .fetch_all(op.conn())
        .await?;
        let mut cache = self
            .account_facts
            .write()
            .map_err(|_| LedgerError::CommitterStopped)?;
        if cache.len() > crate::KNOWN_BALANCES_MAX {
            cache.clear();
        }
        for r in rows {
            let facts = AccountFacts {
                normal_side: Side::parse(&r.normal_side),
                is_set: r.is_set,
                allow_negative: r.allow_negative,
            };
            cache.insert(AccountId::from(r.id), facts);
            found.insert(AccountId::from(r.id), facts);
        }
        Ok(found)
    }

    /// Creates the missing balance rows among `keys` in the caller's transaction, in key order,
    /// before anything is locked, so creating rows follows the same order as locking them.
    async fn create_balance_rows(&self, op: &mut DbOp, keys: &[&Key]) -> Result<(), LedgerError> {
        let journals: Vec<Uuid> = keys.iter().map(|k| k.0.into()).collect();
        let account_ids: Vec<Uuid> = keys.iter().map(|k| k.1.into()).collect();
        let currencies: Vec<String> = keys.iter().map(|k| k.2.as_str().to_owned()).collect();
        sqlx::query!(
            r#"INSERT INTO ledger_balances (journal_id, account_id, currency)
               SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[]) ORDER BY 1, 2, 3
               ON CONFLICT DO NOTHING"#,
            &journals,
            &account_ids,
            &currencies
        )
        .execute(op.conn())
        .await?;
        Ok(())
    }

    async fn write(
        &self,
        op: &mut DbOp,
        now: DateTime<Utc>,
        transactions: &[(TransactionId, &NewTransaction, Vec<u8>)],
        entries: &[(TransactionId, &NewTransaction, &NewEntry, i64)],
        balances: &HashMap<Key, Balance>,
        touched: &BTreeSet<Key>,
    ) -> Result<(), LedgerError> {
        let rows: Vec<(&Key, &Balance)> = touched.iter().map(|k| (k, &balances[k])).collect();
        let column = |layer: usize, debit: bool| -> Vec<i64> {
            rows.iter()
                .map(|(_, b)| {
                    if debit {
                        b.layers[layer].debit
                    } else {
                        b.layers[layer].credit
                    }
                })
                .collect()
        };
        // One statement (one round trip): the statement-level triggers (balanced entries, closed
        // periods) run at its end and see all of it.
        sqlx::query!(
            r#"WITH transactions AS (
                 INSERT INTO ledger_transactions
                   (id, journal_id, external_id, template, effective, recorded_at, description, metadata, content_hash, reverses)
                 SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::date[],
                                      $6::timestamptz[], $7::text[], $8::jsonb[], $9::bytea[], $10::uuid[])
               ), entries AS (
                 INSERT INTO ledger_entries
                   (transaction_id, journal_id, account_id, currency, layer, direction, amount, effective, version, description)
                 SELECT * FROM unnest($11::uuid[], $12::uuid[], $13::uuid[], $14::text[], $15::smallint[], $16::smallint[],
                                      $17::bigint[], $18::date[], $19::bigint[], $20::text[])
               )
               UPDATE ledger_balances b SET version = u.v,
                 settled_dr = u.sdr, settled_cr = u.scr, pending_dr = u.pdr, pending_cr = u.pcr,
                 encumbrance_dr = u.edr, encumbrance_cr = u.ecr
               FROM unnest($21::uuid[], $22::uuid[], $23::text[], $24::bigint[], $25::bigint[], $26::bigint[],
                           $27::bigint[], $28::bigint[], $29::bigint[], $30::bigint[])
                    AS u(j, a, c, v, sdr, scr, pdr, pcr, edr, ecr)
               WHERE b.journal_id = u.j AND b.account_id = u.a AND b.currency = u.c"#,
            &transactions.iter().map(|t| t.0.into()).collect::<Vec<Uuid>>(),
            &transactions.iter().map(|t| t.1.journal_id.into()).collect::<Vec<Uuid>>(),
            &transactions.iter().map(|t| t.1.external_id.clone()).collect::<Vec<String>>(),
            &transactions.iter().map(|t| t.1.template.clone()).collect::<Vec<Option<String>>>() as &[Option<String>],
            &transactions.iter().map(|t| t.1.effective).collect::<Vec<NaiveDate>>(),
            &vec![now; transactions.len()],
            &transactions.iter().map(|t| t.1.description.clone()).collect::<Vec<Option<String>>>() as &[Option<String>],
            &transactions.iter().map(|t| t.1.metadata.clone()).collect::<Vec<serde_json::Value>>(),
            &transactions.iter().map(|t| t.2.clone()).collect::<Vec<Vec<u8>>>(),
            &transactions.iter().map(|t| t.1.reverses.map(Uuid::from)).collect::<Vec<Option<Uuid>>>() as &[Option<Uuid>],
            &entries.iter().map(|e| e.0.into()).collect::<Vec<Uuid>>(),
            &entries.iter().map(|e| e.1.journal_id.into()).collect::<Vec<Uuid>>(),
            &entries.iter().map(|e| e.2.account_id.into()).collect::<Vec<Uuid>>(),
            &entries.iter().map(|e| e.2.currency.as_str().to_owned()).collect::<Vec<String>>(),
            &entries.iter().map(|e| e.2.layer.code()).collect::<Vec<i16>>(),
            &entries.iter().map(|e| e.2.direction.sign()).collect::<Vec<i16>>(),
            &entries.iter().map(|e| i64::try_from(e.2.amount).unwrap_or(i64::MAX)).collect::<Vec<i64>>(),
            &entries.iter().map(|e| e.1.effective).collect::<Vec<NaiveDate>>(),
            &entries.iter().map(|e| e.3).collect::<Vec<i64>>(),
            &entries.iter().map(|e| e.2.description.clone()).collect::<Vec<Option<String>>>() as &[Option<String>],
            &rows.iter().map(|(k, _)| k.0.into()).collect::<Vec<Uuid>>(),
            &rows.iter().map(|(k, _)| k.1.into()).collect::<Vec<Uuid>>(),
            &rows.iter().map(|(k, _)| k.2.as_str().to_owned()).collect::<Vec<String>>(),
            &rows.iter().map(|(_, b)| b.version).collect::<Vec<i64>>(),
            &column(0, true),
            &column(0, false),
            &column(1, true),
            &column(1, false),
            &column(2, true),
            &column(2, false),
        )
        .execute(op.conn())
        .await?;
        let event = LedgerEvent::TransactionsCommitted {
            transactions: transactions.iter().map(|t| t.0).collect(),
        };
        self.outbox.publish_all_in_op(op, &[event]).await?;
        Ok(())
    }
}
