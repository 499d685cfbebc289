//! The deposit domain's side of the ledger.
//!
//! **Accounts.** Every deposit account has a ledger account (liability, credit normal, no
//! overdraft: the limit that makes withdrawals never exceed what is available) and a frozen
//! account (where its balance waits while the account is frozen). They are members of the sets
//! `deposit-accounts` and `deposit-accounts-frozen`, which a chart of accounts can attach. The
//! bank's side of every posting is the deposit omnibus (asset, debit normal).
//!
//! **Omnibus shards.** One omnibus account would be a single row that every deposit of the bank
//! locks until it commits: deposits would queue on it, one commit at a time. So the omnibus is an
//! account set of [`OMNIBUS_SHARDS`] accounts; each deposit account is assigned one shard when it
//! is created, and the set's balance (the roll-up) is the omnibus balance.
//!
//! **Postings** are built by the templates in [`templates`]. A withdrawal's hold is a
//! pending-layer posting (available = settled + pending drops, settled does not); confirming
//! releases the hold and posts the settled movement in one transaction; cancelling or a denial
//! reverses the hold.
//!
//! **External ids** are derived from the entity and the step (`deposit:<id>`,
//! `withdrawal-hold:<id>`, ...), so a retried use case collides instead of posting twice; the
//! history reads them back to say what each entry was for.

pub mod templates;

use crate::account::DepositAccount;
use crate::error::DepositError;
use crate::primitives::{AccountBalance, Amount, DepositAccountId};
use chrono::{DateTime, NaiveDate, Utc};
use es::DbOp;
use ledger::{
    AccountId, AttachableSet, Balance, Currency, JournalId, Ledger, LedgerError, NewAccount,
    NewTransaction, Posted, PostingError, Side, TransactionId, TxTemplate,
};
use money::{SignedUsdCents, UsdCents};
use std::collections::HashMap;
use templates::{BalanceMove, Movement};
use uuid::Uuid;

/// How many accounts the deposit omnibus is spread over.
pub const OMNIBUS_SHARDS: u32 = 16;

const JOURNAL: &str = "bank";

/// Stable ids for the domain's fixed accounts, so every process agrees without a lookup.
fn fixed_id(code: &str) -> AccountId {
    AccountId::from(Uuid::new_v5(
        &Uuid::NAMESPACE_OID,
        format!("lana.deposit.{code}").as_bytes(),
    ))
}

/// What a ledger transaction of this domain was for, read back from its external id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostingKind {
    Deposit,
    DepositRevert,
    WithdrawalHold,
    WithdrawalRelease,
    WithdrawalConfirm,
    WithdrawalRevert,
    Freeze,
    Unfreeze,
    /// Money a credit facility paid out into the account (posted by the credit domain).
    CreditDisbursal,
    /// Money taken from the account to pay a credit facility (posted by the credit domain).
    CreditPayment,
}

impl PostingKind {
    fn prefix(self) -> &'static str {
        match self {
            Self::Deposit => "deposit",
            Self::DepositRevert => "deposit-revert",
            Self::WithdrawalHold => "withdrawal-hold",
            Self::WithdrawalRelease => "withdrawal-release",
            Self::WithdrawalConfirm => "withdrawal-confirm",
            Self::WithdrawalRevert => "withdrawal-revert",
            Self::Freeze => "freeze",
            Self::Unfreeze => "unfreeze",
            Self::CreditDisbursal => "credit-disbursal",
            Self::CreditPayment => "credit-payment",
        }
    }

    const ALL: [Self; 10] = [
        Self::Deposit,
        Self::DepositRevert,
        Self::WithdrawalHold,
        Self::WithdrawalRelease,
        Self::WithdrawalConfirm,
        Self::WithdrawalRevert,
        Self::Freeze,
        Self::Unfreeze,
        Self::CreditDisbursal,
        Self::CreditPayment,
    ];

    pub fn external_id(self, entity: impl std::fmt::Display) -> String {
        format!("{}:{entity}", self.prefix())
    }

    /// The kind and the entity id (or entity id and step) from an external id.
    pub fn parse(external_id: &str) -> Option<(Self, &str)> {
        let (prefix, rest) = external_id.split_once(':')?;
        Self::ALL
            .into_iter()
            .find(|k| k.prefix() == prefix)
            .map(|k| (k, rest))
    }
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
    pub amount: SignedUsdCents,
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
pub struct DepositLedger {
    ledger: Ledger,
    journal: JournalId,
    accounts_set: AccountId,
    frozen_set: AccountId,
    omnibus_set: AccountId,
    shards: Vec<AccountId>,
}

fn existing_ok(
    result: Result<AccountId, LedgerError>,
    id: AccountId,
) -> Result<AccountId, LedgerError> {
    match result {
        Err(LedgerError::Duplicate) => Ok(id),
        other => other,
    }
}

/// A balance layer as cents, refusing what no posting of this domain can produce (a negative
/// balance on an account that may not go below zero) instead of showing it as 0.
fn cents(
    account: DepositAccountId,
    layer: &'static str,
    value: i128,
) -> Result<UsdCents, DepositError> {
    u64::try_from(value)
        .map(UsdCents::from_minor)
        .map_err(|_| DepositError::BalanceOutOfRange {
            account,
            layer,
            value,
        })
}

/// An account's balances from its main and frozen ledger balances.
pub(crate) fn account_balance(
    account: DepositAccountId,
    main: &Balance,
    frozen: &Balance,
) -> Result<AccountBalance, DepositError> {
    Ok(AccountBalance {
        settled: cents(account, "settled", main.settled())?,
        // Holds are debits in the pending layer: a negative pending balance on the normal side.
        pending: cents(account, "pending", -main.pending())?,
        available: cents(account, "available", main.available())?,
        frozen: cents(account, "frozen", frozen.settled())?,
    })
}

impl DepositLedger {
    /// Creates the journal, sets and omnibus shards when missing.
    pub async fn init(ledger: Ledger) -> Result<Self, LedgerError> {
        let journal = ledger.ensure_journal(JOURNAL).await?;
        let set = |code: &str, name: &str, side| {
            let mut account = NewAccount::new(code, name, side).set();
            account.id = fixed_id(code);
            account
        };
        let accounts_set = set(
            "deposit-accounts",
            "Customer deposit accounts",
            Side::Credit,
        );
        let frozen_set = set(
            "deposit-accounts-frozen",
            "Frozen customer deposits",
            Side::Credit,
        );
        let omnibus_set = set("deposit-omnibus", "Deposit omnibus", Side::Debit);
        let ids = (accounts_set.id, frozen_set.id, omnibus_set.id);
        for account in [accounts_set, frozen_set, omnibus_set] {
            let id = account.id;
            existing_ok(ledger.create_account(account).await, id)?;
        }
        let mut shards = Vec::new();
        for n in 0..OMNIBUS_SHARDS {
            let code = format!("deposit-omnibus-{n:02}");
            let mut shard =
                NewAccount::new(&code, format!("Deposit omnibus shard {n}"), Side::Debit);
            shard.id = fixed_id(&code);
            let id = existing_ok(ledger.create_account(shard).await, fixed_id(&code))?;
            ledger.add_member(ids.2, id).await?;
            shards.push(id);
        }
        Ok(Self {
            ledger,
            journal,
            accounts_set: ids.0,
            frozen_set: ids.1,
            omnibus_set: ids.2,
            shards,
        })
    }

    pub fn journal(&self) -> JournalId {
        self.journal
    }

    /// The sets a chart of accounts attaches: customers' deposits, frozen deposits, and the
    /// omnibus (the bank's side).
    pub fn attachable_sets(&self) -> Vec<AttachableSet> {
        [
            (
                "deposit-accounts",
                "Customer deposit accounts",
                self.accounts_set,
                Side::Credit,
            ),
            (
                "deposit-accounts-frozen",
                "Frozen customer deposits",
                self.frozen_set,
                Side::Credit,
            ),
            (
                "deposit-omnibus",
                "Deposit omnibus",
                self.omnibus_set,
                Side::Debit,
            ),
        ]
        .into_iter()
        .map(|(key, name, account, normal_side)| AttachableSet {
            key: key.into(),
            name: name.into(),
            account,
            normal_side,
        })
        .collect()
    }

    /// The shard a new deposit account posts against (spread by its id).
    pub fn shard_for(&self, id: Uuid) -> AccountId {
        let n = usize::from(id.as_bytes()[15]) % self.shards.len().max(1);
        self.shards.get(n).copied().unwrap_or(self.omnibus_set)
    }

    /// The ledger accounts of a new deposit account, in the caller's transaction.
    pub(crate) async fn create_accounts_in_op(
        &self,
        op: &mut DbOp,
        public_id: &str,
        main: AccountId,
        frozen: AccountId,
    ) -> Result<(), LedgerError> {
        for (id, code, name, set) in [
            (
                main,
                format!("deposit-{public_id}"),
                format!("Deposit account {public_id}"),
                self.accounts_set,
            ),
            (
                frozen,
                format!("deposit-frozen-{public_id}"),
                format!("Frozen deposit account {public_id}"),
                self.frozen_set,
            ),
        ] {
            let account = NewAccount {
                id,
                ..NewAccount::new(code, name, Side::Credit).no_overdraft()
            };
            self.ledger.create_account_in_op(op, account).await?;
            self.ledger.add_member_in_op(op, set, id).await?;
        }
        Ok(())
    }

    /// A posting built by `template` for what `kind` says about `entity`.
    pub fn posting<T: TxTemplate>(
        &self,
        template: T,
        kind: PostingKind,
        entity: impl std::fmt::Display,
        params: &T::Params,
        effective: NaiveDate,
    ) -> NewTransaction {
        template.build(params, self.journal, kind.external_id(entity), effective)
    }

    /// Posts in the use case's transaction; the ledger's refusals on `account` become this
    /// domain's errors.
    pub(crate) async fn post_in_op(
        &self,
        op: &mut DbOp,
        account: DepositAccountId,
        tx: NewTransaction,
    ) -> Result<Posted, DepositError> {
        self.ledger
            .post_in_op(op, tx)
            .await
            .map_err(|e| refusal(e, account))
    }

    /// Reverses `original` under the external id of `kind` for `entity`.
    pub(crate) async fn reverse_in_op(
        &self,
        op: &mut DbOp,
        account: DepositAccountId,
        original: TransactionId,
        kind: PostingKind,
        entity: impl std::fmt::Display,
        effective: NaiveDate,
    ) -> Result<Posted, DepositError> {
        self.ledger
            .reverse_in_op(op, original, &kind.external_id(entity), effective)
            .await
            .map_err(|e| refusal(e, account))
    }

    /// Moves an account's settled `amount` between its main and frozen ledger accounts.
    pub(crate) async fn move_balance_in_op(
        &self,
        op: &mut DbOp,
        account: &DepositAccount,
        kind: PostingKind,
        movement: BalanceMove,
        effective: NaiveDate,
    ) -> Result<(), DepositError> {
        let step = format!("{}:{}", es::EsEntity::id(account), account.version());
        let tx = self.posting(templates::MoveBalance, kind, step, &movement, effective);
        self.post_in_op(op, es::EsEntity::id(account), tx).await?;
        Ok(())
    }

    /// After closing: nothing can ever post to the account again.
    pub(crate) async fn lock_account_in_op(
        &self,
        op: &mut DbOp,
        account: &DepositAccount,
    ) -> Result<(), LedgerError> {
        self.ledger
            .set_account_locked_in_op(op, account.ledger_account_id, true)
            .await
    }

    /// Balances of one account, read in the use case's transaction after it locked the account.
    pub(crate) async fn balance_in_op(
        &self,
        op: &mut DbOp,
        account: &DepositAccount,
    ) -> Result<AccountBalance, DepositError> {
        let ids = [account.ledger_account_id, account.frozen_ledger_account_id];
        let balances = self
            .ledger
            .balances_of_in_op(op, self.journal, &ids, &Currency::usd())
            .await?;
        let id = es::EsEntity::id(account);
        match balances.as_slice() {
            [main, frozen] => account_balance(id, main, frozen),
            _ => Err(LedgerError::AccountNotFound(account.ledger_account_id).into()),
        }
    }

    /// Balances of several accounts with one query.
    pub(crate) async fn balances(
        &self,
        accounts: &[&DepositAccount],
    ) -> Result<HashMap<DepositAccountId, AccountBalance>, DepositError> {
        let ids: Vec<AccountId> = accounts
            .iter()
            .flat_map(|a| [a.ledger_account_id, a.frozen_ledger_account_id])
            .collect();
        let balances = self
            .ledger
            .balances_of(self.journal, &ids, &Currency::usd())
            .await?;
        accounts
            .iter()
            .zip(balances.chunks_exact(2))
            .map(|(account, pair)| {
                let id = es::EsEntity::id(*account);
                Ok((id, account_balance(id, &pair[0], &pair[1])?))
            })
            .collect()
    }

    /// The account's history, newest first.
    pub(crate) async fn history(
        &self,
        account: &DepositAccount,
        first: usize,
        after: Option<i64>,
    ) -> Result<HistoryPage, DepositError> {
        let page = self
            .ledger
            .entries(account.ledger_account_id, first, after)
            .await?;
        let entries = page
            .entries
            .into_iter()
            .filter_map(|e| {
                let (kind, rest) = PostingKind::parse(&e.external_id)?;
                let minor = i64::try_from(e.amount).ok()?;
                let signed = match e.direction {
                    Side::Credit => minor,
                    Side::Debit => -minor,
                };
                Some(HistoryEntry {
                    cursor: e.id,
                    kind,
                    entity_id: rest.split(':').next().and_then(|s| s.parse().ok()),
                    amount: SignedUsdCents::from_minor(signed),
                    pending: e.layer == ledger::Layer::Pending,
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
}

/// The ledger's refusals of a posting on `account`, as this domain's errors (also for another
/// domain's posting on a deposit account, such as a credit payment).
pub fn refusal(e: LedgerError, account: DepositAccountId) -> DepositError {
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

impl Movement {
    /// The movement of `amount` between `account` and its omnibus shard.
    pub fn of(account: &DepositAccount, amount: Amount) -> Self {
        Self {
            customer: account.ledger_account_id,
            omnibus: account.omnibus_account_id,
            amount,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::LayerTotals;

    #[test]
    fn external_ids_round_trip() {
        for kind in PostingKind::ALL {
            let id = kind.external_id("abc");
            assert_eq!(PostingKind::parse(&id), Some((kind, "abc")));
        }
        assert_eq!(PostingKind::parse("other:1"), None);
        assert_eq!(PostingKind::parse("deposit"), None);
        // a prefix that contains another kind's prefix is told apart
        assert_eq!(
            PostingKind::parse("deposit-revert:x").map(|(k, _)| k),
            Some(PostingKind::DepositRevert)
        );
    }

    fn credit_normal(settled: (i64, i64), pending: (i64, i64)) -> Balance {
        let totals = |(debit, credit)| LayerTotals { debit, credit };
        Balance {
            normal_side: Side::Credit,
            version: 1,
            layers: [totals(settled), totals(pending), LayerTotals::default()],
        }
    }

    #[test]
    fn a_negative_ledger_balance_is_an_error_not_zero() {
        let id = DepositAccountId::new();
        let zero = Balance::zero(Side::Credit);
        // 1,000 deposited, 300 held: settled 1,000, pending 300, available 700
        let ok = account_balance(id, &credit_normal((0, 1_000), (300, 0)), &zero).unwrap();
        assert_eq!(
            (ok.settled, ok.pending, ok.available, ok.frozen),
            (
                UsdCents::from_minor(1_000),
                UsdCents::from_minor(300),
                UsdCents::from_minor(700),
                UsdCents::from_minor(0)
            )
        );
        // more out than in: refused, naming the layer and the value
        let negative = account_balance(id, &credit_normal((500, 200), (0, 0)), &zero);
        assert!(matches!(
            negative,
            Err(DepositError::BalanceOutOfRange {
                layer: "settled",
                value: -300,
                ..
            })
        ));
        // a pending layer that released more than it held
        let released = account_balance(id, &credit_normal((0, 100), (0, 50)), &zero);
        assert!(matches!(
            released,
            Err(DepositError::BalanceOutOfRange {
                layer: "pending",
                value: -50,
                ..
            })
        ));
        let frozen_negative = account_balance(id, &zero, &credit_normal((1, 0), (0, 0)));
        assert!(matches!(
            frozen_negative,
            Err(DepositError::BalanceOutOfRange {
                layer: "frozen",
                ..
            })
        ));
    }
}
