//! The books: the chart of accounts, its base configuration and module attachments,
//! statements (with CSV), the drill-down to ledger accounts and entries, manual transactions,
//! closing months and years, and exports of a ledger account's history.

mod inputs;
mod types;

use crate::request::{idempotency_key, run};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Context, Object, Result};
use base64::Engine;
use core_accounting::{
    AccountCode, BaseConfig, EntryAccount, ManualEntryInput, ManualTransactionId, Month,
    NewManualTransaction,
};
use graphql_kit::{Date, invalid_input, list_query};
use inputs::{
    AccountingBaseConfigUpdateInput, AccountingModuleAttachInput, AccountingPeriodCloseMonthInput,
    AccountingPeriodCloseYearInput, ChartOfAccountsAddNodeInput, ChartOfAccountsCsvImportInput,
    LedgerAccountExportCreateInput, ManualTransactionCreateInput,
};
use types::{
    AccountingModuleSet, BalanceLayer, BalanceSheet, ChartNode, ChartOfAccounts, Currency,
    FiscalYear, LedgerAccount, LedgerAccountExport, ManualTransaction, ProfitAndLoss, TrialBalance,
};
use uuid::Uuid;

payload!(ChartOfAccountsCsvImportPayload, chart: ChartOfAccounts);
payload!(ChartOfAccountsAddNodePayload, node: ChartNode);
payload!(AccountingBaseConfigUpdatePayload, chart: ChartOfAccounts);
payload!(AccountingModuleAttachPayload, chart: ChartOfAccounts);
payload!(ManualTransactionCreatePayload, manual_transaction: ManualTransaction);
payload!(AccountingPeriodCloseMonthPayload, fiscal_year: FiscalYear);
payload!(AccountingPeriodCloseYearPayload, fiscal_year: FiscalYear);
payload!(LedgerAccountExportCreatePayload, export: LedgerAccountExport);

fn code(text: &str) -> Result<AccountCode> {
    AccountCode::parse(text).map_err(invalid_input)
}

#[derive(Default)]
pub struct AccountingQuery;

#[Object]
impl AccountingQuery {
    async fn chart_of_accounts(&self, ctx: &Context<'_>) -> Result<ChartOfAccounts> {
        let chart = run(ctx, |app, actor| app.accounting().chart(actor)).await?;
        Ok(chart.into())
    }

    /// The domains' account sets the chart can attach, and where each is attached.
    async fn accounting_module_sets(&self, ctx: &Context<'_>) -> Result<Vec<AccountingModuleSet>> {
        let (chart, sets) = run(ctx, |app, actor| async move {
            let chart = app.accounting().chart(actor).await?;
            Ok::<_, core_accounting::AccountingError>((
                chart,
                app.accounting().attachable_sets().to_vec(),
            ))
        })
        .await?;
        Ok(sets
            .iter()
            .map(|s| AccountingModuleSet::new(s, chart.attachments.get(&s.key)))
            .collect())
    }

    /// Opening, debits, credits and closing of every chart node from `from` to `to`.
    async fn trial_balance(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        #[graphql(default_with = "Currency::Usd")] currency: Currency,
        #[graphql(default_with = "BalanceLayer::Settled")] layer: BalanceLayer,
    ) -> Result<TrialBalance> {
        let (c, l) = (currency.into(), layer.into());
        let tb = run(ctx, |app, actor| {
            app.accounting().trial_balance(actor, from.0, to.0, c, l)
        })
        .await?;
        TrialBalance::new(tb)
    }

    async fn balance_sheet(
        &self,
        ctx: &Context<'_>,
        as_of: Date,
        #[graphql(default_with = "Currency::Usd")] currency: Currency,
        #[graphql(default_with = "BalanceLayer::Settled")] layer: BalanceLayer,
    ) -> Result<BalanceSheet> {
        let (c, l) = (currency.into(), layer.into());
        let bs = run(ctx, |app, actor| {
            app.accounting().balance_sheet(actor, as_of.0, c, l)
        })
        .await?;
        BalanceSheet::new(bs)
    }

    async fn profit_and_loss(
        &self,
        ctx: &Context<'_>,
        from: Date,
        to: Date,
        #[graphql(default_with = "Currency::Usd")] currency: Currency,
        #[graphql(default_with = "BalanceLayer::Settled")] layer: BalanceLayer,
    ) -> Result<ProfitAndLoss> {
        let (c, l) = (currency.into(), layer.into());
        let pl = run(ctx, |app, actor| {
            app.accounting().profit_and_loss(actor, from.0, to.0, c, l)
        })
        .await?;
        ProfitAndLoss::new(pl)
    }

    /// The ledger accounts under a chart node (its own and every attached domain account), by
    /// ledger code.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn chart_node_ledger_accounts(
        &self,
        ctx: &Context<'_>,
        code: String,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, LedgerAccount>> {
        let node = self::code(&code)?;
        let first = usize::try_from(first).unwrap_or(1);
        let (lines, more) = run(ctx, |app, actor| {
            app.accounting()
                .ledger_accounts_under(actor, &node, first, after.as_deref())
        })
        .await?;
        let mut connection = Connection::new(false, more);
        for l in lines {
            connection.edges.push(Edge::new(
                l.account.code.clone(),
                LedgerAccount {
                    info: l.account,
                    usd: l.usd,
                    btc: l.btc,
                },
            ));
        }
        Ok(connection)
    }

    async fn ledger_account(&self, ctx: &Context<'_>, id: Uuid) -> Result<LedgerAccount> {
        let id = ledger::AccountId::from(id);
        let l = run(ctx, |app, actor| app.accounting().ledger_account(actor, id)).await?;
        Ok(LedgerAccount {
            info: l.account,
            usd: l.usd,
            btc: l.btc,
        })
    }

    async fn manual_transaction(&self, ctx: &Context<'_>, id: Uuid) -> Result<ManualTransaction> {
        let t = run(ctx, |app, actor| {
            app.accounting()
                .manual_transaction(actor, ManualTransactionId::from(id))
        })
        .await?;
        Ok(t.into())
    }

    /// Newest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn manual_transactions(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, ManualTransaction>> {
        let query = list_query(first, after)?.order_by(es::ListOrder::CreatedAt, true);
        let page = run(ctx, |app, actor| {
            app.accounting().manual_transactions(actor, query)
        })
        .await?;
        Ok(graphql_kit::connection(page, ManualTransaction::from))
    }

    async fn ledger_account_export(
        &self,
        ctx: &Context<'_>,
        id: Uuid,
    ) -> Result<LedgerAccountExport> {
        let e = run(ctx, |app, actor| {
            app.accounting()
                .ledger_export(actor, core_accounting::LedgerExportId::from(id))
        })
        .await?;
        Ok(e.into())
    }

    /// Newest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn ledger_account_exports(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, LedgerAccountExport>> {
        let query = list_query(first, after)?.order_by(es::ListOrder::CreatedAt, true);
        let page = run(ctx, |app, actor| {
            app.accounting().ledger_exports(actor, query)
        })
        .await?;
        Ok(graphql_kit::connection(page, LedgerAccountExport::from))
    }

    async fn fiscal_years(&self, ctx: &Context<'_>) -> Result<Vec<FiscalYear>> {
        let years = run(ctx, |app, actor| app.accounting().fiscal_years(actor)).await?;
        Ok(years.into_iter().map(FiscalYear::from).collect())
    }
}

#[derive(Default)]
pub struct AccountingMutation;

#[Object]
impl AccountingMutation {
    /// Imports a chart of accounts file: all of it, or nothing with the first bad line named
    /// (`CHART_CSV_INVALID`). Importing the same file again adds nothing.
    async fn chart_of_accounts_csv_import(
        &self,
        ctx: &Context<'_>,
        input: ChartOfAccountsCsvImportInput,
    ) -> Result<ChartOfAccountsCsvImportPayload> {
        let data = base64::engine::general_purpose::STANDARD
            .decode(input.file_base64.trim())
            .map_err(|_| invalid_input("fileBase64 is not base64"))?;
        let chart = run(ctx, |app, actor| async move {
            app.accounting().import_chart_csv(actor, &data).await?;
            app.accounting().chart(actor).await
        })
        .await?;
        Ok(ChartOfAccountsCsvImportPayload {
            chart: chart.into(),
        })
    }

    async fn chart_of_accounts_add_node(
        &self,
        ctx: &Context<'_>,
        input: ChartOfAccountsAddNodeInput,
    ) -> Result<ChartOfAccountsAddNodePayload> {
        let parent = input.parent_code.as_deref().map(code).transpose()?;
        let side = input.normal_balance.map(ledger::Side::from);
        let node = run(ctx, |app, actor| {
            app.accounting()
                .add_chart_node(actor, parent, &input.section, &input.name, side)
        })
        .await?;
        let depth = node.code.sections().len().saturating_sub(1);
        Ok(ChartOfAccountsAddNodePayload {
            node: ChartNode::new(depth, &node),
        })
    }

    async fn accounting_base_config_update(
        &self,
        ctx: &Context<'_>,
        input: AccountingBaseConfigUpdateInput,
    ) -> Result<AccountingBaseConfigUpdatePayload> {
        let config = BaseConfig {
            assets: code(&input.assets)?,
            liabilities: code(&input.liabilities)?,
            equity: code(&input.equity)?,
            revenue: code(&input.revenue)?,
            cost_of_revenue: code(&input.cost_of_revenue)?,
            expenses: code(&input.expenses)?,
            retained_earnings_gain: code(&input.retained_earnings_gain)?,
            retained_earnings_loss: code(&input.retained_earnings_loss)?,
            off_balance_sheet: input
                .off_balance_sheet
                .iter()
                .map(|c| code(c))
                .collect::<Result<_>>()?,
            inception: input.inception_date.0,
        };
        let chart = run(ctx, |app, actor| {
            app.accounting().configure_books(actor, config)
        })
        .await?;
        Ok(AccountingBaseConfigUpdatePayload {
            chart: chart.into(),
        })
    }

    /// Hangs a domain's account set under a chart node (same normal balance); its postings,
    /// earlier ones included, then roll up into the node.
    async fn accounting_module_attach(
        &self,
        ctx: &Context<'_>,
        input: AccountingModuleAttachInput,
    ) -> Result<AccountingModuleAttachPayload> {
        let node = code(&input.code)?;
        let chart = run(ctx, |app, actor| {
            app.accounting()
                .attach_module_set(actor, &input.module_set_key, node)
        })
        .await?;
        Ok(AccountingModuleAttachPayload {
            chart: chart.into(),
        })
    }

    async fn manual_transaction_create(
        &self,
        ctx: &Context<'_>,
        input: ManualTransactionCreateInput,
    ) -> Result<ManualTransactionCreatePayload> {
        let key = idempotency_key(ctx, input.idempotency_key.as_deref())?;
        let mut entries = Vec::with_capacity(input.entries.len());
        for e in input.entries {
            let account = match (e.account_code, e.ledger_account_id) {
                (Some(c), None) => EntryAccount::Code(code(&c)?),
                (None, Some(id)) => EntryAccount::Account(id.into()),
                _ => {
                    return Err(invalid_input(
                        "each entry names exactly one of accountCode and ledgerAccountId",
                    ));
                }
            };
            let amount = u64::try_from(e.amount.0)
                .ok()
                .filter(|a| *a > 0)
                .ok_or_else(|| invalid_input("an amount must be greater than zero"))?;
            entries.push(ManualEntryInput {
                account,
                currency: e.currency.into(),
                direction: e.direction.into(),
                amount,
                description: e.description,
            });
        }
        let new = NewManualTransaction::parse(&input.description, input.effective_date.0, entries)
            .map_err(invalid_input)?;
        let t = run(ctx, |app, actor| {
            app.accounting()
                .create_manual_transaction(actor, new, key.as_ref())
        })
        .await?;
        Ok(ManualTransactionCreatePayload {
            manual_transaction: t.into(),
        })
    }

    /// Asks for a ledger account's history as a CSV file; a job writes it (`status`), then
    /// `downloadPath` serves it.
    async fn ledger_account_export_create(
        &self,
        ctx: &Context<'_>,
        input: LedgerAccountExportCreateInput,
    ) -> Result<LedgerAccountExportCreatePayload> {
        let account = ledger::AccountId::from(input.ledger_account_id);
        let e = run(ctx, |app, actor| {
            app.accounting().request_ledger_export(actor, account)
        })
        .await?;
        Ok(LedgerAccountExportCreatePayload { export: e.into() })
    }

    /// Closes a month: the next open one, ended and with its end-of-day work done. From then
    /// on nothing of any domain can be posted into it. Closing it again changes nothing.
    async fn accounting_period_close_month(
        &self,
        ctx: &Context<'_>,
        input: AccountingPeriodCloseMonthInput,
    ) -> Result<AccountingPeriodCloseMonthPayload> {
        let month = u32::try_from(input.month)
            .map_err(|_| invalid_input("month must be 1 to 12"))
            .and_then(|m| Month::parse(input.year, m).map_err(invalid_input))?;
        let y = run(ctx, |app, actor| app.accounting().close_month(actor, month)).await?;
        Ok(AccountingPeriodCloseMonthPayload {
            fiscal_year: y.into(),
        })
    }

    /// Closes a year with its December: posts the closing transactions (revenue and expenses
    /// to zero, the result into retained earnings) and opens the next year.
    async fn accounting_period_close_year(
        &self,
        ctx: &Context<'_>,
        input: AccountingPeriodCloseYearInput,
    ) -> Result<AccountingPeriodCloseYearPayload> {
        let y = run(ctx, |app, actor| {
            app.accounting().close_year(actor, input.year)
        })
        .await?;
        Ok(AccountingPeriodCloseYearPayload {
            fiscal_year: y.into(),
        })
    }
}
