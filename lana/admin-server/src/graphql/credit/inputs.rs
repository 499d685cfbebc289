use crate::request::idempotency_key;
use async_graphql::{Context, InputObject, Result};
use core_credit::terms::Terms;
use core_credit::{
    Amount, Collateral, CreditError, CustodianId, CustomerId, DepositAccountId, PaymentInput,
    PaymentSource, ProposalRequest, ProposalTerms, Reason, TemplateName, TermsTemplateId,
};
use graphql_kit::{ApiResult, Satoshis, UsdCents, invalid_input};
use graphql_kit::{Date, Decimal};
use graphql_types::credit::{
    AccrualCycleInterval, AccrualInterval, DisbursalPolicy, PaymentSourceKind,
};
use idempotency::IdempotencyKey;
use uuid::Uuid;

/// The terms of a facility or template. Percentages are exact decimals in percent, as strings
/// (`"12.5"` is 12.5%); a value out of range or out of order is `INVALID_TERMS`, and the message
/// names the field.
#[derive(InputObject)]
pub struct TermsInput {
    /// 0 to 100, up to 4 decimal places.
    annual_rate: Decimal,
    /// 1 to 360.
    duration_months: u32,
    accrual_interval: AccrualInterval,
    accrual_cycle_interval: AccrualCycleInterval,
    /// 0 to 3650.
    interest_due_after_days: u32,
    /// 1 to 3650; null: never overdue.
    overdue_after_days: Option<u32>,
    /// 1 to 3650 and more than `overdueAfterDays`; null: never liquidated.
    liquidation_after_days: Option<u32>,
    /// 0 to 100, up to 4 decimal places.
    structuring_fee_rate: Decimal,
    /// Above 0 and at most 100000, up to 2 decimal places; above `marginCallCvl`.
    initial_cvl: Decimal,
    /// Above `liquidationCvl`.
    margin_call_cvl: Decimal,
    liquidation_cvl: Decimal,
    disbursal_policy: DisbursalPolicy,
}

impl TermsInput {
    /// The domain's terms, every value and rule checked (`INVALID_TERMS` naming the field).
    pub(super) fn parse(self, ctx: &Context<'_>) -> Result<Terms> {
        Terms::try_new(core_credit::terms::TermsInput {
            annual_rate: self.annual_rate.0,
            duration_months: self.duration_months,
            accrual_interval: self.accrual_interval.into(),
            accrual_cycle_interval: self.accrual_cycle_interval.into(),
            interest_due_after_days: self.interest_due_after_days,
            overdue_after_days: self.overdue_after_days,
            liquidation_after_days: self.liquidation_after_days,
            structuring_fee_rate: self.structuring_fee_rate.0,
            initial_cvl: self.initial_cvl.0,
            margin_call_cvl: self.margin_call_cvl.0,
            liquidation_cvl: self.liquidation_cvl.0,
            disbursal_policy: self.disbursal_policy.into(),
        })
        .map_err(CreditError::InvalidTerms)
        .api(ctx)
    }
}

/// A template's name: 1 to 100 characters after trimming, unique among templates.
pub(super) fn template_name(name: &str) -> Result<TemplateName> {
    TemplateName::parse(name).map_err(invalid_input)
}

#[derive(InputObject)]
pub struct TermsTemplateCreateInput {
    pub(super) name: String,
    pub(super) terms: TermsInput,
}

#[derive(InputObject)]
pub struct TermsTemplateUpdateInput {
    pub(super) id: Uuid,
    pub(super) name: String,
    pub(super) terms: TermsInput,
}

/// A proposal: its terms from a template (`termsTemplateId`) or given in full (`terms`), exactly
/// one of the two.
#[derive(InputObject)]
pub struct CreditFacilityProposalCreateInput {
    customer_id: Uuid,
    /// The customer's deposit account the money is paid into.
    deposit_account_id: Uuid,
    /// More than zero, at most one trillion dollars.
    amount: UsdCents,
    /// The template whose terms the proposal copies.
    terms_template_id: Option<Uuid>,
    terms: Option<TermsInput>,
    /// The custodian that will hold the collateral: a wallet is opened there when the proposal
    /// is approved, and its reported balance is the collateral. Without one, staff record the
    /// collateral by hand.
    custodian_id: Option<Uuid>,
    /// Same key and input again returns the first result; takes precedence over the header.
    idempotency_key: Option<String>,
}

/// A proposal as the domain takes it.
pub(super) struct Proposal {
    pub request: ProposalRequest,
    pub key: Option<IdempotencyKey>,
}

impl CreditFacilityProposalCreateInput {
    pub(super) fn parse(self, ctx: &Context<'_>) -> Result<Proposal> {
        let key = idempotency_key(ctx, self.idempotency_key.as_deref())?;
        let terms = match (self.terms_template_id, self.terms) {
            (Some(id), None) => ProposalTerms::Template(TermsTemplateId::from(id)),
            (None, Some(terms)) => ProposalTerms::Custom(terms.parse(ctx)?),
            _ => {
                return Err(invalid_input(
                    "give exactly one of termsTemplateId and terms",
                ));
            }
        };
        Ok(Proposal {
            request: ProposalRequest {
                customer_id: CustomerId::from(self.customer_id),
                deposit_account_id: DepositAccountId::from(self.deposit_account_id),
                amount: amount(self.amount)?,
                terms,
                custodian_id: self.custodian_id.map(CustodianId::from),
            },
            key,
        })
    }
}

#[derive(InputObject)]
pub struct CreditFacilityProposalConsentInput {
    pub(super) id: Uuid,
}

#[derive(InputObject)]
pub struct CreditFacilityProposalDeclineInput {
    pub(super) id: Uuid,
    /// At most 500 characters.
    pub(super) reason: Option<String>,
}

#[derive(InputObject)]
pub struct CreditFacilityCollateralUpdateInput {
    pub(super) id: Uuid,
    /// The collateral the bank now holds for the facility (the new total, not a change).
    pub(super) collateral: Satoshis,
}

#[derive(InputObject)]
pub struct CreditFacilityDisbursalInitiateInput {
    pub(super) facility_id: Uuid,
    /// More than zero, at most what remains of the facility.
    pub(super) amount: UsdCents,
    /// Same key and input again returns the first result; takes precedence over the header.
    pub(super) idempotency_key: Option<String>,
}

/// A payment on an active facility: from a deposit account of the facility's customer, or
/// received outside the bank (`EXTERNAL`). With `effectiveDate` it is back-dated (its own
/// permission) and allocated as of that date.
#[derive(InputObject)]
pub struct CreditFacilityPaymentRecordInput {
    pub(super) facility_id: Uuid,
    /// More than zero; with what is unapplied, at most everything owed
    /// (`PAYMENT_EXCEEDS_OUTSTANDING` says how much that is).
    pub(super) amount: UsdCents,
    pub(super) source: PaymentSourceKind,
    /// Required for `DEPOSIT_ACCOUNT` (an account of the facility's customer); not allowed for
    /// `EXTERNAL`.
    pub(super) deposit_account_id: Option<Uuid>,
    /// Today's business date or earlier, not before activation.
    pub(super) effective_date: Option<Date>,
    /// Same key and input again returns the first result; takes precedence over the header.
    pub(super) idempotency_key: Option<String>,
}

impl CreditFacilityPaymentRecordInput {
    pub(super) fn payment(&self) -> Result<PaymentInput> {
        let source = match (self.source, self.deposit_account_id) {
            (PaymentSourceKind::DepositAccount, Some(id)) => PaymentSource::DepositAccount {
                account_id: DepositAccountId::from(id),
            },
            (PaymentSourceKind::External, None) => PaymentSource::External,
            (PaymentSourceKind::DepositAccount, None) => {
                return Err(invalid_input(
                    "depositAccountId: required for a payment from a deposit account",
                ));
            }
            (PaymentSourceKind::External, Some(_)) => {
                return Err(invalid_input(
                    "depositAccountId: not allowed for an external payment",
                ));
            }
            (PaymentSourceKind::Liquidation, _) => {
                return Err(invalid_input(
                    "source: liquidation proceeds are recorded with creditFacilityLiquidationProceedsRecord",
                ));
            }
        };
        Ok(PaymentInput {
            amount: amount(self.amount)?,
            source,
            effective: self.effective_date.map(|d| d.0),
        })
    }
}

/// The collateral sent out to be sold in a liquidation.
#[derive(InputObject)]
pub struct CreditFacilityLiquidationCollateralSentInput {
    pub(super) liquidation_id: Uuid,
    /// More than zero, at most what the facility holds.
    pub(super) sats: Satoshis,
}

/// What selling a liquidation's collateral brought: paid into the facility.
#[derive(InputObject)]
pub struct CreditFacilityLiquidationProceedsRecordInput {
    pub(super) liquidation_id: Uuid,
    pub(super) amount: UsdCents,
    /// Same key and input again returns the first result; takes precedence over the header.
    pub(super) idempotency_key: Option<String>,
}

pub(super) fn amount(cents: UsdCents) -> Result<Amount> {
    Amount::parse(cents.0).map_err(invalid_input)
}

pub(super) fn collateral(sats: Satoshis) -> Result<Collateral> {
    Collateral::parse(sats.0).map_err(invalid_input)
}

pub(super) fn reason(reason: Option<&str>) -> Result<Reason> {
    Reason::parse(reason).map_err(invalid_input)
}
