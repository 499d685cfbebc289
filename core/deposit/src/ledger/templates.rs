//! The deposit domain's transaction templates: every posting this domain makes is built by one of
//! them, so its entries are written once, here.

use crate::primitives::Amount;
use ledger::{AccountId, Currency, Layer, NewEntry, TxTemplate};

/// Money between a customer's deposit account and its omnibus shard.
#[derive(Debug, Clone, Copy)]
pub struct Movement {
    pub customer: AccountId,
    pub omnibus: AccountId,
    pub amount: Amount,
}

impl Movement {
    /// The customer's side gains `amount` (credit; a liability grows) and the omnibus the
    /// same (debit), in `layer`.
    fn money_in(&self, layer: Layer) -> [NewEntry; 2] {
        let (usd, minor) = (Currency::usd(), self.amount.minor());
        [
            NewEntry::credit(self.customer, minor, usd.clone()).layer(layer),
            NewEntry::debit(self.omnibus, minor, usd).layer(layer),
        ]
    }

    /// The opposite of [`Self::money_in`].
    fn money_out(&self, layer: Layer) -> [NewEntry; 2] {
        let (usd, minor) = (Currency::usd(), self.amount.minor());
        [
            NewEntry::debit(self.customer, minor, usd.clone()).layer(layer),
            NewEntry::credit(self.omnibus, minor, usd).layer(layer),
        ]
    }
}

/// Money received, settled at once.
pub struct RecordDeposit;

impl TxTemplate for RecordDeposit {
    const NAME: &'static str = "deposit.record";
    type Params = Movement;

    fn entries(&self, m: &Movement) -> Vec<NewEntry> {
        m.money_in(Layer::Settled).into()
    }
}

/// A withdrawal's amount held in the pending layer: no longer available, still settled.
pub struct HoldWithdrawal;

impl TxTemplate for HoldWithdrawal {
    const NAME: &'static str = "deposit.withdrawal-hold";
    type Params = Movement;

    fn entries(&self, m: &Movement) -> Vec<NewEntry> {
        m.money_out(Layer::Pending).into()
    }
}

/// Releases the hold and settles the withdrawal, in one transaction.
pub struct ConfirmWithdrawal;

impl TxTemplate for ConfirmWithdrawal {
    const NAME: &'static str = "deposit.withdrawal-confirm";
    type Params = Movement;

    fn entries(&self, m: &Movement) -> Vec<NewEntry> {
        m.money_in(Layer::Pending)
            .into_iter()
            .chain(m.money_out(Layer::Settled))
            .collect()
    }
}

/// Brings a confirmed withdrawal's amount back.
pub struct RevertWithdrawal;

impl TxTemplate for RevertWithdrawal {
    const NAME: &'static str = "deposit.withdrawal-revert";
    type Params = Movement;

    fn entries(&self, m: &Movement) -> Vec<NewEntry> {
        m.money_in(Layer::Settled).into()
    }
}

/// A settled amount from one of an account's ledger accounts to the other (freeze, unfreeze).
pub struct MoveBalance;

#[derive(Debug, Clone, Copy)]
pub struct BalanceMove {
    pub from: AccountId,
    pub to: AccountId,
    /// Cents, more than zero.
    pub amount: u64,
}

impl TxTemplate for MoveBalance {
    const NAME: &'static str = "deposit.balance-move";
    type Params = BalanceMove;

    fn entries(&self, m: &BalanceMove) -> Vec<NewEntry> {
        let usd = Currency::usd();
        vec![
            NewEntry::debit(m.from, m.amount, usd.clone()),
            NewEntry::credit(m.to, m.amount, usd),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::net_credit as net;
    use money::UsdCents;

    #[test]
    fn each_template_moves_what_it_says() {
        let m = Movement {
            customer: AccountId::new(),
            omnibus: AccountId::new(),
            amount: Amount::parse(UsdCents::from_minor(250)).unwrap(),
        };
        let deposit = RecordDeposit.entries(&m);
        assert_eq!(net(&deposit, m.customer, Layer::Settled), 250);
        assert_eq!(net(&deposit, m.omnibus, Layer::Settled), -250);
        let hold = HoldWithdrawal.entries(&m);
        assert_eq!(net(&hold, m.customer, Layer::Pending), -250);
        assert_eq!(net(&hold, m.customer, Layer::Settled), 0);
        // confirming undoes the hold and takes the money out, settled
        let confirm = ConfirmWithdrawal.entries(&m);
        assert_eq!(
            net(&confirm, m.customer, Layer::Pending) + net(&hold, m.customer, Layer::Pending),
            0
        );
        assert_eq!(net(&confirm, m.customer, Layer::Settled), -250);
        assert_eq!(net(&confirm, m.omnibus, Layer::Settled), 250);
        assert_eq!(
            net(&RevertWithdrawal.entries(&m), m.customer, Layer::Settled),
            250
        );
        let mv = BalanceMove {
            from: m.customer,
            to: m.omnibus,
            amount: 7,
        };
        let moved = MoveBalance.entries(&mv);
        assert_eq!(net(&moved, mv.from, Layer::Settled), -7);
        assert_eq!(net(&moved, mv.to, Layer::Settled), 7);
    }
}
