//! admin-server: the admin GraphQL API on port 5253, for bank staff.
//!
//! `POST /graphql` requires a bearer JWT from the staff realm (issuer and audience configured);
//! the token's subject (or, at the first login, its verified email) maps to a staff user, who acts
//! under the request's correlation id and whose role decides what each use case allows.
//! `GET /exports/ledger-account/{id}` serves a completed ledger export's CSV to staff, with the
//! same token. Unauthenticated: `GET /health`, and the webhooks (see `webhooks`), which their
//! senders sign.
//!
//! - `graphql/`: the schema, one module per domain;
//! - `request.rs`: what resolvers take from the request (the app, the actor);
//! - `webhooks.rs`: `POST /webhook/sumsub`, `POST /webhook/custodian/{id}`.

mod graphql;
mod request;
mod webhooks;

pub use graphql::{AdminSchema, Codes, build_schema};

use authz::{Actor, Subject};
use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use error_code::{FORBIDDEN, INTERNAL, NOT_FOUND};
use graphql_kit::{
    ApiServerConfig, CorrelationId, GraphqlConfig, REQUEST_ID_HEADER, authenticate, correlation_id,
    read_request, reject, respond,
};
use graphql_types::credit::CreditLoaders;
use graphql_types::deposit::DepositLoaders;
use jwt_auth::{JwtConfig, JwtVerifier};
use lana_app::LanaApp;
use request::IdempotencyHeader;
use std::sync::Arc;
use use_case::DomainError;

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
        .route("/exports/ledger-account/{id}", get(ledger_export_file))
        .route("/webhook/sumsub", post(webhooks::sumsub))
        .route("/webhook/custodian/{id}", post(webhooks::custodian))
        .with_state(state)
        .merge(http_server::health_route(move || {
            let app = app.clone();
            async move { app.health_report().await }
        }))
}

/// The staff user a request's bearer token maps to, acting under its correlation id; or the
/// refusal to answer with.
async fn staff_actor(
    state: &AdminState,
    headers: &HeaderMap,
    correlation_id: &CorrelationId,
) -> Result<Actor, Response> {
    let claims = authenticate(&state.verifier, headers, correlation_id).await?;
    match state
        .app
        .access()
        .user_id_for_login(&claims.sub, claims.verified_email())
        .await
    {
        Ok(Some(user)) => Ok(Actor::new(
            Subject::User(user.into()),
            correlation_id.0.clone(),
        )),
        Ok(None) => Err(reject(
            StatusCode::FORBIDDEN,
            FORBIDDEN,
            "no staff user for this identity",
            correlation_id,
        )),
        Err(e) => {
            tracing::error!(correlation_id = %correlation_id.0, error = %e, "staff login lookup failed");
            Err(reject(
                StatusCode::INTERNAL_SERVER_ERROR,
                INTERNAL,
                "internal error",
                correlation_id,
            ))
        }
    }
}

async fn graphql(State(state): State<AdminState>, headers: HeaderMap, body: Body) -> Response {
    let correlation_id = correlation_id(&headers);
    let actor = match staff_actor(&state, &headers, &correlation_id).await {
        Ok(actor) => actor,
        Err(refusal) => return refusal,
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

/// `GET /exports/ledger-account/{id}`: a completed ledger export's CSV file, for staff who may
/// read exports (the same bearer token as `/graphql`).
async fn ledger_export_file(
    State(state): State<AdminState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let correlation_id = correlation_id(&headers);
    let actor = match staff_actor(&state, &headers, &correlation_id).await {
        Ok(actor) => actor,
        Err(refusal) => return refusal,
    };
    let Ok(id) = id.trim_end_matches(".csv").parse::<uuid::Uuid>() else {
        return reject(
            StatusCode::NOT_FOUND,
            NOT_FOUND,
            "no such export",
            &correlation_id,
        );
    };
    let file = state
        .app
        .accounting()
        .ledger_export_file(&actor, core_accounting::LedgerExportId::from(id))
        .await;
    match file {
        Ok((name, bytes)) => {
            let mut response = (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                bytes,
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(&correlation_id.0) {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            response
        }
        Err(e) => {
            let code = e.code();
            let status = if code == NOT_FOUND {
                StatusCode::NOT_FOUND
            } else if code == error_code::NOT_AUTHORIZED {
                StatusCode::FORBIDDEN
            } else if code == core_accounting::EXPORT_NOT_READY {
                StatusCode::CONFLICT
            } else {
                tracing::error!(correlation_id = %correlation_id.0, error = %e, "export download failed");
                return reject(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    INTERNAL,
                    "internal error",
                    &correlation_id,
                );
            };
            reject(status, code, &e.to_string(), &correlation_id)
        }
    }
}
