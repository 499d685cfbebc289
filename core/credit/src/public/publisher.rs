use super::CreditPublicEvent;
use crate::disbursal::{Disbursal, DisbursalEvent};
use crate::facility::{CreditFacility, CreditFacilityEvent};
use es::{DbOp, EsEntity, EsRepoError, PersistHook, PersistedEvent};
use outbox::Outbox;

/// Publishes the public event of each persisted entity event, in the same transaction (a hook
/// on the facility and disbursal repositories).
#[derive(Clone)]
pub(crate) struct CreditPublisher {
    outbox: Outbox,
}

impl CreditPublisher {
    pub(crate) fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

#[async_trait::async_trait]
impl PersistHook<CreditFacility> for CreditPublisher {
    async fn persisted(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
        new_events: &[PersistedEvent<CreditFacilityEvent>],
    ) -> Result<(), EsRepoError> {
        use CreditPublicEvent as P;
        let facility_id = facility.id();
        let events: Vec<P> = new_events
            .iter()
            .filter_map(|e| match &e.event {
                CreditFacilityEvent::Proposed {
                    customer_id,
                    amount,
                    ..
                } => Some(P::FacilityProposed {
                    facility_id,
                    customer_id: *customer_id,
                    amount: amount.cents(),
                }),
                CreditFacilityEvent::Approved { .. } => Some(P::FacilityApproved { facility_id }),
                CreditFacilityEvent::Denied { .. } => Some(P::FacilityDenied { facility_id }),
                CreditFacilityEvent::CollateralUpdated { collateral, .. } => {
                    Some(P::FacilityCollateralUpdated {
                        facility_id,
                        collateral: collateral.sats(),
                    })
                }
                CreditFacilityEvent::CollateralizationChanged { state, price } => {
                    Some(P::FacilityCollateralizationChanged {
                        facility_id,
                        state: *state,
                        price: *price,
                    })
                }
                CreditFacilityEvent::Activated {
                    activated_on,
                    maturity_date,
                    ..
                } => Some(P::FacilityActivated {
                    facility_id,
                    activated_on: *activated_on,
                    maturity_date: *maturity_date,
                }),
                CreditFacilityEvent::Completed { completed_on } => Some(P::FacilityCompleted {
                    facility_id,
                    completed_on: *completed_on,
                }),
                CreditFacilityEvent::CustomerConsented { .. }
                | CreditFacilityEvent::CustomerDeclined { .. }
                | CreditFacilityEvent::WalletAssigned { .. } => None,
            })
            .collect();
        Ok(self.outbox.publish_all_in_op(op, &events).await?)
    }
}

#[async_trait::async_trait]
impl PersistHook<Disbursal> for CreditPublisher {
    async fn persisted(
        &self,
        op: &mut DbOp,
        disbursal: &Disbursal,
        new_events: &[PersistedEvent<DisbursalEvent>],
    ) -> Result<(), EsRepoError> {
        let events: Vec<CreditPublicEvent> = new_events
            .iter()
            .filter(|e| matches!(e.event, DisbursalEvent::Settled { .. }))
            .map(|_| CreditPublicEvent::DisbursalSettled {
                disbursal_id: disbursal.id(),
                facility_id: disbursal.facility_id,
                amount: disbursal.amount.cents(),
            })
            .collect();
        Ok(self.outbox.publish_all_in_op(op, &events).await?)
    }
}
