//! The customer schema, one module per domain, like the admin one; everything is scoped to the
//! signed-in customer by the domains' use cases (the actor is a `Subject::Customer`).

mod credit;
mod customer;
mod deposit;
mod price;

use async_graphql::{EmptySubscription, MergedObject, Schema};
use error_code::ErrorCode;
use graphql_kit::{CodeRegistry, GraphqlConfig, with_limits};

pub type CustomerSchema = Schema<Query, Mutation, EmptySubscription>;

#[derive(MergedObject, Default)]
pub struct Query(
    customer::CustomerQuery,
    deposit::DepositQuery,
    credit::CreditQuery,
    price::PriceQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(credit::CreditMutation);

/// Every code this API answers with.
pub struct Codes;

impl CodeRegistry for Codes {
    fn codes() -> Vec<ErrorCode> {
        lana_app::error_codes()
    }
}

pub fn build_schema(config: &GraphqlConfig) -> CustomerSchema {
    with_limits::<_, _, _, Codes>(
        Schema::build(Query::default(), Mutation::default(), EmptySubscription),
        config,
    )
    .finish()
}
