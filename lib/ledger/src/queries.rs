//! Reading balances and history.

use crate::Ledger;
use crate::balance::{Balance, BalanceRange};
use crate::error::LedgerError;
use crate::primitives::{AccountId, Currency, JournalId, Layer, Side, TransactionId};
use chrono::NaiveDate;
use uuid::Uuid;

/// One line of an account's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    pub id: i64,
    pub transaction_id: TransactionId,
    pub account_id: AccountId,
    pub currency: Currency,
    pub layer: Layer,
    pub direction: Side,
    pub amount: u64,
    pub effective: NaiveDate,
    /// The balance version this entry produced.
    pub version: i64,
    pub description: Option<String>,
    /// The external id of the entry's transaction (what the posting was for).
    pub external_id: String,
    pub recorded_at: chrono::DateTime<chrono::Utc>,
}

/// A page of history, newest first.
#[derive(Debug, Clone)]
pub struct EntryPage {
    pub entries: Vec<LedgerEntry>,
    /// Pass as `after` for the next page.
    pub end_cursor: Option<i64>,
    pub has_next_page: bool,
}

fn layer_of(code: i16) -> Layer {
    match code {
        1 => Layer::Pending,
        2 => Layer::Encumbrance,
        _ => Layer::Settled,
    }
}

impl Ledger {
    /// The account's normal side and the leaf accounts its balance is made of (itself, or a
    /// set's members all the way down).
    async fn leaves(&self, account: AccountId) -> Result<(Side, Vec<Uuid>), LedgerError> {
        let row = sqlx::query!(
            "SELECT normal_side, is_set FROM ledger_accounts WHERE id = $1",
            Uuid::from(account)
        )
        .fetch_optional(&self.pool)
        .await?
        .ok_or(LedgerError::AccountNotFound(account))?;
        let side = Side::parse(&row.normal_side);
        if !row.is_set {
            return Ok((side, vec![account.into()]));
        }
        let leaves = sqlx::query_scalar!(
            r#"WITH RECURSIVE below(id) AS (
                 SELECT member_id FROM ledger_set_members WHERE set_id = $1
                 UNION SELECT m.member_id FROM ledger_set_members m JOIN below ON m.set_id = below.id
               )
               SELECT a.id FROM ledger_accounts a JOIN below ON a.id = below.id WHERE NOT a.is_set"#,
            Uuid::from(account)
        )
        .fetch_all(&self.pool)
        .await?;
        Ok((side, leaves))
    }

    /// The balances now of several accounts (not sets), in the order given, with one query.
    pub async fn balances_of(
        &self,
        journal: JournalId,
        accounts: &[AccountId],
        currency: &Currency,
    ) -> Result<Vec<Balance>, LedgerError> {
        let mut conn = self.pool.acquire().await?;
        balances_of(&mut conn, journal, accounts, currency).await
    }

    /// [`Self::balances_of`] read in the use case's transaction (after it took its locks).
    pub async fn balances_of_in_op(
        &self,
        op: &mut es::DbOp,
        journal: JournalId,
        accounts: &[AccountId],
        currency: &Currency,
    ) -> Result<Vec<Balance>, LedgerError> {
        balances_of(op.conn(), journal, accounts, currency).await
    }

    /// The balance now (an account set: the sum of its members).
    pub async fn balance(
        &self,
        journal: JournalId,
        account: AccountId,
        currency: &Currency,
    ) -> Result<Balance, LedgerError> {
        let (side, leaves) = self.leaves(account).await?;
        let row = sqlx::query!(
            r#"SELECT coalesce(sum(version), 0)::bigint AS "version!",
                      coalesce(sum(settled_dr), 0)::bigint AS "sdr!", coalesce(sum(settled_cr), 0)::bigint AS "scr!",
                      coalesce(sum(pending_dr), 0)::bigint AS "pdr!", coalesce(sum(pending_cr), 0)::bigint AS "pcr!",
                      coalesce(sum(encumbrance_dr), 0)::bigint AS "edr!", coalesce(sum(encumbrance_cr), 0)::bigint AS "ecr!"
               FROM ledger_balances WHERE journal_id = $1 AND account_id = ANY($2) AND currency = $3"#,
            Uuid::from(journal),
            &leaves,
            currency.as_str()
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(Balance::from_totals(
            side,
            row.version,
            [(row.sdr, row.scr), (row.pdr, row.pcr), (row.edr, row.ecr)],
        ))
    }

    /// The balance counting every entry effective on or before `date`. `version` is the number of
    /// transactions counted.
    pub async fn balance_as_of(
        &self,
        journal: JournalId,
        account: AccountId,
        currency: &Currency,
        date: NaiveDate,
    ) -> Result<Balance, LedgerError> {
        let (side, leaves) = self.leaves(account).await?;
        let rows = sqlx::query!(
            r#"SELECT layer, direction, sum(amount)::bigint AS "total!"
               FROM ledger_entries
               WHERE journal_id = $1 AND account_id = ANY($2) AND currency = $3 AND effective <= $4
               GROUP BY layer, direction"#,
            Uuid::from(journal),
            &leaves,
            currency.as_str(),
            date
        )
        .fetch_all(&self.pool)
        .await?;
        let mut balance = Balance::zero(side);
        for r in &rows {
            let totals = &mut balance.layers[layer_of(r.layer).index()];
            if r.direction > 0 {
                totals.debit = r.total;
            } else {
                totals.credit = r.total;
            }
        }
        balance.version = sqlx::query_scalar!(
            r#"SELECT count(DISTINCT transaction_id) AS "n!" FROM ledger_entries
               WHERE journal_id = $1 AND account_id = ANY($2) AND currency = $3 AND effective <= $4"#,
            Uuid::from(journal),
            &leaves,
            currency.as_str(),
            date
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(balance)
    }

    /// Opening (before `from`), closing (end of `to`) and the movement in between.
    pub async fn balance_range(
        &self,
        journal: JournalId,
        account: AccountId,
        currency: &Currency,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<BalanceRange, LedgerError> {
        let opening = match from.pred_opt() {
            Some(day_before) => {
                self.balance_as_of(journal, account, currency, day_before)
                    .await?
            }
            None => Balance::zero(self.leaves(account).await?.0),
        };
        let closing = self.balance_as_of(journal, account, currency, to).await?;
        Ok(BalanceRange {
            movement: closing.minus(&opening),
            opening,
            closing,
        })
    }

    /// The account's entries, newest first, `first` (1..=100) at a time after `after`.
    pub async fn entries(
        &self,
        account: AccountId,
        first: usize,
        after: Option<i64>,
    ) -> Result<EntryPage, LedgerError> {
        let first = first.clamp(1, 100);
        let mut rows = sqlx::query!(
            r#"SELECT e.id, e.transaction_id, e.account_id, e.currency, e.layer, e.direction, e.amount,
                      e.effective, e.version, e.description, t.external_id, t.recorded_at
               FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
               WHERE e.account_id = $1 AND ($2::bigint IS NULL OR e.id < $2)
               ORDER BY e.id DESC LIMIT $3"#,
            Uuid::from(account),
            after,
            i64::try_from(first + 1).unwrap_or(101)
        )
        .fetch_all(&self.pool)
        .await?;
        let has_next_page = rows.len() > first;
        rows.truncate(first);
        let entries: Vec<LedgerEntry> = rows
            .into_iter()
            .map(|r| LedgerEntry {
                id: r.id,
                transaction_id: r.transaction_id.into(),
                account_id: r.account_id.into(),
                currency: Currency::new(&r.currency),
                layer: layer_of(r.layer),
                direction: if r.direction > 0 {
                    Side::Debit
                } else {
                    Side::Credit
                },
                amount: r.amount.unsigned_abs(),
                effective: r.effective,
                version: r.version,
                description: r.description,
                external_id: r.external_id,
                recorded_at: r.recorded_at,
            })
            .collect();
        Ok(EntryPage {
            end_cursor: entries.last().map(|e| e.id),
            entries,
            has_next_page,
        })
    }
}

async fn balances_of(
    conn: &mut sqlx::PgConnection,
    journal: JournalId,
    accounts: &[AccountId],
    currency: &Currency,
) -> Result<Vec<Balance>, LedgerError> {
    let ids: Vec<Uuid> = accounts.iter().map(|a| Uuid::from(*a)).collect();
    let rows = sqlx::query!(
        r#"SELECT q.id AS "id!", a.normal_side AS "normal_side?", a.is_set AS "is_set?",
                  coalesce(b.version, 0)::bigint AS "version!",
                  coalesce(b.settled_dr, 0)::bigint AS "sdr!", coalesce(b.settled_cr, 0)::bigint AS "scr!",
                  coalesce(b.pending_dr, 0)::bigint AS "pdr!", coalesce(b.pending_cr, 0)::bigint AS "pcr!",
                  coalesce(b.encumbrance_dr, 0)::bigint AS "edr!", coalesce(b.encumbrance_cr, 0)::bigint AS "ecr!"
           FROM unnest($2::uuid[]) WITH ORDINALITY AS q(id, n)
           LEFT JOIN ledger_accounts a ON a.id = q.id
           LEFT JOIN ledger_balances b ON b.journal_id = $1 AND b.account_id = q.id AND b.currency = $3
           ORDER BY q.n"#,
        Uuid::from(journal),
        &ids,
        currency.as_str()
    )
    .fetch_all(conn)
    .await?;
    rows.into_iter()
        .map(|r| {
            let account = AccountId::from(r.id);
            match (r.normal_side, r.is_set) {
                (Some(side), Some(false)) => Ok(Balance::from_totals(
                    Side::parse(&side),
                    r.version,
                    [(r.sdr, r.scr), (r.pdr, r.pcr), (r.edr, r.ecr)],
                )),
                (Some(_), _) => Err(LedgerError::Posting(crate::PostingError::Invalid(format!(
                    "account {account} is a set; read it with `balance`"
                )))),
                (None, _) => Err(LedgerError::AccountNotFound(account)),
            }
        })
        .collect()
}
