//! Deposit accounts: opening, status changes, balances, history and activity classes.
//!
//! **Account lock.** Every use case that moves money on an account first loads it with its index
//! row locked `FOR SHARE`; freezing, unfreezing and closing lock it `FOR UPDATE`. So a freeze waits
//! for the deposits in flight and every later deposit sees the account frozen, and many deposits
//! into one account do not block each other here (the ledger's balance row orders them).
//!
//! **Opening** locks the customer's row `FOR SHARE` in the same transaction: a customer freeze or
//! close in flight waits for the new account (and then reaches it through the outbox), or
//! commits first and the opening sees the customer frozen.
//!
//! **Freeze.** The available balance (settled - pending) moves to the account's frozen ledger
//! account, so nothing can leave; amounts held for withdrawals in flight stay where they are, so a
//! denial or cancellation can still release them. Unfreezing moves the frozen balance back.
//!
//! **Who sees what.** Staff see any account their role lets them read; a customer (a
//! `Subject::Customer` actor) sees their own accounts only, and any other id is `NOT_FOUND`.

mod entity;
mod repo;

pub use entity::{DepositAccount, DepositAccountEvent};
pub(crate) use entity::{LedgerAccounts, NewDepositAccount, classify};
pub(crate) use repo::DepositAccountRepo;

use crate::Deposits;
use crate::config::{EscheatableAfterInactiveDays, InactiveAfterDays};
use crate::error::DepositError;
use crate::ledger::templates::BalanceMove;
use crate::ledger::{HistoryPage, PostingKind};
use crate::primitives::{
    AccountBalance, AccountStatusChange, CustomerId, DepositAccountId, permissions,
};
use authz::{Actor, Subject};
use chrono::{DateTime, Utc};
use es::{DbOp, EsEntity, ListQuery, MAX_PAGE_SIZE, Page, RowLock};
use std::collections::HashMap;
use uuid::Uuid;

/// Open accounts whose activity class one read re-evaluates.
const ACTIVITY_BATCH: i64 = 500;

/// The customer a customer actor is; `None` for staff and the system.
fn own_customer(actor: &Actor) -> Option<CustomerId> {
    match actor.subject {
        Subject::Customer(id) => Some(CustomerId::from(id)),
        _ => None,
    }
}

/// Whether `actor` may see `account` (RBAC already allowed reading accounts).
fn visible(actor: &Actor, account: &DepositAccount) -> bool {
    own_customer(actor).is_none_or(|c| c == account.customer_id)
}

fn not_found(id: DepositAccountId) -> DepositError {
    es::EsRepoError::NotFound {
        entity: "deposit account",
        id: id.to_string(),
    }
    .into()
}

impl Deposits {
    /// Opens an account for an active customer: its ledger accounts and the account, in one
    /// transaction.
    pub async fn create_account(
        &self,
        actor: &Actor,
        customer_id: CustomerId,
    ) -> Result<DepositAccount, DepositError> {
        use permissions::{ACCOUNTS, WRITE};
        self.use_cases
            .command(actor, ACCOUNTS, WRITE, || {
                async move |op| {
                    let customer = self.customers.lock_customer_in_op(op, customer_id).await?;
                    let number: i64 =
                        sqlx::query_scalar("SELECT nextval('deposit_account_public_ids')")
                            .fetch_one(op.conn())
                            .await?;
                    let id = DepositAccountId::new();
                    let ledger = LedgerAccounts {
                        main: ::ledger::AccountId::new(),
                        frozen: ::ledger::AccountId::new(),
                        omnibus: self.ledger.shard_for(id.into()),
                    };
                    let (main, frozen) = (ledger.main, ledger.frozen);
                    let public_id = number.to_string();
                    let new = NewDepositAccount::try_new(
                        id,
                        customer_id,
                        customer.status,
                        public_id.clone(),
                        ledger,
                    )?;
                    self.ledger
                        .create_accounts_in_op(op, &public_id, main, frozen)
                        .await?;
                    Ok(self.accounts.create_in_op(op, new.into_events()).await?)
                }
            })
            .await
    }

    pub async fn find_account(
        &self,
        actor: &Actor,
        id: DepositAccountId,
    ) -> Result<Option<DepositAccount>, DepositError> {
        use permissions::{ACCOUNTS, READ};
        self.use_cases
            .query(actor, ACCOUNTS, READ, async || {
                let account = self.accounts.maybe_find_by_id(id).await?;
                Ok(account.filter(|a| visible(actor, a)))
            })
            .await
    }

    /// A page of accounts, oldest first: every account for staff, their own for a customer.
    pub async fn list_accounts(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<DepositAccount>, DepositError> {
        use permissions::{ACCOUNTS, READ};
        let query = match own_customer(actor) {
            Some(customer) => query.filter("customer_id", Uuid::from(customer)),
            None => query,
        };
        self.use_cases
            .query(actor, ACCOUNTS, READ, async || {
                Ok(self.accounts.list(query).await?)
            })
            .await
    }

    /// A page of each customer's accounts (oldest first), for pages that show customers: one
    /// authorization and two queries whatever the number of customers. A customer gets only
    /// their own.
    pub async fn accounts_of_customers(
        &self,
        actor: &Actor,
        customers: &[CustomerId],
        query: ListQuery,
    ) -> Result<HashMap<CustomerId, Page<DepositAccount>>, DepositError> {
        use permissions::{ACCOUNTS, READ};
        let ids: Vec<Uuid> = customers
            .iter()
            .filter(|c| own_customer(actor).is_none_or(|own| own == **c))
            .map(|c| Uuid::from(*c))
            .collect();
        self.use_cases
            .query(actor, ACCOUNTS, READ, async || {
                let pages = self
                    .accounts
                    .list_for_each("customer_id", &ids, query)
                    .await?;
                Ok(pages
                    .into_iter()
                    .map(|(id, page)| (CustomerId::from(id), page))
                    .collect())
            })
            .await
    }

    /// Balances of accounts the caller loaded, with one ledger query.
    pub async fn balances(
        &self,
        actor: &Actor,
        accounts: &[&DepositAccount],
    ) -> Result<HashMap<DepositAccountId, AccountBalance>, DepositError> {
        use permissions::{ACCOUNTS, READ};
        if let Some(hidden) = accounts.iter().find(|a| !visible(actor, a)) {
            return Err(not_found(hidden.id()));
        }
        self.use_cases
            .query(actor, ACCOUNTS, READ, async || {
                self.ledger.balances(accounts).await
            })
            .await
    }

    /// An account's history as the ledger recorded it, newest first.
    pub async fn history(
        &self,
        actor: &Actor,
        account: &DepositAccount,
        first: usize,
        after: Option<i64>,
    ) -> Result<HistoryPage, DepositError> {
        use permissions::{ACCOUNTS, READ};
        if !visible(actor, account) {
            return Err(not_found(account.id()));
        }
        self.use_cases
            .query(actor, ACCOUNTS, READ, async || {
                self.ledger.history(account, first, after).await
            })
            .await
    }

    /// For another domain's use case that pays into or out of the account in its own
    /// transaction (a credit disbursal or payment): the account share-locked as a deposit locks
    /// it, refused unless active. The caller posts to `ledger_account_id` under the external id
    /// of a [`PostingKind`] this domain reads back in the history (`CreditDisbursal`,
    /// `CreditPayment`); the account cannot be overdrawn, and [`crate::ledger::refusal`] says so.
    pub async fn lock_active_account_in_op(
        &self,
        op: &mut DbOp,
        id: DepositAccountId,
    ) -> Result<DepositAccount, DepositError> {
        let account = self.accounts.lock_in_op(op, id, RowLock::Share).await?;
        account.ensure_active()?;
        Ok(account)
    }

    /// Freezes, unfreezes or closes the account (see [`AccountStatusChange`]).
    pub async fn change_account_status(
        &self,
        actor: &Actor,
        id: DepositAccountId,
        change: AccountStatusChange,
    ) -> Result<DepositAccount, DepositError> {
        use permissions::{ACCOUNTS, WRITE};
        self.use_cases
            .command(actor, ACCOUNTS, WRITE, || {
                async move |op| self.change_status_in_op(op, id, change).await
            })
            .await
    }

    pub(crate) async fn change_status_in_op(
        &self,
        op: &mut DbOp,
        id: DepositAccountId,
        change: AccountStatusChange,
    ) -> Result<DepositAccount, DepositError> {
        let mut account = self.accounts.lock_in_op(op, id, RowLock::Update).await?;
        match change {
            AccountStatusChange::Freeze => {
                if account.freeze()?.did_execute() {
                    let balance = self.ledger.balance_in_op(op, &account).await?;
                    if !balance.available.is_zero() {
                        let movement = BalanceMove {
                            from: account.ledger_account_id,
                            to: account.frozen_ledger_account_id,
                            amount: balance.available.into_minor(),
                        };
                        self.ledger
                            .move_balance_in_op(
                                op,
                                &account,
                                PostingKind::Freeze,
                                movement,
                                self.business_date(op),
                            )
                            .await?;
                    }
                }
            }
            AccountStatusChange::Unfreeze => {
                if account.unfreeze()?.did_execute() {
                    let balance = self.ledger.balance_in_op(op, &account).await?;
                    if !balance.frozen.is_zero() {
                        let movement = BalanceMove {
                            from: account.frozen_ledger_account_id,
                            to: account.ledger_account_id,
                            amount: balance.frozen.into_minor(),
                        };
                        self.ledger
                            .move_balance_in_op(
                                op,
                                &account,
                                PostingKind::Unfreeze,
                                movement,
                                self.business_date(op),
                            )
                            .await?;
                    }
                }
            }
            AccountStatusChange::Close => {
                let balance = self.ledger.balance_in_op(op, &account).await?;
                if account.close(&balance)?.did_execute() {
                    self.ledger.lock_account_in_op(op, &account).await?;
                }
            }
        }
        self.accounts.update_in_op(op, &mut account).await?;
        Ok(account)
    }

    /// Carries a customer's freeze, unfreeze or close to every one of their accounts, in the
    /// caller's transaction (the outbox handler's). A closed customer's accounts close; one that
    /// still holds money (or is frozen) is frozen instead, so nothing moves until staff settle
    /// it. Returns how many accounts it went through.
    pub(crate) async fn apply_customer_change_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        customer_id: CustomerId,
        change: AccountStatusChange,
    ) -> Result<usize, DepositError> {
        use permissions::{ACCOUNTS, WRITE};
        self.use_cases
            .authorize_in_op(op, actor, ACCOUNTS, WRITE)
            .await?;
        let (mut after, mut seen) = (None, 0);
        loop {
            let query = ListQuery::first(MAX_PAGE_SIZE)
                .filter("customer_id", Uuid::from(customer_id))
                .after(after);
            let page = self.accounts.list_in_op(op, query).await?;
            for account in &page.entities {
                let id = account.id();
                let result = match self.change_status_in_op(op, id, change).await {
                    Err(DepositError::AccountHasBalance(_) | DepositError::AccountFrozen(_))
                        if change == AccountStatusChange::Close =>
                    {
                        tracing::warn!(account_id = %id, "closed customer's account holds money; frozen instead of closed");
                        self.change_status_in_op(op, id, AccountStatusChange::Freeze)
                            .await
                    }
                    other => other,
                };
                match result {
                    Ok(_) | Err(DepositError::AccountClosed(_)) => seen += 1,
                    Err(e) => return Err(e),
                }
            }
            if !page.has_next_page {
                return Ok(seen);
            }
            after = page.end_cursor;
        }
    }

    /// Re-evaluates every open account's activity class as of `now` (the end of a business
    /// day), in the caller's transaction (the end-of-day handler's), 500 accounts per read;
    /// returns how many changed.
    pub(crate) async fn evaluate_activity_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<usize, DepositError> {
        use permissions::{ACCOUNTS, WRITE};
        self.use_cases
            .authorize_in_op(op, actor, ACCOUNTS, WRITE)
            .await?;
        let thresholds = (
            self.configs.get_in_op::<InactiveAfterDays>(op).await?,
            self.configs
                .get_in_op::<EscheatableAfterInactiveDays>(op)
                .await?,
        );
        let (mut after, mut changed) = (Uuid::nil(), 0);
        loop {
            let batch = self
                .evaluate_activity_batch_in_op(op, after, now, thresholds)
                .await?;
            changed += batch.changed;
            match batch.last {
                Some(last) if batch.full => after = last,
                _ => return Ok(changed),
            }
        }
    }

    async fn evaluate_activity_batch_in_op(
        &self,
        op: &mut DbOp,
        after: Uuid,
        now: DateTime<Utc>,
        (inactive_after, escheatable_after): (u32, u32),
    ) -> Result<ActivityBatch, DepositError> {
        // An account's last activity is its newest deposit or withdrawal, or its opening.
        let rows: Vec<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(
            r#"SELECT a.id, a.activity,
                      greatest(a.created_at,
                               (SELECT max(d.created_at) FROM deposit_deposits d WHERE d.account_id = a.id),
                               (SELECT max(w.created_at) FROM deposit_withdrawals w WHERE w.account_id = a.id))
               FROM deposit_accounts a
               WHERE a.status <> 'closed' AND a.id > $1
               ORDER BY a.id LIMIT $2"#,
        )
        .bind(after)
        .bind(ACTIVITY_BATCH)
        .fetch_all(op.conn())
        .await?;
        let mut changed = 0;
        for (id, current, last) in &rows {
            // Only accounts whose class moves are loaded; the entity decides again.
            let class = classify(*last, now, inactive_after, escheatable_after);
            if class.as_str() == current {
                continue;
            }
            let mut account = self
                .accounts
                .find_by_id_in_op(op, DepositAccountId::from(*id))
                .await?;
            if account
                .evaluate_activity(*last, now, inactive_after, escheatable_after)?
                .did_execute()
            {
                self.accounts.update_in_op(op, &mut account).await?;
                changed += 1;
            }
        }
        Ok(ActivityBatch {
            last: rows.last().map(|(id, _, _)| *id),
            full: i64::try_from(rows.len()).unwrap_or(0) >= ACTIVITY_BATCH,
            changed,
        })
    }
}

struct ActivityBatch {
    last: Option<Uuid>,
    full: bool,
    changed: usize,
}
