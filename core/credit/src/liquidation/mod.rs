//! Partial liquidations: when an active facility's CVL falls under the liquidation threshold, a
//! liquidation starts in the same transaction, sized at that price to restore the initial CVL
//! (`math::liquidation_size`). Staff record the collateral sent out to be sold (it leaves the
//! facility's collateral account), then the proceeds: a payment from the liquidation proceeds
//! account (the money received from outside the bank), allocated like any payment. One
//! liquidation at a time per facility; a facility still under the threshold after one completes
//! starts another at its next evaluation that changes its state.

mod entity;
mod repo;

pub use entity::{Liquidation, LiquidationEvent};
pub(crate) use repo::LiquidationRepo;

use crate::Credit;
use crate::error::CreditError;
use crate::facility::{CreditFacility, not_found, visible};
use crate::math;
use crate::payment::{Payment, PaymentInput};
use crate::primitives::{
    Amount, Collateral, CreditFacilityId, FacilityBalances, InvalidValue, LiquidationId,
    LiquidationStatus, PaymentSource, UsdCentsPerBtc, permissions,
};
use authz::Actor;
use entity::NewLiquidation;
use es::{DbOp, EsEntity, ListQuery, RowLock};
use idempotency::IdempotencyKey;
use use_case::Idempotency;
use uuid::Uuid;

impl Credit {
    /// Starts a liquidation of the facility, which has just fallen under its liquidation
    /// threshold at `price`, unless one is in progress.
    pub(crate) async fn start_liquidation_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
        price: UsdCentsPerBtc,
        balances: &FacilityBalances,
    ) -> Result<(), CreditError> {
        let active = ListQuery::first(1)
            .filter("facility_id", Uuid::from(facility.id()))
            .filter("active", true);
        if !self
            .liquidations
            .list_in_op(op, active)
            .await?
            .entities
            .is_empty()
        {
            return Ok(());
        }
        let exposure = facility.exposure(balances)?;
        let size = math::liquidation_size(
            facility.collateral.sats(),
            price,
            exposure,
            facility.terms.initial_cvl,
        )?;
        let new = NewLiquidation {
            id: LiquidationId::new(),
            facility_id: facility.id(),
            price,
            collateral: facility.collateral.sats(),
            exposure,
            size,
        };
        let started = self
            .liquidations
            .create_in_op(op, new.into_events())
            .await?;
        tracing::warn!(facility = %facility.id(), liquidation = %started.id(), sats = size.sats.into_minor(), "partial liquidation started");
        Ok(())
    }

    /// Records the collateral sent out to be sold: it leaves the facility's collateral.
    pub async fn record_liquidation_collateral_sent(
        &self,
        actor: &Actor,
        id: LiquidationId,
        sats: Collateral,
    ) -> Result<Liquidation, CreditError> {
        use permissions::{LIQUIDATIONS, WRITE};
        self.use_cases
            .command(actor, LIQUIDATIONS, WRITE, || {
                async move |op| {
                    let (mut facility, mut liquidation) =
                        self.lock_liquidation_in_op(op, id).await?;
                    if liquidation.status != LiquidationStatus::AwaitingCollateral {
                        return Err(CreditError::InvalidLiquidationTransition {
                            id,
                            status: liquidation.status,
                            action: "send collateral out",
                        });
                    }
                    let held = facility.collateral.sats();
                    if sats.sats().is_zero() || sats.sats() > held {
                        return Err(InvalidValue::LiquidatedCollateral.into());
                    }
                    let left = held
                        .checked_sub(sats.sats())
                        .map_err(|_| InvalidValue::LiquidatedCollateral)?;
                    let posted = self
                        .set_collateral_in_op(op, &mut facility, Collateral::parse(left)?)
                        .await?;
                    let _ = liquidation.collateral_sent(sats, posted);
                    self.evaluate_in_op(op, &mut facility).await?;
                    self.facilities.update_in_op(op, &mut facility).await?;
                    self.liquidations.update_in_op(op, &mut liquidation).await?;
                    Ok(liquidation)
                }
            })
            .await
    }

    /// Records the proceeds of the collateral sold: a payment into the facility, allocated like
    /// any other; the liquidation completes. With `key`, the same key and request again return
    /// the first payment.
    pub async fn record_liquidation_proceeds(
        &self,
        actor: &Actor,
        id: LiquidationId,
        amount: Amount,
        key: Option<&IdempotencyKey>,
    ) -> Result<Payment, CreditError> {
        use permissions::{LIQUIDATIONS, WRITE};
        let idempotency = Idempotency {
            operation: "credit-liquidation-proceeds",
            key,
            request: (id, amount),
        };
        self.use_cases
            .idempotent_command(
                actor,
                LIQUIDATIONS,
                WRITE,
                idempotency,
                &self.payments,
                |payment_id| {
                    async move |op| {
                        let (facility, mut liquidation) =
                            self.lock_liquidation_in_op(op, id).await?;
                        if liquidation.status != LiquidationStatus::AwaitingProceeds {
                            return Err(CreditError::InvalidLiquidationTransition {
                                id,
                                status: liquidation.status,
                                action: "take proceeds",
                            });
                        }
                        let input = PaymentInput {
                            amount,
                            source: PaymentSource::Liquidation { liquidation_id: id },
                            effective: None,
                        };
                        let payment = self
                            .record_payment_in_op(op, actor, payment_id, facility.id(), input)
                            .await?;
                        let _ = liquidation.proceeds_received(amount.cents(), payment_id);
                        self.liquidations.update_in_op(op, &mut liquidation).await?;
                        Ok(payment)
                    }
                },
            )
            .await
    }

    /// The liquidation and its facility, the facility locked for update.
    async fn lock_liquidation_in_op(
        &self,
        op: &mut DbOp,
        id: LiquidationId,
    ) -> Result<(CreditFacility, Liquidation), CreditError> {
        let found = self.liquidations.find_by_id_in_op(op, id).await?;
        let facility = self
            .facilities
            .lock_in_op(op, found.facility_id, RowLock::Update)
            .await?;
        // read again under the facility's lock: a concurrent step has committed by now
        let liquidation = self.liquidations.find_by_id_in_op(op, id).await?;
        Ok((facility, liquidation))
    }

    /// The facility's liquidations, oldest first.
    pub async fn list_liquidations(
        &self,
        actor: &Actor,
        facility_id: CreditFacilityId,
    ) -> Result<Vec<Liquidation>, CreditError> {
        use permissions::{LIQUIDATIONS, READ};
        self.use_cases
            .query(actor, LIQUIDATIONS, READ, async || {
                let facility = self.facilities.maybe_find_by_id(facility_id).await?;
                if !facility.is_some_and(|f| visible(actor, &f)) {
                    return Err(not_found(facility_id));
                }
                let query = ListQuery::first(es::MAX_PAGE_SIZE)
                    .filter("facility_id", Uuid::from(facility_id));
                Ok(self.liquidations.list(query).await?.entities)
            })
            .await
    }
}
