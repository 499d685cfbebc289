use crate::primitives::{AccountId, Currency, TransactionId};

/// Why one posting was refused; nothing of it was written. Other postings of the same batch are
/// unaffected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PostingError {
    #[error(
        "transaction does not balance in {currency} {layer:?}: debits minus credits = {difference}"
    )]
    Unbalanced {
        currency: Currency,
        layer: crate::Layer,
        difference: i128,
    },
    #[error("invalid transaction: {0}")]
    Invalid(String),
    #[error("unknown currency {0}")]
    UnknownCurrency(Currency),
    #[error("account {0} does not exist")]
    UnknownAccount(AccountId),
    #[error("account {0} is locked")]
    AccountLocked(AccountId),
    #[error("account {0} is an account set; post to its members")]
    PostingToSet(AccountId),
    #[error("account {account} may not go below zero in {currency}")]
    InsufficientBalance {
        account: AccountId,
        currency: Currency,
    },
    #[error("external id {external_id} was already used for a different transaction")]
    ExternalIdConflict { external_id: String },
    #[error("transaction {0} was already reversed")]
    AlreadyReversed(TransactionId),
    #[error("transaction {0} does not exist")]
    TransactionNotFound(TransactionId),
    #[error(
        "effective {effective} is in a closed period: the journal is closed through {closed_through}"
    )]
    PeriodClosed {
        effective: chrono::NaiveDate,
        closed_through: chrono::NaiveDate,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error(transparent)]
    Posting(#[from] PostingError),
    #[error("account {0} does not exist")]
    AccountNotFound(AccountId),
    #[error("a journal or account with this name or code already exists")]
    Duplicate,
    #[error("adding {member} to set {set} would make a cycle")]
    SetCycle { set: AccountId, member: AccountId },
    #[error("account {0} is already in another set; an account is in one set (sets nest)")]
    AccountInOtherSet(AccountId),
    #[error("journal {0} does not exist")]
    JournalNotFound(crate::JournalId),
    #[error(
        "the journal is closed through {closed_through}; it cannot be closed only through {date}"
    )]
    Reopening {
        closed_through: chrono::NaiveDate,
        date: chrono::NaiveDate,
    },
    #[error("the ledger's committer has stopped")]
    CommitterStopped,
    #[error("the posting could not be committed: {0}")]
    CommitFailed(String),
    #[error(transparent)]
    Outbox(#[from] outbox::OutboxError),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
}

impl es::Retryable for LedgerError {
    fn is_retryable(&self) -> bool {
        match self {
            // A concurrent posting of the same external id, or a deadlock victim / serialization
            // failure: running the use case again resolves it (as a replay, or by waiting).
            // Also a posting the database refused for a period closed after the ledger had read
            // the date (`LD001`): run again, it is refused cleanly as `PeriodClosed`.
            LedgerError::Sqlx(e) => {
                es::sqlx_error_is_retryable(e)
                    || e.as_database_error().is_some_and(|d| {
                        d.is_unique_violation() || d.code().as_deref() == Some("LD001")
                    })
            }
            _ => false,
        }
    }
}
