//! A credit facility from proposal to completion (what happens to it while active, day by day,
//! is in `accrual/`, `obligation/` and `payment/`):
//! pending customer approval -> customer declined, or pending approval (governance) -> denied, or
//! pending collateral (the pending facility, same id) -> active once its CVL at a fresh price
//! reaches the margin-call threshold -> completed once it has matured and nothing is owed (its
//! collateral can then be returned: recorded as a collateral update down to zero).
//!
//! Every step is a command that returns `Idempotent`: a step already taken is `AlreadyApplied`
//! and appends nothing. Steps that post to the ledger are checked first (`ensure_*`), then
//! recorded with the posting's id.

use crate::accrual::end_of_month;
use crate::error::CreditError;
use crate::math::{self, CollateralToLoan};
use crate::primitives::{
    Amount, Collateral, CollateralizationState, CreditFacilityId, CustodianId, CustomerId,
    DepositAccountId, FacilityBalances, FacilityStatus, Reason, TermsTemplateId, UsdCentsPerBtc,
    WalletId,
};
use crate::terms::{DisbursalPolicy, Terms};
use chrono::{Months, NaiveDate};
use core_governance::ApprovalProcessId;
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use ledger::TransactionId;
use money::UsdCents;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CreditFacilityEvent {
    Proposed {
        customer_id: CustomerId,
        deposit_account_id: DepositAccountId,
        amount: Amount,
        terms: Terms,
        template_id: Option<TermsTemplateId>,
        /// Who will hold the collateral (a wallet is opened there after approval); none: staff
        /// record the collateral by hand.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custodian_id: Option<CustodianId>,
    },
    /// The custodian's wallet that holds the collateral from now on: its reported balance is
    /// the collateral, and manual updates are refused.
    WalletAssigned {
        wallet_id: WalletId,
    },
    CustomerConsented {
        approval_process_id: ApprovalProcessId,
    },
    CustomerDeclined {
        reason: Reason,
    },
    Approved {
        limit_transaction_id: TransactionId,
    },
    Denied {
        reason: Option<String>,
    },
    CollateralUpdated {
        collateral: Collateral,
        ledger_transaction_id: TransactionId,
    },
    CollateralizationChanged {
        state: CollateralizationState,
        price: UsdCentsPerBtc,
    },
    Activated {
        activated_on: NaiveDate,
        maturity_date: NaiveDate,
        first_cycle_ends_on: NaiveDate,
        structuring_fee: UsdCents,
        fee_transaction_id: Option<TransactionId>,
    },
    Completed {
        completed_on: NaiveDate,
    },
}

#[derive(Debug)]
pub struct CreditFacility {
    pub customer_id: CustomerId,
    pub deposit_account_id: DepositAccountId,
    pub amount: Amount,
    pub terms: Terms,
    pub template_id: Option<TermsTemplateId>,
    pub custodian_id: Option<CustodianId>,
    pub wallet_id: Option<WalletId>,
    pub status: FacilityStatus,
    pub approval_process_id: Option<ApprovalProcessId>,
    /// Why the customer declined or governance denied.
    pub refusal_reason: Option<String>,
    pub collateral: Collateral,
    pub collateralization: CollateralizationState,
    /// The price of the last collateralization change.
    pub collateralization_price: Option<UsdCentsPerBtc>,
    pub activated_on: Option<NaiveDate>,
    pub maturity_date: Option<NaiveDate>,
    pub first_cycle_ends_on: Option<NaiveDate>,
    pub structuring_fee: Option<UsdCents>,
    pub completed_on: Option<NaiveDate>,
    events: EntityEvents<CreditFacilityEvent>,
}

/// A proposal decided, before it is stored.
pub struct NewProposal {
    pub id: CreditFacilityId,
    pub customer_id: CustomerId,
    pub deposit_account_id: DepositAccountId,
    pub amount: Amount,
    pub terms: Terms,
    pub template_id: Option<TermsTemplateId>,
    pub custodian_id: Option<CustodianId>,
}

impl NewProposal {
    pub fn into_events(self) -> EntityEvents<CreditFacilityEvent> {
        EntityEvents::init(
            self.id,
            [CreditFacilityEvent::Proposed {
                customer_id: self.customer_id,
                deposit_account_id: self.deposit_account_id,
                amount: self.amount,
                terms: self.terms,
                template_id: self.template_id,
                custodian_id: self.custodian_id,
            }],
        )
    }
}

impl CreditFacility {
    fn invalid(&self, action: &'static str) -> CreditError {
        CreditError::InvalidFacilityTransition {
            id: self.id(),
            status: self.status,
            action,
        }
    }

    /// The customer's consent is possible while the proposal waits for it.
    pub fn ensure_consentable(&self) -> Result<Idempotent<()>, CreditError> {
        match self.status {
            FacilityStatus::PendingCustomerApproval => Ok(Idempotent::Executed(())),
            FacilityStatus::PendingApproval
            | FacilityStatus::Denied
            | FacilityStatus::PendingCollateral
            | FacilityStatus::Active
            | FacilityStatus::Completed => Ok(Idempotent::AlreadyApplied),
            FacilityStatus::CustomerDeclined => Err(self.invalid("be consented to")),
        }
    }

    /// The customer consented; the approval process started.
    pub fn consent(
        &mut self,
        approval_process_id: ApprovalProcessId,
    ) -> Result<Idempotent<()>, CreditError> {
        let check = self.ensure_consentable()?;
        if check.did_execute() {
            self.status = FacilityStatus::PendingApproval;
            self.approval_process_id = Some(approval_process_id);
            self.events.push(CreditFacilityEvent::CustomerConsented {
                approval_process_id,
            });
        }
        Ok(check)
    }

    pub fn decline(&mut self, reason: Reason) -> Result<Idempotent<()>, CreditError> {
        match self.status {
            FacilityStatus::CustomerDeclined => Ok(Idempotent::AlreadyApplied),
            FacilityStatus::PendingCustomerApproval => {
                self.status = FacilityStatus::CustomerDeclined;
                self.refusal_reason = reason.given().map(str::to_owned);
                self.events
                    .push(CreditFacilityEvent::CustomerDeclined { reason });
                Ok(Idempotent::Executed(()))
            }
            _ => Err(self.invalid("be declined")),
        }
    }

    /// Whether governance's conclusion still concerns the proposal (a redelivered conclusion
    /// has nothing to do).
    pub fn ensure_awaiting_approval(&self) -> Idempotent<()> {
        if self.status == FacilityStatus::PendingApproval {
            Idempotent::Executed(())
        } else {
            Idempotent::AlreadyApplied
        }
    }

    /// Approved: the limit was opened by `limit_transaction_id`; a pending facility now.
    pub fn approve(&mut self, limit_transaction_id: TransactionId) -> Idempotent<()> {
        let check = self.ensure_awaiting_approval();
        if check.did_execute() {
            self.status = FacilityStatus::PendingCollateral;
            self.events.push(CreditFacilityEvent::Approved {
                limit_transaction_id,
            });
        }
        check
    }

    pub fn deny(&mut self, reason: Option<String>) -> Idempotent<()> {
        let check = self.ensure_awaiting_approval();
        if check.did_execute() {
            self.status = FacilityStatus::Denied;
            self.refusal_reason.clone_from(&reason);
            self.events.push(CreditFacilityEvent::Denied { reason });
        }
        check
    }

    /// Records the wallet opened at the custodian; once only.
    pub fn assign_wallet(&mut self, wallet_id: WalletId) -> Idempotent<()> {
        if self.wallet_id.is_some() {
            return Idempotent::AlreadyApplied;
        }
        self.wallet_id = Some(wallet_id);
        self.events
            .push(CreditFacilityEvent::WalletAssigned { wallet_id });
        Idempotent::Executed(())
    }

    /// Collateral is recorded for a pending or active facility, and returned (less of it) from
    /// a completed one; the same amount again changes nothing.
    pub fn ensure_collateral_updatable(
        &self,
        collateral: Collateral,
    ) -> Result<Idempotent<()>, CreditError> {
        let unchanged = || {
            if collateral == self.collateral {
                Idempotent::AlreadyApplied
            } else {
                Idempotent::Executed(())
            }
        };
        match self.status {
            FacilityStatus::PendingCollateral | FacilityStatus::Active => Ok(unchanged()),
            FacilityStatus::Completed if collateral <= self.collateral => Ok(unchanged()),
            FacilityStatus::Completed => Err(self.invalid("take more collateral")),
            _ => Err(self.invalid("take collateral")),
        }
    }

    pub fn update_collateral(
        &mut self,
        collateral: Collateral,
        ledger_transaction_id: TransactionId,
    ) -> Result<Idempotent<()>, CreditError> {
        let check = self.ensure_collateral_updatable(collateral)?;
        if check.did_execute() {
            self.collateral = collateral;
            self.events.push(CreditFacilityEvent::CollateralUpdated {
                collateral,
                ledger_transaction_id,
            });
        }
        Ok(check)
    }

    /// What the collateral is measured against: a pending facility's whole amount (what it will
    /// lend), an active one's outstanding plus the disbursals awaiting approval, less what was
    /// paid and waits unapplied (it is the bank's and will pay the debt).
    pub fn exposure(&self, balances: &FacilityBalances) -> Result<UsdCents, CreditError> {
        if self.status == FacilityStatus::Active {
            let overflow = || math::MathError::Overflow {
                quantity: "exposure",
            };
            Ok(balances
                .outstanding
                .checked_add(balances.held)
                .map_err(|_| overflow())?
                .checked_sub(balances.unapplied)
                .unwrap_or(UsdCents::ZERO))
        } else {
            Ok(self.amount.cents())
        }
    }

    /// The CVL of the collateral against `exposure` at `price`.
    pub fn cvl(&self, price: UsdCentsPerBtc, exposure: UsdCents) -> CollateralToLoan {
        math::cvl(self.collateral.sats(), price, exposure)
    }

    /// Where `cvl` stands against the terms' thresholds. An active facility under margin call
    /// (or liquidation) is fully collateralized again only `upgrade_buffer` percentage points
    /// above the margin-call threshold; until then it stays under margin call (no flapping
    /// around the threshold). A pending facility activates at the threshold itself.
    pub fn state_at(&self, cvl: &CollateralToLoan, upgrade_buffer: u32) -> CollateralizationState {
        let margin_call = self.terms.margin_call_cvl;
        let called = self.status == FacilityStatus::Active
            && matches!(
                self.collateralization,
                CollateralizationState::UnderMarginCallThreshold
                    | CollateralizationState::UnderLiquidationThreshold
            );
        let full = match called {
            true => margin_call.raised_by(upgrade_buffer),
            false => margin_call,
        };
        if cvl.is_at_least(full) {
            CollateralizationState::FullyCollateralized
        } else if cvl.is_at_least(self.terms.liquidation_cvl) {
            CollateralizationState::UnderMarginCallThreshold
        } else {
            CollateralizationState::UnderLiquidationThreshold
        }
    }

    /// Records the collateralization at `price` when it changed (pending and active
    /// facilities only).
    pub fn record_collateralization(
        &mut self,
        state: CollateralizationState,
        price: UsdCentsPerBtc,
    ) -> Idempotent<()> {
        let tracked = matches!(
            self.status,
            FacilityStatus::PendingCollateral | FacilityStatus::Active
        );
        if !tracked || state == self.collateralization {
            return Idempotent::AlreadyApplied;
        }
        self.collateralization = state;
        self.collateralization_price = Some(price);
        self.events
            .push(CreditFacilityEvent::CollateralizationChanged { state, price });
        Idempotent::Executed(())
    }

    /// A pending facility activates once fully collateralized (at a fresh price: the caller
    /// evaluates only with one).
    pub fn ensure_activatable(&self) -> Idempotent<()> {
        if self.status == FacilityStatus::PendingCollateral
            && self.collateralization == CollateralizationState::FullyCollateralized
        {
            Idempotent::Executed(())
        } else {
            Idempotent::AlreadyApplied
        }
    }

    /// The structuring fee this facility charges at activation.
    pub fn structuring_fee_due(&self) -> Result<UsdCents, CreditError> {
        Ok(math::structuring_fee(
            self.amount.cents(),
            self.terms.structuring_fee_rate,
        )?)
    }

    /// Activated on `today`: maturity `duration` months later, the first accrual cycle ending
    /// with the month.
    pub fn activate(
        &mut self,
        today: NaiveDate,
        structuring_fee: UsdCents,
        fee_transaction_id: Option<TransactionId>,
    ) -> Result<Idempotent<()>, CreditError> {
        if self.ensure_activatable().was_already_applied() {
            return Ok(Idempotent::AlreadyApplied);
        }
        let maturity_date = today
            .checked_add_months(Months::new(self.terms.duration_months.months()))
            .ok_or_else(|| self.invalid("mature after the last representable date"))?;
        let first_cycle_ends_on = end_of_month(today);
        self.status = FacilityStatus::Active;
        self.activated_on = Some(today);
        self.maturity_date = Some(maturity_date);
        self.first_cycle_ends_on = Some(first_cycle_ends_on);
        self.structuring_fee = Some(structuring_fee);
        self.events.push(CreditFacilityEvent::Activated {
            activated_on: today,
            maturity_date,
            first_cycle_ends_on,
            structuring_fee,
            fee_transaction_id,
        });
        Ok(Idempotent::Executed(()))
    }

    /// A disbursal on `today` is possible on an active facility with the multiple policy,
    /// before its maturity date.
    /// An active facility completes once `today` is its maturity date or later and nothing is
    /// owed (every obligation paid, no interest accrued unbilled).
    pub fn ensure_completable(
        &self,
        today: NaiveDate,
        balances: &FacilityBalances,
    ) -> Idempotent<()> {
        if self.status == FacilityStatus::Active
            && self.matured_on(today)
            && balances.outstanding.is_zero()
        {
            Idempotent::Executed(())
        } else {
            Idempotent::AlreadyApplied
        }
    }

    pub fn complete(&mut self, completed_on: NaiveDate) {
        self.status = FacilityStatus::Completed;
        self.completed_on = Some(completed_on);
        self.events
            .push(CreditFacilityEvent::Completed { completed_on });
    }

    /// Whether the facility has matured by `date`: nothing more accrues, the principal is due,
    /// and every obligation left can be paid (what remains is owed in full).
    pub fn matured_on(&self, date: NaiveDate) -> bool {
        self.maturity_date.is_some_and(|m| date >= m)
    }

    pub fn ensure_disbursable(&self, today: NaiveDate) -> Result<(), CreditError> {
        if self.status != FacilityStatus::Active {
            return Err(self.invalid("disburse"));
        }
        if self.terms.disbursal_policy == DisbursalPolicy::Single {
            return Err(CreditError::SingleDisbursalFacility(self.id()));
        }
        if self.matured_on(today) {
            return Err(CreditError::FacilityMatured(self.id()));
        }
        Ok(())
    }

    pub fn created_at(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.events.created_at()
    }

    /// What happened to the facility, oldest first, with when each step was recorded.
    pub fn history(
        &self,
    ) -> impl Iterator<Item = (chrono::DateTime<chrono::Utc>, &CreditFacilityEvent)> {
        self.events
            .persisted()
            .iter()
            .map(|e| (e.recorded_at, &e.event))
    }
}

impl EsEntity for CreditFacility {
    type Id = CreditFacilityId;
    type Event = CreditFacilityEvent;

    fn events(&self) -> &EntityEvents<CreditFacilityEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<CreditFacilityEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<CreditFacilityEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(CreditFacilityEvent::Proposed {
            customer_id,
            deposit_account_id,
            amount,
            terms,
            template_id,
            custodian_id,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut facility = Self {
            customer_id: *customer_id,
            deposit_account_id: *deposit_account_id,
            amount: *amount,
            terms: terms.clone(),
            template_id: *template_id,
            custodian_id: *custodian_id,
            wallet_id: None,
            status: FacilityStatus::PendingCustomerApproval,
            approval_process_id: None,
            refusal_reason: None,
            collateral: Collateral::ZERO,
            collateralization: CollateralizationState::NotEvaluated,
            collateralization_price: None,
            activated_on: None,
            maturity_date: None,
            first_cycle_ends_on: None,
            structuring_fee: None,
            completed_on: None,
            events: EntityEvents::init(events.entity_id(), []),
        };
        for event in iter {
            match event {
                CreditFacilityEvent::Proposed { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "proposed twice".into(),
                    });
                }
                CreditFacilityEvent::WalletAssigned { wallet_id } => {
                    facility.wallet_id = Some(*wallet_id);
                }
                CreditFacilityEvent::CustomerConsented {
                    approval_process_id,
                } => {
                    facility.status = FacilityStatus::PendingApproval;
                    facility.approval_process_id = Some(*approval_process_id);
                }
                CreditFacilityEvent::CustomerDeclined { reason } => {
                    facility.status = FacilityStatus::CustomerDeclined;
                    facility.refusal_reason = reason.given().map(str::to_owned);
                }
                CreditFacilityEvent::Approved { .. } => {
                    facility.status = FacilityStatus::PendingCollateral;
                }
                CreditFacilityEvent::Denied { reason } => {
                    facility.status = FacilityStatus::Denied;
                    facility.refusal_reason.clone_from(reason);
                }
                CreditFacilityEvent::CollateralUpdated { collateral, .. } => {
                    facility.collateral = *collateral;
                }
                CreditFacilityEvent::CollateralizationChanged { state, price } => {
                    facility.collateralization = *state;
                    facility.collateralization_price = Some(*price);
                }
                CreditFacilityEvent::Activated {
                    activated_on,
                    maturity_date,
                    first_cycle_ends_on,
                    structuring_fee,
                    ..
                } => {
                    facility.status = FacilityStatus::Active;
                    facility.activated_on = Some(*activated_on);
                    facility.maturity_date = Some(*maturity_date);
                    facility.first_cycle_ends_on = Some(*first_cycle_ends_on);
                    facility.structuring_fee = Some(*structuring_fee);
                }
                CreditFacilityEvent::Completed { completed_on } => {
                    facility.status = FacilityStatus::Completed;
                    facility.completed_on = Some(*completed_on);
                }
            }
        }
        facility.events = events;
        Ok(facility)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::terms::{AccrualCycleInterval, AccrualInterval, TermsInput};
    use rust_decimal::Decimal;

    fn terms(policy: DisbursalPolicy) -> Terms {
        Terms::try_new(TermsInput {
            annual_rate: Decimal::new(12, 0),
            duration_months: 12,
            accrual_interval: AccrualInterval::EndOfDay,
            accrual_cycle_interval: AccrualCycleInterval::EndOfMonth,
            interest_due_after_days: 30,
            overdue_after_days: None,
            liquidation_after_days: None,
            structuring_fee_rate: Decimal::new(1, 0),
            initial_cvl: Decimal::new(150, 0),
            margin_call_cvl: Decimal::new(120, 0),
            liquidation_cvl: Decimal::new(105, 0),
            disbursal_policy: policy,
        })
        .unwrap()
    }

    /// Given a proposal of $10,000.00 (1,000,000 cents).
    fn proposal(policy: DisbursalPolicy) -> CreditFacility {
        let new = NewProposal {
            id: CreditFacilityId::new(),
            customer_id: CustomerId::new(),
            deposit_account_id: DepositAccountId::new(),
            amount: Amount::parse(UsdCents::from_minor(1_000_000)).unwrap(),
            terms: terms(policy),
            template_id: None,
            custodian_id: None,
        };
        CreditFacility::try_from_events(new.into_events()).unwrap()
    }

    fn price(dollars: u64) -> UsdCentsPerBtc {
        UsdCentsPerBtc::parse(dollars * 100).unwrap()
    }

    fn sats(n: u64) -> Collateral {
        Collateral::parse(money::Satoshis::from_minor(n)).unwrap()
    }

    /// Given an approved (pending) facility.
    fn pending(policy: DisbursalPolicy) -> CreditFacility {
        let mut f = proposal(policy);
        let _ = f.consent(ApprovalProcessId::new()).unwrap();
        let _ = f.approve(TransactionId::new());
        f
    }

    #[test]
    fn consent_then_approval_makes_a_pending_facility_and_repeats_change_nothing() {
        let mut f = proposal(DisbursalPolicy::Single);
        assert!(f.decline(Reason::default()).is_ok());
        assert_eq!(f.status, FacilityStatus::CustomerDeclined);
        assert!(matches!(
            f.consent(ApprovalProcessId::new()),
            Err(CreditError::InvalidFacilityTransition { .. })
        ));

        let mut f = proposal(DisbursalPolicy::Single);
        assert!(f.consent(ApprovalProcessId::new()).unwrap().did_execute());
        assert!(
            f.consent(ApprovalProcessId::new())
                .unwrap()
                .was_already_applied()
        );
        assert!(matches!(
            f.decline(Reason::default()),
            Err(CreditError::InvalidFacilityTransition { .. })
        ));
        assert!(f.approve(TransactionId::new()).did_execute());
        assert!(
            f.deny(None).was_already_applied(),
            "a late denial changes nothing"
        );
        let rebuilt = CreditFacility::try_from_events(f.events().clone()).unwrap();
        assert_eq!(rebuilt.status, FacilityStatus::PendingCollateral);
    }

    #[test]
    fn the_state_follows_the_thresholds_exactly() {
        let mut f = pending(DisbursalPolicy::Single);
        let _ = f.update_collateral(sats(12_000_000), TransactionId::new());
        // 0.12 BTC at $100,000 = $12,000 against $10,000: exactly 120%, the margin call
        let at = f.cvl(price(100_000), f.amount.cents());
        assert_eq!(
            f.state_at(&at, 5),
            CollateralizationState::FullyCollateralized
        );
        // one satoshi less is under it; 0.105 BTC is exactly the liquidation threshold
        let _ = f.update_collateral(sats(11_999_999), TransactionId::new());
        let under = f.cvl(price(100_000), f.amount.cents());
        assert_eq!(
            f.state_at(&under, 5),
            CollateralizationState::UnderMarginCallThreshold
        );
        let _ = f.update_collateral(sats(10_500_000), TransactionId::new());
        let liquidation = f.cvl(price(100_000), f.amount.cents());
        assert_eq!(
            f.state_at(&liquidation, 5),
            CollateralizationState::UnderMarginCallThreshold
        );
        let _ = f.update_collateral(sats(10_499_999), TransactionId::new());
        let below = f.cvl(price(100_000), f.amount.cents());
        assert_eq!(
            f.state_at(&below, 5),
            CollateralizationState::UnderLiquidationThreshold
        );
        // nothing outstanding: infinite, fully collateralized
        let nothing = f.cvl(price(100_000), UsdCents::ZERO);
        assert_eq!(
            f.state_at(&nothing, 5),
            CollateralizationState::FullyCollateralized
        );
    }

    #[test]
    fn an_active_facility_leaves_margin_call_only_above_the_buffer() {
        let mut f = pending(DisbursalPolicy::Single);
        let _ = f.record_collateralization(CollateralizationState::FullyCollateralized, price(1));
        let day = NaiveDate::from_ymd_opt(2027, 1, 15).unwrap();
        let _ = f.activate(day, UsdCents::ZERO, None).unwrap();
        let _ = f.update_collateral(sats(12_400_000), TransactionId::new());
        let owed = f.amount.cents();
        // 0.124 BTC against $10,000: 124% at $100,000; margin call at 120%, buffer 5 points
        let collateral = f.collateral.sats();
        let at = |dollars| crate::math::cvl(collateral, price(dollars), owed);
        assert_eq!(
            f.state_at(&at(100_000), 5),
            CollateralizationState::FullyCollateralized
        );
        // $95,000: 117.8% < 120%: margin call
        let _ = f.record_collateralization(f.state_at(&at(95_000), 5), price(95_000));
        assert_eq!(
            f.collateralization,
            CollateralizationState::UnderMarginCallThreshold
        );
        // back to $100,000 (124%): above 120% but under 125%: still under margin call
        assert_eq!(
            f.state_at(&at(100_000), 5),
            CollateralizationState::UnderMarginCallThreshold
        );
        // $100,806 x 0.124 = $12,499.94: 124.9994%; $100,807 x 0.124 = $12,500.07: 125.0007%
        assert_eq!(
            f.state_at(&at(100_806), 5),
            CollateralizationState::UnderMarginCallThreshold
        );
        assert_eq!(
            f.state_at(&at(100_807), 5),
            CollateralizationState::FullyCollateralized
        );
        // without a buffer, 120% is enough
        assert_eq!(
            f.state_at(&at(100_000), 0),
            CollateralizationState::FullyCollateralized
        );
    }

    #[test]
    fn activation_sets_the_dates_once_and_only_when_fully_collateralized() {
        let mut f = pending(DisbursalPolicy::Multiple);
        let day = NaiveDate::from_ymd_opt(2028, 1, 31).unwrap();
        // not evaluated yet: nothing happens
        assert!(
            f.activate(day, UsdCents::ZERO, None)
                .unwrap()
                .was_already_applied()
        );
        assert!(
            f.record_collateralization(CollateralizationState::FullyCollateralized, price(1))
                .did_execute()
        );
        assert!(
            f.record_collateralization(CollateralizationState::FullyCollateralized, price(2))
                .was_already_applied(),
            "the same state again is no change"
        );
        assert!(
            f.activate(day, UsdCents::from_minor(10_000), None)
                .unwrap()
                .did_execute()
        );
        // 2028-01-31 plus 12 months is 2029-01-31; January ends on the 31st
        assert_eq!(f.maturity_date, NaiveDate::from_ymd_opt(2029, 1, 31));
        assert_eq!(f.first_cycle_ends_on, Some(day));
        assert!(
            f.activate(day, UsdCents::ZERO, None)
                .unwrap()
                .was_already_applied()
        );
        assert!(f.ensure_disbursable(day).is_ok());
        let maturity = NaiveDate::from_ymd_opt(2029, 1, 31).unwrap();
        assert!(matches!(
            f.ensure_disbursable(maturity),
            Err(CreditError::FacilityMatured(_))
        ));
        let rebuilt = CreditFacility::try_from_events(f.events().clone()).unwrap();
        assert_eq!(rebuilt.status, FacilityStatus::Active);
        assert_eq!(rebuilt.structuring_fee, Some(UsdCents::from_minor(10_000)));
    }
}
