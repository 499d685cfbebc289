//! admin-server: the admin GraphQL API on port 5253, for bank staff.
//!
//! `POST /graphql` requires a bearer JWT from the staff realm (issuer and audience configured);
//! the token's subject (or, at the first login, its verified email) maps to a staff user, whose
//! role decides what each use case allows. Unauthenticated: `GET /health`, and
//! `POST /webhook/sumsub`, which the KYC provider signs instead (see `webhook`).

mod banking;
mod error;
mod schema;
mod webhook;

pub use schema::{AdminSchema, build_schema};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use graphql_kit::{
    ApiServerConfig, GraphqlConfig, authenticate, correlation_id, read_request, reject, respond,
};
use jwt_auth::{JwtConfig, JwtVerifier};
use lana_app::LanaApp;
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

/// The staff user a request acts as.
#[derive(Debug, Clone, Copy)]
pub struct StaffUser(pub core_access::UserId);

/// The request's `Idempotency-Key` header, if any.
#[derive(Debug, Clone)]
pub struct IdempotencyHeader(pub Option<String>);

/// Read permissions already enforced (and audited) in this request: nested lists of a page check
/// once per request, not once per row.
#[derive(Default)]
pub struct ReadsAuthorized(
    tokio::sync::Mutex<std::collections::BTreeSet<(&'static str, &'static str)>>,
);

impl ReadsAuthorized {
    pub async fn ensure(
        ctx: &async_graphql::Context<'_>,
        object: &'static str,
        action: &'static str,
    ) -> async_graphql::Result<()> {
        let memo = ctx.data::<ReadsAuthorized>()?;
        let mut done = memo.0.lock().await;
        if done.contains(&(object, action)) {
            return Ok(());
        }
        let app = ctx.data::<LanaApp>()?;
        let user: uuid::Uuid = ctx.data::<StaffUser>()?.0.into();
        let correlation_id = ctx.data::<graphql_kit::CorrelationId>()?;
        match app
            .authz()
            .enforce(
                &authz::Subject::User(user),
                object,
                action,
                Some(correlation_id.0.clone()),
            )
            .await
        {
            Ok(_) => {
                done.insert((object, action));
                Ok(())
            }
            Err(e @ authz::AuthzError::NotAuthorized { .. }) => {
                Err(graphql_kit::api_error("NOT_AUTHORIZED", e))
            }
            Err(e) => Err(graphql_kit::internal_error(&correlation_id.0, &e)),
        }
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
        .route("/webhook/sumsub", post(webhook::sumsub))
        .with_state(state)
        .merge(graphql_kit::health_router(app))
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
                "FORBIDDEN",
                "no staff user for this identity",
                &correlation_id,
            );
        }
        Err(e) => {
            tracing::error!(correlation_id = %correlation_id.0, error = %e, "staff login lookup failed");
            return reject(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
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
    let request = request
        .data(StaffUser(user))
        .data(IdempotencyHeader(idempotency))
        .data(ReadsAuthorized::default())
        .data(state.app.clone())
        .data(correlation_id.clone());
    respond(state.schema.execute(request).await, &correlation_id)
}
