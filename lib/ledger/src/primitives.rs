use serde::{Deserialize, Serialize};
use std::fmt;

es::entity_id!(JournalId);
es::entity_id!(AccountId);
es::entity_id!(TransactionId);

/// Debit or credit: an entry's direction, and an account's normal balance side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Debit,
    Credit,
}

impl Side {
    pub fn opposite(self) -> Self {
        match self {
            Side::Debit => Side::Credit,
            Side::Credit => Side::Debit,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Side::Debit => "debit",
            Side::Credit => "credit",
        }
    }

    pub(crate) fn parse(s: &str) -> Self {
        if s == "credit" {
            Side::Credit
        } else {
            Side::Debit
        }
    }

    /// Stored as +1 (debit) / -1 (credit), so sums of `direction * amount` are debit-positive.
    pub(crate) fn sign(self) -> i16 {
        match self {
            Side::Debit => 1,
            Side::Credit => -1,
        }
    }
}

/// Balance layers: settled (booked), pending (in flight, e.g. an initiated withdrawal),
/// encumbrance (committed but not yet due, e.g. an undrawn facility).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Layer {
    Settled,
    Pending,
    Encumbrance,
}

impl Layer {
    pub const ALL: [Layer; 3] = [Layer::Settled, Layer::Pending, Layer::Encumbrance];

    pub(crate) fn code(self) -> i16 {
        match self {
            Layer::Settled => 0,
            Layer::Pending => 1,
            Layer::Encumbrance => 2,
        }
    }

    pub(crate) fn index(self) -> usize {
        usize::from(self.code().unsigned_abs())
    }
}

/// A currency code known to the ledger (`ledger_currencies`: USD and BTC to start).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Currency(String);

impl Currency {
    pub fn new(code: &str) -> Self {
        Self(code.to_ascii_uppercase())
    }

    pub fn usd() -> Self {
        Self::new("USD")
    }

    pub fn btc() -> Self {
        Self::new("BTC")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
