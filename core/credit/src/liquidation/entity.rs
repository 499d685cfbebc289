//! A partial liquidation: started when an active facility's CVL falls under the liquidation
//! threshold, sized to restore the initial CVL at that price; staff record the collateral sent to
//! be sold, then the proceeds, which become a payment. One at a time per facility.

use crate::math::LiquidationSize;
use crate::primitives::{
    Collateral, CreditFacilityId, LiquidationId, LiquidationStatus, PaymentId, UsdCentsPerBtc,
};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use ledger::TransactionId;
use money::{Satoshis, UsdCents};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LiquidationEvent {
    Started {
        facility_id: CreditFacilityId,
        price: UsdCentsPerBtc,
        /// The collateral held and the exposure when it started.
        collateral: Satoshis,
        exposure: UsdCents,
        /// What to sell to restore the initial CVL, and what that should bring.
        sats_to_sell: Satoshis,
        expected_proceeds: UsdCents,
    },
    CollateralSent {
        sats: Collateral,
        ledger_transaction_id: TransactionId,
    },
    ProceedsReceived {
        amount: UsdCents,
        payment_id: PaymentId,
    },
}

#[derive(Debug)]
pub struct Liquidation {
    pub facility_id: CreditFacilityId,
    pub price: UsdCentsPerBtc,
    pub collateral: Satoshis,
    pub exposure: UsdCents,
    pub sats_to_sell: Satoshis,
    pub expected_proceeds: UsdCents,
    pub sats_sent: Option<Collateral>,
    pub proceeds: Option<UsdCents>,
    pub payment_id: Option<PaymentId>,
    pub status: LiquidationStatus,
    events: EntityEvents<LiquidationEvent>,
}

pub struct NewLiquidation {
    pub id: LiquidationId,
    pub facility_id: CreditFacilityId,
    pub price: UsdCentsPerBtc,
    pub collateral: Satoshis,
    pub exposure: UsdCents,
    pub size: LiquidationSize,
}

impl NewLiquidation {
    pub fn into_events(self) -> EntityEvents<LiquidationEvent> {
        EntityEvents::init(
            self.id,
            [LiquidationEvent::Started {
                facility_id: self.facility_id,
                price: self.price,
                collateral: self.collateral,
                exposure: self.exposure,
                sats_to_sell: self.size.sats,
                expected_proceeds: self.size.expected_proceeds,
            }],
        )
    }
}

impl Liquidation {
    /// The collateral sent to be sold: once, while it awaits it.
    pub fn collateral_sent(
        &mut self,
        sats: Collateral,
        ledger_transaction_id: TransactionId,
    ) -> Idempotent<()> {
        if self.status != LiquidationStatus::AwaitingCollateral {
            return Idempotent::AlreadyApplied;
        }
        self.status = LiquidationStatus::AwaitingProceeds;
        self.sats_sent = Some(sats);
        self.events.push(LiquidationEvent::CollateralSent {
            sats,
            ledger_transaction_id,
        });
        Idempotent::Executed(())
    }

    /// The proceeds, paid as `payment_id`: completes it.
    pub fn proceeds_received(&mut self, amount: UsdCents, payment_id: PaymentId) -> Idempotent<()> {
        if self.status != LiquidationStatus::AwaitingProceeds {
            return Idempotent::AlreadyApplied;
        }
        self.status = LiquidationStatus::Completed;
        self.proceeds = Some(amount);
        self.payment_id = Some(payment_id);
        self.events
            .push(LiquidationEvent::ProceedsReceived { amount, payment_id });
        Idempotent::Executed(())
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }
}

impl EsEntity for Liquidation {
    type Id = LiquidationId;
    type Event = LiquidationEvent;

    fn events(&self) -> &EntityEvents<LiquidationEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<LiquidationEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<LiquidationEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(LiquidationEvent::Started {
            facility_id,
            price,
            collateral,
            exposure,
            sats_to_sell,
            expected_proceeds,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut liquidation = Self {
            facility_id: *facility_id,
            price: *price,
            collateral: *collateral,
            exposure: *exposure,
            sats_to_sell: *sats_to_sell,
            expected_proceeds: *expected_proceeds,
            sats_sent: None,
            proceeds: None,
            payment_id: None,
            status: LiquidationStatus::AwaitingCollateral,
            events: EntityEvents::init(events.entity_id(), []),
        };
        for event in iter {
            match event {
                LiquidationEvent::Started { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "started twice".into(),
                    });
                }
                LiquidationEvent::CollateralSent { sats, .. } => {
                    liquidation.status = LiquidationStatus::AwaitingProceeds;
                    liquidation.sats_sent = Some(*sats);
                }
                LiquidationEvent::ProceedsReceived { amount, payment_id } => {
                    liquidation.status = LiquidationStatus::Completed;
                    liquidation.proceeds = Some(*amount);
                    liquidation.payment_id = Some(*payment_id);
                }
            }
        }
        liquidation.events = events;
        Ok(liquidation)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_happens_once_and_in_order() {
        let new = NewLiquidation {
            id: LiquidationId::new(),
            facility_id: CreditFacilityId::new(),
            price: UsdCentsPerBtc::parse(9_300_000).unwrap(),
            collateral: Satoshis::from_minor(11_000_000),
            exposure: UsdCents::from_minor(1_010_000),
            size: LiquidationSize {
                sats: Satoshis::from_minor(10_580_646),
                expected_proceeds: UsdCents::from_minor(984_000),
            },
        };
        let mut l = Liquidation::try_from_events(new.into_events()).unwrap();
        let payment = PaymentId::new();
        // proceeds before the collateral went out: nothing
        assert!(
            l.proceeds_received(UsdCents::from_minor(1), payment)
                .was_already_applied()
        );
        let sent = Collateral::parse(Satoshis::from_minor(10_580_646)).unwrap();
        assert!(l.collateral_sent(sent, TransactionId::new()).did_execute());
        assert!(
            l.collateral_sent(sent, TransactionId::new())
                .was_already_applied()
        );
        assert!(
            l.proceeds_received(UsdCents::from_minor(984_000), payment)
                .did_execute()
        );
        let rebuilt = Liquidation::try_from_events(l.events().clone()).unwrap();
        assert_eq!(rebuilt.status, LiquidationStatus::Completed);
        assert_eq!(rebuilt.sats_sent, Some(sent));
        assert_eq!(
            (rebuilt.proceeds, rebuilt.payment_id),
            (Some(UsdCents::from_minor(984_000)), Some(payment))
        );
    }
}
