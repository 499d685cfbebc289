//! Closing the books: months in order once they have ended and their end-of-day work is done,
//! then the year with its closing transactions. Each closing moves the ledger's closed date in
//! the same transaction (`Ledger::close_through_in_op`), so from its commit no posting of any
//! domain can land in the closed period.
//!
//! **The year's close.** For each currency, every node under revenue, cost of revenue and
//! expenses gets the opposite of its own part of the balance (its balance less its children's)
//! posted to its own account, so every such node is at zero as of December 31; the sum goes to
//! retained earnings (the gain account for a profit, the loss account for a loss). The postings
//! are dated December 31 and made before the journal closes through that day, in the same
//! transaction, holding every other posting off (`Ledger::lock_postings_in_op`) so the figures
//! it reads are final. The next year opens with the balances as they stand: the ledger is
//! cumulative, so its opening balances are the closing ones.

mod entity;
mod repo;

pub use entity::{FiscalYear, FiscalYearEvent};
pub(crate) use repo::FiscalYearRepo;

use crate::Accounting;
use crate::chart::{Chart, ChartNode};
use crate::error::AccountingError;
use crate::primitives::{BookCurrency, FiscalYearId, Month, permissions};
use crate::statement::view;
use authz::Actor;
use chrono::Datelike;
use es::{DbOp, EsEntity, ListQuery, RowLock};
use ledger::{MAX_ENTRIES, NewEntry, NewTransaction, Period, Side, TransactionId};

impl Accounting {
    pub async fn fiscal_years(&self, actor: &Actor) -> Result<Vec<FiscalYear>, AccountingError> {
        use permissions::{PERIODS, READ};
        self.use_cases
            .query(actor, PERIODS, READ, async || {
                Ok(self.years.list(ListQuery::first(100)).await?.entities)
            })
            .await
    }

    pub(crate) async fn any_fiscal_year_in_op(
        &self,
        op: &mut DbOp,
    ) -> Result<bool, AccountingError> {
        Ok(!self
            .years
            .list_in_op(op, ListQuery::first(1))
            .await?
            .entities
            .is_empty())
    }

    /// The chart and the oldest year not closed, both locked; the year is opened at the
    /// inception month on the first call.
    async fn open_year_in_op(&self, op: &mut DbOp) -> Result<(Chart, FiscalYear), AccountingError> {
        let chart = self.lock_chart_in_op(op).await?;
        let config = chart
            .config
            .as_ref()
            .ok_or(AccountingError::NotConfigured)?;
        let open = self
            .years
            .list_in_op(
                op,
                ListQuery::first(1)
                    .order_by(es::ListOrder::Column("year"), false)
                    .filter("closed", false),
            )
            .await?
            .entities
            .pop();
        let id = match open {
            Some(year) => year.id(),
            None => {
                let last_closed = self
                    .years
                    .list_in_op(
                        op,
                        ListQuery::first(1).order_by(es::ListOrder::Column("year"), true),
                    )
                    .await?
                    .entities
                    .pop();
                let (year, first_month) = match last_closed {
                    Some(y) => (y.year + 1, 1),
                    None => (config.inception.year(), config.inception.month()),
                };
                let events = entity::open_year(FiscalYearId::new(), year, first_month);
                self.years.create_in_op(op, events).await?.id()
            }
        };
        let year = self.years.lock_in_op(op, id, RowLock::Update).await?;
        Ok((chart, year))
    }

    async fn ensure_done(&self, month: Month) -> Result<(), AccountingError> {
        let done = self.time.days_done_through().await?;
        if done < month.last_day() {
            return Err(AccountingError::PeriodNotEnded { month, done });
        }
        Ok(())
    }

    /// Closes `month`: it must be the next open month, ended, with its last day's end-of-day
    /// work done. A closed month again changes nothing.
    pub async fn close_month(
        &self,
        actor: &Actor,
        month: Month,
    ) -> Result<FiscalYear, AccountingError> {
        use permissions::{PERIODS, WRITE};
        self.use_cases
            .command(actor, PERIODS, WRITE, || {
                async move |op| {
                    let (_, mut year) = self.open_year_in_op(op).await?;
                    if year.close_month(month)?.was_already_applied() {
                        return Ok(year);
                    }
                    self.ensure_done(month).await?;
                    self.ledger
                        .close_through_in_op(op, self.journal, month.last_day())
                        .await?;
                    self.years.update_in_op(op, &mut year).await?;
                    Ok(year)
                }
            })
            .await
    }

    /// Closes the year `year` (and its December): every earlier month closed, December ended
    /// and done; posts the closing transactions and opens the next year.
    pub async fn close_year(
        &self,
        actor: &Actor,
        year: i32,
    ) -> Result<FiscalYear, AccountingError> {
        use permissions::{PERIODS, WRITE};
        let december = Month::parse(year, 12)?;
        self.use_cases
            .command(actor, PERIODS, WRITE, || {
                async move |op| {
                    let (chart, mut fy) = self.open_year_in_op(op).await?;
                    if year < fy.year {
                        let closed = self
                            .years
                            .find_one_by_in_op(op, "year", i64::from(year))
                            .await?;
                        return closed.ok_or(AccountingError::PeriodNotNext {
                            month: december,
                            open: fy.next_open_month().unwrap_or(december),
                        });
                    }
                    if year > fy.year {
                        return Err(AccountingError::PeriodNotNext {
                            month: december,
                            open: fy.next_open_month().unwrap_or(december),
                        });
                    }
                    if fy.ensure_closes()?.was_already_applied() {
                        return Ok(fy);
                    }
                    self.ensure_done(december).await?;
                    self.ledger.lock_postings_in_op(op).await?;
                    let transactions = self.post_year_close_in_op(op, &chart, year).await?;
                    if fy.close_year(transactions)?.was_already_applied() {
                        return Ok(fy);
                    }
                    self.ledger
                        .close_through_in_op(op, self.journal, december.last_day())
                        .await?;
                    self.years.update_in_op(op, &mut fy).await?;
                    let next = entity::open_year(FiscalYearId::new(), year + 1, 1);
                    self.years.create_in_op(op, next).await?;
                    Ok(fy)
                }
            })
            .await
    }

    /// The closing transactions of `year` (see the module doc), posted in `op`.
    async fn post_year_close_in_op(
        &self,
        op: &mut DbOp,
        chart: &Chart,
        year: i32,
    ) -> Result<Vec<TransactionId>, AccountingError> {
        let config = chart
            .config
            .as_ref()
            .ok_or(AccountingError::NotConfigured)?;
        let last_day = Month::parse(year, 12)?.last_day();
        let gain = chart.node(&config.retained_earnings_gain)?.own_account;
        let loss = chart.node(&config.retained_earnings_loss)?.own_account;
        let nodes: Vec<&ChartNode> = [&config.revenue, &config.cost_of_revenue, &config.expenses]
            .into_iter()
            .flat_map(|c| chart.subtree(c))
            .map(|(_, n)| n)
            .collect();
        let mut posted = Vec::new();
        for currency in BookCurrency::ALL {
            let totals = self
                .node_totals(&nodes, currency, &[Period::Through(last_day)])
                .await?
                .pop()
                .unwrap_or_default();
            let net_debit = |code| {
                let (d, c) = view(totals.get(code), crate::primitives::StatementLayer::Settled);
                d - c
            };
            // Each node's own part, as debits minus credits.
            let own: Vec<(&ChartNode, i128)> = nodes
                .iter()
                .map(|n| {
                    let children: i128 = chart
                        .children(Some(&n.code))
                        .iter()
                        .map(|c| net_debit(&c.code))
                        .sum();
                    (*n, net_debit(&n.code) - children)
                })
                .filter(|(_, amount)| *amount != 0)
                .collect();
            for (chunk_no, chunk) in own.chunks(MAX_ENTRIES - 1).enumerate() {
                let external_id = format!("accounting-year-close:{year}:{currency:?}:{chunk_no}");
                let mut tx = NewTransaction::new(self.journal, external_id, last_day)
                    .description(format!("Closing of fiscal year {year}"));
                tx.template = Some("year-close".into());
                let mut result_debit: i128 = 0;
                for (node, amount) in chunk {
                    let side = if *amount > 0 {
                        Side::Credit
                    } else {
                        Side::Debit
                    };
                    tx = tx.entry(NewEntry::new(
                        side,
                        node.own_account,
                        minor(*amount)?,
                        currency.ledger(),
                    ));
                    result_debit += amount;
                }
                // What the nodes gave up goes to retained earnings: a net debit balance
                // (expenses above revenue) is a loss.
                tx = if result_debit > 0 {
                    tx.entry(NewEntry::debit(
                        loss,
                        minor(result_debit)?,
                        currency.ledger(),
                    ))
                } else {
                    tx.entry(NewEntry::credit(
                        gain,
                        minor(result_debit)?,
                        currency.ledger(),
                    ))
                };
                if result_debit == 0 {
                    // The nodes' parts cancel out: post them without a retained earnings leg.
                    tx.entries.pop();
                }
                let posted_tx = self
                    .ledger
                    .post_in_op(op, tx)
                    .await
                    .map_err(AccountingError::from_posting)?;
                posted.push(posted_tx.id);
            }
        }
        Ok(posted)
    }
}

/// The magnitude of `amount` as ledger minor units.
fn minor(amount: i128) -> Result<u64, AccountingError> {
    u64::try_from(amount.unsigned_abs()).map_err(|_| AccountingError::AmountOutOfRange(amount))
}
