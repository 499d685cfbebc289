//! The deposit domain's postings.
//!
//! **Accounts.** Every deposit account has a ledger account (liability, credit normal, no
//! overdraft: the limit that makes withdrawals never exceed what is available) and a frozen
//! account (where its balance waits while the account is frozen). They are members of the sets
//! `deposit-accounts` and `deposit-accounts-frozen`. The bank's side of every posting is the
//! deposit omnibus (asset, debit normal).
//!
//! **Omnibus shards.** One omnibus account would be a single row that every deposit of the bank
//! locks until it commits: deposits would queue on it, one commit at a time. So the omnibus is an
//! account set of [`OMNIBUS_SHARDS`] accounts; each deposit account is assigned one shard when it
//! is created, and the set's balance (the roll-up) is the omnibus balance.
//!
//! **Layers.** A withdrawal's hold is a pending-layer posting (available = settled + pending
//! drops, settled does not); confirming releases the hold and posts the settled movement in one
//! transaction; cancelling or a denial reverses the hold.
//!
//! **External ids** are derived from the entity and the step (`deposit:<id>`,
//! `withdrawal-hold:<id>`, ...), so a retried use case collides instead of posting twice.

use crate::primitives::Amount;
use chrono::NaiveDate;
use es::DbOp;
use ledger::{
    AccountId, Currency, JournalId, Layer, Ledger, LedgerError, NewAccount, NewEntry,
    NewTransaction, Posted, Side,
};
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
        }
    }

    const ALL: [Self; 8] = [
        Self::Deposit,
        Self::DepositRevert,
        Self::WithdrawalHold,
        Self::WithdrawalRelease,
        Self::WithdrawalConfirm,
        Self::WithdrawalRevert,
        Self::Freeze,
        Self::Unfreeze,
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

    pub fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub fn journal(&self) -> JournalId {
        self.journal
    }

    /// The shard a new deposit account posts against (spread by its id).
    pub fn shard_for(&self, id: Uuid) -> AccountId {
        let n = usize::from(id.as_bytes()[15]) % self.shards.len().max(1);
        self.shards.get(n).copied().unwrap_or(self.omnibus_set)
    }

    /// The ledger accounts of a new deposit account, in the caller's transaction.
    pub async fn create_accounts_in_op(
        &self,
        op: &mut DbOp,
        public_id: &str,
        main: AccountId,
        frozen: AccountId,
    ) -> Result<(), LedgerError> {
        let account = NewAccount::new(
            format!("deposit-{public_id}"),
            format!("Deposit account {public_id}"),
            Side::Credit,
        )
        .no_overdraft();
        self.ledger
            .create_account_in_op(
                op,
                NewAccount {
                    id: main,
                    ..account
                },
            )
            .await?;
        let account = NewAccount::new(
            format!("deposit-frozen-{public_id}"),
            format!("Frozen deposit account {public_id}"),
            Side::Credit,
        )
        .no_overdraft();
        self.ledger
            .create_account_in_op(
                op,
                NewAccount {
                    id: frozen,
                    ..account
                },
            )
            .await?;
        self.ledger
            .add_member_in_op(op, self.accounts_set, main)
            .await?;
        self.ledger
            .add_member_in_op(op, self.frozen_set, frozen)
            .await?;
        Ok(())
    }

    fn tx(
        &self,
        kind: PostingKind,
        entity: impl std::fmt::Display,
        effective: NaiveDate,
    ) -> NewTransaction {
        NewTransaction::new(self.journal, kind.external_id(entity), effective)
    }

    /// Moves `amount` between the customer's account and the omnibus in one layer: credit the
    /// customer (money in) or debit it (money out).
    fn movement(
        tx: NewTransaction,
        customer: AccountId,
        omnibus: AccountId,
        amount: Amount,
        money_in: bool,
        layer: Layer,
    ) -> NewTransaction {
        let usd = Currency::usd();
        let (to_customer, to_omnibus) = if money_in {
            (
                NewEntry::credit(customer, amount.minor(), usd.clone()),
                NewEntry::debit(omnibus, amount.minor(), usd),
            )
        } else {
            (
                NewEntry::debit(customer, amount.minor(), usd.clone()),
                NewEntry::credit(omnibus, amount.minor(), usd),
            )
        };
        tx.entry(to_customer.layer(layer))
            .entry(to_omnibus.layer(layer))
    }

    pub async fn post_in_op(
        &self,
        op: &mut DbOp,
        tx: NewTransaction,
    ) -> Result<Posted, LedgerError> {
        self.ledger.post_in_op(op, tx).await
    }

    pub fn deposit(
        &self,
        id: impl std::fmt::Display,
        customer: AccountId,
        omnibus: AccountId,
        amount: Amount,
        effective: NaiveDate,
    ) -> NewTransaction {
        Self::movement(
            self.tx(PostingKind::Deposit, id, effective),
            customer,
            omnibus,
            amount,
            true,
            Layer::Settled,
        )
    }

    pub fn withdrawal_hold(
        &self,
        id: impl std::fmt::Display,
        customer: AccountId,
        omnibus: AccountId,
        amount: Amount,
        effective: NaiveDate,
    ) -> NewTransaction {
        Self::movement(
            self.tx(PostingKind::WithdrawalHold, id, effective),
            customer,
            omnibus,
            amount,
            false,
            Layer::Pending,
        )
    }

    /// Releases the hold and settles the withdrawal, in one transaction.
    pub fn withdrawal_confirm(
        &self,
        id: impl std::fmt::Display,
        customer: AccountId,
        omnibus: AccountId,
        amount: Amount,
        effective: NaiveDate,
    ) -> NewTransaction {
        let tx = Self::movement(
            self.tx(PostingKind::WithdrawalConfirm, id, effective),
            customer,
            omnibus,
            amount,
            true,
            Layer::Pending,
        );
        Self::movement(tx, customer, omnibus, amount, false, Layer::Settled)
    }

    pub fn withdrawal_revert(
        &self,
        id: impl std::fmt::Display,
        customer: AccountId,
        omnibus: AccountId,
        amount: Amount,
        effective: NaiveDate,
    ) -> NewTransaction {
        Self::movement(
            self.tx(PostingKind::WithdrawalRevert, id, effective),
            customer,
            omnibus,
            amount,
            true,
            Layer::Settled,
        )
    }

    /// Moves `amount` (settled) from one of the account's ledger accounts to the other.
    pub fn transfer(
        &self,
        kind: PostingKind,
        step: impl std::fmt::Display,
        from: AccountId,
        to: AccountId,
        amount: u64,
        effective: NaiveDate,
    ) -> NewTransaction {
        let usd = Currency::usd();
        self.tx(kind, step, effective)
            .entry(NewEntry::debit(from, amount, usd.clone()))
            .entry(NewEntry::credit(to, amount, usd))
    }

    pub async fn reverse_in_op(
        &self,
        op: &mut DbOp,
        original: ledger::TransactionId,
        kind: PostingKind,
        entity: impl std::fmt::Display,
        effective: NaiveDate,
    ) -> Result<Posted, LedgerError> {
        self.ledger
            .reverse_in_op(op, original, &kind.external_id(entity), effective)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
