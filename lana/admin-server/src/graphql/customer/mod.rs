//! Prospects, their KYC, and customers.

mod inputs;
mod types;

use crate::request::run;
use async_graphql::connection::Connection;
use async_graphql::{Context, Object, Result};
use core_customer::{CustomerId, ProspectId};
use email::Email;
use graphql_kit::{connection, invalid_input, list_query};
use inputs::{
    CustomerCloseInput, CustomerEmailUpdateInput, CustomerFreezeInput, CustomerUnfreezeInput,
    ProspectConvertInput, ProspectCreateInput, ProspectKycLinkCreateInput,
};
use types::{Customer, Prospect};
use uuid::Uuid;

payload!(ProspectCreatePayload, prospect: Prospect);
payload!(ProspectKycLinkCreatePayload, url: String);
payload!(ProspectConvertPayload, customer: Customer);
payload!(CustomerFreezePayload, customer: Customer);
payload!(CustomerUnfreezePayload, customer: Customer);
payload!(CustomerClosePayload, customer: Customer);
payload!(CustomerEmailUpdatePayload, customer: Customer);

#[derive(Default)]
pub struct CustomerQuery;

#[Object]
impl CustomerQuery {
    async fn prospect(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Prospect>> {
        let p = run(ctx, |app, actor| {
            app.customers().find_prospect(actor, ProspectId::from(id))
        })
        .await?;
        Ok(p.map(Prospect::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn prospects(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Prospect>> {
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| {
            app.customers().list_prospects(actor, query)
        })
        .await?;
        Ok(connection(page, Prospect::from))
    }

    async fn customer(&self, ctx: &Context<'_>, id: Uuid) -> Result<Option<Customer>> {
        let c = run(ctx, |app, actor| {
            app.customers().find_customer(actor, CustomerId::from(id))
        })
        .await?;
        Ok(c.map(Customer::from))
    }

    #[graphql(complexity = "first.max(1) as usize * child_complexity")]
    async fn customers(
        &self,
        ctx: &Context<'_>,
        #[graphql(validator(minimum = 1, maximum = 100))] first: i32,
        after: Option<String>,
    ) -> Result<Connection<String, Customer>> {
        let query = list_query(first, after)?;
        let page = run(ctx, |app, actor| {
            app.customers().list_customers(actor, query)
        })
        .await?;
        Ok(connection(page, Customer::from))
    }
}

#[derive(Default)]
pub struct CustomerMutation;

#[Object]
impl CustomerMutation {
    async fn prospect_create(
        &self,
        ctx: &Context<'_>,
        input: ProspectCreateInput,
    ) -> Result<ProspectCreatePayload> {
        let input = input.parse()?;
        let p = run(ctx, |app, actor| {
            app.customers().create_prospect(actor, input)
        })
        .await?;
        Ok(ProspectCreatePayload { prospect: p.into() })
    }

    async fn prospect_kyc_link_create(
        &self,
        ctx: &Context<'_>,
        input: ProspectKycLinkCreateInput,
    ) -> Result<ProspectKycLinkCreatePayload> {
        let url = run(ctx, |app, actor| {
            app.customers()
                .create_kyc_link(actor, ProspectId::from(input.prospect_id))
        })
        .await?;
        Ok(ProspectKycLinkCreatePayload { url })
    }

    /// Converts a prospect without KYC (while the setting allows it); converting a prospect that
    /// is a customer already returns that customer.
    async fn prospect_convert(
        &self,
        ctx: &Context<'_>,
        input: ProspectConvertInput,
    ) -> Result<ProspectConvertPayload> {
        let c = run(ctx, |app, actor| {
            app.customers()
                .convert_prospect(actor, ProspectId::from(input.prospect_id))
        })
        .await?;
        Ok(ProspectConvertPayload { customer: c.into() })
    }

    /// Freezes the customer and, through the outbox, every one of their deposit accounts.
    async fn customer_freeze(
        &self,
        ctx: &Context<'_>,
        input: CustomerFreezeInput,
    ) -> Result<CustomerFreezePayload> {
        let c = run(ctx, |app, actor| {
            app.customers()
                .freeze(actor, CustomerId::from(input.customer_id))
        })
        .await?;
        Ok(CustomerFreezePayload { customer: c.into() })
    }

    async fn customer_unfreeze(
        &self,
        ctx: &Context<'_>,
        input: CustomerUnfreezeInput,
    ) -> Result<CustomerUnfreezePayload> {
        let c = run(ctx, |app, actor| {
            app.customers()
                .unfreeze(actor, CustomerId::from(input.customer_id))
        })
        .await?;
        Ok(CustomerUnfreezePayload { customer: c.into() })
    }

    /// Closes the customer; their empty accounts close, any that still hold money are frozen.
    async fn customer_close(
        &self,
        ctx: &Context<'_>,
        input: CustomerCloseInput,
    ) -> Result<CustomerClosePayload> {
        let c = run(ctx, |app, actor| {
            app.customers()
                .close(actor, CustomerId::from(input.customer_id))
        })
        .await?;
        Ok(CustomerClosePayload { customer: c.into() })
    }

    async fn customer_email_update(
        &self,
        ctx: &Context<'_>,
        input: CustomerEmailUpdateInput,
    ) -> Result<CustomerEmailUpdatePayload> {
        let email = Email::parse(&input.email).map_err(invalid_input)?;
        let c = run(ctx, |app, actor| {
            app.customers()
                .update_email(actor, CustomerId::from(input.customer_id), email)
        })
        .await?;
        Ok(CustomerEmailUpdatePayload { customer: c.into() })
    }
}
