//! The admin schema, one module per domain (`<domain>/mod.rs` the queries and mutations,
//! `types.rs` what they return, `inputs.rs` what they take). Translation only: inputs are
//! parsed into domain values once, domain results become API types, every rule lives in the
//! domains; errors become client errors through `graphql_kit::ApiResult`.

/// A mutation's payload: one field holding what the mutation changed.
macro_rules! payload {
    ($name:ident, $field:ident: $ty:ty) => {
        #[derive(async_graphql::SimpleObject)]
        pub struct $name {
            pub(crate) $field: $ty,
        }
    };
}

mod access;
mod accounting;
mod config;
mod credit;
mod custody;
mod customer;
mod deposit;
mod governance;
mod price;
mod time;

use async_graphql::{EmptySubscription, MergedObject, Schema};
use error_code::ErrorCode;
use graphql_kit::{CodeRegistry, GraphqlConfig, with_limits};

pub type AdminSchema = Schema<Query, Mutation, EmptySubscription>;

#[derive(MergedObject, Default)]
pub struct Query(
    access::AccessQuery,
    customer::CustomerQuery,
    deposit::DepositQuery,
    credit::CreditQuery,
    governance::GovernanceQuery,
    config::ConfigQuery,
    time::TimeQuery,
    price::PriceQuery,
    accounting::AccountingQuery,
    custody::CustodyQuery,
);

#[derive(MergedObject, Default)]
pub struct Mutation(
    access::AccessMutation,
    customer::CustomerMutation,
    deposit::DepositMutation,
    credit::CreditMutation,
    governance::GovernanceMutation,
    config::ConfigMutation,
    time::TimeMutation,
    price::PriceMutation,
    accounting::AccountingMutation,
    custody::CustodyMutation,
);

/// Every code this API answers with.
pub struct Codes;

impl CodeRegistry for Codes {
    fn codes() -> Vec<ErrorCode> {
        lana_app::error_codes()
    }
}

pub fn build_schema(config: &GraphqlConfig) -> AdminSchema {
    with_limits::<_, _, _, Codes>(
        Schema::build(Query::default(), Mutation::default(), EmptySubscription),
        config,
    )
    .finish()
}
