//! Obligations: created by closed accrual cycles (interest) and settled disbursals (principal),
//! aged at the end of each day (paid ones no more), paid by payments, listed as the facility's
//! repayment plan.

mod entity;
mod repo;

pub(crate) use entity::NewObligation;
pub use entity::{Obligation, ObligationEvent};
pub(crate) use repo::ObligationRepo;

use crate::Credit;
use crate::disbursal::Disbursal;
use crate::error::CreditError;
use crate::facility::{CreditFacility, not_found, visible};
use crate::ledger::external_id;
use crate::ledger::templates::{ObligationStage, Transfer};
use crate::primitives::{CreditFacilityId, ObligationId, ObligationKind, permissions};
use authz::Actor;
use chrono::NaiveDate;
use es::{DbOp, EsEntity, Idempotent, ListQuery, Page};
use std::collections::HashMap;
use uuid::Uuid;

impl Credit {
    /// A settled disbursal's principal, due at the facility's maturity.
    pub(crate) async fn principal_obligation_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
        disbursal: &Disbursal,
    ) -> Result<(), CreditError> {
        let new = NewObligation {
            id: ObligationId::new(),
            facility_id: facility.id(),
            kind: ObligationKind::Principal,
            amount: disbursal.amount.cents(),
            source_id: Uuid::from(disbursal.id()),
            due_date: disbursal.due_date,
            overdue_after_days: facility.terms.overdue_after_days,
            defaulted_after_days: facility.terms.liquidation_after_days,
        };
        self.obligations.create_in_op(op, new.into_events()).await?;
        Ok(())
    }

    /// Moves each unpaid obligation of the facilities (which the caller locked) to the stage it
    /// has on the day after `day`, posting its outstanding amount between the stages' receivable
    /// accounts.
    pub(crate) async fn age_obligations_in_op(
        &self,
        op: &mut DbOp,
        facilities: &[CreditFacility],
        day: NaiveDate,
    ) -> Result<(), CreditError> {
        let ids: Vec<Uuid> = facilities.iter().map(|f| Uuid::from(f.id())).collect();
        let unpaid = sqlx::query_scalar!(
            "SELECT id FROM credit_obligations WHERE facility_id = ANY($1) AND status <> 'paid'",
            &ids
        )
        .fetch_all(op.conn())
        .await
        .map_err(es::EsRepoError::from)?;
        let mut obligations = self.obligations.find_all_in_op(op, &unpaid).await?;
        let (mut steps, mut postings) = (Vec::new(), Vec::new());
        for (n, obligation) in obligations.iter().enumerate() {
            let Idempotent::Executed(next) = obligation.ensure_ages(day) else {
                continue;
            };
            let (Some(from), Some(to)) = (
                obligation.status.account(obligation.kind),
                next.account(obligation.kind),
            ) else {
                continue;
            };
            let id = obligation.facility_id;
            let movement = Transfer {
                debit: to.of(id),
                credit: from.of(id),
                amount: obligation.outstanding.into_minor(),
            };
            postings.push(self.ledger.posting(
                ObligationStage,
                external_id::stage(obligation.id(), next),
                &movement,
                day,
            ));
            steps.push((n, next));
        }
        let posted = self.ledger.post_all_in_op(op, &postings).await?;
        for ((n, next), posted) in steps.into_iter().zip(posted) {
            let posted = posted.map_err(ledger::LedgerError::from)?;
            obligations[n].age(next, posted.id);
        }
        self.obligations
            .update_all_in_op(op, &mut obligations)
            .await?;
        Ok(())
    }

    /// Every obligation of the facility, oldest first (a facility has a few dozen at most: one
    /// per month and one per disbursal).
    pub(crate) async fn obligations_in_op(
        &self,
        op: &mut DbOp,
        facility: CreditFacilityId,
    ) -> Result<Vec<Obligation>, CreditError> {
        let query = ListQuery::first(es::MAX_PAGE_SIZE).filter("facility_id", Uuid::from(facility));
        Ok(self.obligations.list_all_in_op(op, query).await?)
    }

    /// A page of each facility's obligations (oldest first), for pages that show facilities (see
    /// `Credit::pages_of_facilities`).
    pub async fn obligations_of_facilities(
        &self,
        actor: &Actor,
        facilities: &[&CreditFacility],
        query: ListQuery,
    ) -> Result<HashMap<CreditFacilityId, Page<Obligation>>, CreditError> {
        self.pages_of_facilities(
            actor,
            permissions::FACILITIES,
            &self.obligations,
            facilities,
            query,
        )
        .await
    }

    /// The facility's repayment plan: its obligations, oldest first.
    pub async fn list_obligations(
        &self,
        actor: &Actor,
        facility_id: CreditFacilityId,
        query: ListQuery,
    ) -> Result<Page<Obligation>, CreditError> {
        use permissions::{FACILITIES, READ};
        self.use_cases
            .query(actor, FACILITIES, READ, async || {
                let facility = self.facilities.maybe_find_by_id(facility_id).await?;
                if !facility.is_some_and(|f| visible(actor, &f)) {
                    return Err(not_found(facility_id));
                }
                Ok(self
                    .obligations
                    .list(query.filter("facility_id", Uuid::from(facility_id)))
                    .await?)
            })
            .await
    }
}
