//! Deposit accounts, their balances and their history.
//!
//! Lists of accounts are loaded in batches ([`DepositLoaders`]): the accounts of every customer on
//! a page with one use case call (two queries), and the balances of every account on a page with
//! one ledger query, whatever the page size.

use async_graphql::connection::{Connection, Edge};
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use authz::Actor;
use chrono::{DateTime, Utc};
use core_customer::CustomerId;
use core_deposit::{AccountBalance, DepositError, Deposits};
use es::{EsEntity, Page};
use graphql_kit::{ApiResult, Date, UsdCents, api_error, domain_error, list_query};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How long a loader waits for sibling fields to ask before it loads. Siblings ask within the
/// same poll of their parent, so this only covers the load starting on another worker thread
/// first (async-graphql's default of 1 ms would add a millisecond to every balance read).
const LOADER_DELAY: Duration = Duration::from_micros(50);

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_deposit::AccountStatus")]
pub enum AccountStatus {
    Active,
    Frozen,
    Closed,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_deposit::Activity")]
pub enum Activity {
    Active,
    Inactive,
    Escheatable,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_deposit::ledger::PostingKind")]
pub enum HistoryKind {
    Deposit,
    DepositRevert,
    WithdrawalHold,
    WithdrawalRelease,
    WithdrawalConfirm,
    WithdrawalRevert,
    Freeze,
    Unfreeze,
    /// Money a credit facility paid into the account.
    CreditDisbursal,
    /// Money taken from the account to pay a credit facility.
    CreditPayment,
}

/// Balances in cents: `available` = `settled` - `pending`.
#[derive(SimpleObject, Clone, Copy)]
pub struct Balance {
    settled: UsdCents,
    pending: UsdCents,
    available: UsdCents,
    frozen: UsdCents,
}

impl From<AccountBalance> for Balance {
    fn from(b: AccountBalance) -> Self {
        Self {
            settled: UsdCents(b.settled),
            pending: UsdCents(b.pending),
            available: UsdCents(b.available),
            frozen: UsdCents(b.frozen),
        }
    }
}

/// One ledger entry on the account. `amountIn` / `amountOut` in cents; `pending` entries are
/// holds for withdrawals and their releases.
#[derive(SimpleObject)]
pub struct HistoryEntry {
    kind: HistoryKind,
    /// The deposit, withdrawal or credit disbursal (or, for freezes, the account) it belongs to.
    entity_id: Option<Uuid>,
    amount_in: UsdCents,
    amount_out: UsdCents,
    pending: bool,
    effective: Date,
    recorded_at: DateTime<Utc>,
}

impl From<core_deposit::ledger::HistoryEntry> for HistoryEntry {
    fn from(e: core_deposit::ledger::HistoryEntry) -> Self {
        let minor = e.amount.into_minor();
        let cents = |m: i64| UsdCents(money::UsdCents::from_minor(m.unsigned_abs()));
        Self {
            kind: e.kind.into(),
            entity_id: e.entity_id,
            amount_in: cents(minor.max(0)),
            amount_out: cents(minor.min(0)),
            pending: e.pending,
            effective: Date(e.effective),
            recorded_at: e.recorded_at,
        }
    }
}

#[derive(Clone)]
pub struct DepositAccount(Arc<core_deposit::DepositAccount>);

impl From<core_deposit::DepositAccount> for DepositAccount {
    fn from(account: core_deposit::DepositAccount) -> Self {
        Self(Arc::new(account))
    }
}

/// A customer's deposit account; balances and history come from the ledger.
#[Object]
impl DepositAccount {
    async fn id(&self) -> Uuid {
        self.0.id().into()
    }

    /// The account number shown to people.
    async fn public_id(&self) -> &str {
        &self.0.public_id
    }

    async fn customer_id(&self) -> Uuid {
        self.0.customer_id.into()
    }

    async fn status(&self) -> AccountStatus {
        self.0.status.into()
    }

    async fn activity(&self) -> Activity {
        self.0.activity.into()
    }

    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.created_at()
    }

    async fn balance(&self, ctx: &Context<'_>) -> Result<Balance> {
        let loaders = ctx.data::<DepositLoaders>()?;
        loaders
            .balances
            .load_one(AccountKey(self.0.clone()))
            .await
            .map_err(|e| domain_error(ctx, e.as_ref()))?
            .map(Balance::from)
            .ok_or_else(|| api_error(error_code::INTERNAL, "no balance was read for the account"))
    }

    /// Deposits, withdrawals, reverts and freezes as the ledger recorded them, newest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    pub async fn history(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, HistoryEntry>> {
        let loaders = ctx.data::<DepositLoaders>()?;
        let after = after.map(|a| a.parse::<i64>()).transpose().map_err(|_| {
            api_error(
                error_code::INVALID_CURSOR,
                "after is not a cursor this list issued",
            )
        })?;
        let page = loaders
            .deposits
            .history(
                &loaders.actor,
                &self.0,
                usize::try_from(first).unwrap_or(1),
                after,
            )
            .await
            .api(ctx)?;
        let mut connection = Connection::new(false, page.has_next_page);
        connection.edges.extend(
            page.entries
                .into_iter()
                .map(|e| Edge::new(e.cursor.to_string(), HistoryEntry::from(e))),
        );
        Ok(connection)
    }
}

/// A page of accounts as a connection.
pub fn account_connection(
    page: Page<core_deposit::DepositAccount>,
) -> Connection<String, DepositAccount> {
    graphql_kit::connection(page, DepositAccount::from)
}

/// The accounts of one customer for one page request (the key of a batch of customers).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CustomerAccounts {
    pub customer_id: CustomerId,
    pub first: i32,
    pub after: Option<String>,
}

impl CustomerAccounts {
    /// The connection of this customer's accounts on `first` / `after`.
    pub async fn load(self, ctx: &Context<'_>) -> Result<Connection<String, DepositAccount>> {
        let loaders = ctx.data::<DepositLoaders>()?;
        // The page request is checked once here, so a bad one is the caller's error, not a batch's.
        list_query(self.first, self.after.clone())?;
        let page = loaders
            .accounts
            .load_one(self)
            .await
            .map_err(|e| domain_error(ctx, e.as_ref()))?
            .unwrap_or_default();
        let mut connection = Connection::new(false, page.has_next_page);
        connection.edges.extend(
            page.accounts
                .into_iter()
                .map(|(cursor, account)| Edge::new(cursor, account)),
        );
        Ok(connection)
    }
}

/// One customer's page of accounts, as loaded in a batch.
#[derive(Clone, Default)]
pub struct AccountsPage {
    /// Each account with the cursor after it.
    accounts: Vec<(String, DepositAccount)>,
    has_next_page: bool,
}

impl From<Page<core_deposit::DepositAccount>> for AccountsPage {
    fn from(page: Page<core_deposit::DepositAccount>) -> Self {
        Self {
            has_next_page: page.has_next_page,
            accounts: page
                .cursors
                .iter()
                .map(es::Cursor::encode)
                .zip(page.entities.into_iter().map(DepositAccount::from))
                .collect(),
        }
    }
}

/// An account as a batch key (by id).
#[derive(Clone)]
struct AccountKey(Arc<core_deposit::DepositAccount>);

impl PartialEq for AccountKey {
    fn eq(&self, other: &Self) -> bool {
        self.0.id() == other.0.id()
    }
}

impl Eq for AccountKey {}

impl Hash for AccountKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.id().hash(state);
    }
}

/// The deposit side of one request: the service, the actor, and the batch loaders (one set per
/// request, so nothing is cached across requests).
pub struct DepositLoaders {
    deposits: Arc<Deposits>,
    actor: Actor,
    balances: DataLoader<BatchLoader>,
    accounts: DataLoader<BatchLoader>,
}

impl DepositLoaders {
    pub fn new(deposits: Arc<Deposits>, actor: Actor) -> Self {
        let loader = || {
            DataLoader::new(
                BatchLoader {
                    deposits: deposits.clone(),
                    actor: actor.clone(),
                },
                tokio::spawn,
            )
            .delay(LOADER_DELAY)
        };
        Self {
            balances: loader(),
            accounts: loader(),
            deposits,
            actor,
        }
    }
}

struct BatchLoader {
    deposits: Arc<Deposits>,
    actor: Actor,
}

impl Loader<AccountKey> for BatchLoader {
    type Value = AccountBalance;
    type Error = Arc<DepositError>;

    async fn load(
        &self,
        keys: &[AccountKey],
    ) -> Result<HashMap<AccountKey, AccountBalance>, Self::Error> {
        let accounts: Vec<&core_deposit::DepositAccount> = keys.iter().map(|k| &*k.0).collect();
        let mut balances = self.deposits.balances(&self.actor, &accounts).await?;
        Ok(keys
            .iter()
            .filter_map(|k| balances.remove(&k.0.id()).map(|b| (k.clone(), b)))
            .collect())
    }
}

impl Loader<CustomerAccounts> for BatchLoader {
    type Value = AccountsPage;
    type Error = Arc<DepositError>;

    async fn load(
        &self,
        keys: &[CustomerAccounts],
    ) -> Result<HashMap<CustomerAccounts, Self::Value>, Self::Error> {
        // One use case call per distinct page request (usually one: the same `first`, no `after`).
        let mut requests: HashMap<(i32, Option<String>), Vec<CustomerId>> = HashMap::new();
        for key in keys {
            requests
                .entry((key.first, key.after.clone()))
                .or_default()
                .push(key.customer_id);
        }
        let mut loaded = HashMap::new();
        for ((first, after), customers) in requests {
            let Ok(query) = list_query(first, after.clone()) else {
                continue;
            };
            let pages = self
                .deposits
                .accounts_of_customers(&self.actor, &customers, query)
                .await?;
            for (customer_id, page) in pages {
                let key = CustomerAccounts {
                    customer_id,
                    first,
                    after: after.clone(),
                };
                loaded.insert(key, AccountsPage::from(page));
            }
        }
        Ok(loaded)
    }
}
