//! Statements over the chart: trial balance, balance sheet, profit and loss, and the drill-down
//! from a node to its ledger accounts and their entries.
//!
//! Every figure is a node's ledger set rolled up by the ledger (`Ledger::rollups`, from its set
//! totals projection; exact, and each statement's figures read in one snapshot): domain
//! accounts count from the moment their set is attached, with everything they held before. A figure is on the node's normal side: a debit-normal node
//! shows debits minus credits. The settled view counts the settled layer; the pending view adds
//! the pending layer (money in flight, e.g. a withdrawal not yet confirmed).
//!
//! The balance sheet balances when every posting lands under the chart: assets = liabilities +
//! equity, where equity includes the current earnings (revenue - cost of revenue - expenses not
//! yet moved to retained earnings by a year's close).

mod csv;

pub(crate) use csv::major_units;
pub use csv::{balance_sheet_csv, profit_and_loss_csv, trial_balance_csv};

use crate::Accounting;
use crate::chart::{Chart, ChartNode};
use crate::error::AccountingError;
use crate::primitives::{
    AccountCode, AccountId, BaseConfig, BookCurrency, InvalidValue, Side, StatementLayer,
    permissions,
};
use authz::Actor;
use chrono::NaiveDate;
use ledger::{AccountInfo, EntryPage, Period, Totals};
use std::collections::HashMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalanceLine {
    pub code: AccountCode,
    pub name: String,
    pub depth: usize,
    pub normal_side: Side,
    pub opening: i128,
    pub debits: i128,
    pub credits: i128,
    pub closing: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrialBalance {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: BookCurrency,
    pub layer: StatementLayer,
    /// Every node of the chart, depth first.
    pub lines: Vec<TrialBalanceLine>,
    /// Over the top-level nodes: every posting under the chart counted once.
    pub total_debits: i128,
    pub total_credits: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementLine {
    pub code: AccountCode,
    pub name: String,
    /// Below the section's top node (0).
    pub depth: usize,
    pub normal_side: Side,
    pub balance: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BalanceSheet {
    pub as_of: NaiveDate,
    pub currency: BookCurrency,
    pub layer: StatementLayer,
    pub assets: Vec<StatementLine>,
    pub liabilities: Vec<StatementLine>,
    pub equity: Vec<StatementLine>,
    /// Revenue - cost of revenue - expenses not yet closed into retained earnings.
    pub current_earnings: i128,
    pub total_assets: i128,
    pub total_liabilities: i128,
    /// Equity including the current earnings.
    pub total_equity: i128,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfitAndLoss {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub currency: BookCurrency,
    pub layer: StatementLayer,
    pub revenue: Vec<StatementLine>,
    pub cost_of_revenue: Vec<StatementLine>,
    pub expenses: Vec<StatementLine>,
    pub total_revenue: i128,
    pub total_cost_of_revenue: i128,
    pub total_expenses: i128,
    pub net_income: i128,
}

/// A ledger account under a node, with its settled balances.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerAccountLine {
    pub account: AccountInfo,
    pub usd: i128,
    pub btc: i128,
}

/// (debits, credits) of the layers the view counts.
pub(crate) fn view(totals: Option<&Totals>, layer: StatementLayer) -> (i128, i128) {
    let Some(t) = totals else { return (0, 0) };
    let layers: &[usize] = match layer {
        StatementLayer::Settled => &[0],
        StatementLayer::Pending => &[0, 1],
    };
    layers.iter().fold((0, 0), |(d, c), i| {
        (d + i128::from(t[*i].debit), c + i128::from(t[*i].credit))
    })
}

pub(crate) fn on_side(side: Side, debits: i128, credits: i128) -> i128 {
    match side {
        Side::Debit => debits - credits,
        Side::Credit => credits - debits,
    }
}

fn config(chart: &Chart) -> Result<&BaseConfig, AccountingError> {
    chart.config.as_ref().ok_or(AccountingError::NotConfigured)
}

/// The lines of the subtree at `code`, with the figures of `totals`, and the section's total
/// (its top node's).
fn section(
    chart: &Chart,
    code: &AccountCode,
    totals: &HashMap<AccountCode, Totals>,
    layer: StatementLayer,
) -> Section {
    let lines: Vec<StatementLine> = chart
        .subtree(code)
        .into_iter()
        .map(|(depth, node)| {
            let (d, c) = view(totals.get(&node.code), layer);
            StatementLine {
                code: node.code.clone(),
                name: node.name.clone(),
                depth,
                normal_side: node.normal_side,
                balance: on_side(node.normal_side, d, c),
            }
        })
        .collect();
    let total = lines.first().map_or(0, |l| l.balance);
    (lines, total)
}

/// Revenue, cost of revenue and expenses, and the result they make.
fn earnings(
    chart: &Chart,
    config: &BaseConfig,
    totals: &HashMap<AccountCode, Totals>,
    layer: StatementLayer,
) -> (Section, Section, Section, i128) {
    let revenue = section(chart, &config.revenue, totals, layer);
    let cost = section(chart, &config.cost_of_revenue, totals, layer);
    let expenses = section(chart, &config.expenses, totals, layer);
    let net = revenue.1 - cost.1 - expenses.1;
    (revenue, cost, expenses, net)
}

impl Accounting {
    /// The totals of every node of `nodes`, by code, for each of `periods`, read in one
    /// snapshot.
    pub(crate) async fn node_totals(
        &self,
        nodes: &[&ChartNode],
        currency: BookCurrency,
        periods: &[Period],
    ) -> Result<Vec<HashMap<AccountCode, Totals>>, AccountingError> {
        let sets: Vec<AccountId> = nodes.iter().map(|n| n.set).collect();
        let by_period = self
            .ledger
            .rollups(self.journal, &sets, &currency.ledger(), periods)
            .await?;
        Ok(by_period
            .into_iter()
            .map(|by_set| {
                nodes
                    .iter()
                    .filter_map(|n| by_set.get(&n.set).map(|t| (n.code.clone(), *t)))
                    .collect()
            })
            .collect())
    }

    /// The totals of every node of the subtrees at `codes` over `period`.
    async fn subtrees_totals(
        &self,
        chart: &Chart,
        codes: &[&AccountCode],
        currency: BookCurrency,
        period: Period,
    ) -> Result<HashMap<AccountCode, Totals>, AccountingError> {
        let nodes: Vec<&ChartNode> = codes
            .iter()
            .flat_map(|c| chart.subtree(c))
            .map(|(_, n)| n)
            .collect();
        Ok(self
            .node_totals(&nodes, currency, &[period])
            .await?
            .pop()
            .unwrap_or_default())
    }

    pub async fn trial_balance(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        currency: BookCurrency,
        layer: StatementLayer,
    ) -> Result<TrialBalance, AccountingError> {
        use permissions::{READ, STATEMENTS};
        if from > to {
            return Err(InvalidValue::Range.into());
        }
        self.use_cases
            .query(actor, STATEMENTS, READ, async || {
                let chart = self.charts.find_by_id(crate::chart::chart_id()).await?;
                let tree = chart.tree();
                let nodes: Vec<&ChartNode> = tree.iter().map(|(_, n)| *n).collect();
                // The movement, and the opening when a day before `from` exists.
                let periods: Vec<Period> = std::iter::once(Period::Between(from, to))
                    .chain(from.pred_opt().map(Period::Through))
                    .collect();
                let mut totals = self
                    .node_totals(&nodes, currency, &periods)
                    .await?
                    .into_iter();
                let movement = totals.next().unwrap_or_default();
                let opening = totals.next().unwrap_or_default();
                let mut lines = Vec::with_capacity(tree.len());
                let (mut total_debits, mut total_credits) = (0, 0);
                for (depth, node) in tree {
                    let (od, oc) = view(opening.get(&node.code), layer);
                    let (debits, credits) = view(movement.get(&node.code), layer);
                    if depth == 0 {
                        total_debits += debits;
                        total_credits += credits;
                    }
                    lines.push(TrialBalanceLine {
                        code: node.code.clone(),
                        name: node.name.clone(),
                        depth,
                        normal_side: node.normal_side,
                        opening: on_side(node.normal_side, od, oc),
                        debits,
                        credits,
                        closing: on_side(node.normal_side, od + debits, oc + credits),
                    });
                }
                Ok(TrialBalance {
                    from,
                    to,
                    currency,
                    layer,
                    lines,
                    total_debits,
                    total_credits,
                })
            })
            .await
    }

    pub async fn balance_sheet(
        &self,
        actor: &Actor,
        as_of: NaiveDate,
        currency: BookCurrency,
        layer: StatementLayer,
    ) -> Result<BalanceSheet, AccountingError> {
        use permissions::{READ, STATEMENTS};
        self.use_cases
            .query(actor, STATEMENTS, READ, async || {
                let chart = self.charts.find_by_id(crate::chart::chart_id()).await?;
                let config = config(&chart)?;
                let totals = self
                    .subtrees_totals(
                        &chart,
                        &[
                            &config.assets,
                            &config.liabilities,
                            &config.equity,
                            &config.revenue,
                            &config.cost_of_revenue,
                            &config.expenses,
                        ],
                        currency,
                        Period::Through(as_of),
                    )
                    .await?;
                let (assets, total_assets) = section(&chart, &config.assets, &totals, layer);
                let (liabilities, total_liabilities) =
                    section(&chart, &config.liabilities, &totals, layer);
                let (equity, equity_accounts) = section(&chart, &config.equity, &totals, layer);
                let current_earnings = earnings(&chart, config, &totals, layer).3;
                Ok(BalanceSheet {
                    as_of,
                    currency,
                    layer,
                    assets,
                    liabilities,
                    equity,
                    current_earnings,
                    total_assets,
                    total_liabilities,
                    total_equity: equity_accounts + current_earnings,
                })
            })
            .await
    }

    pub async fn profit_and_loss(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
        currency: BookCurrency,
        layer: StatementLayer,
    ) -> Result<ProfitAndLoss, AccountingError> {
        use permissions::{READ, STATEMENTS};
        if from > to {
            return Err(InvalidValue::Range.into());
        }
        self.use_cases
            .query(actor, STATEMENTS, READ, async || {
                let chart = self.charts.find_by_id(crate::chart::chart_id()).await?;
                let config = config(&chart)?;
                let totals = self
                    .subtrees_totals(
                        &chart,
                        &[&config.revenue, &config.cost_of_revenue, &config.expenses],
                        currency,
                        Period::Between(from, to),
                    )
                    .await?;
                let (
                    (revenue, total_revenue),
                    (cost_of_revenue, total_cost_of_revenue),
                    (expenses, total_expenses),
                    net_income,
                ) = earnings(&chart, config, &totals, layer);
                Ok(ProfitAndLoss {
                    from,
                    to,
                    currency,
                    layer,
                    revenue,
                    cost_of_revenue,
                    expenses,
                    total_revenue,
                    total_cost_of_revenue,
                    total_expenses,
                    net_income,
                })
            })
            .await
    }

    /// The ledger accounts under the node `code` (its own account and every attached domain
    /// account), by ledger code, with their settled balances now.
    pub async fn ledger_accounts_under(
        &self,
        actor: &Actor,
        code: &AccountCode,
        first: usize,
        after: Option<&str>,
    ) -> Result<(Vec<LedgerAccountLine>, bool), AccountingError> {
        use permissions::{LEDGER, READ};
        self.use_cases
            .query(actor, LEDGER, READ, async || {
                let chart = self.charts.find_by_id(crate::chart::chart_id()).await?;
                let node = chart.node(code)?;
                let (accounts, more) = self.ledger.leaves_under(node.set, first, after).await?;
                let ids: Vec<AccountId> = accounts.iter().map(|a| a.id).collect();
                let usd = self
                    .ledger
                    .balances_of(self.journal, &ids, &BookCurrency::Usd.ledger())
                    .await?;
                let btc = self
                    .ledger
                    .balances_of(self.journal, &ids, &BookCurrency::Btc.ledger())
                    .await?;
                let lines = accounts
                    .into_iter()
                    .zip(usd.iter().zip(&btc))
                    .map(|(account, (u, b))| LedgerAccountLine {
                        account,
                        usd: u.settled(),
                        btc: b.settled(),
                    })
                    .collect();
                Ok((lines, more))
            })
            .await
    }

    /// A ledger account (or set: its members rolled up) of the bank's journal, with its
    /// settled balances now.
    pub async fn ledger_account(
        &self,
        actor: &Actor,
        id: AccountId,
    ) -> Result<LedgerAccountLine, AccountingError> {
        use permissions::{LEDGER, READ};
        self.use_cases
            .query(actor, LEDGER, READ, async || {
                let account = self
                    .ledger
                    .account_info(id)
                    .await?
                    .ok_or(AccountingError::AccountNotFound(id))?;
                let balance = async |c: BookCurrency| {
                    self.ledger
                        .balance(self.journal, id, &c.ledger())
                        .await
                        .map(|b| b.settled())
                };
                Ok(LedgerAccountLine {
                    usd: balance(BookCurrency::Usd).await?,
                    btc: balance(BookCurrency::Btc).await?,
                    account,
                })
            })
            .await
    }

    /// A ledger account's entries, newest first.
    pub async fn ledger_account_entries(
        &self,
        actor: &Actor,
        id: AccountId,
        first: usize,
        after: Option<i64>,
    ) -> Result<EntryPage, AccountingError> {
        use permissions::{LEDGER, READ};
        self.use_cases
            .query(actor, LEDGER, READ, async || {
                Ok(self.ledger.entries(id, first, after).await?)
            })
            .await
    }
}

type Section = (Vec<StatementLine>, i128);
