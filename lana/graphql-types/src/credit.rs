//! Credit facilities (proposals included), their terms, figures and history, disbursals,
//! obligations and payments, as both APIs show them.
//!
//! Percentages (rates, CVL thresholds, a facility's CVL) are `graphql_kit::Decimal`: an exact
//! decimal carried as a JSON string, never a float. A facility's figures (balances read from the
//! ledger, CVL at the bank's price) are loaded for every facility of a page at once
//! ([`CreditLoaders`]): one use case call, whatever the page size.

use crate::price::usd_cents;
use async_graphql::connection::{Connection, Edge};
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use authz::Actor;
use chrono::{DateTime, Utc};
use core_credit::math::{CollateralToLoan, effective_annual_rate};
use core_credit::terms::Terms as DomainTerms;
use core_credit::{
    Credit, CreditError, CreditFacilityEvent, CreditFacilityId, FacilityBalances, FacilityFigures,
    PaymentSource,
};
use es::{EsEntity, Page};
use graphql_kit::{Date, Decimal, Satoshis, UsdCents, api_error, domain_error, list_query};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// How long the figures loader waits for sibling facilities to ask (as the deposit loaders do).
const LOADER_DELAY: Duration = Duration::from_micros(50);

/// Where a credit facility is in its life.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_credit::FacilityStatus", name = "CreditFacilityStatus")]
pub enum FacilityStatus {
    /// Proposed; waiting for the customer's consent.
    PendingCustomerApproval,
    /// The customer declined the proposal (final).
    CustomerDeclined,
    /// The customer consented; waiting for the approval process `credit-facility-proposal`.
    PendingApproval,
    /// The approval process denied the proposal (final).
    Denied,
    /// Approved: a pending facility waiting for enough collateral to activate.
    PendingCollateral,
    /// Activated: the structuring fee is posted, the maturity date set, money is disbursed.
    Active,
    /// Matured and paid off (final): closed; its collateral can be returned (`completedOn`).
    Completed,
}

/// Where a facility's CVL stood against its thresholds at the last price it was evaluated at.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_credit::CollateralizationState")]
pub enum CollateralizationState {
    /// Not evaluated yet: no fresh price since it was approved.
    NotEvaluated,
    /// CVL at or above the margin-call threshold.
    FullyCollateralized,
    /// CVL under the margin-call threshold, at or above liquidation.
    UnderMarginCallThreshold,
    /// CVL under the liquidation threshold.
    UnderLiquidationThreshold,
}

/// Where a disbursal is.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_credit::DisbursalStatus")]
pub enum DisbursalStatus {
    /// Held on the facility's limit; waiting for the approval process `disbursal`.
    PendingApproval,
    /// Paid into the customer's deposit account.
    Settled,
    /// The approval process denied it; the hold was released.
    Denied,
    /// Approved, but the deposit account could not take the money (frozen or closed); the hold
    /// was released.
    Cancelled,
}

/// How often interest accrues.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_credit::terms::AccrualInterval")]
pub enum AccrualInterval {
    /// Every business day, at its end.
    EndOfDay,
}

/// How often a cycle's accruals become one interest obligation.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_credit::terms::AccrualCycleInterval")]
pub enum AccrualCycleInterval {
    /// At the end of every month.
    EndOfMonth,
}

/// How a facility pays out.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_credit::terms::DisbursalPolicy")]
pub enum DisbursalPolicy {
    /// The whole amount, once, at activation.
    Single,
    /// In disbursals the bank initiates and approves, up to the amount.
    Multiple,
}

/// The terms of a facility (or of a template). Percentages are exact decimals in percent
/// (`"12.5"` is 12.5%).
#[derive(SimpleObject)]
pub struct Terms {
    /// Annual interest rate in percent (0 to 100, up to 4 decimal places), day count actual/365.
    annual_rate: Decimal,
    /// From activation to maturity, in months (1 to 360).
    duration_months: u32,
    accrual_interval: AccrualInterval,
    accrual_cycle_interval: AccrualCycleInterval,
    /// Days from the end of an accrual cycle until its interest is due (0 to 3650).
    interest_due_after_days: u32,
    /// Days from due until overdue (1 to 3650); never overdue when null.
    overdue_after_days: Option<u32>,
    /// Days from due until liquidation (1 to 3650, after overdue); never when null.
    liquidation_after_days: Option<u32>,
    /// Charged once at activation, in percent of the facility amount (0 to 100, up to 4 decimal
    /// places).
    structuring_fee_rate: Decimal,
    /// CVL in percent required to activate (up to 2 decimal places; above the margin call).
    initial_cvl: Decimal,
    /// CVL in percent under which the customer is called for more collateral (above
    /// liquidation).
    margin_call_cvl: Decimal,
    /// CVL in percent under which collateral is liquidated.
    liquidation_cvl: Decimal,
    disbursal_policy: DisbursalPolicy,
    /// For disclosure: the annual rate plus the structuring fee spread over the facility's years
    /// (rate + fee × 12 / months), in percent, rounded to 4 decimal places half away from zero.
    /// Interest is always computed from the annual rate alone.
    effective_annual_rate: Decimal,
}

impl From<&DomainTerms> for Terms {
    fn from(t: &DomainTerms) -> Self {
        Self {
            annual_rate: Decimal(t.annual_rate.percent()),
            duration_months: t.duration_months.months(),
            accrual_interval: t.accrual_interval.into(),
            accrual_cycle_interval: t.accrual_cycle_interval.into(),
            interest_due_after_days: t.interest_due_after_days,
            overdue_after_days: t.overdue_after_days,
            liquidation_after_days: t.liquidation_after_days,
            structuring_fee_rate: Decimal(t.structuring_fee_rate.percent()),
            initial_cvl: Decimal(t.initial_cvl.percent()),
            margin_call_cvl: Decimal(t.margin_call_cvl.percent()),
            liquidation_cvl: Decimal(t.liquidation_cvl.percent()),
            disbursal_policy: t.disbursal_policy.into(),
            effective_annual_rate: Decimal(effective_annual_rate(
                t.annual_rate,
                t.structuring_fee_rate,
                t.duration_months,
            )),
        }
    }
}

/// Collateral value to loan at the bank's current price: the collateral's value over what it is
/// measured against (a pending facility's whole amount; an active one's outstanding plus the
/// disbursals awaiting approval).
#[derive(SimpleObject)]
pub struct Cvl {
    /// Nothing is outstanding: the CVL is above every threshold.
    infinite: bool,
    /// In percent, rounded down to 2 decimal places (`"150.00"`); null when infinite.
    percent: Option<Decimal>,
}

impl From<CollateralToLoan> for Cvl {
    fn from(cvl: CollateralToLoan) -> Self {
        Self {
            infinite: cvl.is_infinite(),
            percent: cvl.percent().map(Decimal),
        }
    }
}

/// A facility's figures, read from its ledger accounts (a proposal's are its amount and zeros).
#[derive(SimpleObject)]
#[graphql(name = "CreditFacilityBalances")]
pub struct Balances {
    /// The facility's amount (its limit).
    facility: UsdCents,
    /// What can still be disbursed: the amount minus what was paid out or is held for
    /// disbursals awaiting approval.
    remaining: UsdCents,
    /// Held for disbursals awaiting approval.
    held: UsdCents,
    /// Principal paid out and not repaid.
    disbursed: UsdCents,
    /// Interest and fees owed and not paid.
    interest: UsdCents,
    /// Everything owed: disbursed principal plus interest and fees.
    outstanding: UsdCents,
    /// Paid and not allocated to an obligation yet (it will be as obligations fall due).
    unapplied: UsdCents,
    /// The collateral the bank holds.
    collateral: Satoshis,
    /// At the bank's current price (stale or not); null while the bank has no price.
    cvl: Option<Cvl>,
}

impl From<FacilityFigures> for Balances {
    fn from(f: FacilityFigures) -> Self {
        let FacilityBalances {
            facility,
            remaining,
            held,
            disbursed,
            interest,
            outstanding,
            unapplied,
            collateral,
        } = f.balances;
        Self {
            facility: UsdCents(facility),
            remaining: UsdCents(remaining),
            held: UsdCents(held),
            disbursed: UsdCents(disbursed),
            interest: UsdCents(interest),
            outstanding: UsdCents(outstanding),
            unapplied: UsdCents(unapplied),
            collateral: Satoshis(collateral),
            cvl: f.cvl.map(Cvl::from),
        }
    }
}

/// What a step of a facility's history was.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum CreditFacilityHistoryKind {
    /// Proposed (`amount`).
    Proposed,
    /// The customer (or staff on their behalf) consented; the approval process started
    /// (`approvalProcessId`).
    CustomerConsented,
    /// The customer declined (`reason`).
    CustomerDeclined,
    /// The approval process approved the proposal: a pending facility.
    Approved,
    /// The approval process denied the proposal (`reason`).
    Denied,
    /// The custodian's wallet that holds the collateral was opened (`walletId`).
    WalletAssigned,
    /// The collateral the bank holds was recorded (`collateral`, the new total).
    CollateralUpdated,
    /// The CVL crossed a threshold (`collateralizationState`, at `price`).
    CollateralizationChanged,
    /// Activated (`activatedOn`, `maturityDate`, `firstCycleEndsOn`, `structuringFee`).
    Activated,
    /// Matured and paid off: closed (`completedOn`).
    Completed,
}

/// One step of a facility's history; the fields its kind does not carry are null.
#[derive(SimpleObject)]
#[graphql(name = "CreditFacilityHistoryEntry")]
pub struct HistoryEntry {
    kind: CreditFacilityHistoryKind,
    /// When the step was recorded.
    recorded_at: DateTime<Utc>,
    /// The amount proposed.
    amount: Option<UsdCents>,
    /// The approval process started by the consent.
    approval_process_id: Option<Uuid>,
    /// The wallet opened at the custodian.
    wallet_id: Option<Uuid>,
    /// Why the customer declined or the approval process denied.
    reason: Option<String>,
    /// The collateral held from then on.
    collateral: Option<Satoshis>,
    /// The state the CVL moved into.
    collateralization_state: Option<CollateralizationState>,
    /// The price (US cents per bitcoin) the CVL was evaluated at.
    price: Option<UsdCents>,
    activated_on: Option<Date>,
    maturity_date: Option<Date>,
    first_cycle_ends_on: Option<Date>,
    /// The structuring fee charged at activation.
    structuring_fee: Option<UsdCents>,
    completed_on: Option<Date>,
}

impl HistoryEntry {
    fn new(recorded_at: DateTime<Utc>, event: &CreditFacilityEvent) -> Self {
        use CreditFacilityHistoryKind as Kind;
        let mut entry = Self {
            kind: Kind::Proposed,
            recorded_at,
            amount: None,
            approval_process_id: None,
            wallet_id: None,
            reason: None,
            collateral: None,
            collateralization_state: None,
            price: None,
            activated_on: None,
            maturity_date: None,
            first_cycle_ends_on: None,
            structuring_fee: None,
            completed_on: None,
        };
        match event {
            CreditFacilityEvent::Proposed { amount, .. } => {
                entry.amount = Some(UsdCents(amount.cents()));
            }
            CreditFacilityEvent::CustomerConsented {
                approval_process_id,
            } => {
                entry.kind = Kind::CustomerConsented;
                entry.approval_process_id = Some((*approval_process_id).into());
            }
            CreditFacilityEvent::CustomerDeclined { reason } => {
                entry.kind = Kind::CustomerDeclined;
                entry.reason = reason.given().map(str::to_owned);
            }
            CreditFacilityEvent::Approved { .. } => entry.kind = Kind::Approved,
            CreditFacilityEvent::WalletAssigned { wallet_id } => {
                entry.kind = Kind::WalletAssigned;
                entry.wallet_id = Some((*wallet_id).into());
            }
            CreditFacilityEvent::Denied { reason } => {
                entry.kind = Kind::Denied;
                entry.reason.clone_from(reason);
            }
            CreditFacilityEvent::CollateralUpdated { collateral, .. } => {
                entry.kind = Kind::CollateralUpdated;
                entry.collateral = Some(Satoshis(collateral.sats()));
            }
            CreditFacilityEvent::CollateralizationChanged { state, price } => {
                entry.kind = Kind::CollateralizationChanged;
                entry.collateralization_state = Some((*state).into());
                entry.price = Some(usd_cents(*price));
            }
            CreditFacilityEvent::Activated {
                activated_on,
                maturity_date,
                first_cycle_ends_on,
                structuring_fee,
                ..
            } => {
                entry.kind = Kind::Activated;
                entry.activated_on = Some(Date(*activated_on));
                entry.maturity_date = Some(Date(*maturity_date));
                entry.first_cycle_ends_on = Some(Date(*first_cycle_ends_on));
                entry.structuring_fee = Some(UsdCents(*structuring_fee));
            }
            CreditFacilityEvent::Completed { completed_on } => {
                entry.kind = Kind::Completed;
                entry.completed_on = Some(Date(*completed_on));
            }
        }
        entry
    }
}

/// A payout from a facility into the customer's deposit account.
#[derive(SimpleObject, Clone)]
pub struct Disbursal {
    id: Uuid,
    facility_id: Uuid,
    amount: UsdCents,
    status: DisbursalStatus,
    /// When the principal is due: the facility's maturity date.
    due_date: Date,
    /// Null for the single policy's payout at activation (pre-approved).
    approval_process_id: Option<Uuid>,
    /// Why it was denied or cancelled.
    reason: Option<String>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_credit::Disbursal> for Disbursal {
    fn from(d: core_credit::Disbursal) -> Self {
        Self {
            id: d.id().into(),
            facility_id: d.facility_id.into(),
            amount: UsdCents(d.amount.cents()),
            status: d.status.into(),
            due_date: Date(d.due_date),
            approval_process_id: d.approval_process_id.map(Uuid::from),
            reason: d.reason.clone(),
            created_at: d.created_at(),
        }
    }
}

/// A page of disbursals as a connection.
pub fn disbursal_connection(page: Page<core_credit::Disbursal>) -> Connection<String, Disbursal> {
    graphql_kit::connection(page, Disbursal::from)
}

#[derive(Clone)]
pub struct CreditFacility(Arc<core_credit::CreditFacility>);

impl From<core_credit::CreditFacility> for CreditFacility {
    fn from(facility: core_credit::CreditFacility) -> Self {
        Self(Arc::new(facility))
    }
}

/// A credit facility: a proposal until approved (same id), then a pending facility waiting for
/// collateral, then active. Amounts in cents, collateral in satoshis.
#[Object]
impl CreditFacility {
    async fn id(&self) -> Uuid {
        self.0.id().into()
    }

    async fn customer_id(&self) -> Uuid {
        self.0.customer_id.into()
    }

    /// Where disbursals are paid.
    async fn deposit_account_id(&self) -> Uuid {
        self.0.deposit_account_id.into()
    }

    async fn status(&self) -> FacilityStatus {
        self.0.status.into()
    }

    async fn collateralization_state(&self) -> CollateralizationState {
        self.0.collateralization.into()
    }

    /// The price (US cents per bitcoin) the collateralization state was last changed at.
    async fn collateralization_price(&self) -> Option<UsdCents> {
        self.0.collateralization_price.map(usd_cents)
    }

    /// The facility's amount (its limit).
    async fn amount(&self) -> UsdCents {
        UsdCents(self.0.amount.cents())
    }

    /// The terms, copied from the template (if any) when proposed.
    async fn terms(&self) -> Terms {
        Terms::from(&self.0.terms)
    }

    /// The template the terms were copied from; later edits of it do not change them.
    async fn terms_template_id(&self) -> Option<Uuid> {
        self.0.template_id.map(Uuid::from)
    }

    /// The approval process `credit-facility-proposal`, once the customer consented.
    async fn approval_process_id(&self) -> Option<Uuid> {
        self.0.approval_process_id.map(Uuid::from)
    }

    /// Why the customer declined or the approval process denied.
    async fn refusal_reason(&self) -> Option<&str> {
        self.0.refusal_reason.as_deref()
    }

    /// The collateral the bank holds (as recorded on the facility).
    async fn collateral(&self) -> Satoshis {
        Satoshis(self.0.collateral.sats())
    }

    /// The custodian's wallet that holds the collateral (opened right after the approval when
    /// the proposal named a custodian that keeps wallets; null until then); its reported
    /// balance is the collateral.
    async fn wallet(&self, ctx: &Context<'_>) -> Result<Option<crate::custody::Wallet>> {
        let (credit, actor) = ctx.data::<CreditLoaders>()?.service();
        let wallet = credit
            .facility_wallet(actor, &self.0)
            .await
            .map_err(|e| domain_error(ctx, &e))?;
        Ok(wallet.map(crate::custody::Wallet::from))
    }

    /// The custodian named by the proposal.
    async fn custodian_id(&self) -> Option<Uuid> {
        self.0.custodian_id.map(Uuid::from)
    }

    /// The business date it activated on.
    async fn activated_on(&self) -> Option<Date> {
        self.0.activated_on.map(Date)
    }

    /// The day the principal is due and nothing more is disbursed.
    async fn maturity_date(&self) -> Option<Date> {
        self.0.maturity_date.map(Date)
    }

    /// Where the first accrual cycle ends (the end of the activation's month).
    async fn first_cycle_ends_on(&self) -> Option<Date> {
        self.0.first_cycle_ends_on.map(Date)
    }

    /// Charged at activation.
    async fn structuring_fee(&self) -> Option<UsdCents> {
        self.0.structuring_fee.map(UsdCents)
    }

    /// When it was paid off and closed.
    async fn completed_on(&self) -> Option<Date> {
        self.0.completed_on.map(Date)
    }

    /// When it was proposed.
    async fn created_at(&self) -> Option<DateTime<Utc>> {
        self.0.created_at()
    }

    /// The facility's figures from the ledger and its CVL at the bank's current price.
    async fn balances(&self, ctx: &Context<'_>) -> Result<Balances> {
        let loaders = ctx.data::<CreditLoaders>()?;
        loaders
            .figures
            .load_one(FacilityKey(self.0.clone()))
            .await
            .map_err(|e| domain_error(ctx, e.as_ref()))?
            .map(Balances::from)
            .ok_or_else(|| {
                api_error(
                    error_code::INTERNAL,
                    "no figures were read for the facility",
                )
            })
    }

    /// Every step of the facility, oldest first.
    async fn history(&self) -> Vec<HistoryEntry> {
        self.0
            .history()
            .map(|(at, event)| HistoryEntry::new(at, event))
            .collect()
    }

    /// The facility's disbursals, oldest first (loaded for every facility of a page at once).
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn disbursals(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Disbursal>> {
        let loaders = ctx.data::<CreditLoaders>()?;
        self.page(ctx, &loaders.disbursals, first, after).await
    }

    /// The repayment plan: the facility's obligations (interest of each closed accrual cycle,
    /// the structuring fee with the first; principal of each disbursal, due at maturity),
    /// oldest first (loaded for every facility of a page at once).
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn obligations(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Obligation>> {
        let loaders = ctx.data::<CreditLoaders>()?;
        self.page(ctx, &loaders.obligations, first, after).await
    }

    /// The facility's partial liquidations, oldest first.
    async fn liquidations(&self, ctx: &Context<'_>) -> Result<Vec<Liquidation>> {
        let (credit, actor) = ctx.data::<CreditLoaders>()?.service();
        let found = credit
            .list_liquidations(actor, self.0.id())
            .await
            .map_err(|e| domain_error(ctx, &e))?;
        Ok(found.into_iter().map(Liquidation::from).collect())
    }

    /// The facility's payments, oldest first, each with its allocations (loaded for every
    /// facility of a page at once).
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn payments(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Payment>> {
        let loaders = ctx.data::<CreditLoaders>()?;
        self.page(ctx, &loaders.payments, first, after).await
    }
}

impl CreditFacility {
    /// This facility's page of `T`, through the request's batch `loader`.
    async fn page<T>(
        &self,
        ctx: &Context<'_>,
        loader: &DataLoader<BatchLoader>,
        first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, T>>
    where
        T: async_graphql::OutputType + Clone + Send + Sync + 'static,
        BatchLoader: Loader<PageKey<T>, Value = PageOf<T>, Error = Arc<CreditError>>,
    {
        // The page request is checked once here, so a bad one is the caller's error, not a batch's.
        list_query(first, after.clone())?;
        let key = PageKey {
            facility: FacilityKey(self.0.clone()),
            first,
            after,
            of: PhantomData,
        };
        let page = loader
            .load_one(key)
            .await
            .map_err(|e| domain_error(ctx, e.as_ref()))?
            .unwrap_or_default();
        let mut connection = Connection::new(false, page.has_next_page);
        connection.edges.extend(
            page.nodes
                .into_iter()
                .map(|(cursor, node)| Edge::new(cursor, node)),
        );
        Ok(connection)
    }
}

/// What an obligation is for.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_credit::ObligationKind")]
pub enum ObligationKind {
    /// A closed accrual cycle's interest (the first one with the structuring fee).
    Interest,
    /// A disbursal's principal, due at maturity.
    Principal,
}

/// Where an obligation stands in its ageing (each stage from the start of its date), or paid.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_credit::ObligationStatus")]
pub enum ObligationStatus {
    NotYetDue,
    Due,
    Overdue,
    Defaulted,
    /// Payments covered all of it (`paidOn`).
    Paid,
}

/// An amount the customer owes on a date: one row of the repayment plan.
#[derive(SimpleObject, Clone)]
pub struct Obligation {
    id: Uuid,
    kind: ObligationKind,
    amount: UsdCents,
    /// Not paid yet.
    outstanding: UsdCents,
    status: ObligationStatus,
    due_date: Date,
    /// Null when the terms never make it overdue.
    overdue_date: Option<Date>,
    /// Null when the terms never make it defaulted.
    defaulted_date: Option<Date>,
    /// The date of the allocation that paid the rest of it.
    paid_on: Option<Date>,
}

impl From<core_credit::Obligation> for Obligation {
    fn from(o: core_credit::Obligation) -> Self {
        Self {
            id: o.id().into(),
            kind: o.kind.into(),
            amount: UsdCents(o.amount),
            outstanding: UsdCents(o.outstanding),
            status: o.status.into(),
            due_date: Date(o.due_date),
            overdue_date: o.overdue_date.map(Date),
            defaulted_date: o.defaulted_date.map(Date),
            paid_on: o.paid_on.map(Date),
        }
    }
}

/// Where a partial liquidation stands.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_credit::LiquidationStatus")]
pub enum LiquidationStatus {
    /// Started: the collateral to sell is to be sent out (`satsToSell`).
    AwaitingCollateral,
    /// The collateral went out (`satsSent`); its proceeds are awaited.
    AwaitingProceeds,
    /// The proceeds were paid into the facility (`proceeds`, `paymentId`).
    Completed,
}

/// A partial liquidation, started when the facility's CVL fell under the liquidation threshold:
/// sized at that price to bring the CVL back to the initial one.
#[derive(SimpleObject, Clone)]
#[graphql(name = "CreditFacilityLiquidation")]
pub struct Liquidation {
    id: Uuid,
    facility_id: Uuid,
    status: LiquidationStatus,
    /// The price (US cents per bitcoin) it was sized at.
    price: UsdCents,
    /// The collateral held and the exposure when it started.
    collateral: Satoshis,
    exposure: UsdCents,
    /// What to sell, rounded up to the satoshi, and what it should bring at `price`.
    sats_to_sell: Satoshis,
    expected_proceeds: UsdCents,
    sats_sent: Option<Satoshis>,
    proceeds: Option<UsdCents>,
    payment_id: Option<Uuid>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_credit::Liquidation> for Liquidation {
    fn from(l: core_credit::Liquidation) -> Self {
        Self {
            id: l.id().into(),
            facility_id: l.facility_id.into(),
            status: l.status.into(),
            price: usd_cents(l.price),
            collateral: Satoshis(l.collateral),
            exposure: UsdCents(l.exposure),
            sats_to_sell: Satoshis(l.sats_to_sell),
            expected_proceeds: UsdCents(l.expected_proceeds),
            sats_sent: l.sats_sent.map(|s| Satoshis(s.sats())),
            proceeds: l.proceeds.map(UsdCents),
            payment_id: l.payment_id.map(Uuid::from),
            created_at: l.created_at(),
        }
    }
}

/// Where a payment's money came from.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum PaymentSourceKind {
    /// One of the customer's deposit accounts (`depositAccountId`).
    DepositAccount,
    /// Received outside the bank's deposit accounts, recorded by staff.
    External,
    /// The proceeds of a partial liquidation of the collateral (`liquidationId`).
    Liquidation,
}

/// Part of a payment applied to an obligation.
#[derive(SimpleObject, Clone)]
#[graphql(name = "PaymentAllocation")]
pub struct Allocation {
    obligation_id: Uuid,
    amount: UsdCents,
    /// The date it was applied as of.
    date: Date,
}

/// Money paid for a facility: into its payment holding account, then allocated to obligations as
/// they fall due (interest before principal, oldest first).
#[derive(SimpleObject, Clone)]
#[graphql(name = "CreditFacilityPayment")]
pub struct Payment {
    id: Uuid,
    facility_id: Uuid,
    amount: UsdCents,
    /// Not allocated yet.
    unapplied: UsdCents,
    source: PaymentSourceKind,
    /// Set for a payment from a deposit account.
    deposit_account_id: Option<Uuid>,
    /// Set for the proceeds of a liquidation.
    liquidation_id: Option<Uuid>,
    /// The business date it counts from (earlier than it was recorded when back-dated).
    effective_date: Date,
    allocations: Vec<Allocation>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_credit::Payment> for Payment {
    fn from(p: core_credit::Payment) -> Self {
        let (source, deposit_account_id, liquidation_id) = match p.source {
            PaymentSource::DepositAccount { account_id } => (
                PaymentSourceKind::DepositAccount,
                Some(account_id.into()),
                None,
            ),
            PaymentSource::External => (PaymentSourceKind::External, None, None),
            PaymentSource::Liquidation { liquidation_id } => (
                PaymentSourceKind::Liquidation,
                None,
                Some(liquidation_id.into()),
            ),
        };
        Self {
            id: p.id().into(),
            facility_id: p.facility_id.into(),
            amount: UsdCents(p.amount),
            unapplied: UsdCents(p.unapplied()),
            source,
            deposit_account_id,
            liquidation_id,
            effective_date: Date(p.effective),
            allocations: p
                .allocations
                .iter()
                .map(|a| Allocation {
                    obligation_id: a.obligation_id.into(),
                    amount: UsdCents(a.amount),
                    date: Date(a.date),
                })
                .collect(),
            created_at: p.created_at(),
        }
    }
}

/// A page of facilities as a connection.
pub fn facility_connection(
    page: Page<core_credit::CreditFacility>,
) -> Connection<String, CreditFacility> {
    graphql_kit::connection(page, CreditFacility::from)
}

/// A facility as a batch key (by id).
#[derive(Clone)]
struct FacilityKey(Arc<core_credit::CreditFacility>);

impl FacilityKey {
    fn id(&self) -> CreditFacilityId {
        self.0.id()
    }
}

impl PartialEq for FacilityKey {
    fn eq(&self, other: &Self) -> bool {
        self.id() == other.id()
    }
}

impl Eq for FacilityKey {}

impl Hash for FacilityKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.id().hash(state);
    }
}

/// One facility's page of `T` (disbursals, obligations, payments), as a batch key.
struct PageKey<T> {
    facility: FacilityKey,
    first: i32,
    after: Option<String>,
    of: PhantomData<fn() -> T>,
}

// By hand: derived ones would require `T` itself to be `Clone`, `Eq` and `Hash`.
impl<T> Clone for PageKey<T> {
    fn clone(&self) -> Self {
        Self {
            facility: self.facility.clone(),
            first: self.first,
            after: self.after.clone(),
            of: PhantomData,
        }
    }
}

impl<T> PartialEq for PageKey<T> {
    fn eq(&self, other: &Self) -> bool {
        (&self.facility, self.first, &self.after) == (&other.facility, other.first, &other.after)
    }
}

impl<T> Eq for PageKey<T> {}

impl<T> Hash for PageKey<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        (&self.facility, self.first, &self.after).hash(state);
    }
}

/// One facility's page of `T`, as loaded in a batch: each node with the cursor after it.
#[derive(Clone)]
struct PageOf<T> {
    nodes: Vec<(String, T)>,
    has_next_page: bool,
}

impl<T> Default for PageOf<T> {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            has_next_page: false,
        }
    }
}

impl<T> PageOf<T> {
    fn from_page<E>(page: Page<E>, node: impl Fn(E) -> T) -> Self {
        Self {
            has_next_page: page.has_next_page,
            nodes: page
                .cursors
                .iter()
                .map(es::Cursor::encode)
                .zip(page.entities.into_iter().map(node))
                .collect(),
        }
    }
}

/// The credit side of one request: the service, the actor, and the figures loader (one per
/// request, so nothing is cached across requests).
pub struct CreditLoaders {
    credit: Arc<Credit>,
    actor: Actor,
    figures: DataLoader<BatchLoader>,
    disbursals: DataLoader<BatchLoader>,
    obligations: DataLoader<BatchLoader>,
    payments: DataLoader<BatchLoader>,
}

impl CreditLoaders {
    /// The credit service and the request's actor, for the fields that call a use case
    /// directly.
    fn service(&self) -> (&Credit, &Actor) {
        (&self.credit, &self.actor)
    }

    pub fn new(credit: Arc<Credit>, actor: Actor) -> Self {
        let loader = || {
            DataLoader::new(
                BatchLoader {
                    credit: credit.clone(),
                    actor: actor.clone(),
                },
                tokio::spawn,
            )
            .delay(LOADER_DELAY)
        };
        Self {
            figures: loader(),
            disbursals: loader(),
            obligations: loader(),
            payments: loader(),
            credit,
            actor,
        }
    }
}

struct BatchLoader {
    credit: Arc<Credit>,
    actor: Actor,
}

/// Page requests grouped for a batch: one use case call per distinct request (usually one: the
/// same `first`, no `after`), with the keys that asked for it.
fn by_request<T>(keys: &[PageKey<T>]) -> Vec<(es::ListQuery, Vec<&PageKey<T>>)> {
    let mut requests: HashMap<(i32, Option<String>), Vec<&PageKey<T>>> = HashMap::new();
    for key in keys {
        requests
            .entry((key.first, key.after.clone()))
            .or_default()
            .push(key);
    }
    requests
        .into_iter()
        .filter_map(|((first, after), keys)| Some((list_query(first, after).ok()?, keys)))
        .collect()
}

/// Each key's page out of what one call loaded (an empty page for a facility with nothing).
fn store<T, E>(
    loaded: &mut HashMap<PageKey<T>, PageOf<T>>,
    keys: Vec<&PageKey<T>>,
    mut pages: HashMap<CreditFacilityId, Page<E>>,
    node: impl Fn(E) -> T + Copy,
) {
    for key in keys {
        let page = pages.remove(&key.facility.id());
        let page = page.map(|p| PageOf::from_page(p, node));
        loaded.insert(key.clone(), page.unwrap_or_default());
    }
}

/// The batch loader of a page of `T` per facility, through the use case that loads them.
macro_rules! page_loader {
    ($node:ty, $use_case:ident) => {
        impl Loader<PageKey<$node>> for BatchLoader {
            type Value = PageOf<$node>;
            type Error = Arc<CreditError>;

            async fn load(
                &self,
                keys: &[PageKey<$node>],
            ) -> Result<HashMap<PageKey<$node>, PageOf<$node>>, Self::Error> {
                let mut loaded = HashMap::new();
                for (query, keys) in by_request(keys) {
                    let facilities: Vec<_> = keys.iter().map(|k| &*k.facility.0).collect();
                    let pages = self
                        .credit
                        .$use_case(&self.actor, &facilities, query)
                        .await?;
                    store(&mut loaded, keys, pages, <$node>::from);
                }
                Ok(loaded)
            }
        }
    };
}

page_loader!(Disbursal, disbursals_of_facilities);
page_loader!(Obligation, obligations_of_facilities);
page_loader!(Payment, payments_of_facilities);

impl Loader<FacilityKey> for BatchLoader {
    type Value = FacilityFigures;
    type Error = Arc<CreditError>;

    async fn load(
        &self,
        keys: &[FacilityKey],
    ) -> Result<HashMap<FacilityKey, FacilityFigures>, Self::Error> {
        let facilities: Vec<&core_credit::CreditFacility> = keys.iter().map(|k| &*k.0).collect();
        let figures = self
            .credit
            .facility_figures(&self.actor, &facilities)
            .await?;
        // One figure per facility, in order.
        Ok(keys.iter().cloned().zip(figures).collect())
    }
}
