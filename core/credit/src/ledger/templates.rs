//! The credit domain's transaction templates: every posting it makes is built by one of them.

use ledger::{AccountId, Currency, Layer, NewEntry, TxTemplate};

/// The facility's limit, opened when the proposal is approved: the facility account (off
/// balance sheet, no overdraft) holds what may still be disbursed.
pub struct OpenFacility;

#[derive(Debug, Clone, Copy)]
pub struct Limit {
    pub facility: AccountId,
    pub omnibus: AccountId,
    /// Cents, more than zero.
    pub amount: u64,
}

impl TxTemplate for OpenFacility {
    const NAME: &'static str = "credit.facility-open";
    type Params = Limit;

    fn entries(&self, l: &Limit) -> Vec<NewEntry> {
        let usd = Currency::usd();
        vec![
            NewEntry::credit(l.facility, l.amount, usd.clone()),
            NewEntry::debit(l.omnibus, l.amount, usd),
        ]
    }
}

/// A disbursal awaiting approval holds its amount on the limit (pending layer): the limit's
/// available balance drops, so disbursals in flight can never add up to more than the facility
/// (the facility account has no overdraft).
pub struct HoldDisbursal;

impl TxTemplate for HoldDisbursal {
    const NAME: &'static str = "credit.disbursal-hold";
    type Params = Limit;

    fn entries(&self, l: &Limit) -> Vec<NewEntry> {
        let usd = Currency::usd();
        vec![
            NewEntry::debit(l.facility, l.amount, usd.clone()).layer(Layer::Pending),
            NewEntry::credit(l.omnibus, l.amount, usd).layer(Layer::Pending),
        ]
    }
}

/// An approved disbursal paid out: the hold released, the limit used (settled), and the money
/// from the facility's receivable (not yet due) into the customer's deposit account.
pub struct SettleDisbursal;

#[derive(Debug, Clone, Copy)]
pub struct Payout {
    pub limit: Limit,
    pub receivable: AccountId,
    /// The deposit account's ledger account (a liability of the bank: credit grows it).
    pub deposit: AccountId,
}

impl TxTemplate for SettleDisbursal {
    const NAME: &'static str = "credit.disbursal-settle";
    type Params = Payout;

    fn entries(&self, p: &Payout) -> Vec<NewEntry> {
        let (usd, amount) = (Currency::usd(), p.limit.amount);
        vec![
            NewEntry::credit(p.limit.facility, amount, usd.clone()).layer(Layer::Pending),
            NewEntry::debit(p.limit.omnibus, amount, usd.clone()).layer(Layer::Pending),
            NewEntry::debit(p.limit.facility, amount, usd.clone()),
            NewEntry::credit(p.limit.omnibus, amount, usd.clone()),
            NewEntry::debit(p.receivable, amount, usd.clone()),
            NewEntry::credit(p.deposit, amount, usd),
        ]
    }
}

/// Income earned and owed by the customer: the receivable (not yet due) grows, and the income.
#[derive(Debug, Clone, Copy)]
pub struct Earned {
    pub receivable: AccountId,
    pub income: AccountId,
    /// Cents, more than zero.
    pub amount: u64,
}

impl Earned {
    fn entries(&self) -> Vec<NewEntry> {
        let usd = Currency::usd();
        vec![
            NewEntry::debit(self.receivable, self.amount, usd.clone()),
            NewEntry::credit(self.income, self.amount, usd),
        ]
    }
}

/// The structuring fee at activation: owed by the customer with the interest (receivable not
/// yet due), earned as fee income.
pub struct StructuringFee;

impl TxTemplate for StructuringFee {
    const NAME: &'static str = "credit.structuring-fee";
    type Params = Earned;

    fn entries(&self, e: &Earned) -> Vec<NewEntry> {
        e.entries()
    }
}

/// A day's interest: interest receivable (not yet due) against interest income.
pub struct InterestAccrual;

impl TxTemplate for InterestAccrual {
    const NAME: &'static str = "credit.interest-accrual";
    type Params = Earned;

    fn entries(&self, e: &Earned) -> Vec<NewEntry> {
        e.entries()
    }
}

/// An amount from one account to another: `debit` is debited, `credit` credited.
#[derive(Debug, Clone, Copy)]
pub struct Transfer {
    pub debit: AccountId,
    pub credit: AccountId,
    /// Cents, more than zero.
    pub amount: u64,
}

impl Transfer {
    fn entries(&self) -> Vec<NewEntry> {
        let usd = Currency::usd();
        vec![
            NewEntry::debit(self.debit, self.amount, usd.clone()),
            NewEntry::credit(self.credit, self.amount, usd),
        ]
    }
}

/// An obligation ageing: its outstanding amount moves from one stage's receivable account
/// (credited) to the next's (debited; receivables are debit normal).
pub struct ObligationStage;

impl TxTemplate for ObligationStage {
    const NAME: &'static str = "credit.obligation-stage";
    type Params = Transfer;

    fn entries(&self, t: &Transfer) -> Vec<NewEntry> {
        t.entries()
    }
}

/// A payment received: debited to the customer's deposit account (a liability of the bank: it
/// shrinks) or the payments-received omnibus, credited to the facility's payment holding
/// account.
pub struct RecordPayment;

impl TxTemplate for RecordPayment {
    const NAME: &'static str = "credit.payment-record";
    type Params = Transfer;

    fn entries(&self, t: &Transfer) -> Vec<NewEntry> {
        t.entries()
    }
}

/// The proceeds of collateral sold in a liquidation, received from outside the bank: debited to
/// the payments-received omnibus, credited to the facility's liquidation proceeds account (from
/// which they are paid into the facility, as a payment).
pub struct LiquidationProceeds;

impl TxTemplate for LiquidationProceeds {
    const NAME: &'static str = "credit.liquidation-proceeds";
    type Params = Transfer;

    fn entries(&self, t: &Transfer) -> Vec<NewEntry> {
        t.entries()
    }
}

/// Part of a payment applied to an obligation: debited to the payment holding account, credited
/// to the receivable account of the obligation's stage (debit normal: it shrinks).
pub struct AllocatePayment;

impl TxTemplate for AllocatePayment {
    const NAME: &'static str = "credit.payment-allocation";
    type Params = Transfer;

    fn entries(&self, t: &Transfer) -> Vec<NewEntry> {
        t.entries()
    }
}

/// A change of the collateral the bank holds for a facility, in satoshis (off balance sheet:
/// the facility's collateral account against the collateral omnibus).
pub struct CollateralChange;

#[derive(Debug, Clone, Copy)]
pub struct CollateralMove {
    pub collateral: AccountId,
    pub omnibus: AccountId,
    /// Satoshis, more than zero.
    pub sats: u64,
    /// More collateral (else less).
    pub added: bool,
}

impl TxTemplate for CollateralChange {
    const NAME: &'static str = "credit.collateral-change";
    type Params = CollateralMove;

    fn entries(&self, m: &CollateralMove) -> Vec<NewEntry> {
        let btc = Currency::btc();
        if m.added {
            vec![
                NewEntry::credit(m.collateral, m.sats, btc.clone()),
                NewEntry::debit(m.omnibus, m.sats, btc),
            ]
        } else {
            vec![
                NewEntry::debit(m.collateral, m.sats, btc.clone()),
                NewEntry::credit(m.omnibus, m.sats, btc),
            ]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ledger::net_credit as net;

    #[test]
    fn each_template_moves_what_it_says() {
        let limit = Limit {
            facility: AccountId::new(),
            omnibus: AccountId::new(),
            amount: 700,
        };
        assert_eq!(
            net(
                &OpenFacility.entries(&limit),
                limit.facility,
                Layer::Settled
            ),
            700
        );
        let hold = HoldDisbursal.entries(&limit);
        assert_eq!(net(&hold, limit.facility, Layer::Pending), -700);
        let payout = Payout {
            limit,
            receivable: AccountId::new(),
            deposit: AccountId::new(),
        };
        let settle = SettleDisbursal.entries(&payout);
        // the hold is released and the limit used for good
        assert_eq!(
            net(&settle, limit.facility, Layer::Pending)
                + net(&hold, limit.facility, Layer::Pending),
            0
        );
        assert_eq!(net(&settle, limit.facility, Layer::Settled), -700);
        assert_eq!(net(&settle, payout.receivable, Layer::Settled), -700);
        assert_eq!(net(&settle, payout.deposit, Layer::Settled), 700);
        let earned = Earned {
            receivable: AccountId::new(),
            income: AccountId::new(),
            amount: 5,
        };
        for posted in [
            StructuringFee.entries(&earned),
            InterestAccrual.entries(&earned),
        ] {
            assert_eq!(net(&posted, earned.receivable, Layer::Settled), -5);
            assert_eq!(net(&posted, earned.income, Layer::Settled), 5);
        }
        let stage = Transfer {
            debit: AccountId::new(),
            credit: AccountId::new(),
            amount: 3,
        };
        let moved = ObligationStage.entries(&stage);
        // receivables are debit normal: the new stage grows, the old one shrinks
        assert_eq!(net(&moved, stage.debit, Layer::Settled), -3);
        assert_eq!(net(&moved, stage.credit, Layer::Settled), 3);
        let mut m = CollateralMove {
            collateral: AccountId::new(),
            omnibus: AccountId::new(),
            sats: 9,
            added: true,
        };
        assert_eq!(
            net(&CollateralChange.entries(&m), m.collateral, Layer::Settled),
            9
        );
        m.added = false;
        assert_eq!(
            net(&CollateralChange.entries(&m), m.collateral, Layer::Settled),
            -9
        );
        let paid = Transfer {
            debit: AccountId::new(),
            credit: AccountId::new(),
            amount: 11,
        };
        // from a deposit account (credit normal) into the holding account (credit normal)
        let recorded = RecordPayment.entries(&paid);
        assert_eq!(net(&recorded, paid.debit, Layer::Settled), -11);
        assert_eq!(net(&recorded, paid.credit, Layer::Settled), 11);
        // from the holding account off a receivable (debit normal: it shrinks by 11)
        let allocated = AllocatePayment.entries(&paid);
        assert_eq!(net(&allocated, paid.debit, Layer::Settled), -11);
        assert_eq!(net(&allocated, paid.credit, Layer::Settled), 11);
    }
}
