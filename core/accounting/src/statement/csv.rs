//! Statements as CSV files for spreadsheets: a header row, one row per line, amounts in major
//! units (dollars with 2 decimals, bitcoin with 8) written exactly from the minor units.

use super::{BalanceSheet, ProfitAndLoss, StatementLine, TrialBalance};
use crate::primitives::BookCurrency;

/// `amount` minor units of `currency` as a decimal in major units, exactly.
pub(crate) fn major(amount: i128, currency: BookCurrency) -> String {
    let scale: u32 = match currency {
        BookCurrency::Usd => 2,
        BookCurrency::Btc => 8,
    };
    major_units(amount, scale)
}

/// `amount` minor units as a decimal with `scale` decimals, exactly.
pub(crate) fn major_units(amount: i128, scale: u32) -> String {
    let unit = 10i128.pow(scale);
    let sign = if amount < 0 { "-" } else { "" };
    let abs = amount.unsigned_abs();
    let unit = unit.unsigned_abs();
    format!(
        "{sign}{}.{:0width$}",
        abs / unit,
        abs % unit,
        width = scale as usize
    )
}

fn row(fields: &[String]) -> String {
    let quoted: Vec<String> = fields
        .iter()
        .map(|f| {
            if f.contains([',', '"', '\n', '\r']) {
                format!("\"{}\"", f.replace('"', "\"\""))
            } else {
                f.clone()
            }
        })
        .collect();
    quoted.join(",") + "\n"
}

pub fn trial_balance_csv(tb: &TrialBalance) -> String {
    let m = |a| major(a, tb.currency);
    let mut out = row(&[
        "code".into(),
        "name".into(),
        "normal_balance".into(),
        "opening".into(),
        "debits".into(),
        "credits".into(),
        "closing".into(),
    ]);
    for l in &tb.lines {
        out += &row(&[
            l.code.to_string(),
            l.name.clone(),
            crate::chart::side_label(l.normal_side).into(),
            m(l.opening),
            m(l.debits),
            m(l.credits),
            m(l.closing),
        ]);
    }
    out += &row(&[
        String::new(),
        "Total".into(),
        String::new(),
        String::new(),
        m(tb.total_debits),
        m(tb.total_credits),
        String::new(),
    ]);
    out
}

fn section(out: &mut String, title: &str, lines: &[StatementLine], currency: BookCurrency) {
    for l in lines {
        *out += &row(&[
            title.into(),
            l.code.to_string(),
            l.name.clone(),
            major(l.balance, currency),
        ]);
    }
}

pub fn balance_sheet_csv(bs: &BalanceSheet) -> String {
    let mut out = row(&[
        "section".into(),
        "code".into(),
        "name".into(),
        "balance".into(),
    ]);
    section(&mut out, "assets", &bs.assets, bs.currency);
    section(&mut out, "liabilities", &bs.liabilities, bs.currency);
    section(&mut out, "equity", &bs.equity, bs.currency);
    let m = |a| major(a, bs.currency);
    out += &row(&[
        "equity".into(),
        String::new(),
        "Current earnings".into(),
        m(bs.current_earnings),
    ]);
    out += &row(&[
        "total".into(),
        String::new(),
        "Assets".into(),
        m(bs.total_assets),
    ]);
    out += &row(&[
        "total".into(),
        String::new(),
        "Liabilities".into(),
        m(bs.total_liabilities),
    ]);
    out += &row(&[
        "total".into(),
        String::new(),
        "Equity".into(),
        m(bs.total_equity),
    ]);
    out
}

pub fn profit_and_loss_csv(pl: &ProfitAndLoss) -> String {
    let mut out = row(&[
        "section".into(),
        "code".into(),
        "name".into(),
        "amount".into(),
    ]);
    section(&mut out, "revenue", &pl.revenue, pl.currency);
    section(
        &mut out,
        "cost_of_revenue",
        &pl.cost_of_revenue,
        pl.currency,
    );
    section(&mut out, "expenses", &pl.expenses, pl.currency);
    out += &row(&[
        "total".into(),
        String::new(),
        "Net income".into(),
        major(pl.net_income, pl.currency),
    ]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minor_units_become_exact_major_units() {
        assert_eq!(major(0, BookCurrency::Usd), "0.00");
        assert_eq!(major(5, BookCurrency::Usd), "0.05");
        assert_eq!(major(-123_456, BookCurrency::Usd), "-1234.56");
        assert_eq!(major(150_000_001, BookCurrency::Btc), "1.50000001");
        assert_eq!(
            row(&["a,b".into(), "say \"hi\"".into()]),
            "\"a,b\",\"say \"\"hi\"\"\"\n"
        );
    }
}
