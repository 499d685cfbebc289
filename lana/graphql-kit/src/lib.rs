//! What the admin and customer GraphQL servers share. No business rules live here.
//!
//! Conventions for the whole API (checked by [`conventions::check`] in each server's tests):
//! - mutations are `<entity><Verb>(input: <Entity><Verb>Input!): <Entity><Verb>Payload!`;
//! - lists are Relay connections taking `first: Int!` (1..=100) and `after: String`;
//! - ids are `UUID!` (append-only logs use `ID!`); money is `UsdCents` / `Satoshis` (integer minor
//!   units), timestamps `DateTime` (RFC 3339, UTC), dates `Date`;
//! - every error carries `extensions.code` (stable, SCREAMING_SNAKE_CASE, listed in the SDL's
//!   `ErrorCode` enum) and `extensions.correlationId` (also in the `X-Request-Id` answer header);
//!   messages never hold SQL or internals (those go to the log under the same correlation id);
//! - depth (of data fields, see [`limits`]), complexity (a connection costs `first` times its
//!   node) and body size are limited and checked before any resolver runs; batched requests are
//!   refused; introspection is configurable.

pub mod conventions;
mod errors;
mod http;
pub mod limits;
mod paging;
mod scalars;

pub use errors::{
    ApiResult, CODES, CodeRegistry, ErrorCodeType, ErrorCodes, all_codes, api_error, domain_error,
    internal_error, invalid_input,
};
pub use http::{
    CorrelationId, REQUEST_ID_HEADER, authenticate, correlation_id, read_request, reject, respond,
};
pub use paging::{FIRST_MAX, connection, list_query};
pub use scalars::{Date, Decimal, Json, MinorUnits, Satoshis, UsdCents};

use async_graphql::{ObjectType, SchemaBuilder, SubscriptionType};
use jwt_auth::JwtConfig;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GraphqlConfig {
    pub max_depth: usize,
    pub max_complexity: usize,
    pub max_body_bytes: usize,
    /// Off in production: clients use the committed SDL.
    pub introspection: bool,
}

impl Default for GraphqlConfig {
    fn default() -> Self {
        Self {
            max_depth: 10,
            max_complexity: 2_000,
            max_body_bytes: 64 * 1024,
            introspection: true,
        }
    }
}

/// Where a GraphQL server listens, whose tokens it accepts and its limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiServerConfig {
    pub host: String,
    pub port: u16,
    pub jwt: JwtConfig,
    #[serde(default)]
    pub graphql: GraphqlConfig,
}

impl ApiServerConfig {
    pub fn listen(&self) -> http_server::ServerConfig {
        http_server::ServerConfig {
            host: self.host.clone(),
            port: self.port,
        }
    }
}

/// Asserts that the committed SDL at `path` equals `sdl` (rewriting it first when `UPDATE_SDL` is
/// set) and that `sdl` follows the conventions. For the servers' tests.
pub fn assert_sdl_is_current(sdl: &str, path: &str) {
    if std::env::var_os("UPDATE_SDL").is_some()
        && let Err(e) = std::fs::write(path, sdl)
    {
        panic!("cannot write {path}: {e}");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == sdl,
        "{path} is stale; rerun the test with UPDATE_SDL=1 and commit it"
    );
    let problems = conventions::check(sdl);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    for scalar in [
        "scalar UsdCents",
        "scalar Satoshis",
        "scalar Date",
        "scalar DateTime",
        "scalar UUID",
        "enum ErrorCode",
    ] {
        assert!(sdl.contains(scalar), "{scalar} missing from the SDL");
    }
}

/// Applies the configured limits and the error-code extension to a schema, and publishes the
/// codes of `R` as the `ErrorCode` enum.
pub fn with_limits<Q, M, S, R>(
    builder: SchemaBuilder<Q, M, S>,
    config: &GraphqlConfig,
) -> SchemaBuilder<Q, M, S>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
    R: CodeRegistry,
{
    let builder = builder
        .limit_depth(config.max_depth.max(limits::INTROSPECTION_MAX_DEPTH))
        .limit_complexity(config.max_complexity)
        .limit_recursive_depth(32)
        .limit_directives(16)
        .extension(ErrorCodes::new(config.introspection, config.max_depth))
        .register_output_type::<ErrorCodeType<R>>()
        .register_output_type::<UsdCents>()
        .register_output_type::<Satoshis>()
        .register_output_type::<Date>()
        .register_output_type::<chrono::DateTime<chrono::Utc>>()
        .register_output_type::<uuid::Uuid>();
    if config.introspection {
        builder
    } else {
        builder.disable_introspection()
    }
}
