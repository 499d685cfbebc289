//! The events other domains may see, published on the outbox in the transaction that caused
//! them, by [`CreditPublisher`] as facility and disbursal events are persisted.

mod publisher;

pub(crate) use publisher::CreditPublisher;

use crate::primitives::{
    CollateralizationState, CreditFacilityId, CustomerId, DisbursalId, UsdCentsPerBtc,
};
use chrono::NaiveDate;
use money::{Satoshis, UsdCents};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CreditPublicEvent {
    FacilityProposed {
        facility_id: CreditFacilityId,
        customer_id: CustomerId,
        amount: UsdCents,
    },
    FacilityApproved {
        facility_id: CreditFacilityId,
    },
    FacilityDenied {
        facility_id: CreditFacilityId,
    },
    FacilityCollateralUpdated {
        facility_id: CreditFacilityId,
        collateral: Satoshis,
    },
    /// Entering the margin-call zone is what notifications will tell the customer.
    FacilityCollateralizationChanged {
        facility_id: CreditFacilityId,
        state: CollateralizationState,
        price: UsdCentsPerBtc,
    },
    FacilityActivated {
        facility_id: CreditFacilityId,
        activated_on: NaiveDate,
        maturity_date: NaiveDate,
    },
    /// Matured and paid off: closed.
    FacilityCompleted {
        facility_id: CreditFacilityId,
        completed_on: NaiveDate,
    },
    DisbursalSettled {
        disbursal_id: DisbursalId,
        facility_id: CreditFacilityId,
        amount: UsdCents,
    },
}

impl outbox::PublicEvent for CreditPublicEvent {
    const EVENT_TYPES: &'static [&'static str] = &[
        "facility_proposed",
        "facility_approved",
        "facility_denied",
        "facility_collateral_updated",
        "facility_collateralization_changed",
        "facility_activated",
        "facility_completed",
        "disbursal_settled",
    ];
}
