//! Payments: recorded into the facility's payment holding account (from the customer's deposit
//! account, or received outside the bank), then allocated to obligations.
//!
//! **Allocation.** Only obligations due by the allocation's date take money (every one, once the
//! facility has matured): interest before principal, then the oldest due date first, then the
//! oldest obligation; each takes the smaller of what it owes and what is left; payments are
//! spent oldest first. What is left stays unapplied in the holding account and is shown; the end
//! of each day allocates it as obligations fall due (after they aged), so money paid ahead never
//! lets one become overdue. A matured facility with nothing owed any more completes.
//!
//! **Never more than everything owed.** A payment is refused (`PAYMENT_EXCEEDS_OUTSTANDING`)
//! when it and what is unapplied already would exceed everything the customer owes now:
//! principal and interest receivable in every stage, including interest accrued in the open
//! cycle, which is billed at the cycle's end. So whatever is unapplied is eventually allocated.
//!
//! **Who.** Staff record any payment; a customer pays their own facility from one of their own
//! deposit accounts (the customer API), never as an external or back-dated payment.
//!
//! **Back-dated.** A payment with an explicit date (today or earlier, not before activation)
//! needs the action `credit:backdate` instead of `credit:write`; it is allocated as of its date
//! (to what was due then), and what is left as of today.

mod entity;
mod repo;

pub use entity::{Allocation, Payment, PaymentEvent};
pub(crate) use repo::PaymentRepo;

use crate::Credit;
use crate::error::CreditError;
use crate::facility::{CreditFacility, not_found, own_customer, visible};
use crate::ledger::templates::{AllocatePayment, LiquidationProceeds, RecordPayment, Transfer};
use crate::ledger::{FacilityAccount, external_id};
use crate::obligation::Obligation;
use crate::primitives::{
    Amount, CreditFacilityId, FacilityStatus, InvalidValue, ObligationKind, PaymentId,
    PaymentSource, permissions,
};
use authz::Actor;
use chrono::NaiveDate;
use entity::NewPayment;
use es::{DbOp, EsEntity, ListQuery, Page};
use idempotency::IdempotencyKey;
use money::UsdCents;
use std::collections::{HashMap, HashSet};
use use_case::Idempotency;
use uuid::Uuid;

/// A payment to record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PaymentInput {
    pub amount: Amount,
    pub source: PaymentSource,
    /// A date before today (or today, explicitly): back-dated, with its own permission.
    pub effective: Option<NaiveDate>,
}

impl Credit {
    /// Records a payment on an active facility and allocates it. With `key`, the same key and
    /// request again return the first payment.
    pub async fn record_payment(
        &self,
        actor: &Actor,
        facility_id: CreditFacilityId,
        input: PaymentInput,
        key: Option<&IdempotencyKey>,
    ) -> Result<Payment, CreditError> {
        use permissions::{BACKDATE, PAYMENTS, WRITE};
        let action = if input.effective.is_some() {
            BACKDATE
        } else {
            WRITE
        };
        if matches!(input.source, PaymentSource::Liquidation { .. }) {
            return Err(InvalidValue::ProceedsAsPayment.into());
        }
        let idempotency = Idempotency {
            operation: "credit-payment-record",
            key,
            request: (facility_id, input),
        };
        self.use_cases
            .idempotent_command(actor, PAYMENTS, action, idempotency, &self.payments, |id| {
                async move |op| {
                    self.record_payment_in_op(op, actor, id, facility_id, input)
                        .await
                }
            })
            .await
    }

    /// Records and allocates a payment on the facility, which it locks (and re-evaluates,
    /// and completes if paid off).
    pub(crate) async fn record_payment_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        id: PaymentId,
        facility_id: CreditFacilityId,
        input: PaymentInput,
    ) -> Result<Payment, CreditError> {
        if own_customer(actor).is_some() && input.source == PaymentSource::External {
            return Err(CreditError::ExternalPaymentByCustomer);
        }
        let mut facility = self.lock_visible_in_op(op, actor, facility_id).await?;
        if facility.status != FacilityStatus::Active {
            return Err(CreditError::InvalidFacilityTransition {
                id: facility_id,
                status: facility.status,
                action: "take a payment",
            });
        }
        let today = self.today(op);
        let effective = input.effective.unwrap_or(today);
        if effective > today || facility.activated_on.is_some_and(|a| effective < a) {
            return Err(CreditError::InvalidPaymentDate {
                date: effective,
                today,
            });
        }
        let balances = self
            .ledger
            .balances_in_op(op, facility_id, facility.amount.cents())
            .await?;
        let owed = balances
            .outstanding
            .checked_sub(balances.unapplied)
            .unwrap_or(UsdCents::ZERO);
        if input.amount.cents() > owed {
            return Err(CreditError::PaymentExceedsOutstanding {
                facility: facility_id,
                most: owed,
            });
        }
        let amount = input.amount.minor();
        // where the money comes from, the payment's external id, and the deposit account whose
        // refusals (an overdraft) the posting may meet
        let (from, external, deposit) = match input.source {
            PaymentSource::DepositAccount { account_id } => {
                let account = self
                    .deposits
                    .lock_active_account_in_op(op, account_id)
                    .await?;
                if account.customer_id != facility.customer_id {
                    return Err(CreditError::DepositAccountOfAnotherCustomer {
                        account: account_id,
                        customer: facility.customer_id,
                    });
                }
                (
                    account.ledger_account_id,
                    external_id::payment_from_deposit(id),
                    Some(account_id),
                )
            }
            PaymentSource::External => (
                self.ledger.payment_omnibus(),
                external_id::external_payment(id),
                None,
            ),
            PaymentSource::Liquidation { liquidation_id } => {
                // the proceeds arrive from outside into the facility's proceeds account, and
                // are paid from there
                let proceeds = FacilityAccount::LiquidationProceeds.of(facility_id);
                let received = Transfer {
                    debit: self.ledger.payment_omnibus(),
                    credit: proceeds,
                    amount,
                };
                let tx = self.ledger.posting(
                    LiquidationProceeds,
                    external_id::liquidation_proceeds(liquidation_id),
                    &received,
                    effective,
                );
                self.ledger.post_in_op(op, tx).await?;
                (proceeds, external_id::external_payment(id), None)
            }
        };
        let transfer = Transfer {
            debit: from,
            credit: FacilityAccount::PaymentHolding.of(facility_id),
            amount,
        };
        let tx = self
            .ledger
            .posting(RecordPayment, external, &transfer, effective);
        let posted = self
            .ledger
            .post_in_op(op, tx)
            .await
            .map_err(|e| match deposit {
                Some(account) => core_deposit::ledger::refusal(e, account).into(),
                None => CreditError::from(e),
            })?;
        let new = NewPayment {
            id,
            facility_id,
            amount: input.amount.cents(),
            source: input.source,
            effective,
        };
        self.payments
            .create_in_op(op, new.into_events(posted.id))
            .await?;
        self.allocate_in_op(op, &facility, effective).await?;
        if effective < today {
            self.allocate_in_op(op, &facility, today).await?;
        }
        // less is owed: the CVL may have recovered, the facility may be paid off
        self.evaluate_in_op(op, &mut facility).await?;
        self.complete_if_paid_off_in_op(op, &mut facility, today)
            .await?;
        self.facilities.update_in_op(op, &mut facility).await?;
        Ok(self.payments.find_by_id_in_op(op, id).await?)
    }

    /// Allocates the facility's unapplied payments (oldest first) to its obligations due by
    /// `date`, in allocation order (see the module doc). The caller locked the facility.
    pub(crate) async fn allocate_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
        date: NaiveDate,
    ) -> Result<(), CreditError> {
        let id = facility.id();
        let mut payments = self.unapplied_payments_in_op(op, id).await?;
        if payments.is_empty() {
            return Ok(());
        }
        let mut obligations: Vec<Obligation> = self
            .obligations_in_op(op, id)
            .await?
            .into_iter()
            .filter(|o| o.payable_on(date, facility.matured_on(date)))
            .collect();
        // stable: obligations of one kind and due date stay in creation order
        obligations.sort_by_key(|o| (o.kind != ObligationKind::Interest, o.due_date));
        let mut next = 0;
        for obligation in &mut obligations {
            let Some(receivable) = obligation.status.account(obligation.kind) else {
                continue;
            };
            while let Some(payment) = payments.get_mut(next) {
                if obligation.outstanding.is_zero() {
                    break;
                }
                let amount = obligation.outstanding.min(payment.unapplied());
                let transfer = Transfer {
                    debit: FacilityAccount::PaymentHolding.of(id),
                    credit: receivable.of(id),
                    amount: amount.into_minor(),
                };
                let tx = self.ledger.posting(
                    AllocatePayment,
                    external_id::allocation(payment.id(), obligation.id()),
                    &transfer,
                    date,
                );
                let posted = self.ledger.post_in_op(op, tx).await?;
                obligation.allocate(payment.id(), amount, date, posted.id);
                payment.allocate(obligation.id(), amount, date, posted.id);
                if payment.unapplied().is_zero() {
                    next += 1;
                }
            }
            self.obligations.update_in_op(op, obligation).await?;
        }
        for payment in &mut payments {
            self.payments.update_in_op(op, payment).await?;
        }
        Ok(())
    }

    /// Which of the facilities have payments with an unapplied part.
    pub(crate) async fn with_unapplied_payments_in_op(
        &self,
        op: &mut DbOp,
        facilities: &[CreditFacility],
    ) -> Result<HashSet<CreditFacilityId>, CreditError> {
        let ids: Vec<Uuid> = facilities.iter().map(|f| Uuid::from(f.id())).collect();
        let paying = sqlx::query_scalar!(
            "SELECT DISTINCT facility_id FROM credit_payments WHERE unapplied AND facility_id = ANY($1)",
            &ids
        )
        .fetch_all(op.conn())
        .await
        .map_err(es::EsRepoError::from)?;
        Ok(paying.into_iter().map(CreditFacilityId::from).collect())
    }

    /// The facility's payments with an unapplied part, oldest first.
    async fn unapplied_payments_in_op(
        &self,
        op: &mut DbOp,
        facility: CreditFacilityId,
    ) -> Result<Vec<Payment>, CreditError> {
        let query = ListQuery::first(es::MAX_PAGE_SIZE)
            .filter("facility_id", Uuid::from(facility))
            .filter("unapplied", true);
        Ok(self.payments.list_all_in_op(op, query).await?)
    }

    /// A page of the facility's payments, oldest first.
    pub async fn list_payments(
        &self,
        actor: &Actor,
        facility_id: CreditFacilityId,
        query: ListQuery,
    ) -> Result<Page<Payment>, CreditError> {
        use permissions::{PAYMENTS, READ};
        self.use_cases
            .query(actor, PAYMENTS, READ, async || {
                let facility = self.facilities.maybe_find_by_id(facility_id).await?;
                if !facility.is_some_and(|f| visible(actor, &f)) {
                    return Err(not_found(facility_id));
                }
                Ok(self
                    .payments
                    .list(query.filter("facility_id", Uuid::from(facility_id)))
                    .await?)
            })
            .await
    }

    /// A page of each facility's payments (oldest first), for pages that show facilities (see
    /// `Credit::pages_of_facilities`).
    pub async fn payments_of_facilities(
        &self,
        actor: &Actor,
        facilities: &[&CreditFacility],
        query: ListQuery,
    ) -> Result<HashMap<CreditFacilityId, Page<Payment>>, CreditError> {
        self.pages_of_facilities(
            actor,
            permissions::PAYMENTS,
            &self.payments,
            facilities,
            query,
        )
        .await
    }
}
