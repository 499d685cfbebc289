//! Closed periods: a journal closed through a date takes no transaction effective on or before
//! it. Postings are refused while the ledger locks their balances (that posting alone, with
//! [`PostingError::PeriodClosed`](crate::PostingError::PeriodClosed)), and the database refuses
//! any insert into a closed period whatever wrote it (trigger `ledger_refuse_closed_period`).
//!
//! Closing first locks `ledger_balances` in EXCLUSIVE mode: it waits for every posting that
//! holds balance locks to commit, and postings that come after it wait for the closing to
//! commit, then read the new date. Reads are not blocked. Closing is rare (monthly), so holding
//! postings for the length of one transaction is the price of never letting one slip in.

use crate::Ledger;
use crate::error::LedgerError;
use crate::primitives::JournalId;
use chrono::NaiveDate;
use es::DbOp;

impl Ledger {
    /// Holds every posting until `op` ends (and waits for the ones in flight). Taken by
    /// [`Self::close_through_in_op`]; a closing that also posts (the year's closing transaction)
    /// takes it before posting.
    pub async fn lock_postings_in_op(&self, op: &mut DbOp) -> Result<(), LedgerError> {
        sqlx::query("LOCK TABLE ledger_balances IN EXCLUSIVE MODE")
            .execute(op.conn())
            .await?;
        Ok(())
    }

    /// How far `journal` is closed (`None`: nothing is closed).
    pub async fn closed_through(
        &self,
        journal: JournalId,
    ) -> Result<Option<NaiveDate>, LedgerError> {
        let closed = sqlx::query_scalar!(
            "SELECT closed_through FROM ledger_journals WHERE id = $1",
            uuid::Uuid::from(journal)
        )
        .fetch_optional(&self.pool)
        .await?
        .flatten();
        Ok(closed)
    }

    /// Closes `journal` through `date`. A journal never reopens: a date before the current one
    /// is refused; the same date again changes nothing.
    pub async fn close_through_in_op(
        &self,
        op: &mut DbOp,
        journal: JournalId,
        date: NaiveDate,
    ) -> Result<(), LedgerError> {
        self.lock_postings_in_op(op).await?;
        let current = sqlx::query!(
            "SELECT closed_through FROM ledger_journals WHERE id = $1 FOR UPDATE",
            uuid::Uuid::from(journal)
        )
        .fetch_optional(op.conn())
        .await?
        .ok_or(LedgerError::JournalNotFound(journal))?
        .closed_through;
        if let Some(current) = current
            && current > date
        {
            return Err(LedgerError::Reopening {
                closed_through: current,
                date,
            });
        }
        sqlx::query!(
            "UPDATE ledger_journals SET closed_through = $2 WHERE id = $1",
            uuid::Uuid::from(journal),
            date
        )
        .execute(op.conn())
        .await?;
        Ok(())
    }
}
