//! customer-server: the customer GraphQL API on port 5254.
//!
//! `POST /graphql` requires a bearer JWT from the customer realm; everything it serves is scoped
//! to the customer behind the token's subject (linked by verified email at the first login): the
//! request acts as that customer (`Subject::Customer`, under the request's correlation id) and the
//! domains' use cases show a customer only their own. An account of anyone else is `NOT_FOUND`,
//! exactly like one that does not exist. `GET /health` is unauthenticated.
//!
//! - `graphql/`: the schema, one module per domain;
//! - `request.rs`: what resolvers take from the request.

mod graphql;
mod request;

pub use graphql::{Codes, CustomerSchema, build_schema};

use authz::{Actor, Subject};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use error_code::INTERNAL;
use es::EsEntity;
use graphql_kit::{
    ApiServerConfig, GraphqlConfig, authenticate, correlation_id, read_request, reject, respond,
};
use graphql_types::credit::CreditLoaders;
use graphql_types::deposit::DepositLoaders;
use jwt_auth::{JwtConfig, JwtVerifier};
use lana_app::LanaApp;
use request::Identity;
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

#[derive(Clone)]
struct CustomerState {
    app: LanaApp,
    verifier: Arc<JwtVerifier>,
    schema: CustomerSchema,
    max_body_bytes: usize,
}

pub fn router(app: LanaApp, verifier: Arc<JwtVerifier>, config: &ApiServerConfig) -> Router {
    let state = CustomerState {
        app: app.clone(),
        verifier,
        schema: build_schema(&config.graphql),
        max_body_bytes: config.graphql.max_body_bytes,
    };
    Router::new()
        .route("/graphql", post(graphql))
        .with_state(state)
        .merge(http_server::health_route(move || {
            let app = app.clone();
            async move { app.health_report().await }
        }))
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
    let customer = match state
        .app
        .customers()
        .customer_for_login(&claims.sub, claims.verified_email())
        .await
    {
        Ok(customer) => customer,
        Err(e) => {
            tracing::error!(correlation_id = %correlation_id.0, error = %e, "customer login lookup failed");
            return reject(
                StatusCode::INTERNAL_SERVER_ERROR,
                INTERNAL,
                "internal error",
                &correlation_id,
            );
        }
    };
    let customer = customer.map(|c| {
        let actor = Actor::new(Subject::Customer(c.id().into()), correlation_id.0.clone());
        (c.id(), actor)
    });
    let mut request = request.data(state.app.clone()).data(correlation_id.clone());
    if let Some((_, actor)) = &customer {
        request = request
            .data(DepositLoaders::new(
                state.app.deposits().clone(),
                actor.clone(),
            ))
            .data(CreditLoaders::new(
                state.app.credit().clone(),
                actor.clone(),
            ));
    }
    let identity = Identity {
        email: claims.verified_email().map(str::to_owned),
        subject: claims.sub,
        customer,
    };
    respond(
        state.schema.execute(request.data(identity)).await,
        &correlation_id,
    )
}
