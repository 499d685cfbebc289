//! The accounting domain's errors and their stable codes.

use crate::chart::CsvError;
use crate::primitives::{AccountCode, AccountId, InvalidValue, Month};
use chrono::NaiveDate;
use error_code::{ErrorCode, INTERNAL, INVALID_INPUT, NOT_FOUND};
use use_case::{DomainError, PlatformError};

pub const CHART_CSV_INVALID: ErrorCode = ErrorCode::new(
    "CHART_CSV_INVALID",
    "The chart of accounts file was refused whole (the message names the line and the problem); nothing was imported.",
);
pub const CHART_NODE_EXISTS: ErrorCode = ErrorCode::new(
    "CHART_NODE_EXISTS",
    "A node with this code already exists in the chart with another name, normal balance or parent.",
);
pub const CHART_NODE_NOT_FOUND: ErrorCode = ErrorCode::new(
    "CHART_NODE_NOT_FOUND",
    "No node of the chart of accounts has this code (or the new node's parent is missing).",
);
pub const ACCOUNTING_CONFIG_INVALID: ErrorCode = ErrorCode::new(
    "ACCOUNTING_CONFIG_INVALID",
    "The accounting base configuration was refused (the message says why: a side, an overlap, a code outside equity).",
);
pub const ACCOUNTING_NOT_CONFIGURED: ErrorCode = ErrorCode::new(
    "ACCOUNTING_NOT_CONFIGURED",
    "The chart's base configuration (categories, retained earnings, inception date) is not set yet.",
);
pub const NORMAL_BALANCE_MISMATCH: ErrorCode = ErrorCode::new(
    "NORMAL_BALANCE_MISMATCH",
    "The account set and the chart node have different normal balances; attach it under a node on its side.",
);
pub const MODULE_ALREADY_ATTACHED: ErrorCode = ErrorCode::new(
    "MODULE_ALREADY_ATTACHED",
    "The module's account set is already attached under another chart node.",
);
pub const PERIOD_CLOSED: ErrorCode = ErrorCode::new(
    "PERIOD_CLOSED",
    "The effective date is in a closed accounting period: nothing may be posted there.",
);
pub const BEFORE_INCEPTION: ErrorCode = ErrorCode::new(
    "BEFORE_INCEPTION",
    "The effective date is before the bank's inception date.",
);
pub const TRANSACTION_UNBALANCED: ErrorCode = ErrorCode::new(
    "TRANSACTION_UNBALANCED",
    "The entries' debits and credits differ in a currency; a transaction must balance.",
);
pub const LEDGER_ACCOUNT_REFUSED: ErrorCode = ErrorCode::new(
    "LEDGER_ACCOUNT_REFUSED",
    "A ledger account of the entries cannot take this posting (it is a set, it is locked, or it may not go below zero).",
);
pub const PERIOD_NOT_NEXT: ErrorCode = ErrorCode::new(
    "PERIOD_NOT_NEXT",
    "Periods close in order: an earlier month (or year) is still open.",
);
pub const PERIOD_NOT_ENDED: ErrorCode = ErrorCode::new(
    "PERIOD_NOT_ENDED",
    "The period has not ended yet, or its last day's end-of-day work is not done.",
);
pub const YEAR_CLOSE_REQUIRED: ErrorCode = ErrorCode::new(
    "YEAR_CLOSE_REQUIRED",
    "December closes with its year (accountingPeriodCloseYear), which also moves the year's result to retained earnings.",
);

pub const EXPORT_NOT_READY: ErrorCode = ErrorCode::new(
    "EXPORT_NOT_READY",
    "The export has no file to download: it is still being written, or it failed (its status says which).",
);

/// The codes of this domain.
pub const CODES: &[ErrorCode] = &[
    CHART_CSV_INVALID,
    CHART_NODE_EXISTS,
    CHART_NODE_NOT_FOUND,
    ACCOUNTING_CONFIG_INVALID,
    ACCOUNTING_NOT_CONFIGURED,
    NORMAL_BALANCE_MISMATCH,
    MODULE_ALREADY_ATTACHED,
    PERIOD_CLOSED,
    BEFORE_INCEPTION,
    TRANSACTION_UNBALANCED,
    LEDGER_ACCOUNT_REFUSED,
    PERIOD_NOT_NEXT,
    PERIOD_NOT_ENDED,
    YEAR_CLOSE_REQUIRED,
    EXPORT_NOT_READY,
];

#[derive(Debug, thiserror::Error)]
pub enum AccountingError {
    #[error(transparent)]
    InvalidValue(#[from] InvalidValue),
    #[error("{0}")]
    Csv(#[from] CsvError),
    #[error("{}code {code} already exists with another name, normal balance or parent", at(*line))]
    NodeExists {
        line: Option<usize>,
        code: AccountCode,
    },
    #[error("{}the parent of {code} is not in the chart", at(*line))]
    ParentNotFound {
        line: Option<usize>,
        code: AccountCode,
    },
    #[error("{}top-level code {code} needs a normal balance (Debit or Credit)", at(*line))]
    NoNormalBalance {
        line: Option<usize>,
        code: AccountCode,
    },
    #[error("no node of the chart has code {0}")]
    NodeNotFound(AccountCode),
    #[error("{0}")]
    ConfigInvalid(String),
    #[error("the chart's base configuration is not set")]
    NotConfigured,
    #[error("no module account set is named {0}")]
    UnknownModuleSet(String),
    #[error("{key} and chart node {code} have different normal balances")]
    NormalBalanceMismatch { key: String, code: AccountCode },
    #[error("{key} is already attached under {code}")]
    AlreadyAttached { key: String, code: AccountCode },
    #[error("no ledger account {0}")]
    AccountNotFound(AccountId),
    #[error("effective {effective} is in a closed period (closed through {closed_through})")]
    PeriodClosed {
        effective: NaiveDate,
        closed_through: NaiveDate,
    },
    #[error("effective {effective} is before the bank's inception on {inception}")]
    BeforeInception {
        effective: NaiveDate,
        inception: NaiveDate,
    },
    #[error("effective {effective} is after today ({today})")]
    FutureDate {
        effective: NaiveDate,
        today: NaiveDate,
    },
    #[error("the entries do not balance: {0}")]
    Unbalanced(String),
    #[error("the ledger refused the posting: {0}")]
    PostingRefused(ledger::PostingError),
    #[error("{month} cannot close before {open} (months close in order)")]
    PeriodNotNext { month: Month, open: Month },
    #[error(
        "{month} has not ended, or the end of day of its last day is not done (done through {done})"
    )]
    PeriodNotEnded { month: Month, done: NaiveDate },
    #[error("December {0} closes with its year")]
    YearCloseRequired(i32),
    #[error("{0} is an account set; export the history of an account")]
    ExportOfSet(AccountId),
    #[error("export {0} has no file to download (pending or failed)")]
    ExportNotReady(crate::primitives::LedgerExportId),
    #[error("the export file cannot be read: {0}")]
    ExportFile(String),
    #[error("the export job cannot be made: {0}")]
    ExportJob(#[from] serde_json::Error),
    #[error("an amount of {0} minor units does not fit the ledger")]
    AmountOutOfRange(i128),
    #[error(transparent)]
    Time(#[from] core_time::TimeError),
    #[error(transparent)]
    Platform(#[from] PlatformError),
}

fn at(line: Option<usize>) -> String {
    line.map(|l| format!("line {l}: ")).unwrap_or_default()
}

use_case::platform_errors!(AccountingError);

impl AccountingError {
    /// A posting's refusal by the ledger in this domain's terms (other ledger failures are the
    /// platform's).
    pub(crate) fn from_posting(e: ledger::LedgerError) -> Self {
        use ledger::{LedgerError, PostingError};
        match e {
            LedgerError::Posting(PostingError::PeriodClosed {
                effective,
                closed_through,
            }) => Self::PeriodClosed {
                effective,
                closed_through,
            },
            LedgerError::Posting(p @ PostingError::Unbalanced { .. }) => {
                Self::Unbalanced(p.to_string())
            }
            LedgerError::Posting(PostingError::UnknownAccount(id))
            | LedgerError::AccountNotFound(id) => Self::AccountNotFound(id),
            LedgerError::Posting(p) => Self::PostingRefused(p),
            other => Self::from(other),
        }
    }
}

impl DomainError for AccountingError {
    fn code(&self) -> ErrorCode {
        match self {
            Self::InvalidValue(_) | Self::FutureDate { .. } => INVALID_INPUT,
            Self::Csv(_) => CHART_CSV_INVALID,
            // In a file the line says where; in a request it is the one node asked for.
            Self::NodeExists { line: Some(_), .. }
            | Self::ParentNotFound { line: Some(_), .. }
            | Self::NoNormalBalance { line: Some(_), .. } => CHART_CSV_INVALID,
            Self::NodeExists { .. } => CHART_NODE_EXISTS,
            Self::ParentNotFound { .. } | Self::NodeNotFound(_) => CHART_NODE_NOT_FOUND,
            Self::NoNormalBalance { .. } => INVALID_INPUT,
            Self::ConfigInvalid(_) => ACCOUNTING_CONFIG_INVALID,
            Self::NotConfigured => ACCOUNTING_NOT_CONFIGURED,
            Self::UnknownModuleSet(_) | Self::AccountNotFound(_) => NOT_FOUND,
            Self::NormalBalanceMismatch { .. } => NORMAL_BALANCE_MISMATCH,
            Self::AlreadyAttached { .. } => MODULE_ALREADY_ATTACHED,
            Self::PeriodClosed { .. } => PERIOD_CLOSED,
            Self::BeforeInception { .. } => BEFORE_INCEPTION,
            Self::Unbalanced(_) => TRANSACTION_UNBALANCED,
            Self::PostingRefused(_) => LEDGER_ACCOUNT_REFUSED,
            Self::PeriodNotNext { .. } => PERIOD_NOT_NEXT,
            Self::PeriodNotEnded { .. } => PERIOD_NOT_ENDED,
            Self::YearCloseRequired(_) => YEAR_CLOSE_REQUIRED,
            Self::ExportOfSet(_) => INVALID_INPUT,
            Self::ExportNotReady(_) => EXPORT_NOT_READY,
            Self::AmountOutOfRange(_) | Self::ExportFile(_) | Self::ExportJob(_) => INTERNAL,
            Self::Time(e) => e.code(),
            Self::Platform(e) => e.code(),
        }
    }

    fn platform(&self) -> Option<&PlatformError> {
        match self {
            Self::Platform(e) => Some(e),
            Self::Time(e) => e.platform(),
            _ => None,
        }
    }
}
