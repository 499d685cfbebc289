//! Disbursals: initiated on an active facility (multiple policy), approved under governance,
//! settled into the customer's deposit account.
//!
//! **Never above the facility.** Initiating locks the facility (`FOR UPDATE`), checks the
//! remaining amount and the CVL after the disbursal (at a fresh price, against what is
//! outstanding plus every disbursal awaiting approval), and holds the amount on the facility's
//! limit, whose balance may not go below zero: concurrent requests are serialized by the lock,
//! and the ledger refuses a hold beyond the limit even if a check were wrong.

mod entity;
mod repo;

pub use entity::{Disbursal, DisbursalEvent};
pub(crate) use repo::DisbursalRepo;

use crate::Credit;
use crate::error::CreditError;
use crate::facility::{CreditFacility, not_found, own_customer};
use crate::ledger::templates::{HoldDisbursal, Limit, Payout, SettleDisbursal};
use crate::ledger::{FacilityAccount, external_id};
use crate::primitives::{Amount, CreditFacilityId, DisbursalId, Reason, permissions};
use authz::Actor;
use core_governance::{ApprovalProcessId, ApprovalProcessStatus, ProcessType};
use entity::NewDisbursal;
use es::{DbOp, EsEntity, ListQuery, Page, RowLock};
use idempotency::IdempotencyKey;
use ledger::{LedgerError, PostingError};
use std::collections::HashMap;
use use_case::{DomainError, Idempotency};
use uuid::Uuid;

impl Credit {
    /// Asks for a disbursal of `amount` from an active facility: checked, held on the limit and
    /// put to the approval process `disbursal` in one transaction (settled at once under an
    /// automatic policy). With `key`, the same key and request again return the first one.
    pub async fn initiate_disbursal(
        &self,
        actor: &Actor,
        facility_id: CreditFacilityId,
        amount: Amount,
        key: Option<&IdempotencyKey>,
    ) -> Result<Disbursal, CreditError> {
        use permissions::{DISBURSALS, WRITE};
        let idempotency = Idempotency {
            operation: "disbursal-initiate",
            key,
            request: (facility_id, amount),
        };
        self.use_cases
            .idempotent_command(
                actor,
                DISBURSALS,
                WRITE,
                idempotency,
                &self.disbursals,
                |id| {
                    async move |op| {
                        let facility = self
                            .facilities
                            .lock_in_op(op, facility_id, RowLock::Update)
                            .await?;
                        facility.ensure_disbursable(self.today(op))?;
                        let price = self
                            .fresh_price_in_op(op)
                            .await?
                            .ok_or(CreditError::PriceUnavailable)?;
                        let balances = self
                            .ledger
                            .balances_in_op(op, facility_id, facility.amount.cents())
                            .await?;
                        if amount.cents() > balances.remaining {
                            return Err(CreditError::DisbursalExceedsFacility(facility_id));
                        }
                        let after = facility
                            .exposure(&balances)?
                            .checked_add(amount.cents())
                            .map_err(|_| CreditError::DisbursalExceedsFacility(facility_id))?;
                        if !facility
                            .cvl(price, after)
                            .is_at_least(facility.terms.margin_call_cvl)
                        {
                            return Err(CreditError::DisbursalBelowMarginCall(facility_id));
                        }
                        let process = self
                            .governance
                            .start_process_in_op(op, &ProcessType::DISBURSAL, id)
                            .await?;
                        let mut disbursal = self
                            .create_disbursal_in_op(op, &facility, id, amount, Some(process.id()))
                            .await?;
                        if process.status == ApprovalProcessStatus::Approved {
                            self.settle_in_op(op, &facility, &mut disbursal).await?;
                        }
                        Ok(disbursal)
                    }
                },
            )
            .await
    }

    /// The single policy's payout of the whole amount at activation: pre-approved, held and
    /// settled in the activation's transaction (the caller checked the deposit account).
    pub(crate) async fn pay_out_whole_amount_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
    ) -> Result<(), CreditError> {
        let mut disbursal = self
            .create_disbursal_in_op(op, facility, DisbursalId::new(), facility.amount, None)
            .await?;
        self.settle_in_op(op, facility, &mut disbursal).await
    }

    /// Holds `amount` on the facility's limit and records the disbursal.
    async fn create_disbursal_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
        id: DisbursalId,
        amount: Amount,
        approval_process_id: Option<ApprovalProcessId>,
    ) -> Result<Disbursal, CreditError> {
        let facility_id = facility.id();
        let due_date =
            facility
                .maturity_date
                .ok_or_else(|| CreditError::InvalidFacilityTransition {
                    id: facility_id,
                    status: facility.status,
                    action: "disburse before activation",
                })?;
        let tx = self.ledger.posting(
            HoldDisbursal,
            external_id::hold(id),
            &self.limit(facility_id, amount),
            self.today(op),
        );
        let hold = self.ledger.post_in_op(op, tx).await.map_err(|e| match e {
            LedgerError::Posting(PostingError::InsufficientBalance { .. }) => {
                CreditError::DisbursalExceedsFacility(facility_id)
            }
            other => other.into(),
        })?;
        let new = NewDisbursal {
            id,
            facility_id,
            amount,
            approval_process_id,
            due_date,
        };
        Ok(self
            .disbursals
            .create_in_op(op, new.into_events(hold.id))
            .await?)
    }

    fn limit(&self, facility: CreditFacilityId, amount: Amount) -> Limit {
        Limit {
            facility: FacilityAccount::Facility.of(facility),
            omnibus: self.ledger.facility_omnibus(),
            amount: amount.minor(),
        }
    }

    /// Pays an approved disbursal into the deposit account (the hold released and the limit
    /// used, in one posting); if the account cannot take it (frozen or closed), the hold is
    /// released and the disbursal cancelled with the reason. The caller locked the facility.
    async fn settle_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
        disbursal: &mut Disbursal,
    ) -> Result<(), CreditError> {
        let id = disbursal.id();
        let today = self.today(op);
        match self
            .deposits
            .lock_active_account_in_op(op, facility.deposit_account_id)
            .await
        {
            Ok(account) => {
                let payout = Payout {
                    limit: self.limit(facility.id(), disbursal.amount),
                    receivable: FacilityAccount::DisbursedNotYetDue.of(facility.id()),
                    deposit: account.ledger_account_id,
                };
                let tx =
                    self.ledger
                        .posting(SettleDisbursal, external_id::payout(id), &payout, today);
                let posted = self.ledger.post_in_op(op, tx).await?;
                let _ = disbursal.settle(posted.id);
                self.principal_obligation_in_op(op, facility, disbursal)
                    .await?;
            }
            Err(refused) if refused.platform().is_none() => {
                let reason = Reason::parse(Some(&refused.to_string()))?;
                let released = self
                    .ledger
                    .reverse_in_op(
                        op,
                        disbursal.hold_transaction_id,
                        &external_id::release(id),
                        today,
                    )
                    .await?;
                let _ = disbursal.cancel(reason, released.id);
            }
            Err(e) => return Err(e.into()),
        }
        self.disbursals.update_in_op(op, disbursal).await?;
        Ok(())
    }

    pub async fn find_disbursal(
        &self,
        actor: &Actor,
        id: DisbursalId,
    ) -> Result<Option<Disbursal>, CreditError> {
        use permissions::{DISBURSALS, READ};
        self.use_cases
            .query(actor, DISBURSALS, READ, async || {
                let Some(disbursal) = self.disbursals.maybe_find_by_id(id).await? else {
                    return Ok(None);
                };
                if let Some(customer) = own_customer(actor) {
                    let facility = self.facilities.find_by_id(disbursal.facility_id).await?;
                    if facility.customer_id != customer {
                        return Ok(None);
                    }
                }
                Ok(Some(disbursal))
            })
            .await
    }

    /// A page of disbursals, oldest first: of one facility, or (staff only) of every facility.
    pub async fn list_disbursals(
        &self,
        actor: &Actor,
        facility: Option<CreditFacilityId>,
        query: ListQuery,
    ) -> Result<Page<Disbursal>, CreditError> {
        use permissions::{DISBURSALS, READ};
        self.use_cases
            .query(actor, DISBURSALS, READ, async || {
                let query = match facility {
                    Some(id) => {
                        if let Some(customer) = own_customer(actor) {
                            let found = self.facilities.maybe_find_by_id(id).await?;
                            if found.is_none_or(|f| f.customer_id != customer) {
                                return Err(not_found(id));
                            }
                        }
                        query.filter("facility_id", Uuid::from(id))
                    }
                    None if own_customer(actor).is_some() => {
                        return Ok(Page {
                            entities: Vec::new(),
                            cursors: Vec::new(),
                            end_cursor: None,
                            has_next_page: false,
                        });
                    }
                    None => query,
                };
                Ok(self.disbursals.list(query).await?)
            })
            .await
    }

    /// A page of each facility's disbursals (oldest first), for pages that show facilities (see
    /// `Credit::pages_of_facilities`).
    pub async fn disbursals_of_facilities(
        &self,
        actor: &Actor,
        facilities: &[&CreditFacility],
        query: ListQuery,
    ) -> Result<HashMap<CreditFacilityId, Page<Disbursal>>, CreditError> {
        self.pages_of_facilities(
            actor,
            permissions::DISBURSALS,
            &self.disbursals,
            facilities,
            query,
        )
        .await
    }

    /// Applies governance's conclusion on a disbursal, in the caller's transaction (the outbox
    /// handler's). Idempotent: delivery is at least once.
    pub(crate) async fn apply_disbursal_conclusion_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        process_id: ApprovalProcessId,
        approved: bool,
        reason: Option<String>,
    ) -> Result<(), CreditError> {
        use permissions::{DISBURSALS, WRITE};
        self.use_cases
            .authorize_in_op(op, actor, DISBURSALS, WRITE)
            .await?;
        let process_id = Uuid::from(process_id);
        let Some(found) = self
            .disbursals
            .find_one_by_in_op(op, "approval_process_id", process_id)
            .await?
        else {
            tracing::warn!(%process_id, "approval concluded for no known disbursal; ignored");
            return Ok(());
        };
        let facility = self
            .facilities
            .lock_in_op(op, found.facility_id, RowLock::Update)
            .await?;
        let mut disbursal = self.disbursals.find_by_id_in_op(op, found.id()).await?;
        if disbursal.ensure_pending().was_already_applied() {
            return Ok(());
        }
        if approved {
            return self.settle_in_op(op, &facility, &mut disbursal).await;
        }
        let released = self
            .ledger
            .reverse_in_op(
                op,
                disbursal.hold_transaction_id,
                &external_id::release(disbursal.id()),
                self.today(op),
            )
            .await?;
        let _ = disbursal.deny(reason, released.id);
        self.disbursals.update_in_op(op, &mut disbursal).await?;
        Ok(())
    }
}
