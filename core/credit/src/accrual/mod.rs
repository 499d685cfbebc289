//! The end of each business day for every active facility: the day's interest accrued into the
//! open cycle, a completed cycle turned into an interest obligation, the facility's obligations
//! aged, unapplied payments allocated to what falls due the next day, and a matured facility
//! with nothing owed completed.
//!
//! **In batches.** Each step of a batch reads what all of its facilities need with one statement
//! (their events, their latest cycles, their balances, their obligations, which have payments
//! to allocate) and writes each kind of row with one (the accrual postings, the cycles' events
//! and index rows, the new obligations), so a day's cost grows with the facilities, not with
//! round trips per facility; allocating payments and completing run per facility, for the few
//! that need them.
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
use es::{DbOp, EsEntity, Idempotent};
use money::UsdCents;
use std::collections::HashMap;
use uuid::Uuid;

/// The facilities are serviced in this many shares at once (by the last byte of their id), each
/// a batch at a time: while one share's batch is in the database, another's is computed.
const SHARES: i32 = 2;

/// What a batch did: the last facility it took (none when none was left) and how many of its
/// facilities it serviced (those not serviced for the day before).
struct Batch {
    last: Option<Uuid>,
    serviced: usize,
}

impl Credit {
    /// The end of `day` for every active facility not serviced for it yet, the [`SHARES`] at
    /// once, each a batch of its facilities (the setting `EndOfDayBatch`) per transaction with
    /// the record that they were serviced that day; returns how many facilities this call
    /// serviced.
    pub(crate) async fn end_of_day(
        &self,
        actor: &Actor,
        day: NaiveDate,
    ) -> Result<usize, CreditError> {
        let shares = (0..SHARES).map(|share| self.service_share(actor, day, share));
        let serviced = futures::future::try_join_all(shares).await?;
        Ok(serviced.into_iter().sum())
    }

    /// The end of `day` for the facilities of one share (see [`SHARES`]), a batch at a time.
    async fn service_share(
        &self,
        actor: &Actor,
        day: NaiveDate,
        share: i32,
    ) -> Result<usize, CreditError> {
        use permissions::{FACILITIES, WRITE};
        let (mut serviced, mut after) = (0, Uuid::nil());
        loop {
            let batch = self
                .use_cases
                .command(actor, FACILITIES, WRITE, || {
                    async move |op| self.service_batch_in_op(op, day, share, after).await
                })
                .await?;
            let Some(last) = batch.last else {
                return Ok(serviced);
            };
            after = last;
            serviced += batch.serviced;
        }
    }

    /// One batch: the next active facilities of the share (by id, after `after`), locked; those
    /// not serviced for `day` yet are serviced and marked. Each step reads what the batch needs
    /// with one statement and writes each kind of row with one, whatever the batch's size.
    async fn service_batch_in_op(
        &self,
        op: &mut DbOp,
        day: NaiveDate,
        share: i32,
        after: Uuid,
    ) -> Result<Batch, CreditError> {
        let size = self.configs.get_in_op::<EndOfDayBatch>(op).await?;
        // two plain statements rather than one with an anti-join, whose plan may read the
        // whole servicing table for every batch
        let locked = sqlx::query_scalar!(
            r#"SELECT id FROM credit_facilities
               WHERE status = 'active' AND id > $1 AND get_byte(uuid_send(id), 15) % $3 = $4
               ORDER BY id LIMIT $2 FOR UPDATE"#,
            after,
            i64::from(size),
            SHARES,
            share
        )
        .fetch_all(op.conn())
        .await
        .map_err(es::EsRepoError::from)?;
        let ids = sqlx::query_scalar!(
            r#"SELECT id AS "id!" FROM unnest($1::uuid[]) AS id WHERE NOT EXISTS (
                 SELECT 1 FROM credit_facility_servicing s
                 WHERE s.facility_id = id AND s.last_day >= $2)"#,
            &locked,
            day
        )
        .fetch_all(op.conn())
        .await
        .map_err(es::EsRepoError::from)?;
        let mut facilities = self.facilities.find_all_in_op(op, &ids).await?;
        facilities.retain(|f| f.activated_on.is_some_and(|activated| activated <= day));
        self.accrue_all_in_op(op, &facilities, day).await?;
        self.age_obligations_in_op(op, &facilities, day).await?;
        // what was paid ahead goes to the obligations due from tomorrow on; paid off after
        // maturity, the facility completes
        if let Some(tomorrow) = day.checked_add_days(Days::new(1)) {
            let paying = self.with_unapplied_payments_in_op(op, &facilities).await?;
            for facility in &mut facilities {
                if paying.contains(&facility.id()) {
                    self.allocate_in_op(op, facility, tomorrow).await?;
                }
                self.complete_if_paid_off_in_op(op, facility, tomorrow)
                    .await?;
            }
            self.facilities
                .update_all_in_op(op, &mut facilities)
                .await?;
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
        Ok(Batch {
            last: locked.last().copied(),
            serviced: ids.len(),
        })
    }

    /// The day's interest of each facility, on the principal outstanding now, into its cycle
    /// (opened if the day starts one); each cycle whose last day it is becomes an interest
    /// obligation.
    async fn accrue_all_in_op(
        &self,
        op: &mut DbOp,
        facilities: &[CreditFacility],
        day: NaiveDate,
    ) -> Result<(), CreditError> {
        let (owners, mut cycles): (Vec<&CreditFacility>, Vec<AccrualCycle>) = self
            .cycles_for_in_op(op, facilities, day)
            .await?
            .into_iter()
            .unzip();
        let accruing: Vec<usize> = (0..cycles.len())
            .filter(|&n| cycles[n].ensure_accrues(day) == Some(Idempotent::Executed(())))
            .collect();
        let ids: Vec<_> = accruing.iter().map(|&n| owners[n].id()).collect();
        let principals = self.ledger.disbursed_all_in_op(op, &ids).await?;
        let (mut accruals, mut postings) = (Vec::new(), Vec::new());
        for (&n, &principal) in accruing.iter().zip(&principals) {
            let facility = owners[n];
            let amount = math::daily_interest(principal, facility.terms.annual_rate)?;
            if !amount.is_zero() {
                let id = facility.id();
                let params = Earned {
                    receivable: FacilityAccount::InterestNotYetDue.of(id),
                    income: FacilityAccount::InterestIncome.of(id),
                    amount: amount.into_minor(),
                };
                postings.push(self.ledger.posting(
                    InterestAccrual,
                    external_id::accrual(id, day),
                    &params,
                    day,
                ));
            }
            accruals.push((n, principal, amount));
        }
        let mut posted = self.ledger.post_all_in_op(op, &postings).await?.into_iter();
        for (n, principal, amount) in accruals {
            let tx = match amount.is_zero() {
                true => None,
                false => posted
                    .next()
                    .transpose()
                    .map_err(ledger::LedgerError::from)?
                    .map(|p| p.id),
            };
            cycles[n].accrue(day, principal, amount, tx);
        }
        let mut obligations = Vec::new();
        for (facility, cycle) in owners.iter().zip(&mut cycles) {
            if cycle.ensure_completes().did_execute() {
                let (amount, obligation) = interest_obligation(facility, cycle)?;
                cycle.complete(obligation.as_ref().map(|o| o.id), amount);
                obligations.extend(obligation.map(NewObligation::into_events));
            }
        }
        self.obligations.create_all_in_op(op, obligations).await?;
        self.cycles.update_all_in_op(op, &mut cycles).await?;
        Ok(())
    }

    /// Each facility's open cycle, or the one that starts next (the first on the activation
    /// date, each later one the day after the previous one ended), with its facility; none for
    /// a facility with no day left before maturity.
    async fn cycles_for_in_op<'f>(
        &self,
        op: &mut DbOp,
        facilities: &'f [CreditFacility],
        day: NaiveDate,
    ) -> Result<Vec<(&'f CreditFacility, AccrualCycle)>, CreditError> {
        let ids: Vec<Uuid> = facilities.iter().map(|f| Uuid::from(f.id())).collect();
        let latest_ids = sqlx::query_scalar!(
            r#"SELECT DISTINCT ON (facility_id) id AS "id!" FROM credit_accrual_cycles
               WHERE facility_id = ANY($1) ORDER BY facility_id, number DESC"#,
            &ids
        )
        .fetch_all(op.conn())
        .await
        .map_err(es::EsRepoError::from)?;
        let mut latest: HashMap<CreditFacilityId, AccrualCycle> = self
            .cycles
            .find_all_in_op(op, &latest_ids)
            .await?
            .into_iter()
            .map(|cycle| (cycle.facility_id, cycle))
            .collect();
        let (mut cycles, mut starting, mut starters) = (Vec::new(), Vec::new(), Vec::new());
        for facility in facilities {
            let (number, first_day) = match latest.remove(&facility.id()) {
                Some(cycle) if !cycle.completed || day <= cycle.last_day => {
                    cycles.push((facility, cycle));
                    continue;
                }
                Some(cycle) => (cycle.number + 1, cycle.next_first_day()),
                None => (1, facility.activated_on),
            };
            let (Some(first_day), Some(maturity)) = (first_day, facility.maturity_date) else {
                continue;
            };
            let Some(days) = cycle_from(first_day, maturity) else {
                continue;
            };
            starters.push(facility);
            starting.push(start_cycle(
                AccrualCycleId::new(),
                facility.id(),
                number,
                days,
            ));
        }
        let started = self.cycles.create_all_in_op(op, starting).await?;
        cycles.extend(starters.into_iter().zip(started));
        Ok(cycles)
    }
}

/// What a completed cycle's accruals (and, in the first cycle, the structuring fee) come to, and
/// the interest obligation for it, due the terms' days after the cycle's last day (none when it
/// comes to nothing).
fn interest_obligation(
    facility: &CreditFacility,
    cycle: &AccrualCycle,
) -> Result<(UsdCents, Option<NewObligation>), CreditError> {
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
    if amount.is_zero() {
        return Ok((amount, None));
    }
    let terms = &facility.terms;
    let due_date = cycle
        .last_day
        .checked_add_days(Days::new(u64::from(terms.interest_due_after_days)))
        .unwrap_or(cycle.last_day);
    let obligation = NewObligation {
        id: ObligationId::new(),
        facility_id: facility.id(),
        kind: ObligationKind::Interest,
        amount,
        source_id: Uuid::from(cycle.id()),
        due_date,
        overdue_after_days: terms.overdue_after_days,
        defaulted_after_days: terms.liquidation_after_days,
    };
    Ok((amount, Some(obligation)))
}
