//! The end of each business day for every active facility: the day's interest accrued into the
//! open cycle, a completed cycle turned into an interest obligation, the facility's obligations
//! aged, unapplied payments allocated to what falls due the next day, and a matured facility
//! with nothing owed completed.
//!
//! **Once per (facility, day).** The day's accrual is an event of the cycle (a day already
//! accrued is skipped) and a ledger posting with the external id `credit-interest-accrual:<facility>:<day>`;
//! both commit with the record that the end-of-day handler processed the day, so a replayed or
//! crashed end of day never accrues twice. Days arrive in order (the end-of-day dispatch), so a
//! day missed while the bank was down is caught up before the next one.
//!
//! **What accrues.** Interest accrues on the disbursed principal outstanding at the end of the
//! day (the four disbursed receivable stages), never on interest, from the activation date to
//! the day before maturity (see `math::daily_interest` for the rounding). It is read when the day
//! is processed: a day caught up late uses the principal of that moment.

mod entity;
mod repo;

pub(crate) use entity::end_of_month;
pub use entity::{AccrualCycle, AccrualCycleEvent};
pub(crate) use repo::AccrualCycleRepo;

use crate::Credit;
use crate::error::CreditError;
use crate::facility::CreditFacility;
use crate::ledger::templates::{Earned, InterestAccrual};
use crate::ledger::{FacilityAccount, external_id};
use crate::math;
use crate::obligation::NewObligation;
use crate::primitives::{
    AccrualCycleId, FacilityStatus, ObligationId, ObligationKind, permissions,
};
use authz::Actor;
use chrono::{Days, NaiveDate};
use entity::{cycle_from, start_cycle};
use es::{DbOp, EsEntity, Idempotent, ListOrder, ListQuery, RowLock};
use money::UsdCents;
use uuid::Uuid;

impl Credit {
    /// The end of `day` for every active facility, in the caller's transaction (the
    /// end-of-day handler's), page by page; returns how many facilities were serviced.
    pub(crate) async fn end_of_day_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        day: NaiveDate,
    ) -> Result<usize, CreditError> {
        use permissions::{FACILITIES, WRITE};
        self.use_cases
            .authorize_in_op(op, actor, FACILITIES, WRITE)
            .await?;
        let mut serviced = 0;
        let mut after = None;
        loop {
            let query = ListQuery::first(es::MAX_PAGE_SIZE)
                .after(after)
                .filter("status", FacilityStatus::Active.as_str());
            let page = self.facilities.list_in_op(op, query).await?;
            for listed in &page.entities {
                let mut facility = self
                    .facilities
                    .lock_in_op(op, listed.id(), RowLock::Update)
                    .await?;
                self.service_day_in_op(op, &mut facility, day).await?;
                self.facilities.update_in_op(op, &mut facility).await?;
                serviced += 1;
            }
            if !page.has_next_page {
                return Ok(serviced);
            }
            after = page.end_cursor;
        }
    }

    /// One facility's end of `day` (the caller locked it and persists it).
    async fn service_day_in_op(
        &self,
        op: &mut DbOp,
        facility: &mut CreditFacility,
        day: NaiveDate,
    ) -> Result<(), CreditError> {
        if facility
            .activated_on
            .is_none_or(|activated| day < activated)
        {
            return Ok(());
        }
        if let Some(mut cycle) = self.cycle_for_in_op(op, facility, day).await? {
            if cycle.ensure_accrues(day) == Some(Idempotent::Executed(())) {
                self.accrue_in_op(op, facility, &mut cycle, day).await?;
            }
            if cycle.ensure_completes().did_execute() {
                self.complete_cycle_in_op(op, facility, &mut cycle).await?;
            }
            self.cycles.update_in_op(op, &mut cycle).await?;
        }
        self.age_obligations_in_op(op, facility, day).await?;
        // what was paid ahead goes to the obligations due from tomorrow on; paid off after
        // maturity, the facility completes
        let Some(tomorrow) = day.checked_add_days(Days::new(1)) else {
            return Ok(());
        };
        self.allocate_in_op(op, facility, tomorrow).await?;
        self.complete_if_paid_off_in_op(op, facility, tomorrow)
            .await
    }

    /// The day's interest on the principal outstanding now.
    async fn accrue_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
        cycle: &mut AccrualCycle,
        day: NaiveDate,
    ) -> Result<(), CreditError> {
        let id = facility.id();
        let balances = self
            .ledger
            .balances_in_op(op, id, facility.amount.cents())
            .await?;
        let amount = math::daily_interest(balances.disbursed, facility.terms.annual_rate)?;
        let posted = if amount.is_zero() {
            None
        } else {
            let params = Earned {
                receivable: FacilityAccount::InterestNotYetDue.of(id),
                income: FacilityAccount::InterestIncome.of(id),
                amount: amount.into_minor(),
            };
            let tx =
                self.ledger
                    .posting(InterestAccrual, external_id::accrual(id, day), &params, day);
            Some(self.ledger.post_in_op(op, tx).await?.id)
        };
        cycle.accrue(day, balances.disbursed, amount, posted);
        Ok(())
    }

    /// The cycle's accruals (and, in the first cycle, the structuring fee) become one interest
    /// obligation, due the terms' days after the cycle's last day.
    async fn complete_cycle_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
        cycle: &mut AccrualCycle,
    ) -> Result<(), CreditError> {
        let fee = match cycle.number {
            1 => facility.structuring_fee.unwrap_or(UsdCents::ZERO),
            _ => UsdCents::ZERO,
        };
        let amount = cycle
            .accrued
            .checked_add(fee)
            .map_err(|_| math::MathError::Overflow {
                quantity: "interest obligation",
            })?;
        let obligation = if amount.is_zero() {
            None
        } else {
            let terms = &facility.terms;
            let due_date = cycle
                .last_day
                .checked_add_days(Days::new(u64::from(terms.interest_due_after_days)))
                .unwrap_or(cycle.last_day);
            let new = NewObligation {
                id: ObligationId::new(),
                facility_id: facility.id(),
                kind: ObligationKind::Interest,
                amount,
                source_id: Uuid::from(cycle.id()),
                due_date,
                overdue_after_days: terms.overdue_after_days,
                defaulted_after_days: terms.liquidation_after_days,
            };
            Some(
                self.obligations
                    .create_in_op(op, new.into_events())
                    .await?
                    .id(),
            )
        };
        cycle.complete(obligation, amount);
        Ok(())
    }

    /// The open cycle of the facility, or the one that starts next (the first on the
    /// activation date, each later one the day after the previous one ended); `None` once no
    /// day is left before maturity.
    async fn cycle_for_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
        day: NaiveDate,
    ) -> Result<Option<AccrualCycle>, CreditError> {
        let id = Uuid::from(facility.id());
        let latest = self
            .cycles
            .list_in_op(
                op,
                ListQuery::first(1)
                    .order_by(ListOrder::Column("number"), true)
                    .filter("facility_id", id),
            )
            .await?
            .entities
            .pop();
        let (number, first_day) = match latest {
            Some(cycle) if !cycle.completed || day <= cycle.last_day => return Ok(Some(cycle)),
            Some(cycle) => (cycle.number + 1, cycle.next_first_day()),
            None => (1, facility.activated_on),
        };
        let (Some(first_day), Some(maturity)) = (first_day, facility.maturity_date) else {
            return Ok(None);
        };
        let Some(days) = cycle_from(first_day, maturity) else {
            return Ok(None);
        };
        let events = start_cycle(AccrualCycleId::new(), facility.id(), number, days);
        Ok(Some(self.cycles.create_in_op(op, events).await?))
    }
}
