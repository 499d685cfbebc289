//! Balances: debit and credit totals per layer, and the balance on the account's normal side.
//!
//! The balance of a layer is `debits - credits` for a debit-normal account and `credits - debits`
//! for a credit-normal one. `settled` is the settled layer; `available = settled + pending`, so
//! funds on their way out (a pending withdrawal) are no longer available while still settled.
//! The encumbrance layer records commitments (e.g. an undrawn facility) and counts in neither.

use crate::primitives::{Layer, Side};

/// Debit and credit totals of one layer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LayerTotals {
    pub debit: i64,
    pub credit: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Balance {
    pub normal_side: Side,
    /// Transactions that touched this balance (0 for none).
    pub version: i64,
    /// Settled, pending, encumbrance.
    pub layers: [LayerTotals; 3],
}

impl Balance {
    pub fn zero(normal_side: Side) -> Self {
        Self {
            normal_side,
            version: 0,
            layers: [LayerTotals::default(); 3],
        }
    }

    /// From stored totals: settled, pending and encumbrance, each (debit, credit).
    pub(crate) fn from_totals(normal_side: Side, version: i64, totals: [(i64, i64); 3]) -> Self {
        let mut layers = [LayerTotals::default(); 3];
        for (layer, (debit, credit)) in layers.iter_mut().zip(totals) {
            *layer = LayerTotals { debit, credit };
        }
        Self {
            normal_side,
            version,
            layers,
        }
    }

    pub fn totals(&self, layer: Layer) -> LayerTotals {
        self.layers[layer.index()]
    }

    /// The layer's balance on the normal side.
    pub fn net(&self, layer: Layer) -> i128 {
        let t = self.totals(layer);
        let debit_minus_credit = i128::from(t.debit) - i128::from(t.credit);
        match self.normal_side {
            Side::Debit => debit_minus_credit,
            Side::Credit => -debit_minus_credit,
        }
    }

    pub fn settled(&self) -> i128 {
        self.net(Layer::Settled)
    }

    pub fn pending(&self) -> i128 {
        self.net(Layer::Pending)
    }

    pub fn encumbrance(&self) -> i128 {
        self.net(Layer::Encumbrance)
    }

    pub fn available(&self) -> i128 {
        self.settled() + self.pending()
    }

    pub(crate) fn add(&mut self, layer: Layer, direction: Side, amount: i64) -> bool {
        let totals = &mut self.layers[layer.index()];
        let slot = match direction {
            Side::Debit => &mut totals.debit,
            Side::Credit => &mut totals.credit,
        };
        match slot.checked_add(amount) {
            Some(v) => {
                *slot = v;
                true
            }
            None => false,
        }
    }

    /// `self - earlier`, layer by layer (the movement between two readings).
    pub fn minus(&self, earlier: &Balance) -> Balance {
        let mut layers = [LayerTotals::default(); 3];
        for (i, l) in layers.iter_mut().enumerate() {
            l.debit = self.layers[i].debit - earlier.layers[i].debit;
            l.credit = self.layers[i].credit - earlier.layers[i].credit;
        }
        Balance {
            normal_side: self.normal_side,
            version: self.version - earlier.version,
            layers,
        }
    }
}

/// A balance over a period: before it, after it, and what moved in between.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BalanceRange {
    pub opening: Balance,
    pub movement: Balance,
    pub closing: Balance,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_normal_side_decides_the_sign_and_available_includes_pending() {
        let mut liability = Balance::zero(Side::Credit);
        liability.add(Layer::Settled, Side::Credit, 1_000);
        liability.add(Layer::Pending, Side::Debit, 300);
        liability.add(Layer::Encumbrance, Side::Credit, 50);
        assert_eq!(
            (
                liability.settled(),
                liability.pending(),
                liability.available()
            ),
            (1_000, -300, 700)
        );
        assert_eq!(liability.encumbrance(), 50);
        let mut asset = Balance::zero(Side::Debit);
        asset.add(Layer::Settled, Side::Credit, 5);
        assert_eq!(asset.settled(), -5);
        assert!(!asset.add(Layer::Settled, Side::Credit, i64::MAX));
    }
}
