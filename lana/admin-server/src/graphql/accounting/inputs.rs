use super::types::{Currency, NormalBalance};
use async_graphql::InputObject;
use graphql_kit::{Date, MinorUnits};
use uuid::Uuid;

#[derive(InputObject)]
pub struct ChartOfAccountsCsvImportInput {
    /// The file's bytes, base64 (standard alphabet): a headerless CSV of code sections, name,
    /// normal balance. At most 2 MiB.
    pub(super) file_base64: String,
}

#[derive(InputObject)]
pub struct ChartOfAccountsAddNodeInput {
    /// The parent's code; null for a top-level node.
    pub(super) parent_code: Option<String>,
    /// The new node's last code section (digits), e.g. `03` under `11.01` makes `11.01.03`.
    pub(super) section: String,
    pub(super) name: String,
    /// Null: the parent's.
    pub(super) normal_balance: Option<NormalBalance>,
}

#[derive(InputObject)]
pub struct AccountingBaseConfigUpdateInput {
    pub(super) assets: String,
    pub(super) liabilities: String,
    pub(super) equity: String,
    pub(super) revenue: String,
    pub(super) cost_of_revenue: String,
    pub(super) expenses: String,
    pub(super) retained_earnings_gain: String,
    pub(super) retained_earnings_loss: String,
    pub(super) off_balance_sheet: Vec<String>,
    /// The bank's first day: nothing is posted manually before it; its month closes first.
    pub(super) inception_date: Date,
}

#[derive(InputObject)]
pub struct AccountingModuleAttachInput {
    /// A key from `accountingModuleSets`, e.g. `deposit-accounts`.
    pub(super) module_set_key: String,
    /// The chart node to attach it under (same normal balance).
    pub(super) code: String,
}

#[derive(InputObject)]
pub struct ManualTransactionEntryInput {
    /// A chart code (the entry goes to that node's own account) ...
    pub(super) account_code: Option<String>,
    /// ... or a ledger account id (exactly one of the two).
    pub(super) ledger_account_id: Option<Uuid>,
    pub(super) currency: Currency,
    pub(super) direction: NormalBalance,
    /// Minor units of the currency, more than zero.
    pub(super) amount: MinorUnits,
    pub(super) description: Option<String>,
}

#[derive(InputObject)]
pub struct ManualTransactionCreateInput {
    pub(super) description: String,
    pub(super) effective_date: Date,
    /// 2 to 50 entries, balanced per currency.
    pub(super) entries: Vec<ManualTransactionEntryInput>,
    /// The same key again returns the first transaction (or the `Idempotency-Key` header).
    pub(super) idempotency_key: Option<String>,
}

#[derive(InputObject)]
pub struct AccountingPeriodCloseMonthInput {
    pub(super) year: i32,
    /// 1..=11 (December closes with its year).
    pub(super) month: i32,
}

#[derive(InputObject)]
pub struct AccountingPeriodCloseYearInput {
    pub(super) year: i32,
}

#[derive(InputObject)]
pub struct LedgerAccountExportCreateInput {
    /// A ledger account (not a set), e.g. from `chartNodeLedgerAccounts`.
    pub(super) ledger_account_id: Uuid,
}
