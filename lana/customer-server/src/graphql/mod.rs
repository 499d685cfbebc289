//! The customer schema, one module per domain, like the admin one; everything is scoped to the
//! signed-in customer by the domains' use cases (the actor is a `Subject::Customer`).

mod customer;
mod deposit;
mod price;

use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use error_code::ErrorCode;
use graphql_kit::{CodeRegistry, GraphqlConfig, with_limits};

pub type CustomerSchema = Schema<Query, EmptyMutation, EmptySubscription>;

#[derive(MergedObject, Default)]
pub struct Query(
    customer::CustomerQuery,
    deposit::DepositQuery,
    price::PriceQuery,
);

/// Every code this API answers with.
pub struct Codes;

impl CodeRegistry for Codes {
    fn codes() -> Vec<ErrorCode> {
        lana_app::error_codes()
    }
}

pub fn build_schema(config: &GraphqlConfig) -> CustomerSchema {
    with_limits::<_, _, _, Codes>(
        Schema::build(Query::default(), EmptyMutation, EmptySubscription),
        config,
    )
    .finish()
}
