//! Totals of account sets for statements: every leaf under a set counted once, whatever the
//! paths to it, for many sets with one statement.
//!
//! Now: summed from the balance rows (one row per leaf). Over dates: summed from the entries'
//! covering index `(journal, account, currency, effective) INCLUDE (layer, direction, amount)`,
//! an index-only scan per leaf, so a date in the past costs a walk over the leaves' entries up
//! to it.

use crate::Ledger;
use crate::balance::LayerTotals;
use crate::error::LedgerError;
use crate::primitives::{AccountId, Currency, JournalId, Side};
use chrono::NaiveDate;
use std::collections::HashMap;
use uuid::Uuid;

/// Which postings a total counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    /// Everything posted (the balance rows).
    Now,
    /// Entries effective on or before the date.
    Through(NaiveDate),
    /// Entries effective from the first date to the second, both included.
    Between(NaiveDate, NaiveDate),
}

/// Debit and credit totals per layer (settled, pending, encumbrance).
pub type Totals = [LayerTotals; 3];

/// An account or set as the ledger knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub id: AccountId,
    pub code: String,
    pub name: String,
    pub normal_side: Side,
    pub is_set: bool,
}

impl Ledger {
    /// The totals of the leaves under each of `sets` (an account given is its own leaf). A set
    /// with nothing posted under it is absent.
    pub async fn rollups(
        &self,
        journal: JournalId,
        sets: &[AccountId],
        currency: &Currency,
        period: Period,
    ) -> Result<HashMap<AccountId, Totals>, LedgerError> {
        let (from, to) = match period {
            Period::Now => return self.rollups_now(journal, sets, currency).await,
            Period::Through(to) => (None, to),
            Period::Between(from, to) => (Some(from), to),
        };
        let roots: Vec<Uuid> = sets.iter().map(|s| Uuid::from(*s)).collect();
        let mut totals: HashMap<AccountId, Totals> = HashMap::new();
        let rows = sqlx::query!(
            r#"WITH RECURSIVE below(root, id) AS (
                 SELECT r, r FROM unnest($2::uuid[]) AS r
                 UNION SELECT below.root, m.member_id
                       FROM ledger_set_members m JOIN below ON m.set_id = below.id
               )
               SELECT below.root AS "root!", e.layer, e.direction, sum(e.amount)::bigint AS "total!"
               FROM below JOIN ledger_entries e
                 ON e.journal_id = $1 AND e.account_id = below.id AND e.currency = $3
                AND e.effective <= $5 AND ($4::date IS NULL OR e.effective >= $4)
               GROUP BY below.root, e.layer, e.direction"#,
            Uuid::from(journal),
            &roots,
            currency.as_str(),
            from,
            to
        )
        .fetch_all(&self.pool)
        .await?;
        for r in rows {
            let layer = usize::from(r.layer.unsigned_abs()).min(2);
            let entry = &mut totals.entry(r.root.into()).or_default()[layer];
            if r.direction > 0 {
                entry.debit = r.total;
            } else {
                entry.credit = r.total;
            }
        }
        Ok(totals)
    }

    async fn rollups_now(
        &self,
        journal: JournalId,
        sets: &[AccountId],
        currency: &Currency,
    ) -> Result<HashMap<AccountId, Totals>, LedgerError> {
        let roots: Vec<Uuid> = sets.iter().map(|s| Uuid::from(*s)).collect();
        let rows = sqlx::query!(
            r#"WITH RECURSIVE below(root, id) AS (
                 SELECT r, r FROM unnest($2::uuid[]) AS r
                 UNION SELECT below.root, m.member_id
                       FROM ledger_set_members m JOIN below ON m.set_id = below.id
               )
               SELECT below.root AS "root!",
                      sum(b.settled_dr)::bigint AS "sdr!", sum(b.settled_cr)::bigint AS "scr!",
                      sum(b.pending_dr)::bigint AS "pdr!", sum(b.pending_cr)::bigint AS "pcr!",
                      sum(b.encumbrance_dr)::bigint AS "edr!", sum(b.encumbrance_cr)::bigint AS "ecr!"
               FROM below JOIN ledger_balances b
                 ON b.journal_id = $1 AND b.account_id = below.id AND b.currency = $3
               GROUP BY below.root"#,
            Uuid::from(journal),
            &roots,
            currency.as_str()
        )
        .fetch_all(&self.pool)
        .await?;
        let pair = |debit, credit| LayerTotals { debit, credit };
        Ok(rows
            .into_iter()
            .map(|r| {
                (
                    r.root.into(),
                    [pair(r.sdr, r.scr), pair(r.pdr, r.pcr), pair(r.edr, r.ecr)],
                )
            })
            .collect())
    }

    /// The accounts (not sets) under `set`, by code, `first` (1..=100) at a time after the code
    /// `after`.
    pub async fn leaves_under(
        &self,
        set: AccountId,
        first: usize,
        after: Option<&str>,
    ) -> Result<(Vec<AccountInfo>, bool), LedgerError> {
        let first = first.clamp(1, 100);
        let rows = sqlx::query!(
            r#"WITH RECURSIVE below(id) AS (
                 SELECT $1::uuid
                 UNION SELECT m.member_id FROM ledger_set_members m JOIN below ON m.set_id = below.id
               )
               SELECT a.id, a.code, a.name, a.normal_side, a.is_set
               FROM ledger_accounts a JOIN below ON a.id = below.id
               WHERE NOT a.is_set AND ($2::text IS NULL OR a.code > $2)
               ORDER BY a.code LIMIT $3"#,
            Uuid::from(set),
            after,
            i64::try_from(first + 1).unwrap_or(101)
        )
        .fetch_all(&self.pool)
        .await?;
        let has_next = rows.len() > first;
        let accounts = rows
            .into_iter()
            .take(first)
            .map(|r| AccountInfo {
                id: r.id.into(),
                code: r.code,
                name: r.name,
                normal_side: Side::parse(&r.normal_side),
                is_set: r.is_set,
            })
            .collect();
        Ok((accounts, has_next))
    }

    /// The account or set `id`, if it exists.
    pub async fn account_info(&self, id: AccountId) -> Result<Option<AccountInfo>, LedgerError> {
        let row = sqlx::query!(
            "SELECT id, code, name, normal_side, is_set FROM ledger_accounts WHERE id = $1",
            Uuid::from(id)
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| AccountInfo {
            id: r.id.into(),
            code: r.code,
            name: r.name,
            normal_side: Side::parse(&r.normal_side),
            is_set: r.is_set,
        }))
    }
}
