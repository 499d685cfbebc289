use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use es::EsEntity;
use graphql_kit::UsdCents;
use uuid::Uuid;

#[derive(SimpleObject)]
pub struct Deposit {
    id: Uuid,
    account_id: Uuid,
    amount: UsdCents,
    reference: String,
    reverted: bool,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_deposit::Deposit> for Deposit {
    fn from(d: core_deposit::Deposit) -> Self {
        Self {
            id: d.id().into(),
            account_id: d.account_id.into(),
            amount: UsdCents(d.amount.cents()),
            reference: d.reference.as_str().to_owned(),
            reverted: d.reverted,
            created_at: d.created_at(),
        }
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_deposit::WithdrawalStatus")]
pub enum WithdrawalStatus {
    PendingApproval,
    Approved,
    Denied,
    Cancelled,
    Confirmed,
    Reverted,
}

#[derive(SimpleObject)]
pub struct Withdrawal {
    id: Uuid,
    account_id: Uuid,
    amount: UsdCents,
    reference: String,
    status: WithdrawalStatus,
    approval_process_id: Uuid,
    denial_reason: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_deposit::Withdrawal> for Withdrawal {
    fn from(w: core_deposit::Withdrawal) -> Self {
        Self {
            id: w.id().into(),
            account_id: w.account_id.into(),
            amount: UsdCents(w.amount.cents()),
            reference: w.reference.as_str().to_owned(),
            status: w.status.into(),
            approval_process_id: w.approval_process_id,
            denial_reason: w.denial_reason.clone(),
            created_at: w.created_at(),
        }
    }
}
