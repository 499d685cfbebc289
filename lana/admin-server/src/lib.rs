//! admin-server: the admin GraphQL API on port 5253, for bank staff.
//!
//! `POST /graphql` requires a bearer JWT from the staff realm (issuer and audience configured);
//! the token's subject (or, at the first login, its verified email) maps to a staff user, who acts
//! under the request's correlation id and whose role decides what each use case allows.
//! Unauthenticated: `GET /health`, and the webhooks (see `webhooks`), which their senders sign.
//!
//! - `graphql/`: the schema, one module per domain;
//! - `request.rs`: what resolvers take from the request (the app, the actor);
//! - `webhooks.rs`: `POST /webhook/sumsub`.

mod graphql;
mod request;
mod webhooks;

pub use graphql::{AdminSchema, Codes, build_schema};

use authz::{Actor, Subject};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use error_code::{FORBIDDEN, INTERNAL};
use graphql_kit::{
    ApiServerConfig, GraphqlConfig, authenticate, correlation_id, read_request, reject, respond,
};
use graphql_types::credit::CreditLoaders;
use graphql_types::deposit::DepositLoaders;
use jwt_auth::{JwtConfig, JwtVerifier};
use lana_app::LanaApp;
use request::IdempotencyHeader;
use std::sync::Arc;

pub const NAME: &str = "admin-server";

pub fn default_config() -> ApiServerConfig {
    ApiServerConfig {
        host: "127.0.0.1".into(),
        port: 5253,
        jwt: JwtConfig {
            jwks_url: "http://127.0.0.1:8081/realms/internal/jwks".into(),
            issuer: "http://127.0.0.1:8081/realms/internal".into(),
            audience: "lana-admin".into(),
            ..JwtConfig::default()
        },
        graphql: GraphqlConfig::default(),
    }
}

#[derive(Clone)]
struct AdminState {
    app: LanaApp,
    verifier: Arc<JwtVerifier>,
    schema: AdminSchema,
    max_body_bytes: usize,
}

pub fn router(app: LanaApp, verifier: Arc<JwtVerifier>, config: &ApiServerConfig) -> Router {
    let state = AdminState {
        schema: build_schema(&config.graphql),
        max_body_bytes: config.graphql.max_body_bytes,
        app: app.clone(),
        verifier,
    };
    Router::new()
        .route("/graphql", post(graphql))
        .route("/webhook/sumsub", post(webhooks::sumsub))
        .with_state(state)
        .merge(http_server::health_route(move || {
            let app = app.clone();
            async move { app.health_report().await }
        }))
}

async fn graphql(State(state): State<AdminState>, headers: HeaderMap, body: Body) -> Response {
    let correlation_id = correlation_id(&headers);
    let claims = match authenticate(&state.verifier, &headers, &correlation_id).await {
        Ok(claims) => claims,
        Err(refusal) => return refusal,
    };
    let user = match state
        .app
        .access()
        .user_id_for_login(&claims.sub, claims.verified_email())
        .await
    {
        Ok(Some(user)) => user,
        Ok(None) => {
            return reject(
                StatusCode::FORBIDDEN,
                FORBIDDEN,
                "no staff user for this identity",
                &correlation_id,
            );
        }
        Err(e) => {
            tracing::error!(correlation_id = %correlation_id.0, error = %e, "staff login lookup failed");
            return reject(
                StatusCode::INTERNAL_SERVER_ERROR,
                INTERNAL,
                "internal error",
                &correlation_id,
            );
        }
    };
    let request = match read_request(&headers, body, state.max_body_bytes, &correlation_id).await {
        Ok(request) => request,
        Err(refusal) => return refusal,
    };
    let idempotency = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let actor = Actor::new(Subject::User(user.into()), correlation_id.0.clone());
    let request = request
        .data(DepositLoaders::new(
            state.app.deposits().clone(),
            actor.clone(),
        ))
        .data(CreditLoaders::new(
            state.app.credit().clone(),
            actor.clone(),
        ))
        .data(actor)
        .data(IdempotencyHeader(idempotency))
        .data(state.app.clone())
        .data(correlation_id.clone());
    respond(state.schema.execute(request).await, &correlation_id)
}
