//! The events other domains may see, published on the outbox in the transaction that caused
//! them. They are written by [`DepositPublisher`] as entity events are persisted, so no use case
//! can change an account, a deposit or a withdrawal without announcing it.

mod publisher;

pub(crate) use publisher::DepositPublisher;

use crate::primitives::{Activity, CustomerId, DepositAccountId, DepositId, WithdrawalId};
use money::UsdCents;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DepositPublicEvent {
    DepositAccountOpened {
        account_id: DepositAccountId,
        customer_id: CustomerId,
    },
    DepositAccountFrozen {
        account_id: DepositAccountId,
    },
    DepositAccountUnfrozen {
        account_id: DepositAccountId,
    },
    DepositAccountClosed {
        account_id: DepositAccountId,
    },
    DepositAccountActivityChanged {
        account_id: DepositAccountId,
        activity: Activity,
    },
    DepositRecorded {
        deposit_id: DepositId,
        account_id: DepositAccountId,
        amount: UsdCents,
    },
    DepositReverted {
        deposit_id: DepositId,
        account_id: DepositAccountId,
        amount: UsdCents,
    },
    WithdrawalInitiated {
        withdrawal_id: WithdrawalId,
        account_id: DepositAccountId,
        amount: UsdCents,
    },
    WithdrawalApproved {
        withdrawal_id: WithdrawalId,
        account_id: DepositAccountId,
    },
    WithdrawalDenied {
        withdrawal_id: WithdrawalId,
        account_id: DepositAccountId,
        reason: Option<String>,
    },
    WithdrawalCancelled {
        withdrawal_id: WithdrawalId,
        account_id: DepositAccountId,
    },
    WithdrawalConfirmed {
        withdrawal_id: WithdrawalId,
        account_id: DepositAccountId,
        amount: UsdCents,
    },
    WithdrawalReverted {
        withdrawal_id: WithdrawalId,
        account_id: DepositAccountId,
        amount: UsdCents,
    },
}

impl outbox::PublicEvent for DepositPublicEvent {
    const EVENT_TYPES: &'static [&'static str] = &[
        "deposit_account_opened",
        "deposit_account_frozen",
        "deposit_account_unfrozen",
        "deposit_account_closed",
        "deposit_account_activity_changed",
        "deposit_recorded",
        "deposit_reverted",
        "withdrawal_initiated",
        "withdrawal_approved",
        "withdrawal_denied",
        "withdrawal_cancelled",
        "withdrawal_confirmed",
        "withdrawal_reverted",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use outbox::PublicEvent;

    #[test]
    fn event_types_are_exactly_the_tags() {
        let (account_id, amount) = (DepositAccountId::new(), UsdCents::from_minor(1));
        let (deposit_id, withdrawal_id) = (DepositId::new(), WithdrawalId::new());
        let all = [
            DepositPublicEvent::DepositAccountOpened {
                account_id,
                customer_id: CustomerId::new(),
            },
            DepositPublicEvent::DepositAccountFrozen { account_id },
            DepositPublicEvent::DepositAccountUnfrozen { account_id },
            DepositPublicEvent::DepositAccountClosed { account_id },
            DepositPublicEvent::DepositAccountActivityChanged {
                account_id,
                activity: Activity::Inactive,
            },
            DepositPublicEvent::DepositRecorded {
                deposit_id,
                account_id,
                amount,
            },
            DepositPublicEvent::DepositReverted {
                deposit_id,
                account_id,
                amount,
            },
            DepositPublicEvent::WithdrawalInitiated {
                withdrawal_id,
                account_id,
                amount,
            },
            DepositPublicEvent::WithdrawalApproved {
                withdrawal_id,
                account_id,
            },
            DepositPublicEvent::WithdrawalDenied {
                withdrawal_id,
                account_id,
                reason: None,
            },
            DepositPublicEvent::WithdrawalCancelled {
                withdrawal_id,
                account_id,
            },
            DepositPublicEvent::WithdrawalConfirmed {
                withdrawal_id,
                account_id,
                amount,
            },
            DepositPublicEvent::WithdrawalReverted {
                withdrawal_id,
                account_id,
                amount,
            },
        ];
        assert_eq!(
            outbox::event_types(&all).unwrap(),
            DepositPublicEvent::EVENT_TYPES
        );
    }
}
