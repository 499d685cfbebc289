//! customer-server: the customer GraphQL API on port 5254.
//!
//! `POST /graphql` requires a bearer JWT from the customer realm; everything it serves is scoped
//! to the token's subject, which resolvers take from the request, never from arguments. Until the
//! customer domain exists, `me` is the verified identity itself. `GET /health` is unauthenticated.

use async_graphql::{
    Context, EmptyMutation, EmptySubscription, Object, Result, Schema, SimpleObject,
};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::post;
use graphql_kit::{
    ApiServerConfig, GraphqlConfig, authenticate, correlation_id, read_request, respond,
    with_limits,
};
use jwt_auth::{JwtConfig, JwtVerifier};
use lana_app::LanaApp;
use std::sync::Arc;

pub const NAME: &str = "customer-server";

pub fn default_config() -> ApiServerConfig {
    ApiServerConfig {
        host: "127.0.0.1".into(),
        port: 5254,
        jwt: JwtConfig {
            jwks_url: "http://127.0.0.1:8081/realms/customer/jwks".into(),
            issuer: "http://127.0.0.1:8081/realms/customer".into(),
            audience: "lana-customer".into(),
            ..JwtConfig::default()
        },
        graphql: GraphqlConfig::default(),
    }
}

/// The authenticated customer identity a request acts as.
#[derive(Debug, Clone)]
struct CustomerIdentity {
    subject: String,
    email: Option<String>,
}

/// The signed-in customer.
#[derive(SimpleObject)]
pub struct Me {
    /// The identity provider's subject.
    subject: String,
    email: Option<String>,
}

pub struct Query;

#[Object]
impl Query {
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let identity = ctx.data::<CustomerIdentity>()?;
        Ok(Me {
            subject: identity.subject.clone(),
            email: identity.email.clone(),
        })
    }
}

pub type CustomerSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub fn build_schema(config: &GraphqlConfig) -> CustomerSchema {
    with_limits(
        Schema::build(Query, EmptyMutation, EmptySubscription),
        config,
    )
    .finish()
}

#[derive(Clone)]
struct CustomerState {
    verifier: Arc<JwtVerifier>,
    schema: CustomerSchema,
    max_body_bytes: usize,
}

pub fn router(app: LanaApp, verifier: Arc<JwtVerifier>, config: &ApiServerConfig) -> Router {
    let state = CustomerState {
        verifier,
        schema: build_schema(&config.graphql),
        max_body_bytes: config.graphql.max_body_bytes,
    };
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(state)
        .merge(graphql_kit::health_router(app))
}

async fn graphql(State(state): State<CustomerState>, headers: HeaderMap, body: Body) -> Response {
    let correlation_id = correlation_id(&headers);
    let claims = match authenticate(&state.verifier, &headers, &correlation_id).await {
        Ok(claims) => claims,
        Err(refusal) => return refusal,
    };
    let request = match read_request(&headers, body, state.max_body_bytes, &correlation_id).await {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    let identity = CustomerIdentity {
        email: claims.verified_email().map(str::to_owned),
        subject: claims.sub,
    };
    let request = request.data(identity).data(correlation_id.clone());
    respond(state.schema.execute(request).await, &correlation_id)
}
