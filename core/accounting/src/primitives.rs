//! Value objects of the accounting domain, parsed once at the edge.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;

es::entity_id!(ChartId);
es::entity_id!(FiscalYearId);
es::entity_id!(ManualTransactionId);
es::entity_id!(LedgerExportId);

pub use ledger::{AccountId, Side, TransactionId};

/// Objects and actions this domain authorizes.
pub mod permissions {
    pub const CHART: &str = "accounting/chart";
    pub const STATEMENTS: &str = "accounting/statement";
    pub const LEDGER: &str = "accounting/ledger";
    pub const MANUAL_TRANSACTIONS: &str = "accounting/manual-transaction";
    pub const PERIODS: &str = "accounting/period";
    pub const EXPORTS: &str = "accounting/export";
    pub const READ: &str = "accounting:read";
    pub const WRITE: &str = "accounting:write";
}

/// Most sections in a code, digits in a section, characters in a name.
pub const MAX_SECTIONS: usize = 8;
pub const MAX_SECTION_DIGITS: usize = 12;
pub const MAX_NAME_CHARS: usize = 200;
/// Most entries in a manual transaction, characters in its description.
pub const MAX_MANUAL_ENTRIES: usize = 50;
pub const MAX_DESCRIPTION_CHARS: usize = 500;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("account code {0:?} is not dotted sections of digits (e.g. 11.01.0101)")]
    Code(String),
    #[error("a section must be 1 to 12 digits, not {0:?}")]
    Section(String),
    #[error("a name must be 1 to 200 characters")]
    Name,
    #[error("a manual transaction needs 2 to 50 entries")]
    EntryCount,
    #[error("an amount must be greater than zero")]
    ZeroAmount,
    #[error("a description must be 1 to 500 characters")]
    Description,
    #[error("the range starts after it ends")]
    Range,
    #[error("{0}")]
    BaseConfig(String),
}

/// A chart code: dotted sections of digits, `11.01.0101`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountCode(Vec<String>);

impl AccountCode {
    pub fn parse(text: &str) -> Result<Self, InvalidValue> {
        let sections: Vec<String> = text.trim().split('.').map(str::to_owned).collect();
        if sections.len() > MAX_SECTIONS || sections.iter().any(|s| !valid_section(s)) {
            return Err(InvalidValue::Code(text.to_owned()));
        }
        Ok(Self(sections))
    }

    /// A top-level code of one section.
    pub fn top(section: &str) -> Result<Self, InvalidValue> {
        if !valid_section(section) {
            return Err(InvalidValue::Section(section.to_owned()));
        }
        Ok(Self(vec![section.to_owned()]))
    }

    /// This code with one more section.
    pub fn child(&self, section: &str) -> Result<Self, InvalidValue> {
        if !valid_section(section) {
            return Err(InvalidValue::Section(section.to_owned()));
        }
        if self.0.len() >= MAX_SECTIONS {
            return Err(InvalidValue::Code(format!("{self}.{section}")));
        }
        let mut sections = self.0.clone();
        sections.push(section.to_owned());
        Ok(Self(sections))
    }

    pub fn sections(&self) -> &[String] {
        &self.0
    }

    /// The code without its last section (`None` for a top-level code).
    pub fn prefix(&self) -> Option<Self> {
        (self.0.len() > 1).then(|| Self(self.0[..self.0.len() - 1].to_vec()))
    }
}

fn valid_section(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_SECTION_DIGITS && s.bytes().all(|b| b.is_ascii_digit())
}

impl fmt::Display for AccountCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.join("."))
    }
}

impl TryFrom<String> for AccountCode {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<AccountCode> for String {
    fn from(c: AccountCode) -> Self {
        c.to_string()
    }
}

/// A node's or an account's name: trimmed, 1 to 200 characters.
pub fn parse_name(name: &str) -> Result<String, InvalidValue> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(InvalidValue::Name);
    }
    Ok(name.to_owned())
}

/// The currencies the books are kept in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum BookCurrency {
    Usd,
    Btc,
}

impl BookCurrency {
    pub const ALL: [BookCurrency; 2] = [BookCurrency::Usd, BookCurrency::Btc];

    pub fn ledger(self) -> ledger::Currency {
        match self {
            Self::Usd => ledger::Currency::usd(),
            Self::Btc => ledger::Currency::btc(),
        }
    }
}

/// Which layers a statement counts: what is settled, or settled and pending together (what is
/// booked plus what is in flight, e.g. withdrawals initiated and not yet confirmed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StatementLayer {
    Settled,
    Pending,
}

/// Which top-level codes hold what, the retained earnings accounts, the off-balance-sheet codes,
/// and the day the books start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaseConfig {
    pub assets: AccountCode,
    pub liabilities: AccountCode,
    pub equity: AccountCode,
    pub revenue: AccountCode,
    pub cost_of_revenue: AccountCode,
    pub expenses: AccountCode,
    pub retained_earnings_gain: AccountCode,
    pub retained_earnings_loss: AccountCode,
    pub off_balance_sheet: Vec<AccountCode>,
    /// The bank's first day: nothing is posted manually before it, and its month is the first
    /// to close.
    pub inception: NaiveDate,
}

impl BaseConfig {
    /// The six statement categories with the side each must be on.
    pub fn categories(&self) -> [(&'static str, &AccountCode, Side); 6] {
        [
            ("assets", &self.assets, Side::Debit),
            ("liabilities", &self.liabilities, Side::Credit),
            ("equity", &self.equity, Side::Credit),
            ("revenue", &self.revenue, Side::Credit),
            ("cost of revenue", &self.cost_of_revenue, Side::Debit),
            ("expenses", &self.expenses, Side::Debit),
        ]
    }
}

/// A line of a manual transaction: a chart code (posted to that node's own account) or a
/// ledger account id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryAccount {
    Code(AccountCode),
    Account(AccountId),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualEntryInput {
    pub account: EntryAccount,
    pub currency: BookCurrency,
    pub direction: Side,
    /// Minor units (cents, satoshis), more than zero.
    pub amount: u64,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewManualTransaction {
    pub description: String,
    pub effective: NaiveDate,
    pub entries: Vec<ManualEntryInput>,
}

impl NewManualTransaction {
    pub fn parse(
        description: &str,
        effective: NaiveDate,
        entries: Vec<ManualEntryInput>,
    ) -> Result<Self, InvalidValue> {
        let description = description.trim();
        if description.is_empty() || description.chars().count() > MAX_DESCRIPTION_CHARS {
            return Err(InvalidValue::Description);
        }
        if !(2..=MAX_MANUAL_ENTRIES).contains(&entries.len()) {
            return Err(InvalidValue::EntryCount);
        }
        if entries.iter().any(|e| e.amount == 0) {
            return Err(InvalidValue::ZeroAmount);
        }
        if entries.iter().any(|e| {
            e.description
                .as_ref()
                .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
        }) {
            return Err(InvalidValue::Description);
        }
        Ok(Self {
            description: description.to_owned(),
            effective,
            entries,
        })
    }
}

/// A month of the books.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Month {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl Month {
    pub fn parse(year: i32, month: u32) -> Result<Self, InvalidValue> {
        if !(1..=12).contains(&month) || NaiveDate::from_ymd_opt(year, month, 1).is_none() {
            return Err(InvalidValue::Range);
        }
        Ok(Self { year, month })
    }

    pub fn of(date: NaiveDate) -> Self {
        use chrono::Datelike;
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().unwrap_or(NaiveDate::MAX)
    }

    pub fn next(self) -> Self {
        if self.month == 12 {
            Self {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Self {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_dotted_digit_sections() {
        let code = AccountCode::parse("11.01.0101").unwrap();
        assert_eq!(code.to_string(), "11.01.0101");
        assert_eq!(code.prefix().unwrap().to_string(), "11.01");
        for bad in ["", "1..2", "1.a", "1.2.", " . ", "1234567890123"] {
            assert!(AccountCode::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn months_step_over_years() {
        let dec = Month::parse(2027, 12).unwrap();
        assert_eq!(
            dec.last_day(),
            NaiveDate::from_ymd_opt(2027, 12, 31).unwrap()
        );
        assert_eq!(dec.next(), Month::parse(2028, 1).unwrap());
        assert_eq!(
            Month::parse(2028, 2).unwrap().last_day(),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()
        );
        assert!(Month::parse(2027, 13).is_err());
    }
}
