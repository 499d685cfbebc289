//! A disbursal: its amount held on the facility's limit, approved under governance (or
//! pre-approved: the single policy's payout at activation), then settled into the customer's
//! deposit account, with the principal due at the facility's maturity. A denial releases the
//! hold; so does a settlement the deposit account cannot take (cancelled).

use crate::primitives::{Amount, CreditFacilityId, DisbursalId, DisbursalStatus, Reason};
use chrono::NaiveDate;
use core_governance::ApprovalProcessId;
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use ledger::TransactionId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DisbursalEvent {
    Initialized {
        facility_id: CreditFacilityId,
        amount: Amount,
        /// `None`: pre-approved (the single policy's payout at activation).
        approval_process_id: Option<ApprovalProcessId>,
        /// The principal obligation's due date: the facility's maturity.
        due_date: NaiveDate,
        hold_transaction_id: TransactionId,
    },
    Settled {
        ledger_transaction_id: TransactionId,
    },
    Denied {
        reason: Option<String>,
        release_transaction_id: TransactionId,
    },
    Cancelled {
        reason: Reason,
        release_transaction_id: TransactionId,
    },
}

#[derive(Debug)]
pub struct Disbursal {
    pub facility_id: CreditFacilityId,
    pub amount: Amount,
    pub approval_process_id: Option<ApprovalProcessId>,
    pub due_date: NaiveDate,
    pub hold_transaction_id: TransactionId,
    pub status: DisbursalStatus,
    pub reason: Option<String>,
    events: EntityEvents<DisbursalEvent>,
}

pub struct NewDisbursal {
    pub id: DisbursalId,
    pub facility_id: CreditFacilityId,
    pub amount: Amount,
    pub approval_process_id: Option<ApprovalProcessId>,
    pub due_date: NaiveDate,
}

impl NewDisbursal {
    pub fn into_events(self, hold_transaction_id: TransactionId) -> EntityEvents<DisbursalEvent> {
        EntityEvents::init(
            self.id,
            [DisbursalEvent::Initialized {
                facility_id: self.facility_id,
                amount: self.amount,
                approval_process_id: self.approval_process_id,
                due_date: self.due_date,
                hold_transaction_id,
            }],
        )
    }
}

impl Disbursal {
    /// Only a disbursal awaiting approval moves on; anything else was decided before (a
    /// redelivered conclusion has nothing to do).
    pub fn ensure_pending(&self) -> Idempotent<()> {
        if self.status == DisbursalStatus::PendingApproval {
            Idempotent::Executed(())
        } else {
            Idempotent::AlreadyApplied
        }
    }

    pub fn settle(&mut self, ledger_transaction_id: TransactionId) -> Idempotent<()> {
        let check = self.ensure_pending();
        if check.did_execute() {
            self.status = DisbursalStatus::Settled;
            self.events.push(DisbursalEvent::Settled {
                ledger_transaction_id,
            });
        }
        check
    }

    pub fn deny(
        &mut self,
        reason: Option<String>,
        release_transaction_id: TransactionId,
    ) -> Idempotent<()> {
        let check = self.ensure_pending();
        if check.did_execute() {
            self.status = DisbursalStatus::Denied;
            self.reason.clone_from(&reason);
            self.events.push(DisbursalEvent::Denied {
                reason,
                release_transaction_id,
            });
        }
        check
    }

    pub fn cancel(
        &mut self,
        reason: Reason,
        release_transaction_id: TransactionId,
    ) -> Idempotent<()> {
        let check = self.ensure_pending();
        if check.did_execute() {
            self.status = DisbursalStatus::Cancelled;
            self.reason = Some(reason.as_str().to_owned());
            self.events.push(DisbursalEvent::Cancelled {
                reason,
                release_transaction_id,
            });
        }
        check
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Disbursal {
    type Id = DisbursalId;
    type Event = DisbursalEvent;

    fn events(&self) -> &EntityEvents<DisbursalEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<DisbursalEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<DisbursalEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(DisbursalEvent::Initialized {
            facility_id,
            amount,
            approval_process_id,
            due_date,
            hold_transaction_id,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let (mut status, mut reason) = (DisbursalStatus::PendingApproval, None);
        for event in iter {
            status = match event {
                DisbursalEvent::Initialized { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "initialized twice".into(),
                    });
                }
                DisbursalEvent::Settled { .. } => DisbursalStatus::Settled,
                DisbursalEvent::Denied { reason: r, .. } => {
                    reason.clone_from(r);
                    DisbursalStatus::Denied
                }
                DisbursalEvent::Cancelled { reason: r, .. } => {
                    reason = Some(r.as_str().to_owned());
                    DisbursalStatus::Cancelled
                }
            };
        }
        Ok(Self {
            facility_id: *facility_id,
            amount: *amount,
            approval_process_id: *approval_process_id,
            due_date: *due_date,
            hold_transaction_id: *hold_transaction_id,
            status,
            reason,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disbursal() -> Disbursal {
        let new = NewDisbursal {
            id: DisbursalId::new(),
            facility_id: CreditFacilityId::new(),
            amount: Amount::parse(money::UsdCents::from_minor(100)).unwrap(),
            approval_process_id: Some(ApprovalProcessId::new()),
            due_date: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
        };
        Disbursal::try_from_events(new.into_events(TransactionId::new())).unwrap()
    }

    #[test]
    fn it_settles_once_and_a_late_denial_changes_nothing() {
        let mut d = disbursal();
        assert!(d.settle(TransactionId::new()).did_execute());
        assert!(d.settle(TransactionId::new()).was_already_applied());
        assert!(d.deny(None, TransactionId::new()).was_already_applied());
        let rebuilt = Disbursal::try_from_events(d.events().clone()).unwrap();
        assert_eq!(rebuilt.status, DisbursalStatus::Settled);
    }

    #[test]
    fn a_denial_or_cancellation_ends_it_with_its_reason() {
        let mut d = disbursal();
        assert!(
            d.deny(Some("no".into()), TransactionId::new())
                .did_execute()
        );
        assert!(d.settle(TransactionId::new()).was_already_applied());
        let rebuilt = Disbursal::try_from_events(d.events().clone()).unwrap();
        assert_eq!(
            (rebuilt.status, rebuilt.reason.as_deref()),
            (DisbursalStatus::Denied, Some("no"))
        );
        let mut c = disbursal();
        let reason = Reason::parse(Some("account frozen")).unwrap();
        assert!(c.cancel(reason, TransactionId::new()).did_execute());
        let rebuilt = Disbursal::try_from_events(c.events().clone()).unwrap();
        assert_eq!(rebuilt.status, DisbursalStatus::Cancelled);
    }
}
