//! Setup and the ledger's global invariants, checked against the database itself.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use chrono::NaiveDate;
use clock::Clock;
use ledger::{
    AccountId, Currency, JournalId, Ledger, LedgerConfig, LedgerError, NewAccount, NewEntry,
    NewTransaction, Posted, Side,
};
use outbox::Outbox;

pub struct Books {
    pub db: test_db::TestDb,
    pub ledger: Ledger,
    pub journal: JournalId,
}

pub async fn books() -> Books {
    books_with(LedgerConfig::default()).await
}

pub async fn books_with(config: LedgerConfig) -> Books {
    let migrator = es::migrations::combine(&[&es::MIGRATOR, &outbox::MIGRATOR, &ledger::MIGRATOR])
        .await
        .unwrap();
    let db = test_db::TestDb::with_pool_size(&migrator, 40).await;
    let ledger = Ledger::init(
        db.pool.clone(),
        Clock::real(),
        Outbox::new(db.pool.clone(), Clock::real()),
        &config,
    )
    .await
    .unwrap();
    let journal = ledger.create_journal("general").await.unwrap();
    Books {
        db,
        ledger,
        journal,
    }
}

pub fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(d))
}

pub fn usd() -> Currency {
    Currency::usd()
}

impl Books {
    pub async fn account(&self, code: &str, side: Side) -> AccountId {
        self.ledger
            .create_account(NewAccount::new(code, code, side))
            .await
            .unwrap()
    }

    /// A debit-normal "cash" and a credit-normal "deposits" account.
    pub async fn cash_and_deposits(&self) -> (AccountId, AccountId) {
        (
            self.account("cash", Side::Debit).await,
            self.account("deposits", Side::Credit).await,
        )
    }

    pub async fn limited(&self, code: &str) -> AccountId {
        self.ledger
            .create_account(NewAccount::new(code, code, Side::Credit).no_overdraft())
            .await
            .unwrap()
    }

    /// A two-leg settled USD transfer: debit `from`, credit `to`.
    pub fn transfer(
        &self,
        external_id: &str,
        from: AccountId,
        to: AccountId,
        amount: u64,
        effective: NaiveDate,
    ) -> NewTransaction {
        NewTransaction::new(self.journal, external_id, effective)
            .entry(NewEntry::debit(from, amount, usd()))
            .entry(NewEntry::credit(to, amount, usd()))
    }

    /// [`Books::transfer`] posted through the group committer.
    pub async fn post_transfer(
        &self,
        external_id: &str,
        from: AccountId,
        to: AccountId,
        amount: u64,
        effective: NaiveDate,
    ) -> Result<Posted, LedgerError> {
        self.ledger
            .post(self.transfer(external_id, from, to, amount, effective))
            .await
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    /// Zero-sum per (journal, currency, layer); every balance equals the sum of its entries; each
    /// balance's version chain is 1..=version with no gap.
    pub async fn assert_invariants(&self) {
        let unbalanced: Vec<(uuid::Uuid, String)> = sqlx::query_as(
            r#"SELECT journal_id, currency FROM ledger_balances GROUP BY journal_id, currency
               HAVING sum(settled_dr - settled_cr) <> 0 OR sum(pending_dr - pending_cr) <> 0
                   OR sum(encumbrance_dr - encumbrance_cr) <> 0"#,
        )
        .fetch_all(&self.db.pool)
        .await
        .unwrap();
        assert!(unbalanced.is_empty(), "not zero-sum: {unbalanced:?}");

        let mismatched: Vec<(uuid::Uuid, String)> = sqlx::query_as(
            r#"WITH sums AS (
                 SELECT journal_id, account_id, currency,
                   coalesce(sum(amount) FILTER (WHERE layer = 0 AND direction = 1), 0) AS sdr,
                   coalesce(sum(amount) FILTER (WHERE layer = 0 AND direction = -1), 0) AS scr,
                   coalesce(sum(amount) FILTER (WHERE layer = 1 AND direction = 1), 0) AS pdr,
                   coalesce(sum(amount) FILTER (WHERE layer = 1 AND direction = -1), 0) AS pcr,
                   coalesce(sum(amount) FILTER (WHERE layer = 2 AND direction = 1), 0) AS edr,
                   coalesce(sum(amount) FILTER (WHERE layer = 2 AND direction = -1), 0) AS ecr,
                   max(version) AS top, count(DISTINCT version) AS versions, min(version) AS bottom
                 FROM ledger_entries GROUP BY journal_id, account_id, currency
               )
               SELECT b.account_id, b.currency FROM ledger_balances b
               LEFT JOIN sums s USING (journal_id, account_id, currency)
               WHERE coalesce(s.sdr, 0) <> b.settled_dr OR coalesce(s.scr, 0) <> b.settled_cr
                  OR coalesce(s.pdr, 0) <> b.pending_dr OR coalesce(s.pcr, 0) <> b.pending_cr
                  OR coalesce(s.edr, 0) <> b.encumbrance_dr OR coalesce(s.ecr, 0) <> b.encumbrance_cr
                  OR coalesce(s.top, 0) <> b.version OR coalesce(s.versions, 0) <> b.version
                  OR coalesce(s.bottom, 1) <> 1"#,
        )
        .fetch_all(&self.db.pool)
        .await
        .unwrap();
        assert!(
            mismatched.is_empty(),
            "balances disagree with their entries: {mismatched:?}"
        );
    }
}
