use crate::request::run;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use core_accounting::AccountCode;
use graphql_kit::{Date, MinorUnits, api_error};
use uuid::Uuid;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "ledger::Side")]
pub enum NormalBalance {
    Debit,
    Credit,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_accounting::BookCurrency")]
pub enum Currency {
    /// US dollars; amounts in cents.
    Usd,
    /// Bitcoin; amounts in satoshis.
    Btc,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_accounting::StatementLayer")]
pub enum BalanceLayer {
    /// What is settled.
    Settled,
    /// Settled and pending together (what is booked plus what is in flight).
    Pending,
}

/// A statement figure as the API shows it (a statement's sums stay far inside 64 bits; one
/// outside them is an internal error, never a wrong number).
pub(super) fn units(amount: i128) -> Result<MinorUnits> {
    i64::try_from(amount)
        .map(MinorUnits)
        .map_err(|_| api_error(error_code::INTERNAL, "a statement figure is beyond 64 bits"))
}

/// A node of the chart of accounts (a ledger account set).
#[derive(SimpleObject)]
pub struct ChartNode {
    /// Dotted code, e.g. `11.01.0101`.
    code: String,
    name: String,
    normal_balance: NormalBalance,
    parent_code: Option<String>,
    /// 0 for a top-level node.
    depth: i32,
    ledger_account_set_id: Uuid,
    /// The node's own ledger account: where entries posted by code go.
    own_ledger_account_id: Uuid,
}

impl ChartNode {
    pub(super) fn new(depth: usize, n: &core_accounting::ChartNode) -> Self {
        Self {
            code: n.code.to_string(),
            name: n.name.clone(),
            normal_balance: n.normal_side.into(),
            parent_code: n.parent.as_ref().map(ToString::to_string),
            depth: i32::try_from(depth).unwrap_or(i32::MAX),
            ledger_account_set_id: n.set.into(),
            own_ledger_account_id: n.own_account.into(),
        }
    }
}

/// Which codes hold what, and the day the books start.
#[derive(SimpleObject)]
pub struct AccountingBaseConfig {
    assets: String,
    liabilities: String,
    equity: String,
    revenue: String,
    cost_of_revenue: String,
    expenses: String,
    retained_earnings_gain: String,
    retained_earnings_loss: String,
    off_balance_sheet: Vec<String>,
    inception_date: Date,
}

/// A domain's account set hung under a chart node.
#[derive(SimpleObject)]
pub struct ModuleAttachment {
    module_set_key: String,
    code: String,
}

/// The bank's chart of accounts.
#[derive(SimpleObject)]
pub struct ChartOfAccounts {
    name: String,
    /// Every node, depth first from the top-level ones.
    nodes: Vec<ChartNode>,
    base_config: Option<AccountingBaseConfig>,
    attachments: Vec<ModuleAttachment>,
}

impl From<core_accounting::Chart> for ChartOfAccounts {
    fn from(c: core_accounting::Chart) -> Self {
        let code = |c: &AccountCode| c.to_string();
        Self {
            nodes: c
                .tree()
                .into_iter()
                .map(|(d, n)| ChartNode::new(d, n))
                .collect(),
            base_config: c.config.as_ref().map(|b| AccountingBaseConfig {
                assets: code(&b.assets),
                liabilities: code(&b.liabilities),
                equity: code(&b.equity),
                revenue: code(&b.revenue),
                cost_of_revenue: code(&b.cost_of_revenue),
                expenses: code(&b.expenses),
                retained_earnings_gain: code(&b.retained_earnings_gain),
                retained_earnings_loss: code(&b.retained_earnings_loss),
                off_balance_sheet: b.off_balance_sheet.iter().map(code).collect(),
                inception_date: Date(b.inception),
            }),
            attachments: c
                .attachments
                .iter()
                .map(|(k, v)| ModuleAttachment {
                    module_set_key: k.clone(),
                    code: v.to_string(),
                })
                .collect(),
            name: c.name,
        }
    }
}

/// An account set of a domain that the chart can attach.
#[derive(SimpleObject)]
pub struct AccountingModuleSet {
    key: String,
    name: String,
    normal_balance: NormalBalance,
    ledger_account_set_id: Uuid,
    /// The chart code it is attached under, if it is.
    attached_to: Option<String>,
}

impl AccountingModuleSet {
    pub(super) fn new(s: &ledger::AttachableSet, attached_to: Option<&AccountCode>) -> Self {
        Self {
            key: s.key.clone(),
            name: s.name.clone(),
            normal_balance: s.normal_side.into(),
            ledger_account_set_id: s.account.into(),
            attached_to: attached_to.map(ToString::to_string),
        }
    }
}

#[derive(SimpleObject)]
pub struct TrialBalanceLine {
    code: String,
    name: String,
    depth: i32,
    normal_balance: NormalBalance,
    /// The balance at the start of the range (on the node's normal side).
    opening: MinorUnits,
    debits: MinorUnits,
    credits: MinorUnits,
    closing: MinorUnits,
}

/// Opening, debits, credits and closing of every chart node over a range.
#[derive(SimpleObject)]
pub struct TrialBalance {
    from: Date,
    to: Date,
    currency: Currency,
    layer: BalanceLayer,
    lines: Vec<TrialBalanceLine>,
    /// Over the top-level nodes; equal to `totalCredits` when every posting lands under the chart.
    total_debits: MinorUnits,
    total_credits: MinorUnits,
    /// The same as a CSV file (amounts in major units).
    csv: String,
}

impl TrialBalance {
    pub(super) fn new(tb: core_accounting::TrialBalance) -> Result<Self> {
        let mut lines = Vec::with_capacity(tb.lines.len());
        for l in &tb.lines {
            lines.push(TrialBalanceLine {
                code: l.code.to_string(),
                name: l.name.clone(),
                depth: i32::try_from(l.depth).unwrap_or(i32::MAX),
                normal_balance: l.normal_side.into(),
                opening: units(l.opening)?,
                debits: units(l.debits)?,
                credits: units(l.credits)?,
                closing: units(l.closing)?,
            });
        }
        Ok(Self {
            from: Date(tb.from),
            to: Date(tb.to),
            currency: tb.currency.into(),
            layer: tb.layer.into(),
            total_debits: units(tb.total_debits)?,
            total_credits: units(tb.total_credits)?,
            csv: core_accounting::trial_balance_csv(&tb),
            lines,
        })
    }
}

/// A node's figure in a statement section.
#[derive(SimpleObject)]
pub struct StatementLine {
    code: String,
    name: String,
    /// Below the section's top node (0).
    depth: i32,
    normal_balance: NormalBalance,
    balance: MinorUnits,
}

fn lines(lines: &[core_accounting::StatementLine]) -> Result<Vec<StatementLine>> {
    lines
        .iter()
        .map(|l| {
            Ok(StatementLine {
                code: l.code.to_string(),
                name: l.name.clone(),
                depth: i32::try_from(l.depth).unwrap_or(i32::MAX),
                normal_balance: l.normal_side.into(),
                balance: units(l.balance)?,
            })
        })
        .collect()
}

/// Assets, liabilities and equity as of a date.
#[derive(SimpleObject)]
pub struct BalanceSheet {
    as_of: Date,
    currency: Currency,
    layer: BalanceLayer,
    assets: Vec<StatementLine>,
    liabilities: Vec<StatementLine>,
    equity: Vec<StatementLine>,
    /// Revenue - cost of revenue - expenses not yet closed into retained earnings.
    current_earnings: MinorUnits,
    total_assets: MinorUnits,
    total_liabilities: MinorUnits,
    /// Equity including the current earnings.
    total_equity: MinorUnits,
    /// Assets = liabilities + equity.
    balanced: bool,
    csv: String,
}

impl BalanceSheet {
    pub(super) fn new(bs: core_accounting::BalanceSheet) -> Result<Self> {
        Ok(Self {
            as_of: Date(bs.as_of),
            currency: bs.currency.into(),
            layer: bs.layer.into(),
            assets: lines(&bs.assets)?,
            liabilities: lines(&bs.liabilities)?,
            equity: lines(&bs.equity)?,
            current_earnings: units(bs.current_earnings)?,
            total_assets: units(bs.total_assets)?,
            total_liabilities: units(bs.total_liabilities)?,
            total_equity: units(bs.total_equity)?,
            balanced: bs.total_assets == bs.total_liabilities + bs.total_equity,
            csv: core_accounting::balance_sheet_csv(&bs),
        })
    }
}

/// Revenue, cost of revenue and expenses over a range.
#[derive(SimpleObject)]
pub struct ProfitAndLoss {
    from: Date,
    to: Date,
    currency: Currency,
    layer: BalanceLayer,
    revenue: Vec<StatementLine>,
    cost_of_revenue: Vec<StatementLine>,
    expenses: Vec<StatementLine>,
    total_revenue: MinorUnits,
    total_cost_of_revenue: MinorUnits,
    total_expenses: MinorUnits,
    net_income: MinorUnits,
    csv: String,
}

impl ProfitAndLoss {
    pub(super) fn new(pl: core_accounting::ProfitAndLoss) -> Result<Self> {
        Ok(Self {
            from: Date(pl.from),
            to: Date(pl.to),
            currency: pl.currency.into(),
            layer: pl.layer.into(),
            revenue: lines(&pl.revenue)?,
            cost_of_revenue: lines(&pl.cost_of_revenue)?,
            expenses: lines(&pl.expenses)?,
            total_revenue: units(pl.total_revenue)?,
            total_cost_of_revenue: units(pl.total_cost_of_revenue)?,
            total_expenses: units(pl.total_expenses)?,
            net_income: units(pl.net_income)?,
            csv: core_accounting::profit_and_loss_csv(&pl),
        })
    }
}

/// An entry of a ledger account.
#[derive(SimpleObject)]
pub struct LedgerEntry {
    transaction_id: Uuid,
    /// What the posting was for (its external id, e.g. `deposit:<id>`).
    external_id: String,
    currency: String,
    layer: String,
    direction: NormalBalance,
    amount: MinorUnits,
    effective: Date,
    description: Option<String>,
    recorded_at: DateTime<Utc>,
}

/// A ledger account (a leaf under the chart: a node's own account or a domain's account).
pub struct LedgerAccount {
    pub(super) info: ledger::AccountInfo,
    pub(super) usd: i128,
    pub(super) btc: i128,
}

#[Object]
impl LedgerAccount {
    async fn id(&self) -> Uuid {
        self.info.id.into()
    }

    async fn code(&self) -> &str {
        &self.info.code
    }

    async fn name(&self) -> &str {
        &self.info.name
    }

    async fn normal_balance(&self) -> NormalBalance {
        self.info.normal_side.into()
    }

    /// Settled balance in cents now.
    async fn usd_balance(&self) -> Result<MinorUnits> {
        units(self.usd)
    }

    /// Settled balance in satoshis now.
    async fn btc_balance(&self) -> Result<MinorUnits> {
        units(self.btc)
    }

    /// Its entries, newest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn entries(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, LedgerEntry>> {
        let after = after.map(|a| a.parse::<i64>()).transpose().map_err(|_| {
            api_error(
                error_code::INVALID_CURSOR,
                "after is not a cursor this list issued",
            )
        })?;
        let id = self.info.id;
        let first = usize::try_from(first).unwrap_or(1);
        let page = run(ctx, |app, actor| {
            app.accounting()
                .ledger_account_entries(actor, id, first, after)
        })
        .await?;
        let mut connection = Connection::new(false, page.has_next_page);
        for e in page.entries {
            let layer = match e.layer {
                ledger::Layer::Settled => "SETTLED",
                ledger::Layer::Pending => "PENDING",
                ledger::Layer::Encumbrance => "ENCUMBRANCE",
            };
            connection.edges.push(Edge::new(
                e.id.to_string(),
                LedgerEntry {
                    transaction_id: e.transaction_id.into(),
                    external_id: e.external_id,
                    currency: e.currency.to_string(),
                    layer: layer.into(),
                    direction: e.direction.into(),
                    amount: units(i128::from(e.amount))?,
                    effective: Date(e.effective),
                    description: e.description,
                    recorded_at: e.recorded_at,
                },
            ));
        }
        Ok(connection)
    }
}

/// An entry of a manual transaction.
#[derive(SimpleObject)]
pub struct ManualTransactionEntry {
    ledger_account_id: Uuid,
    /// The chart code the entry named, if it named one.
    account_code: Option<String>,
    currency: Currency,
    direction: NormalBalance,
    amount: MinorUnits,
    description: Option<String>,
}

#[derive(SimpleObject)]
pub struct ManualTransaction {
    id: Uuid,
    description: String,
    effective_date: Date,
    ledger_transaction_id: Uuid,
    entries: Vec<ManualTransactionEntry>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_accounting::ManualTransaction> for ManualTransaction {
    fn from(t: core_accounting::ManualTransaction) -> Self {
        use es::EsEntity;
        Self {
            id: t.id().into(),
            created_at: t.events().created_at(),
            description: t.description,
            effective_date: Date(t.effective),
            ledger_transaction_id: t.ledger_transaction.into(),
            entries: t
                .entries
                .into_iter()
                .map(|e| ManualTransactionEntry {
                    ledger_account_id: e.account.into(),
                    account_code: e.code.map(|c| c.to_string()),
                    currency: e.currency.into(),
                    direction: e.direction.into(),
                    amount: MinorUnits(i64::try_from(e.amount).unwrap_or(i64::MAX)),
                    description: e.description,
                })
                .collect(),
        }
    }
}

/// A fiscal year of the books.
#[derive(SimpleObject)]
pub struct FiscalYear {
    year: i32,
    /// The first month of the books in the year (the inception month, else 1).
    first_month: i32,
    /// The last month closed (null: none yet).
    closed_through_month: Option<i32>,
    /// The year is closed (its result moved to retained earnings).
    closed: bool,
    /// The next month to close (null once the year is closed), `YYYY-MM`.
    next_month_to_close: Option<String>,
    closing_transaction_ids: Vec<Uuid>,
}

impl From<core_accounting::FiscalYear> for FiscalYear {
    fn from(y: core_accounting::FiscalYear) -> Self {
        let month = |m: u32| i32::try_from(m).unwrap_or(0);
        Self {
            year: y.year,
            first_month: month(y.first_month),
            closed_through_month: y.closed_through.map(month),
            closed: y.closed,
            next_month_to_close: y.next_open_month().map(|m| m.to_string()),
            closing_transaction_ids: y.closing_transactions.iter().map(|t| (*t).into()).collect(),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum ExportState {
    /// The job has not written the file yet.
    Pending,
    /// The file is ready at `downloadPath`.
    Completed,
    /// The file could not be written (`failure` says why).
    Failed,
}

/// An export of a ledger account's history as a CSV file, written by a job.
#[derive(SimpleObject)]
pub struct LedgerAccountExport {
    id: Uuid,
    ledger_account_id: Uuid,
    ledger_account_code: String,
    status: ExportState,
    /// Entries written (completed exports).
    rows: Option<i64>,
    bytes: Option<i64>,
    failure: Option<String>,
    /// Where the admin server serves the file (`GET`, with the same bearer token), once completed.
    download_path: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_accounting::LedgerExport> for LedgerAccountExport {
    fn from(e: core_accounting::LedgerExport) -> Self {
        use core_accounting::ExportStatus;
        use es::EsEntity;
        let id: Uuid = e.id().into();
        let count = |n: u64| Some(i64::try_from(n).unwrap_or(i64::MAX));
        let (status, rows, bytes, failure, download_path) = match &e.status {
            ExportStatus::Pending => (ExportState::Pending, None, None, None, None),
            ExportStatus::Completed { rows, bytes, .. } => (
                ExportState::Completed,
                count(*rows),
                count(*bytes),
                None,
                Some(format!("/exports/ledger-account/{id}.csv")),
            ),
            ExportStatus::Failed { reason } => {
                (ExportState::Failed, None, None, Some(reason.clone()), None)
            }
        };
        Self {
            id,
            ledger_account_id: e.account.into(),
            created_at: e.events().created_at(),
            ledger_account_code: e.account_code,
            status,
            rows,
            bytes,
            failure,
            download_path,
        }
    }
}
