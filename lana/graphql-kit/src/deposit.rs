//! Deposit types both APIs show the same way: balances and account history from the ledger.

use crate::{Date, UsdCents, api_error};
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Enum, Result, SimpleObject};
use chrono::{DateTime, Utc};
use uuid::Uuid;

/// Balances in cents: `available` = `settled` - `pending`.
#[derive(SimpleObject)]
pub struct Balance {
    settled: UsdCents,
    pending: UsdCents,
    available: UsdCents,
    frozen: UsdCents,
}

impl From<core_deposit::AccountBalance> for Balance {
    fn from(b: core_deposit::AccountBalance) -> Self {
        Self {
            settled: UsdCents(b.settled),
            pending: UsdCents(b.pending),
            available: UsdCents(b.available),
            frozen: UsdCents(b.frozen),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum HistoryKind {
    Deposit,
    DepositRevert,
    WithdrawalHold,
    WithdrawalRelease,
    WithdrawalConfirm,
    WithdrawalRevert,
    Freeze,
    Unfreeze,
}

impl From<core_deposit::ledger::PostingKind> for HistoryKind {
    fn from(k: core_deposit::ledger::PostingKind) -> Self {
        use core_deposit::ledger::PostingKind as P;
        match k {
            P::Deposit => Self::Deposit,
            P::DepositRevert => Self::DepositRevert,
            P::WithdrawalHold => Self::WithdrawalHold,
            P::WithdrawalRelease => Self::WithdrawalRelease,
            P::WithdrawalConfirm => Self::WithdrawalConfirm,
            P::WithdrawalRevert => Self::WithdrawalRevert,
            P::Freeze => Self::Freeze,
            P::Unfreeze => Self::Unfreeze,
        }
    }
}

/// One ledger entry on the account. `amountIn` / `amountOut` in cents; `pending` entries are
/// holds for withdrawals and their releases.
#[derive(SimpleObject)]
pub struct HistoryEntry {
    kind: HistoryKind,
    /// The deposit or withdrawal (or, for freezes, the account) it belongs to.
    entity_id: Option<Uuid>,
    amount_in: UsdCents,
    amount_out: UsdCents,
    pending: bool,
    effective: Date,
    recorded_at: DateTime<Utc>,
}

impl From<core_deposit::HistoryEntry> for HistoryEntry {
    fn from(e: core_deposit::HistoryEntry) -> Self {
        let minor = e.amount.into_minor();
        let cents = |m: i64| UsdCents(money::UsdCents::from_minor(m.unsigned_abs()));
        Self {
            kind: e.kind.into(),
            entity_id: e.entity_id,
            amount_in: cents(minor.max(0)),
            amount_out: cents(minor.min(0)),
            pending: e.pending,
            effective: Date(e.effective),
            recorded_at: e.recorded_at,
        }
    }
}

/// A page of history as a connection.
pub fn history_connection(page: core_deposit::HistoryPage) -> Connection<String, HistoryEntry> {
    let mut c = Connection::new(false, page.has_next_page);
    c.edges.extend(
        page.entries
            .into_iter()
            .map(|e| Edge::new(e.cursor.to_string(), HistoryEntry::from(e))),
    );
    c
}

/// The `after` of a history page: an entry cursor this list issued.
pub fn history_after(after: Option<String>) -> Result<Option<i64>> {
    after
        .map(|a| a.parse::<i64>())
        .transpose()
        .map_err(|_| api_error("INVALID_CURSOR", "after is not a cursor this list issued"))
}
