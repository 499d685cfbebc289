//! The end of each business day for every active facility: the day's interest accrued into the
//! open cycle, a completed cycle turned into an interest obligation, the facility's obligations
//! aged, unapplied payments allocated to what falls due the next day, and a matured facility
//! with nothing owed completed.
//!
//! **Once per (facility, day).** Facilities are serviced in batches (the setting
//! `credit-end-of-day-batch`), one transaction each, which also records that its facilities were
//! serviced that day (`credit_facility_servicing`): a crashed end of day keeps the batches it
//! committed, and the redelivered day services only the rest. Within a facility the day's
//! accrual is an event of the cycle (a day already accrued is skipped) and a ledger posting with
//! the external id `credit-interest-accrual:<facility>:<day>` (unique), so no day ever accrues
//! twice. Days arrive in order (the end-of-day dispatch), so a
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
use crate::config::EndOfDayBatch;
use crate::error::CreditError;
use crate::facility::CreditFacility;
use crate::ledger::templates::{Earned, InterestAccrual};
use crate::ledger::{FacilityAccount, external_id};
use crate::math;
use crate::obligation::NewObligation;
use crate::primitives::{
    AccrualCycleId, CreditFacilityId, ObligationId, ObligationKind, permissions,
};
use authz::Actor;
use chrono::{Days, NaiveDate};
use entity::{cycle_from, start_cycle};
use es::{DbOp, EsEntity, Idempotent, ListOrder, ListQuery, RowLock};
use money::UsdCents;
use uuid::Uuid;

impl Credit {
    /// The end of `day` for every active facility not serviced for it yet, a batch of them
    /// (the setting `EndOfDayBatch`) per transaction, each with the record that its facilities
    /// were serviced that day; returns how many facilities this call serviced.
    pub(crate) async fn end_of_day(
        &self,
        actor: &Actor,
        day: NaiveDate,
    ) -> Result<usize, CreditError> {
        use permissions::{FACILITIES, WRITE};
        let (mut serviced, mut after) = (0, Uuid::nil());
        loop {
            let done = self
                .use_cases
                .command(actor, FACILITIES, WRITE, || {
                    async move |op| self.service_batch_in_op(op, day, after).await
                })
                .await?;
            let Some(last) = done.last() else {
                return Ok(serviced);
            };
            after = *last;
            serviced += done.len();
        }
    }

    /// One batch: the next active facilities (by id, after `after`) not serviced for `day`,
    /// locked, serviced, and marked; returns their ids.
    async fn service_batch_in_op(
        &self,
        op: &mut DbOp,
        day: NaiveDate,
        after: Uuid,
    ) -> Result<Vec<Uuid>, CreditError> {
        let batch = self.configs.get_in_op::<EndOfDayBatch>(op).await?;
        let ids = sqlx::query_scalar!(
            r#"SELECT f.id FROM credit_facilities f
               WHERE f.status = 'active' AND f.id > $1 AND NOT EXISTS (
                 SELECT 1 FROM credit_facility_servicing s
                 WHERE s.facility_id = f.id AND s.last_day >= $2)
               ORDER BY f.id LIMIT $3 FOR UPDATE OF f"#,
            after,
            day,
            i64::from(batch)
        )
        .fetch_all(op.conn())
        .await
        .map_err(es::EsRepoError::from)?;
        for id in &ids {
            let mut facility = self
                .facilities
                .lock_in_op(op, CreditFacilityId::from(*id), RowLock::Update)
                .await?;
            self.service_day_in_op(op, &mut facility, day).await?;
            self.facilities.update_in_op(op, &mut facility).await?;
        }
        sqlx::query!(
            r#"INSERT INTO credit_facility_servicing (facility_id, last_day)
               SELECT id, $2 FROM unnest($1::uuid[]) AS id
               ON CONFLICT (facility_id) DO UPDATE SET last_day = excluded.last_day"#,
            &ids,
            day
        )
        .execute(op.conn())
        .await
        .map_err(es::EsRepoError::from)?;
        Ok(ids)
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
