//! Deposits: deposit accounts of customers, deposits, and withdrawals under governance approval,
//! with the money in the ledger (see [`ledger`] for the accounts and postings).
//!
//! **One transaction per use case.** Authorize (audited) -> claim the idempotency key, if any ->
//! lock the deposit account row -> the entity decides -> ledger postings, entity events,
//! approval process -> commit.
//!
//! **Account lock.** Every use case that moves money on an account first takes its index row
//! `FOR SHARE`; freezing, unfreezing and closing take it `FOR UPDATE`. So a freeze waits for the
//! deposits in flight and every later deposit sees the account frozen; and many deposits into
//! one account do not block each other here (the ledger's balance row orders them).
//!
//! **Freeze.** The available balance (settled + pending) moves to the account's frozen ledger
//! account, so nothing can leave; amounts held for withdrawals in flight stay where they are, so a
//! denial or cancellation can still release them. Unfreezing moves the frozen balance back.
//!
//! **Close** needs an active account with zero settled and zero pending balance; the ledger
//! account is then locked, so nothing can ever post to it again.
//!
//! **Withdrawals** hold the amount in the pending layer and start an approval process in the same
//! transaction; the conclusion arrives through the outbox ([`WithdrawalApprovalHandler`]).

mod account;
mod activity;
mod deposit;
mod error;
pub mod ledger;
pub mod primitives;
mod withdrawal;

pub use account::{DepositAccount, DepositAccountEvent};
pub use activity::{ActivityJob, EscheatableAfterInactiveDays, InactiveAfterDays};
pub use deposit::{Deposit, DepositEvent};
pub use error::DepositError;
pub use primitives::*;
pub use withdrawal::{Withdrawal, WithdrawalEvent};

use account::{DepositAccountRepo, NewDepositAccount};
use authz::{Authorization, Subject};
use chrono::{DateTime, NaiveDate, Utc};
use clock::Clock;
use core_customer::public::CustomerPublicEvent;
use core_customer::{CustomerStatus, Customers};
use core_domain_config::DomainConfigs;
use core_governance::public::{APPROVAL_PROCESS_CONCLUDED, GovernanceEvent};
use core_governance::{Governance, ProcessType};
use deposit::{DepositRepo, NewDeposit};
use es::{DbOp, EsEntity, EsRepoError, ListQuery, Page, RetryPolicy, retry_conflicts};
use idempotency::{Claim, IdempotencyKey};
use ledger::{DepositLedger, PostingKind};
use money::UsdCents;
use serde::Serialize;
use sqlx::PgPool;
use uuid::Uuid;
use withdrawal::{ConclusionEffect, NewWithdrawal, WithdrawalRepo};

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// What [`Deposits::change_account_status`] does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountStatusChange {
    Freeze,
    Unfreeze,
    Close,
}

/// The two settled movements of a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settlement {
    Confirm,
    Revert,
}

/// A deposit account's balances, read from the ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountBalance {
    /// Money on the account.
    pub settled: UsdCents,
    /// Held for withdrawals awaiting approval or confirmation.
    pub pending: UsdCents,
    /// What can be withdrawn: settled minus pending.
    pub available: UsdCents,
    /// Moved aside while the account is frozen.
    pub frozen: UsdCents,
}

/// One line of an account's history, read from the ledger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    /// The ledger entry's id; pass as `after` for the next page.
    pub cursor: i64,
    pub kind: PostingKind,
    /// The deposit or withdrawal (or, for freezes, the account) the posting was for.
    pub entity_id: Option<Uuid>,
    /// Positive: money in; negative: money out.
    pub amount: money::SignedUsdCents,
    pub pending: bool,
    pub effective: NaiveDate,
    pub recorded_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct HistoryPage {
    pub entries: Vec<HistoryEntry>,
    pub end_cursor: Option<i64>,
    pub has_next_page: bool,
}

#[derive(Clone)]
pub struct Deposits {
    pool: PgPool,
    clock: Clock,
    authz: Authorization,
    governance: Governance,
    customers: Customers,
    configs: DomainConfigs,
    ledger: DepositLedger,
    accounts: DepositAccountRepo,
    deposits: DepositRepo,
    withdrawals: WithdrawalRepo,
}

fn not_found<T>(result: Result<T, EsRepoError>, err: DepositError) -> Result<T, DepositError> {
    match result {
        Err(EsRepoError::NotFound { .. }) => Err(err),
        other => Ok(other?),
    }
}

/// The ledger's refusals of a posting on `account`, as this domain's errors.
fn posting_error(e: ::ledger::LedgerError, account: DepositAccountId) -> DepositError {
    use ::ledger::{LedgerError, PostingError};
    match e {
        LedgerError::Posting(PostingError::InsufficientBalance { .. }) => {
            DepositError::InsufficientBalance(account)
        }
        LedgerError::Posting(PostingError::AccountLocked(_)) => {
            DepositError::AccountClosed(account)
        }
        other => other.into(),
    }
}

fn to_cents(value: i128) -> UsdCents {
    UsdCents::from_minor(u64::try_from(value.max(0)).unwrap_or(u64::MAX))
}

impl Deposits {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        pool: PgPool,
        clock: Clock,
        authz: Authorization,
        governance: Governance,
        customers: Customers,
        configs: DomainConfigs,
        ledger: DepositLedger,
    ) -> Self {
        Self {
            accounts: DepositAccountRepo::new(pool.clone(), clock.clone()),
            deposits: DepositRepo::new(pool.clone(), clock.clone()),
            withdrawals: WithdrawalRepo::new(pool.clone(), clock.clone()),
            pool,
            clock,
            authz,
            governance,
            customers,
            configs,
            ledger,
        }
    }

    /// Locks the account row (shared for money movements, exclusive for status changes) and
    /// loads the account.
    async fn lock_account_in_op(
        &self,
        op: &mut DbOp,
        id: DepositAccountId,
        exclusive: bool,
    ) -> Result<DepositAccount, DepositError> {
        let sql = if exclusive {
            "SELECT id FROM deposit_accounts WHERE id = $1 FOR UPDATE"
        } else {
            "SELECT id FROM deposit_accounts WHERE id = $1 FOR SHARE"
        };
        let found: Option<Uuid> = sqlx::query_scalar(sql)
            .bind(Uuid::from(id))
            .fetch_optional(op.conn())
            .await?;
        if found.is_none() {
            return Err(DepositError::AccountNotFound(id));
        }
        not_found(
            self.accounts.find_by_id_in_op(op, id).await,
            DepositError::AccountNotFound(id),
        )
    }

    fn today(op: &DbOp) -> NaiveDate {
        op.now().date_naive()
    }

    /// Claims an idempotency key, when the caller sent one.
    async fn claim(
        op: &mut DbOp,
        operation: &str,
        actor: &Subject,
        key: Option<&IdempotencyKey>,
        request: &impl Serialize,
    ) -> Result<Option<Uuid>, DepositError> {
        let Some(key) = key else { return Ok(None) };
        let scope = format!("{operation}:{actor}");
        match idempotency::claim_in_op::<Uuid>(op, &scope, key, request).await? {
            Claim::Replay(id) => Ok(Some(id)),
            Claim::New => Ok(None),
        }
    }

    async fn complete(
        op: &mut DbOp,
        operation: &str,
        actor: &Subject,
        key: Option<&IdempotencyKey>,
        id: Uuid,
    ) -> Result<(), DepositError> {
        if let Some(key) = key {
            let scope = format!("{operation}:{actor}");
            idempotency::complete_in_op(op, &scope, key, &id).await?;
        }
        Ok(())
    }

    // Accounts.

    pub async fn create_account(
        &self,
        actor: &Subject,
        customer_id: CustomerId,
    ) -> Result<DepositAccount, DepositError> {
        let mut op = self
            .authz
            .begin_op(actor, permissions::ACCOUNTS, permissions::WRITE)
            .await?;
        let customer = self
            .customers
            .customer_by_id(customer_id)
            .await?
            .ok_or(DepositError::CustomerNotFound(customer_id))?;
        if customer.status != CustomerStatus::Active {
            return Err(DepositError::CustomerNotActive(customer_id));
        }
        let number: i64 = sqlx::query_scalar("SELECT nextval('deposit_account_public_ids')")
            .fetch_one(op.conn())
            .await?;
        let id = DepositAccountId::new();
        let public_id = number.to_string();
        let (main, frozen) = (::ledger::AccountId::new(), ::ledger::AccountId::new());
        self.ledger
            .create_accounts_in_op(&mut op, &public_id, main, frozen)
            .await?;
        let new = NewDepositAccount {
            id,
            customer_id,
            public_id,
            ledger_account_id: main,
            frozen_ledger_account_id: frozen,
            omnibus_account_id: self.ledger.shard_for(id.into()),
        };
        let account = self
            .accounts
            .create_in_op(&mut op, new.into_events())
            .await?;
        op.commit().await?;
        Ok(account)
    }

    pub async fn find_account(
        &self,
        actor: &Subject,
        id: DepositAccountId,
    ) -> Result<Option<DepositAccount>, DepositError> {
        self.authz
            .enforce(actor, permissions::ACCOUNTS, permissions::READ, None)
            .await?;
        Ok(self.accounts.maybe_find_by_id(id).await?)
    }

    pub async fn list_accounts(
        &self,
        actor: &Subject,
        query: ListQuery,
    ) -> Result<Page<DepositAccount>, DepositError> {
        self.authz
            .enforce(actor, permissions::ACCOUNTS, permissions::READ, None)
            .await?;
        Ok(self.accounts.list(query).await?)
    }

    /// A customer's accounts, oldest first (at most 100). Not authorized here: the admin API
    /// authorizes the read once per request, the customer API scopes it to the token's customer.
    pub async fn accounts_of_customer(
        &self,
        customer_id: CustomerId,
    ) -> Result<Vec<DepositAccount>, DepositError> {
        let page = self
            .accounts
            .list(
                ListQuery::first(es::MAX_PAGE_SIZE).filter("customer_id", Uuid::from(customer_id)),
            )
            .await?;
        Ok(page.entities)
    }

    /// The accounts of several customers at once (a page of customers), oldest first.
    pub async fn accounts_of_customers(
        &self,
        customer_ids: &[CustomerId],
    ) -> Result<Vec<DepositAccount>, DepositError> {
        let ids: Vec<Uuid> = customer_ids.iter().map(|c| Uuid::from(*c)).collect();
        Ok(self
            .accounts
            .find_all_in("customer_id", &ids, es::MAX_PAGE_SIZE * ids.len().max(1))
            .await?)
    }

    /// The account if it belongs to `customer_id`; `None` otherwise (whether or not it exists).
    pub async fn account_of_customer(
        &self,
        customer_id: CustomerId,
        id: DepositAccountId,
    ) -> Result<Option<DepositAccount>, DepositError> {
        Ok(self
            .accounts
            .maybe_find_by_id(id)
            .await?
            .filter(|a| a.customer_id == customer_id))
    }

    /// Balances of an account the caller was allowed to load (one ledger query).
    pub async fn balance(&self, account: &DepositAccount) -> Result<AccountBalance, DepositError> {
        let balances = self
            .ledger
            .ledger()
            .balances_of(
                self.ledger.journal(),
                &Self::balance_accounts(account),
                &::ledger::Currency::usd(),
            )
            .await?;
        Self::account_balance(account, &balances)
    }

    /// Balances read in the use case's transaction, after it locked the account.
    async fn balance_in_op(
        &self,
        op: &mut DbOp,
        account: &DepositAccount,
    ) -> Result<AccountBalance, DepositError> {
        let balances = self
            .ledger
            .ledger()
            .balances_of_in_op(
                op,
                self.ledger.journal(),
                &Self::balance_accounts(account),
                &::ledger::Currency::usd(),
            )
            .await?;
        Self::account_balance(account, &balances)
    }

    fn balance_accounts(account: &DepositAccount) -> [::ledger::AccountId; 2] {
        [account.ledger_account_id, account.frozen_ledger_account_id]
    }

    fn account_balance(
        account: &DepositAccount,
        balances: &[::ledger::Balance],
    ) -> Result<AccountBalance, DepositError> {
        let (Some(main), Some(frozen)) = (balances.first(), balances.get(1)) else {
            return Err(DepositError::AccountNotFound(account.id()));
        };
        Ok(AccountBalance {
            settled: to_cents(main.settled()),
            pending: to_cents(-main.pending()),
            available: to_cents(main.available()),
            frozen: to_cents(frozen.settled()),
        })
    }

    /// History of an account the caller was allowed to load, newest first.
    pub async fn history(
        &self,
        account: &DepositAccount,
        first: usize,
        after: Option<i64>,
    ) -> Result<HistoryPage, DepositError> {
        let page = self
            .ledger
            .ledger()
            .entries(account.ledger_account_id, first, after)
            .await?;
        let entries = page
            .entries
            .into_iter()
            .filter_map(|e| {
                let (kind, rest) = PostingKind::parse(&e.external_id)?;
                let minor = i64::try_from(e.amount).unwrap_or(i64::MAX);
                let signed = match e.direction {
                    ::ledger::Side::Credit => minor,
                    ::ledger::Side::Debit => -minor,
                };
                Some(HistoryEntry {
                    cursor: e.id,
                    kind,
                    entity_id: rest.split(':').next().and_then(|s| s.parse().ok()),
                    amount: money::SignedUsdCents::from_minor(signed),
                    pending: e.layer == ::ledger::Layer::Pending,
                    effective: e.effective,
                    recorded_at: e.recorded_at,
                })
            })
            .collect();
        Ok(HistoryPage {
            entries,
            end_cursor: page.end_cursor,
            has_next_page: page.has_next_page,
        })
    }

    /// Freezes (the available balance moves to the frozen ledger account), unfreezes (the frozen
    /// balance moves back) or closes (an active account with nothing on it; its ledger account is
    /// then locked for good) the account.
    pub async fn change_account_status(
        &self,
        actor: &Subject,
        id: DepositAccountId,
        change: AccountStatusChange,
    ) -> Result<DepositAccount, DepositError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::ACCOUNTS, permissions::WRITE)
                .await?;
            let account = self.change_status_in_op(&mut op, id, change).await?;
            op.commit().await?;
            Ok(account)
        })
        .await
    }

    async fn change_status_in_op(
        &self,
        op: &mut DbOp,
        id: DepositAccountId,
        change: AccountStatusChange,
    ) -> Result<DepositAccount, DepositError> {
        match change {
            AccountStatusChange::Freeze => self.freeze_in_op(op, id).await,
            AccountStatusChange::Unfreeze => self.unfreeze_in_op(op, id).await,
            AccountStatusChange::Close => self.close_in_op(op, id).await,
        }
    }

    async fn freeze_in_op(
        &self,
        op: &mut DbOp,
        id: DepositAccountId,
    ) -> Result<DepositAccount, DepositError> {
        let mut account = self.lock_account_in_op(op, id, true).await?;
        if account.freeze()?.did_execute() {
            let balance = self.balance_in_op(op, &account).await?;
            if !balance.available.is_zero() {
                let tx = self.ledger.transfer(
                    PostingKind::Freeze,
                    format_args!("{id}:{}", account.version()),
                    account.ledger_account_id,
                    account.frozen_ledger_account_id,
                    balance.available.into_minor(),
                    Self::today(op),
                );
                self.ledger.post_in_op(op, tx).await?;
            }
            self.accounts.update_in_op(op, &mut account).await?;
        }
        Ok(account)
    }

    async fn unfreeze_in_op(
        &self,
        op: &mut DbOp,
        id: DepositAccountId,
    ) -> Result<DepositAccount, DepositError> {
        let mut account = self.lock_account_in_op(op, id, true).await?;
        if account.unfreeze()?.did_execute() {
            let balance = self.balance_in_op(op, &account).await?;
            if !balance.frozen.is_zero() {
                let tx = self.ledger.transfer(
                    PostingKind::Unfreeze,
                    format_args!("{id}:{}", account.version()),
                    account.frozen_ledger_account_id,
                    account.ledger_account_id,
                    balance.frozen.into_minor(),
                    Self::today(op),
                );
                self.ledger.post_in_op(op, tx).await?;
            }
            self.accounts.update_in_op(op, &mut account).await?;
        }
        Ok(account)
    }

    async fn close_in_op(
        &self,
        op: &mut DbOp,
        id: DepositAccountId,
    ) -> Result<DepositAccount, DepositError> {
        let mut account = self.lock_account_in_op(op, id, true).await?;
        if account.status == AccountStatus::Active {
            let balance = self.balance_in_op(op, &account).await?;
            if !(balance.settled.is_zero() && balance.pending.is_zero() && balance.frozen.is_zero())
            {
                return Err(DepositError::AccountHasBalance(id));
            }
        }
        if account.close()?.did_execute() {
            self.ledger
                .ledger()
                .set_account_locked_in_op(op, account.ledger_account_id, true)
                .await?;
            self.accounts.update_in_op(op, &mut account).await?;
        }
        Ok(account)
    }

    // Deposits.

    /// Records money received into the account (settled at once).
    pub async fn record_deposit(
        &self,
        actor: &Subject,
        account_id: DepositAccountId,
        amount: Amount,
        reference: Reference,
        key: Option<&IdempotencyKey>,
    ) -> Result<Deposit, DepositError> {
        const OPERATION: &str = "deposit-record";
        let request = (account_id, amount, &reference);
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::DEPOSITS, permissions::WRITE)
                .await?;
            if let Some(id) = Self::claim(&mut op, OPERATION, actor, key, &request).await? {
                let id = DepositId::from(id);
                return not_found(
                    self.deposits.find_by_id_in_op(&mut op, id).await,
                    DepositError::DepositNotFound(id),
                );
            }
            let account = self.lock_account_in_op(&mut op, account_id, false).await?;
            account.ensure_active()?;
            let id = DepositId::new();
            let tx = self.ledger.deposit(
                id,
                account.ledger_account_id,
                account.omnibus_account_id,
                amount,
                Self::today(&op),
            );
            let posted = self
                .ledger
                .post_in_op(&mut op, tx)
                .await
                .map_err(|e| posting_error(e, account_id))?;
            let new = NewDeposit {
                id,
                account_id,
                amount,
                reference: reference.clone(),
                ledger_transaction_id: posted.id,
            };
            let deposit = self
                .deposits
                .create_in_op(&mut op, new.into_events())
                .await?;
            Self::complete(&mut op, OPERATION, actor, key, id.into()).await?;
            op.commit().await?;
            Ok(deposit)
        })
        .await
    }

    /// Takes a deposit back out (refused when the money is no longer available).
    pub async fn revert_deposit(
        &self,
        actor: &Subject,
        id: DepositId,
    ) -> Result<Deposit, DepositError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::DEPOSITS, permissions::WRITE)
                .await?;
            let mut deposit = not_found(
                self.deposits.find_by_id_in_op(&mut op, id).await,
                DepositError::DepositNotFound(id),
            )?;
            if deposit.reverted {
                return Err(DepositError::DepositAlreadyReverted(id));
            }
            let account = self
                .lock_account_in_op(&mut op, deposit.account_id, false)
                .await?;
            account.ensure_active()?;
            let today = Self::today(&op);
            let posted = self
                .ledger
                .reverse_in_op(
                    &mut op,
                    deposit.ledger_transaction_id,
                    PostingKind::DepositRevert,
                    id,
                    today,
                )
                .await
                .map_err(|e| posting_error(e, account.id()))?;
            let _ = deposit.revert(posted.id);
            self.deposits.update_in_op(&mut op, &mut deposit).await?;
            op.commit().await?;
            Ok(deposit)
        })
        .await
    }

    pub async fn find_deposit(
        &self,
        actor: &Subject,
        id: DepositId,
    ) -> Result<Option<Deposit>, DepositError> {
        self.authz
            .enforce(actor, permissions::DEPOSITS, permissions::READ, None)
            .await?;
        Ok(self.deposits.maybe_find_by_id(id).await?)
    }

    // Withdrawals.

    /// Holds the amount (pending layer) and starts the withdrawal's approval, in one transaction.
    pub async fn initiate_withdrawal(
        &self,
        actor: &Subject,
        account_id: DepositAccountId,
        amount: Amount,
        reference: Reference,
        key: Option<&IdempotencyKey>,
    ) -> Result<Withdrawal, DepositError> {
        const OPERATION: &str = "withdrawal-initiate";
        let request = (account_id, amount, &reference);
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::WITHDRAWALS, permissions::WRITE)
                .await?;
            if let Some(id) = Self::claim(&mut op, OPERATION, actor, key, &request).await? {
                return self.withdrawal_in_op(&mut op, WithdrawalId::from(id)).await;
            }
            let account = self.lock_account_in_op(&mut op, account_id, false).await?;
            account.ensure_active()?;
            let id = WithdrawalId::new();
            let tx = self.ledger.withdrawal_hold(
                id,
                account.ledger_account_id,
                account.omnibus_account_id,
                amount,
                Self::today(&op),
            );
            let hold = self
                .ledger
                .post_in_op(&mut op, tx)
                .await
                .map_err(|e| posting_error(e, account_id))?;
            let process = self
                .governance
                .start_process_in_op(&mut op, &ProcessType::WITHDRAW, id)
                .await?;
            let new = NewWithdrawal {
                id,
                account_id,
                amount,
                reference: reference.clone(),
                approval_process_id: process.id().into(),
                hold_transaction_id: hold.id,
            };
            let mut withdrawal = self
                .withdrawals
                .create_in_op(&mut op, new.into_events())
                .await?;
            if let Some(GovernanceEvent::ApprovalProcessConcluded { approved: true, .. }) =
                process.conclusion()
            {
                let _ = withdrawal.conclude_approval(true);
                self.withdrawals
                    .update_in_op(&mut op, &mut withdrawal)
                    .await?;
            }
            Self::complete(&mut op, OPERATION, actor, key, id.into()).await?;
            op.commit().await?;
            Ok(withdrawal)
        })
        .await
    }

    async fn withdrawal_in_op(
        &self,
        op: &mut DbOp,
        id: WithdrawalId,
    ) -> Result<Withdrawal, DepositError> {
        not_found(
            self.withdrawals.find_by_id_in_op(op, id).await,
            DepositError::WithdrawalNotFound(id),
        )
    }

    /// Settles an approved withdrawal: the hold is released and the amount leaves the account.
    pub async fn confirm_withdrawal(
        &self,
        actor: &Subject,
        id: WithdrawalId,
    ) -> Result<Withdrawal, DepositError> {
        self.settle_withdrawal(actor, id, Settlement::Confirm).await
    }

    /// Undoes a confirmed withdrawal: the amount comes back to the account.
    pub async fn revert_withdrawal(
        &self,
        actor: &Subject,
        id: WithdrawalId,
    ) -> Result<Withdrawal, DepositError> {
        self.settle_withdrawal(actor, id, Settlement::Revert).await
    }

    /// Confirming and reverting a withdrawal: both post a settled movement on an active account.
    async fn settle_withdrawal(
        &self,
        actor: &Subject,
        id: WithdrawalId,
        step: Settlement,
    ) -> Result<Withdrawal, DepositError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::WITHDRAWALS, permissions::WRITE)
                .await?;
            let mut withdrawal = self.withdrawal_in_op(&mut op, id).await?;
            let ready = match step {
                Settlement::Confirm => withdrawal.ensure_confirmable()?,
                Settlement::Revert => withdrawal.ensure_revertible()?,
            };
            if ready.was_already_applied() {
                return Ok(withdrawal);
            }
            let account = self
                .lock_account_in_op(&mut op, withdrawal.account_id, false)
                .await?;
            account.ensure_active()?;
            let (customer, omnibus, today) = (
                account.ledger_account_id,
                account.omnibus_account_id,
                Self::today(&op),
            );
            let tx = match step {
                Settlement::Confirm => {
                    self.ledger
                        .withdrawal_confirm(id, customer, omnibus, withdrawal.amount, today)
                }
                Settlement::Revert => {
                    self.ledger
                        .withdrawal_revert(id, customer, omnibus, withdrawal.amount, today)
                }
            };
            let posted = self
                .ledger
                .post_in_op(&mut op, tx)
                .await
                .map_err(|e| posting_error(e, account.id()))?;
            let _ = match step {
                Settlement::Confirm => withdrawal.confirm(posted.id)?,
                Settlement::Revert => withdrawal.revert(posted.id)?,
            };
            self.withdrawals
                .update_in_op(&mut op, &mut withdrawal)
                .await?;
            op.commit().await?;
            Ok(withdrawal)
        })
        .await
    }

    /// Cancels a withdrawal that is not confirmed yet and releases its hold.
    pub async fn cancel_withdrawal(
        &self,
        actor: &Subject,
        id: WithdrawalId,
    ) -> Result<Withdrawal, DepositError> {
        retry_conflicts(RetryPolicy::default(), || async {
            let mut op = self
                .authz
                .begin_op(actor, permissions::WITHDRAWALS, permissions::WRITE)
                .await?;
            let mut withdrawal = self.withdrawal_in_op(&mut op, id).await?;
            if withdrawal.ensure_cancellable()?.was_already_applied() {
                return Ok(withdrawal);
            }
            self.lock_account_in_op(&mut op, withdrawal.account_id, false)
                .await?;
            let today = Self::today(&op);
            let posted = self
                .ledger
                .reverse_in_op(
                    &mut op,
                    withdrawal.hold_transaction_id,
                    PostingKind::WithdrawalRelease,
                    id,
                    today,
                )
                .await?;
            let _ = withdrawal.cancel(posted.id)?;
            self.withdrawals
                .update_in_op(&mut op, &mut withdrawal)
                .await?;
            op.commit().await?;
            Ok(withdrawal)
        })
        .await
    }

    pub async fn find_withdrawal(
        &self,
        actor: &Subject,
        id: WithdrawalId,
    ) -> Result<Option<Withdrawal>, DepositError> {
        self.authz
            .enforce(actor, permissions::WITHDRAWALS, permissions::READ, None)
            .await?;
        Ok(self.withdrawals.maybe_find_by_id(id).await?)
    }

    /// Applies governance's conclusion to the withdrawal it concerns (idempotent).
    async fn apply_conclusion_in_op(
        &self,
        op: &mut DbOp,
        process_id: Uuid,
        approved: bool,
        reason: Option<String>,
    ) -> Result<(), DepositError> {
        let Some(mut withdrawal) = self
            .withdrawals
            .find_one_by_in_op(op, "approval_process_id", process_id)
            .await?
        else {
            tracing::warn!(%process_id, "approval concluded for no known withdrawal; ignored");
            return Ok(());
        };
        if withdrawal.conclude_approval(approved) == ConclusionEffect::ReleaseHold {
            self.lock_account_in_op(op, withdrawal.account_id, false)
                .await?;
            let today = Self::today(op);
            let posted = self
                .ledger
                .reverse_in_op(
                    op,
                    withdrawal.hold_transaction_id,
                    PostingKind::WithdrawalRelease,
                    withdrawal.id(),
                    today,
                )
                .await?;
            withdrawal.deny(reason, posted.id);
        }
        self.withdrawals.update_in_op(op, &mut withdrawal).await?;
        Ok(())
    }

    /// Carries a customer's freeze, unfreeze or close to each of their accounts (as the system).
    async fn apply_customer_event_in_op(
        &self,
        op: &mut DbOp,
        event: &CustomerPublicEvent,
    ) -> Result<(), DepositError> {
        let (customer_id, change) = match event {
            CustomerPublicEvent::CustomerFrozen { customer_id } => {
                (*customer_id, AccountStatusChange::Freeze)
            }
            CustomerPublicEvent::CustomerUnfrozen { customer_id } => {
                (*customer_id, AccountStatusChange::Unfreeze)
            }
            CustomerPublicEvent::CustomerClosed { customer_id } => {
                (*customer_id, AccountStatusChange::Close)
            }
            CustomerPublicEvent::CustomerCreated { .. } => return Ok(()),
        };
        let accounts = self
            .accounts
            .list_in_op(
                op,
                ListQuery::first(es::MAX_PAGE_SIZE).filter("customer_id", Uuid::from(customer_id)),
            )
            .await?
            .entities;
        for account in accounts {
            let id = account.id();
            // A closed customer's accounts close; one that still holds money (or is frozen) is
            // frozen instead, so nothing moves until staff settle it.
            let result = match self.change_status_in_op(op, id, change).await {
                Err(DepositError::AccountHasBalance(_) | DepositError::AccountFrozen(_))
                    if change == AccountStatusChange::Close =>
                {
                    tracing::warn!(account_id = %id, "closed customer's account holds money; frozen instead of closed");
                    self.freeze_in_op(op, id).await
                }
                other => other,
            };
            match result {
                Ok(_) | Err(DepositError::AccountClosed(_)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// Moves withdrawals on when governance concludes their approval.
pub struct WithdrawalApprovalHandler(pub Deposits);

#[async_trait::async_trait]
impl outbox::OutboxHandler for WithdrawalApprovalHandler {
    fn name(&self) -> &'static str {
        "deposit.withdrawal-approvals"
    }

    async fn handle(
        &self,
        op: &mut DbOp,
        event: &outbox::OutboxEvent,
    ) -> Result<(), outbox::HandlerError> {
        if event.event_type != APPROVAL_PROCESS_CONCLUDED {
            return Ok(());
        }
        let GovernanceEvent::ApprovalProcessConcluded {
            process_id,
            process_type,
            approved,
            denial_reason,
            ..
        } = event.decode()?;
        if process_type == ProcessType::WITHDRAW {
            self.0
                .apply_conclusion_in_op(op, process_id.into(), approved, denial_reason)
                .await?;
        }
        Ok(())
    }
}

/// Carries customer freezes, unfreezes and closes to their deposit accounts.
pub struct CustomerEventsHandler(pub Deposits);

#[async_trait::async_trait]
impl outbox::OutboxHandler for CustomerEventsHandler {
    fn name(&self) -> &'static str {
        "deposit.customer-events"
    }

    async fn handle(
        &self,
        op: &mut DbOp,
        event: &outbox::OutboxEvent,
    ) -> Result<(), outbox::HandlerError> {
        if !event.event_type.starts_with("customer_") {
            return Ok(());
        }
        let event: CustomerPublicEvent = event.decode()?;
        self.0.apply_customer_event_in_op(op, &event).await?;
        Ok(())
    }
}
