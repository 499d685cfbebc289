//! The signed-in customer's credit proposals, facilities, disbursals and payments, their consent
//! to (or refusal of) a proposal, and their payments from their own deposit accounts. The types are shared with the admin API (`graphql_types::credit`).
//! The credit domain shows a customer only their own: any other id is `NOT_FOUND`, exactly like
//! one that does not exist.

use crate::request::req;
use async_graphql::connection::Connection;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use authz::Actor;
use core_credit::{
    Amount, CreditFacilityId, DepositAccountId, DisbursalId, FacilityFilter, PaymentInput,
    PaymentSource, Reason,
};
use error_code::NOT_FOUND;
use graphql_kit::{ApiResult, UsdCents, api_error, invalid_input, list_query};
use graphql_types::credit::{
    CreditFacility, Disbursal, Payment, disbursal_connection, facility_connection,
};
use idempotency::IdempotencyKey;
use lana_app::LanaApp;
use uuid::Uuid;

/// The app and the signed-in customer's actor; `None` while the identity is not a customer.
fn customer<'a>(ctx: &Context<'a>) -> Result<Option<(&'a LanaApp, &'a Actor)>> {
    let r = req(ctx)?;
    Ok(r.identity
        .customer
        .as_ref()
        .map(|(_, actor)| (r.app, actor)))
}

fn not_found(what: &str) -> async_graphql::Error {
    api_error(NOT_FOUND, format!("no such {what}"))
}

/// Your proposals and facilities, oldest first (empty while you are not a customer).
pub(crate) async fn own_facilities(
    ctx: &Context<'_>,
    first: i32,
    after: Option<String>,
) -> Result<Connection<String, CreditFacility>> {
    let query = list_query(first, after)?;
    let Some((app, actor)) = customer(ctx)? else {
        return Ok(Connection::new(false, false));
    };
    let page = app
        .credit()
        .list_facilities(actor, query, FacilityFilter::default())
        .await
        .api(ctx)?;
    Ok(facility_connection(page))
}

#[derive(Default)]
pub struct CreditQuery;

#[Object]
impl CreditQuery {
    /// One of your proposals or facilities (`NOT_FOUND` for any other id).
    async fn credit_facility(&self, ctx: &Context<'_>, id: Uuid) -> Result<CreditFacility> {
        let (app, actor) = customer(ctx)?.ok_or_else(|| not_found("credit facility"))?;
        app.credit()
            .find_facility(actor, CreditFacilityId::from(id))
            .await
            .api(ctx)?
            .map(CreditFacility::from)
            .ok_or_else(|| not_found("credit facility"))
    }

    /// Your proposals and facilities, oldest first.
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn credit_facilities(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, CreditFacility>> {
        own_facilities(ctx, first, after).await
    }

    /// One of your disbursals (`NOT_FOUND` for any other id).
    async fn disbursal(&self, ctx: &Context<'_>, id: Uuid) -> Result<Disbursal> {
        let (app, actor) = customer(ctx)?.ok_or_else(|| not_found("disbursal"))?;
        app.credit()
            .find_disbursal(actor, DisbursalId::from(id))
            .await
            .api(ctx)?
            .map(Disbursal::from)
            .ok_or_else(|| not_found("disbursal"))
    }

    /// The disbursals of one of your facilities, oldest first (`NOT_FOUND` for any other
    /// facility).
    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn disbursals(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
        facility_id: Uuid,
    ) -> Result<Connection<String, Disbursal>> {
        let query = list_query(first, after)?;
        let (app, actor) = customer(ctx)?.ok_or_else(|| not_found("credit facility"))?;
        let page = app
            .credit()
            .list_disbursals(actor, Some(CreditFacilityId::from(facility_id)), query)
            .await
            .api(ctx)?;
        Ok(disbursal_connection(page))
    }
}

#[derive(InputObject)]
pub struct CreditFacilityProposalConsentInput {
    id: Uuid,
}

#[derive(InputObject)]
pub struct CreditFacilityProposalDeclineInput {
    id: Uuid,
    /// At most 500 characters.
    reason: Option<String>,
}

/// A payment on one of your active facilities from one of your deposit accounts.
#[derive(InputObject)]
pub struct CreditFacilityPaymentMakeInput {
    facility_id: Uuid,
    deposit_account_id: Uuid,
    /// More than zero; with what is unapplied, at most everything you owe on the facility.
    amount: UsdCents,
    /// The same key and input again return the first payment (retry safely).
    idempotency_key: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreditFacilityPaymentMakePayload {
    payment: Payment,
}

#[derive(SimpleObject)]
pub struct CreditFacilityProposalConsentPayload {
    credit_facility: CreditFacility,
}

#[derive(SimpleObject)]
pub struct CreditFacilityProposalDeclinePayload {
    credit_facility: CreditFacility,
}

#[derive(Default)]
pub struct CreditMutation;

#[Object]
impl CreditMutation {
    /// You accept one of your proposals as offered; the bank's approval process starts.
    /// Consenting again changes nothing.
    async fn credit_facility_proposal_consent(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityProposalConsentInput,
    ) -> Result<CreditFacilityProposalConsentPayload> {
        let (app, actor) = customer(ctx)?.ok_or_else(|| not_found("credit facility"))?;
        let f = app
            .credit()
            .consent_to_proposal(actor, CreditFacilityId::from(input.id))
            .await
            .api(ctx)?;
        Ok(CreditFacilityProposalConsentPayload {
            credit_facility: f.into(),
        })
    }

    /// You decline one of your proposals, for good.
    async fn credit_facility_proposal_decline(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityProposalDeclineInput,
    ) -> Result<CreditFacilityProposalDeclinePayload> {
        let reason = Reason::parse(input.reason.as_deref()).map_err(invalid_input)?;
        let (app, actor) = customer(ctx)?.ok_or_else(|| not_found("credit facility"))?;
        let f = app
            .credit()
            .decline_proposal(actor, CreditFacilityId::from(input.id), reason)
            .await
            .api(ctx)?;
        Ok(CreditFacilityProposalDeclinePayload {
            credit_facility: f.into(),
        })
    }

    /// You pay one of your active facilities from one of your deposit accounts: what is due is
    /// paid at once (interest before principal, oldest first), the rest when it falls due.
    async fn credit_facility_payment_make(
        &self,
        ctx: &Context<'_>,
        input: CreditFacilityPaymentMakeInput,
    ) -> Result<CreditFacilityPaymentMakePayload> {
        let amount = Amount::parse(input.amount.0).map_err(invalid_input)?;
        let key = input
            .idempotency_key
            .as_deref()
            .map(IdempotencyKey::parse)
            .transpose()
            .map_err(|e| api_error(idempotency::INVALID_IDEMPOTENCY_KEY, e))?;
        let (app, actor) = customer(ctx)?.ok_or_else(|| not_found("credit facility"))?;
        let payment = PaymentInput {
            amount,
            source: PaymentSource::DepositAccount {
                account_id: DepositAccountId::from(input.deposit_account_id),
            },
            effective: None,
        };
        let p = app
            .credit()
            .record_payment(
                actor,
                CreditFacilityId::from(input.facility_id),
                payment,
                key.as_ref(),
            )
            .await
            .api(ctx)?;
        Ok(CreditFacilityPaymentMakePayload { payment: p.into() })
    }
}
