//! Credit facilities: proposals, the customer's consent, approval, collateral, activation,
//! completion.
//!
//! **Locks.** Every change of a facility loads it with its index row locked `FOR UPDATE`, so
//! collateral updates, price re-evaluations, activation and disbursals of one facility are
//! serialized. A proposal share-locks the customer and the deposit account (as opening an account
//! does), so a freeze in flight waits for it or is seen by it.
//!
//! **Evaluation.** Every collateral change, every price change and every payment re-evaluates the
//! CVL at the bank's current price, if it is fresh (a stale exchange price changes nothing: it
//! never activates a facility). A pending facility is measured against its whole amount, an
//! active one against what is outstanding plus disbursals awaiting approval, less what was paid
//! and waits unapplied. An active facility that falls under its liquidation threshold starts a
//! partial liquidation in the same transaction (`liquidation/`). A pending facility that reaches
//! its margin-call threshold activates in the same transaction: structuring fee posted, maturity
//! date set, the first accrual cycle started, and under the single policy its whole amount paid
//! into the deposit account. If that account is frozen or closed then, the facility stays
//! pending (fully collateralized) and activates at the next evaluation that finds it active.
//!
//! **Who sees what.** Staff see any facility their role lets them read; a customer sees only
//! their own, and any other id is `NOT_FOUND`.

mod entity;
mod repo;

pub use entity::{CreditFacility, CreditFacilityEvent};
pub(crate) use repo::CreditFacilityRepo;

use crate::Credit;
use crate::config::MarginCallUpgradeBuffer;
use crate::error::CreditError;
use crate::ledger::templates::{
    CollateralChange, CollateralMove, Earned, Limit, OpenFacility, StructuringFee,
};
use crate::ledger::{FacilityAccount, external_id, unopened};
use crate::math::CollateralToLoan;
use crate::primitives::{
    Amount, Collateral, CollateralizationState, CreditFacilityId, CustodianId, CustomerId,
    DepositAccountId, FacilityBalances, FacilityStatus, Reason, TermsTemplateId, UsdCentsPerBtc,
    WalletId, permissions,
};
use crate::terms::{DisbursalPolicy, Terms};
use authz::{Actor, Subject};
use core_custody::Provider;
use core_customer::CustomerStatus;
use core_governance::{ApprovalProcessId, ApprovalProcessStatus, ProcessType};
use entity::NewProposal;
use es::{DbOp, EsEntity, EsRepo, EsRepoConfig, ListQuery, Page, RowLock};
use idempotency::IdempotencyKey;
use ledger::TransactionId;
use serde::Serialize;
use std::collections::HashMap;
use use_case::Idempotency;
use uuid::Uuid;

/// The terms of a proposal: a template's (copied) or given in full.
#[derive(Debug, Clone, Serialize)]
pub enum ProposalTerms {
    Template(TermsTemplateId),
    Custom(Terms),
}

/// What staff propose: who borrows how much into which account, on which terms, and the
/// custodian that will hold the collateral (none: staff record it by hand).
#[derive(Debug, Clone, Serialize)]
pub struct ProposalRequest {
    pub customer_id: CustomerId,
    pub deposit_account_id: DepositAccountId,
    pub amount: Amount,
    pub terms: ProposalTerms,
    pub custodian_id: Option<CustodianId>,
}

/// A facility's balances and its CVL (against what it is measured by: the whole amount while
/// pending, what is outstanding once active).
#[derive(Debug, Clone, Copy)]
pub struct FacilityFigures {
    pub balances: FacilityBalances,
    /// At the bank's current price; `None` while the bank has no price.
    pub cvl: Option<CollateralToLoan>,
}

/// Filters of a list of facilities (all of them must hold).
#[derive(Debug, Clone, Copy, Default)]
pub struct FacilityFilter {
    /// Proposals only (`true`: pending customer approval, declined, pending approval, denied)
    /// or approved facilities only (`false`).
    pub proposals: Option<bool>,
    pub status: Option<FacilityStatus>,
    pub collateralization: Option<CollateralizationState>,
    pub customer_id: Option<CustomerId>,
}

/// The customer a customer actor is; `None` for staff and the system.
pub(crate) fn own_customer(actor: &Actor) -> Option<CustomerId> {
    match actor.subject {
        Subject::Customer(id) => Some(CustomerId::from(id)),
        _ => None,
    }
}

pub(crate) fn visible(actor: &Actor, facility: &CreditFacility) -> bool {
    own_customer(actor).is_none_or(|c| c == facility.customer_id)
}

pub(crate) fn not_found(id: CreditFacilityId) -> CreditError {
    es::EsRepoError::NotFound {
        entity: "credit facility",
        id: id.to_string(),
    }
    .into()
}

impl Credit {
    /// Proposes a facility for an active customer, disbursing into their active deposit
    /// account. With `key`, the same key and request again return the first proposal.
    pub async fn create_proposal(
        &self,
        actor: &Actor,
        request: ProposalRequest,
        key: Option<&IdempotencyKey>,
    ) -> Result<CreditFacility, CreditError> {
        use permissions::{FACILITIES, WRITE};
        let ProposalRequest {
            customer_id,
            deposit_account_id,
            amount,
            ref terms,
            custodian_id,
        } = request;
        let idempotency = Idempotency {
            operation: "credit-facility-proposal-create",
            key,
            request: &request,
        };
        self.use_cases
            .idempotent_command(
                actor,
                FACILITIES,
                WRITE,
                idempotency,
                &self.facilities,
                |id| {
                    async move |op| {
                        let customer = self.customers.lock_customer_in_op(op, customer_id).await?;
                        if customer.status != CustomerStatus::Active {
                            return Err(CreditError::CustomerNotActive(customer_id));
                        }
                        let account = self
                            .deposits
                            .lock_active_account_in_op(op, deposit_account_id)
                            .await?;
                        if account.customer_id != customer_id {
                            return Err(CreditError::DepositAccountOfAnotherCustomer {
                                account: deposit_account_id,
                                customer: customer_id,
                            });
                        }
                        let (terms, template_id) = match terms {
                            ProposalTerms::Template(template_id) => {
                                let template =
                                    self.templates.find_by_id_in_op(op, *template_id).await?;
                                (template.terms, Some(*template_id))
                            }
                            ProposalTerms::Custom(terms) => (terms.clone(), None),
                        };
                        if let Some(custodian_id) = custodian_id {
                            self.custody.find_custodian_in_op(op, custodian_id).await?;
                        }
                        let new = NewProposal {
                            id,
                            customer_id,
                            deposit_account_id,
                            amount,
                            terms,
                            template_id,
                            custodian_id,
                        };
                        Ok(self.facilities.create_in_op(op, new.into_events()).await?)
                    }
                },
            )
            .await
    }

    /// The customer's consent (their own, or staff's on their behalf with the consent
    /// permission): the approval process `credit-facility-proposal` starts in the same
    /// transaction. Consenting again changes nothing.
    pub async fn consent_to_proposal(
        &self,
        actor: &Actor,
        id: CreditFacilityId,
    ) -> Result<CreditFacility, CreditError> {
        use permissions::{CONSENT, FACILITIES};
        self.use_cases
            .command(actor, FACILITIES, CONSENT, || {
                async move |op| {
                    let mut facility = self.lock_visible_in_op(op, actor, id).await?;
                    if facility.ensure_consentable()?.was_already_applied() {
                        return Ok(facility);
                    }
                    let process = self
                        .governance
                        .start_process_in_op(op, &ProcessType::CREDIT_FACILITY_PROPOSAL, id)
                        .await?;
                    let _ = facility.consent(process.id())?;
                    if process.status == ApprovalProcessStatus::Approved {
                        self.approve_in_op(op, &mut facility).await?;
                        self.evaluate_in_op(op, &mut facility).await?;
                    }
                    self.facilities.update_in_op(op, &mut facility).await?;
                    Ok(facility)
                }
            })
            .await
    }

    /// The customer declines the proposal (final). Declining again changes nothing.
    pub async fn decline_proposal(
        &self,
        actor: &Actor,
        id: CreditFacilityId,
        reason: Reason,
    ) -> Result<CreditFacility, CreditError> {
        use permissions::{CONSENT, FACILITIES};
        let reason = &reason;
        self.use_cases
            .command(actor, FACILITIES, CONSENT, || {
                async move |op| {
                    let mut facility = self.lock_visible_in_op(op, actor, id).await?;
                    if facility.decline(reason.clone())?.did_execute() {
                        self.facilities.update_in_op(op, &mut facility).await?;
                    }
                    Ok(facility)
                }
            })
            .await
    }

    /// Records the collateral (satoshis) the bank holds for a pending or active facility: the
    /// difference is posted, and the CVL re-evaluated (a pending facility may activate). Refused
    /// for a facility whose collateral a custodian's wallet reports, or will once it is opened
    /// (a manual custodian keeps no wallet: staff record its collateral).
    pub async fn update_collateral(
        &self,
        actor: &Actor,
        id: CreditFacilityId,
        collateral: Collateral,
    ) -> Result<CreditFacility, CreditError> {
        use permissions::{FACILITIES, WRITE};
        self.use_cases
            .command(actor, FACILITIES, WRITE, || {
                async move |op| {
                    let mut facility = self.facilities.lock_in_op(op, id, RowLock::Update).await?;
                    self.ensure_collateral_by_hand_in_op(op, &facility).await?;
                    if facility
                        .ensure_collateral_updatable(collateral)?
                        .was_already_applied()
                    {
                        return Ok(facility);
                    }
                    self.set_collateral_in_op(op, &mut facility, collateral)
                        .await?;
                    self.evaluate_in_op(op, &mut facility).await?;
                    self.facilities.update_in_op(op, &mut facility).await?;
                    Ok(facility)
                }
            })
            .await
    }

    /// Staff record the collateral unless a custodian reports it: the facility has a wallet, or
    /// its custodian keeps wallets and the one asked for at approval is being opened (a manual
    /// custodian keeps none).
    async fn ensure_collateral_by_hand_in_op(
        &self,
        op: &mut DbOp,
        facility: &CreditFacility,
    ) -> Result<(), CreditError> {
        let Some(custodian) = facility.custodian_id else {
            return Ok(());
        };
        let keeps_wallets = facility.wallet_id.is_some()
            || self
                .custody
                .find_custodian_in_op(op, custodian)
                .await?
                .provider()
                != Provider::Manual;
        if keeps_wallets {
            return Err(CreditError::CollateralFromCustodian {
                id: facility.id(),
                custodian,
            });
        }
        Ok(())
    }

    /// Custody's reactions act as the system actor `credit.custody`: authorized and audited in
    /// the caller's transaction, then the facility locked for the change.
    async fn lock_for_custody_in_op(
        &self,
        op: &mut DbOp,
        facility_id: CreditFacilityId,
    ) -> Result<CreditFacility, CreditError> {
        use permissions::{FACILITIES, WRITE};
        let actor = Actor::system("credit.custody");
        self.use_cases
            .authorize_in_op(op, &actor, FACILITIES, WRITE)
            .await?;
        Ok(self
            .facilities
            .lock_in_op(op, facility_id, RowLock::Update)
            .await?)
    }

    /// The custodian opened the facility's wallet (custody's job, in its transaction): from now
    /// on the wallet's reported balance is the facility's collateral.
    pub async fn assign_wallet_in_op(
        &self,
        op: &mut DbOp,
        facility_id: CreditFacilityId,
        wallet_id: WalletId,
    ) -> Result<(), CreditError> {
        let mut facility = self.lock_for_custody_in_op(op, facility_id).await?;
        if facility.assign_wallet(wallet_id).did_execute() {
            self.facilities.update_in_op(op, &mut facility).await?;
        }
        Ok(())
    }

    /// The collateral a custodian's wallet reports, in the caller's transaction (the one that
    /// completes the webhook, or the explorer poll's): recorded like a manual update and
    /// re-evaluated, by the system actor `credit.custody`.
    pub async fn record_wallet_collateral_in_op(
        &self,
        op: &mut DbOp,
        facility_id: CreditFacilityId,
        wallet_id: WalletId,
        collateral: Collateral,
    ) -> Result<(), CreditError> {
        let mut facility = self.lock_for_custody_in_op(op, facility_id).await?;
        if facility.wallet_id != Some(wallet_id) {
            tracing::warn!(facility = %facility_id, wallet = %wallet_id, "a wallet reported the collateral of a facility it does not back; ignored");
            return Ok(());
        }
        if facility
            .ensure_collateral_updatable(collateral)?
            .was_already_applied()
        {
            return Ok(());
        }
        self.set_collateral_in_op(op, &mut facility, collateral)
            .await?;
        self.evaluate_in_op(op, &mut facility).await?;
        self.facilities.update_in_op(op, &mut facility).await?;
        Ok(())
    }

    /// Posts the difference to `collateral` and records it on the facility (the caller locked
    /// it, checked the change, and persists it); returns the posting's id.
    pub(crate) async fn set_collateral_in_op(
        &self,
        op: &mut DbOp,
        facility: &mut CreditFacility,
        collateral: Collateral,
    ) -> Result<TransactionId, CreditError> {
        let id = facility.id();
        let (old, new) = (
            facility.collateral.sats().into_minor(),
            collateral.sats().into_minor(),
        );
        let movement = CollateralMove {
            collateral: FacilityAccount::Collateral.of(id),
            omnibus: self.ledger.collateral_omnibus(),
            sats: old.abs_diff(new),
            added: new > old,
        };
        let tx = self.ledger.posting(
            CollateralChange,
            external_id::collateral(id, facility.events().version()),
            &movement,
            self.today(op),
        );
        let posted = self.ledger.post_in_op(op, tx).await?;
        let _ = facility.update_collateral(collateral, posted.id)?;
        Ok(posted.id)
    }

    /// The wallet that holds the facility's collateral, if it has one (a customer: only for
    /// their own facility).
    pub async fn facility_wallet(
        &self,
        actor: &Actor,
        facility: &CreditFacility,
    ) -> Result<Option<core_custody::Wallet>, CreditError> {
        match facility.wallet_id {
            Some(wallet_id) if visible(actor, facility) => {
                Ok(self.custody.find_wallet(actor, wallet_id).await?)
            }
            _ => Ok(None),
        }
    }

    pub async fn find_facility(
        &self,
        actor: &Actor,
        id: CreditFacilityId,
    ) -> Result<Option<CreditFacility>, CreditError> {
        use permissions::{FACILITIES, READ};
        self.use_cases
            .query(actor, FACILITIES, READ, async || {
                let facility = self.facilities.maybe_find_by_id(id).await?;
                Ok(facility.filter(|f| visible(actor, f)))
            })
            .await
    }

    /// A page of facilities (proposals included), oldest first: every one for staff, their own
    /// for a customer.
    pub async fn list_facilities(
        &self,
        actor: &Actor,
        query: ListQuery,
        filter: FacilityFilter,
    ) -> Result<Page<CreditFacility>, CreditError> {
        use permissions::{FACILITIES, READ};
        let mut query = query;
        if let Some(customer) = own_customer(actor).or(filter.customer_id) {
            query = query.filter("customer_id", Uuid::from(customer));
        }
        if let Some(proposals) = filter.proposals {
            query = query.filter("proposal", proposals);
        }
        if let Some(status) = filter.status {
            query = query.filter("status", status.as_str());
        }
        if let Some(state) = filter.collateralization {
            query = query.filter("collateralization_state", state.as_str());
        }
        self.use_cases
            .query(actor, FACILITIES, READ, async || {
                Ok(self.facilities.list(query).await?)
            })
            .await
    }

    /// The figures of facilities the caller loaded: balances read from the ledger (one query
    /// per currency) and the CVL at the bank's price (stale or not; `None` without a price).
    pub async fn facility_figures(
        &self,
        actor: &Actor,
        facilities: &[&CreditFacility],
    ) -> Result<Vec<FacilityFigures>, CreditError> {
        use permissions::{FACILITIES, READ};
        if let Some(hidden) = facilities.iter().find(|f| !visible(actor, f)) {
            return Err(not_found(hidden.id()));
        }
        self.use_cases
            .query(actor, FACILITIES, READ, async || {
                let price = self.prices.current_price().await?;
                let opened: Vec<(CreditFacilityId, money::UsdCents)> = facilities
                    .iter()
                    .filter(|f| !f.status.is_proposal())
                    .map(|f| (f.id(), f.amount.cents()))
                    .collect();
                let mut read = self.ledger.balances(&opened).await?.into_iter();
                facilities
                    .iter()
                    .map(|f| {
                        let balances = match f.status.is_proposal() {
                            true => unopened(f.amount.cents()),
                            // one figure per opened facility, in order
                            false => read.next().ok_or_else(|| not_found(f.id()))?,
                        };
                        let cvl = match &price {
                            Some(p) => Some(f.cvl(p.usd_cents_per_btc, f.exposure(&balances)?)),
                            None => None,
                        };
                        Ok(FacilityFigures { balances, cvl })
                    })
                    .collect()
            })
            .await
    }

    /// A page of each facility's `repo` entities (disbursals, obligations: oldest first, by their
    /// `facility_id` column), for pages that show facilities: one authorization of `object` and
    /// two queries whatever the number of facilities. The caller loaded the facilities; one a
    /// customer may not see is `NOT_FOUND`.
    pub(crate) async fn pages_of_facilities<C: EsRepoConfig>(
        &self,
        actor: &Actor,
        object: &str,
        repo: &EsRepo<C>,
        facilities: &[&CreditFacility],
        query: ListQuery,
    ) -> Result<HashMap<CreditFacilityId, Page<C::Entity>>, CreditError> {
        if let Some(hidden) = facilities.iter().find(|f| !visible(actor, f)) {
            return Err(not_found(hidden.id()));
        }
        let ids: Vec<Uuid> = facilities.iter().map(|f| Uuid::from(f.id())).collect();
        self.use_cases
            .query(actor, object, permissions::READ, async || {
                let pages = repo.list_for_each("facility_id", &ids, query).await?;
                Ok(pages
                    .into_iter()
                    .map(|(id, page)| (CreditFacilityId::from(id), page))
                    .collect())
            })
            .await
    }

    /// The facility, locked for update, if `actor` may see it.
    pub(crate) async fn lock_visible_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        id: CreditFacilityId,
    ) -> Result<CreditFacility, CreditError> {
        let facility = self.facilities.lock_in_op(op, id, RowLock::Update).await?;
        if !visible(actor, &facility) {
            return Err(not_found(id));
        }
        Ok(facility)
    }

    /// Approved: the facility's ledger accounts and its limit, recorded on the facility (the
    /// caller persists it).
    async fn approve_in_op(
        &self,
        op: &mut DbOp,
        facility: &mut CreditFacility,
    ) -> Result<(), CreditError> {
        if facility.ensure_awaiting_approval().was_already_applied() {
            return Ok(());
        }
        let id = facility.id();
        self.ledger.create_facility_accounts_in_op(op, id).await?;
        let limit = Limit {
            facility: FacilityAccount::Facility.of(id),
            omnibus: self.ledger.facility_omnibus(),
            amount: facility.amount.minor(),
        };
        let tx = self
            .ledger
            .posting(OpenFacility, external_id::open(id), &limit, self.today(op));
        let posted = self.ledger.post_in_op(op, tx).await?;
        let _ = facility.approve(posted.id);
        if let Some(custodian_id) = facility.custodian_id {
            self.custody
                .request_wallet_in_op(op, custodian_id, id.into())
                .await?;
        }
        Ok(())
    }

    /// Applies governance's conclusion on a proposal, in the caller's transaction (the outbox
    /// handler's). Idempotent: delivery is at least once.
    pub(crate) async fn apply_proposal_conclusion_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
        process_id: ApprovalProcessId,
        approved: bool,
        reason: Option<String>,
    ) -> Result<(), CreditError> {
        use permissions::{FACILITIES, WRITE};
        self.use_cases
            .authorize_in_op(op, actor, FACILITIES, WRITE)
            .await?;
        let process_id = Uuid::from(process_id);
        let Some(found) = self
            .facilities
            .find_one_by_in_op(op, "approval_process_id", process_id)
            .await?
        else {
            tracing::warn!(%process_id, "approval concluded for no known proposal; ignored");
            return Ok(());
        };
        let mut facility = self
            .facilities
            .lock_in_op(op, found.id(), RowLock::Update)
            .await?;
        if facility.ensure_awaiting_approval().was_already_applied() {
            return Ok(());
        }
        if approved {
            self.approve_in_op(op, &mut facility).await?;
            self.evaluate_in_op(op, &mut facility).await?;
        } else {
            let _ = facility.deny(reason);
        }
        self.facilities.update_in_op(op, &mut facility).await?;
        Ok(())
    }

    /// Re-evaluates every pending and active facility at the bank's new price, in the caller's
    /// transaction (the outbox handler's), page by page.
    pub(crate) async fn reevaluate_all_in_op(
        &self,
        op: &mut DbOp,
        actor: &Actor,
    ) -> Result<(), CreditError> {
        use permissions::{FACILITIES, WRITE};
        self.use_cases
            .authorize_in_op(op, actor, FACILITIES, WRITE)
            .await?;
        for status in [FacilityStatus::PendingCollateral, FacilityStatus::Active] {
            let mut after = None;
            loop {
                let query = ListQuery::first(es::MAX_PAGE_SIZE)
                    .after(after)
                    .filter("status", status.as_str());
                let page = self.facilities.list_in_op(op, query).await?;
                for listed in &page.entities {
                    let mut facility = self
                        .facilities
                        .lock_in_op(op, listed.id(), RowLock::Update)
                        .await?;
                    self.evaluate_in_op(op, &mut facility).await?;
                    self.facilities.update_in_op(op, &mut facility).await?;
                }
                if !page.has_next_page {
                    break;
                }
                after = page.end_cursor;
            }
        }
        Ok(())
    }

    /// The bank's price if it is fresh.
    pub(crate) async fn fresh_price_in_op(
        &self,
        op: &mut DbOp,
    ) -> Result<Option<UsdCentsPerBtc>, CreditError> {
        let price = self.prices.price_in_op(op).await?;
        Ok(price.filter(|p| !p.stale).map(|p| p.usd_cents_per_btc))
    }

    /// Re-evaluates the facility's CVL at a fresh price (nothing without one); a pending
    /// facility that is fully collateralized activates. The caller locked the facility and
    /// persists it.
    pub(crate) async fn evaluate_in_op(
        &self,
        op: &mut DbOp,
        facility: &mut CreditFacility,
    ) -> Result<(), CreditError> {
        let Some(price) = self.fresh_price_in_op(op).await? else {
            return Ok(());
        };
        self.record_collateralization_in_op(op, facility, price)
            .await?;
        if facility.ensure_activatable().did_execute() {
            self.activate_in_op(op, facility).await?;
            // once active it is measured against what it lends now (the fee, the payout)
            self.record_collateralization_in_op(op, facility, price)
                .await?;
        }
        Ok(())
    }

    async fn record_collateralization_in_op(
        &self,
        op: &mut DbOp,
        facility: &mut CreditFacility,
        price: UsdCentsPerBtc,
    ) -> Result<(), CreditError> {
        let balances = self
            .ledger
            .balances_in_op(op, facility.id(), facility.amount.cents())
            .await?;
        let cvl = facility.cvl(price, facility.exposure(&balances)?);
        let buffer = self
            .configs
            .get_in_op::<MarginCallUpgradeBuffer>(op)
            .await?;
        let state = facility.state_at(&cvl, buffer);
        if facility
            .record_collateralization(state, price)
            .did_execute()
            && state == CollateralizationState::UnderLiquidationThreshold
            && facility.status == FacilityStatus::Active
        {
            self.start_liquidation_in_op(op, facility, price, &balances)
                .await?;
        }
        Ok(())
    }

    /// Activation, in the caller's transaction: the fee, the dates, and under the single policy
    /// the whole amount paid out. Skipped (the facility stays pending) while the deposit
    /// account cannot take money.
    async fn activate_in_op(
        &self,
        op: &mut DbOp,
        facility: &mut CreditFacility,
    ) -> Result<(), CreditError> {
        let single = facility.terms.disbursal_policy == DisbursalPolicy::Single;
        if single
            && let Err(refused) = self
                .deposits
                .lock_active_account_in_op(op, facility.deposit_account_id)
                .await
        {
            tracing::warn!(facility = %facility.id(), %refused, "fully collateralized, but the deposit account cannot take the payout; activation waits");
            return Ok(());
        }
        let id = facility.id();
        let today = self.today(op);
        let fee = facility.structuring_fee_due()?;
        let fee_tx = if fee.is_zero() {
            None
        } else {
            let params = Earned {
                receivable: FacilityAccount::InterestNotYetDue.of(id),
                income: FacilityAccount::FeeIncome.of(id),
                amount: fee.into_minor(),
            };
            let tx = self
                .ledger
                .posting(StructuringFee, external_id::fee(id), &params, today);
            Some(self.ledger.post_in_op(op, tx).await?.id)
        };
        let _ = facility.activate(today, fee, fee_tx)?;
        if single {
            self.pay_out_whole_amount_in_op(op, facility).await?;
        }
        Ok(())
    }

    /// Completes the facility if it has matured by `date` and nothing is owed any more. The
    /// caller locked the facility and persists it.
    pub(crate) async fn complete_if_paid_off_in_op(
        &self,
        op: &mut DbOp,
        facility: &mut CreditFacility,
        date: chrono::NaiveDate,
    ) -> Result<(), CreditError> {
        if !facility.matured_on(date) {
            return Ok(());
        }
        let balances = self
            .ledger
            .balances_in_op(op, facility.id(), facility.amount.cents())
            .await?;
        if facility.ensure_completable(date, &balances).did_execute() {
            facility.complete(date);
        }
        Ok(())
    }

    /// Today's business date at the use case's instant.
    pub(crate) fn today(&self, op: &DbOp) -> chrono::NaiveDate {
        self.calendar.business_date(op.now())
    }
}
