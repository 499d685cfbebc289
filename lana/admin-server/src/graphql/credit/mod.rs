//! Terms templates, credit facilities (proposals included), disbursals and payments. The
//! facility, disbursal and payment types (with the figures loaded per page) are shared with the
//! customer API (`graphql_types::credit`).

mod inputs;
mod types;

use crate::request::{idempotency_key, run};
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use core_credit::{
    CreditFacilityId, CustomerId, DisbursalId, FacilityFilter, LiquidationId, TermsTemplateId,
};
use graphql_kit::{connection, list_query};
use graphql_types::credit::{
    CollateralizationState, CreditFacility, Disbursal, FacilityStatus, Liquidation, Payment,
    disbursal_connection, facility_connection,
};
use inputs::{
    CreditFacilityCollateralUpdateInput, CreditFacilityDisbursalInitiateInput,
    CreditFacilityLiquidationCollateralSentInput, CreditFacilityLiquidationProceedsRecordInput,
    CreditFacilityPaymentRecordInput, CreditFacilityProposalConsentInput,
    CreditFacilityProposalCreateInput, CreditFacilityProposalDeclineInput,
    TermsTemplateCreateInput, TermsTemplateUpdateInput, amount, collateral, reason, template_name,
};
use types::TermsTemplate;
use uuid::Uuid;

payload!(TermsTemplateCreatePayload, terms_template: TermsTemplate);
payload!(TermsTemplateUpdatePayload, terms_template: TermsTemplate);
payload!(CreditFacilityProposalCreatePayload, credit_facility: CreditFacility);
payload!(CreditFacilityProposalConsentPayload, credit_facility: CreditFacility);
payload!(CreditFacilityProposalDeclinePayload, credit_facility: CreditFacility);
payload!(CreditFacilityCollateralUpdatePayload, credit_facility: CreditFacility);
payload!(CreditFacilityDisbursalInitiatePayload, disbursal: Disbursal);
payload!(CreditFacilityPaymentRecordPayload, payment: Payment);
payload!(CreditFacilityLiquidationCollateralSentPayload, liquidation: Liquidation);
payload!(CreditFacilityLiquidationProceedsRecordPayload, payment: Payment);

#[derive(Default)]
pub struct CreditQuery;

#[Object]
impl CreditQuery {
    async fn terms_template(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<TermsTemplate>> {
        let t = run(ctx, |app, actor| {
            app.credit()
                .find_terms_template(actor, TermsTemplateId::from(id))
        })
        .await?;
        Ok(t.map(TermsTemplate::from))
    }

    /// Terms templates, oldest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn terms_templates(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, TermsTemplate>> {
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| {
            app.credit().list_terms_templates(actor, query)
        })
        .await?;
        Ok(connection(page, TermsTemplate::from))
    }

    /// A facility or a proposal (the same id throughout).
    async fn credit_facility(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<CreditFacility>> {
        let f = run(ctx, |app, actor| {
            app.credit()
                .find_facility(actor, CreditFacilityId::from(id))
        })
        .await?;
        Ok(f.map(CreditFacility::from))
    }

    /// Approved facilities (pending collateral or active), oldest first; every filter given
    /// must hold.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn credit_facilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
        status: Option<FacilityStatus>,
        collateralization_state: Option<CollateralizationState>,
        customer_id: Option<Uuid>,
    ) -> Result<Connection<String, CreditFacility>> {
        let filter = FacilityFilter {
            proposals: Some(false),
            status: status.map(Into::into),
            collateralization: collateralization_state.map(Into::into),
            customer_id: customer_id.map(CustomerId::from),
        };
        list_facilities(ctx, first, after, filter).await
    }

    /// Proposals (pending the customer's consent or approval, declined, denied), oldest first;
    /// every filter given must hold.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn credit_facility_proposals(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
        status: Option<FacilityStatus>,
        customer_id: Option<Uuid>,
    ) -> Result<Connection<String, CreditFacility>> {
        let filter = FacilityFilter {
            proposals: Some(true),
            status: status.map(Into::into),
            collateralization: None,
            customer_id: customer_id.map(CustomerId::from),
        };
        list_facilities(ctx, first, after, filter).await
    }

    async fn disbursal(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Disbursal>> {
        let d = run(ctx, |app, actor| {
            app.credit().find_disbursal(actor, DisbursalId::from(id))
        })
        .await?;
        Ok(d.map(Disbursal::from))
    }

    /// Disbursals, oldest first: of one facility, or of every facility.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn disbursals(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
        facility_id: Option<Uuid>,
    ) -> Result<Connection<String, Disbursal>> {
        let query = list_query(first, after)?;
        let facility = facility_id.map(CreditFacilityId::from);
        let page = run(ctx, |app, actor| {
            app.credit().list_disbursals(actor, facility, query)
        })
        .await?;
        Ok(disbursal_connection(page))
    }
}

async fn list_facilities(
    ctx: &Context<'_>,
    first: i32,
    after: Option<String>,
    filter: FacilityFilter,
) -> Result<Connection<String, CreditFacility>> {
    let query = list_query(first, after)?;
    let page = run(ctx, |app, actor| {
        app.credit().list_facilities(actor, query, filter)
    })
    .await?;
    Ok(facility_connection(page))
}

#[derive(Default)]
pub struct CreditMutation;

#[Object]
impl CreditMutation {
    async fn terms_template_create(
        &self,
        ctx: &Context<'_>,
        input: TermsTemplateCreateInput,
    ) -> Result<TermsTemplateCreatePayload> {
        let name = template_name(&input.name)?;
        let terms = input.terms.parse(ctx)?;
        let t = run(ctx, |app, actor| {
            app.credit().create_terms_template(actor, name, terms)
        })
        .await?;
        Ok(TermsTemplateCreatePayload {
            terms_template: t.into(),
        })
    }

    /// New name and terms; facilities proposed from the template keep the terms they copied.
    async fn terms_template_update(
        &self,
        ctx: &Context<'_>,
        input: TermsTemplateUpdateInput,
    ) -> Result<TermsTemplateUpdatePayload> {
        let name = template_name(&input.name)?;
        let terms = input.terms.parse(ctx)?;
        let id = TermsTemplateId::from(input.id);
        let t = run(ctx, |app, actor| {
            app.credit().update_terms_template(actor, id, name, terms)
        })
        .await?;
        Ok(TermsTemplateUpdatePayload {
            terms_template: t.into(),
        })
    }

    /// Proposes a facility; it waits for the customer's consent.
    async fn credit_facility_proposal_create(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityProposalCreateInput,
    ) -> Result<CreditFacilityProposalCreatePayload> {
        let p = input.parse(ctx)?;
        let f = run(ctx, |app, actor| {
            app.credit()
                .create_proposal(actor, p.request, p.key.as_ref())
        })
        .await?;
        Ok(CreditFacilityProposalCreatePayload {
            credit_facility: f.into(),
        })
    }

    /// Consents on the customer's behalf (its own permission); the approval process starts.
    /// Consenting again changes nothing.
    async fn credit_facility_proposal_consent(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityProposalConsentInput,
    ) -> Result<CreditFacilityProposalConsentPayload> {
        let f = run(ctx, |app, actor| {
            app.credit()
                .consent_to_proposal(actor, CreditFacilityId::from(input.id))
        })
        .await?;
        Ok(CreditFacilityProposalConsentPayload {
            credit_facility: f.into(),
        })
    }

    /// Declines on the customer's behalf (its own permission), for good.
    async fn credit_facility_proposal_decline(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityProposalDeclineInput,
    ) -> Result<CreditFacilityProposalDeclinePayload> {
        let reason = reason(input.reason.as_deref())?;
        let id = CreditFacilityId::from(input.id);
        let f = run(ctx, |app, actor| {
            app.credit().decline_proposal(actor, id, reason)
        })
        .await?;
        Ok(CreditFacilityProposalDeclinePayload {
            credit_facility: f.into(),
        })
    }

    /// Records the collateral the bank holds for a pending or active facility; the CVL is
    /// re-evaluated at the bank's price, and a pending facility that reaches its margin-call
    /// threshold activates.
    async fn credit_facility_collateral_update(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityCollateralUpdateInput,
    ) -> Result<CreditFacilityCollateralUpdatePayload> {
        let collateral = collateral(input.collateral)?;
        let id = CreditFacilityId::from(input.id);
        let f = run(ctx, |app, actor| {
            app.credit().update_collateral(actor, id, collateral)
        })
        .await?;
        Ok(CreditFacilityCollateralUpdatePayload {
            credit_facility: f.into(),
        })
    }

    /// Asks for a disbursal from an active facility (multiple policy): held on the facility
    /// and put to the approval process `disbursal`.
    async fn credit_facility_disbursal_initiate(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityDisbursalInitiateInput,
    ) -> Result<CreditFacilityDisbursalInitiatePayload> {
        let key = idempotency_key(ctx, input.idempotency_key.as_deref())?;
        let amount = amount(input.amount)?;
        let facility = CreditFacilityId::from(input.facility_id);
        let d = run(ctx, |app, actor| {
            app.credit()
                .initiate_disbursal(actor, facility, amount, key.as_ref())
        })
        .await?;
        Ok(CreditFacilityDisbursalInitiatePayload {
            disbursal: d.into(),
        })
    }

    /// Records a payment on an active facility and allocates it to what is due (interest before
    /// principal, oldest first); the rest stays unapplied until obligations fall due.
    async fn credit_facility_payment_record(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityPaymentRecordInput,
    ) -> Result<CreditFacilityPaymentRecordPayload> {
        let key = idempotency_key(ctx, input.idempotency_key.as_deref())?;
        let payment = input.payment()?;
        let facility = CreditFacilityId::from(input.facility_id);
        let p = run(ctx, |app, actor| {
            app.credit()
                .record_payment(actor, facility, payment, key.as_ref())
        })
        .await?;
        Ok(CreditFacilityPaymentRecordPayload { payment: p.into() })
    }

    /// Records the collateral sent out to be sold in a partial liquidation (it leaves the
    /// facility's collateral).
    async fn credit_facility_liquidation_collateral_sent(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityLiquidationCollateralSentInput,
    ) -> Result<CreditFacilityLiquidationCollateralSentPayload> {
        let sats = collateral(input.sats)?;
        let id = LiquidationId::from(input.liquidation_id);
        let l = run(ctx, |app, actor| {
            app.credit()
                .record_liquidation_collateral_sent(actor, id, sats)
        })
        .await?;
        Ok(CreditFacilityLiquidationCollateralSentPayload {
            liquidation: l.into(),
        })
    }

    /// Records what the liquidated collateral brought: a payment into the facility, allocated
    /// like any other; the liquidation completes.
    async fn credit_facility_liquidation_proceeds_record(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityLiquidationProceedsRecordInput,
    ) -> Result<CreditFacilityLiquidationProceedsRecordPayload> {
        let key = idempotency_key(ctx, input.idempotency_key.as_deref())?;
        let amount = amount(input.amount)?;
        let id = LiquidationId::from(input.liquidation_id);
        let p = run(ctx, |app, actor| {
            app.credit()
                .record_liquidation_proceeds(actor, id, amount, key.as_ref())
        })
        .await?;
        Ok(CreditFacilityLiquidationProceedsRecordPayload { payment: p.into() })
    }
}
