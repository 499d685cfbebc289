//! `POST /webhook/sumsub`: the KYC provider's webhooks; `POST /webhook/custodian/{id}`: a
//! custodian's (the custody domain checks each provider's scheme and keeps refused deliveries
//! in the inbox as `rejected`).
//!
//! The KYC provider's: No bearer token: the provider signs the
//! raw body with the shared webhook secret (`X-Payload-Digest`), checked before anything is
//! stored. A verified webhook is stored once in the inbox (a redelivery of the same body is a
//! duplicate) and processed by a job; the answer is 200 either way, so the provider stops
//! retrying. A bad or missing signature is 401 and nothing is stored.

use crate::AdminState;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use core_custody::{CustodianId, CustodyError};
use error_code::{ErrorCode, INTERNAL, NOT_FOUND};
use graphql_kit::{correlation_id, reject};
use inbox::Received;
use sumsub::{DIGEST_ALG_HEADER, DIGEST_HEADER, WebhookError, WebhookPayload, verify_webhook};
use use_case::DomainError;

pub(crate) async fn sumsub(
    State(state): State<AdminState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let correlation_id = correlation_id(&headers);
    let Some(secret) = state.app.kyc_webhook_secret() else {
        return reject(
            StatusCode::SERVICE_UNAVAILABLE,
            core_customer::KYC_PROVIDER_NOT_CONFIGURED,
            "no KYC provider is configured",
            &correlation_id,
        );
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let payload = match verify_webhook(
        secret,
        header(DIGEST_HEADER),
        header(DIGEST_ALG_HEADER),
        &body,
    ) {
        Ok(payload) => payload,
        Err(e @ WebhookError::Malformed(_)) => {
            return reject(
                StatusCode::BAD_REQUEST,
                e.code(),
                &e.to_string(),
                &correlation_id,
            );
        }
        Err(e) => {
            tracing::warn!(correlation_id = %correlation_id.0, error = %e, "KYC webhook refused");
            return reject(
                StatusCode::UNAUTHORIZED,
                e.code(),
                &e.to_string(),
                &correlation_id,
            );
        }
    };
    let key = WebhookPayload::idempotency_key(&body);
    match state
        .app
        .inbox()
        .receive(core_customer::KYC_WEBHOOK_SOURCE, &key, payload.raw)
        .await
    {
        Ok(received) => stored(received),
        Err(e) => {
            tracing::error!(correlation_id = %correlation_id.0, error = %e, "KYC webhook could not be stored");
            reject(
                StatusCode::INTERNAL_SERVER_ERROR,
                INTERNAL,
                "internal error",
                &correlation_id,
            )
        }
    }
}

/// The answer to a delivery the inbox took: 200 either way, so the sender stops retrying.
fn stored(received: Received) -> Response {
    let (status, id) = match received {
        Received::New(id) => ("accepted", id),
        Received::Duplicate(id) => ("duplicate", id),
    };
    (
        StatusCode::OK,
        axum::Json(serde_json::json!({"status": status, "id": id.to_string()})),
    )
        .into_response()
}

pub(crate) async fn custodian(
    State(state): State<AdminState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let correlation_id = correlation_id(&headers);
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let refused = |status: StatusCode, code: ErrorCode, message: &str| {
        reject(status, code, message, &correlation_id)
    };
    let Ok(id) = id.parse::<uuid::Uuid>() else {
        return refused(StatusCode::NOT_FOUND, NOT_FOUND, "no such custodian");
    };
    match state
        .app
        .custody()
        .receive_webhook(CustodianId::from(id), header, &body)
        .await
    {
        Ok(received) => stored(received),
        Err(CustodyError::Webhook(e @ custodians::WebhookError::Malformed(_))) => {
            refused(StatusCode::BAD_REQUEST, e.code(), &e.to_string())
        }
        Err(CustodyError::Webhook(e)) => {
            tracing::warn!(correlation_id = %correlation_id.0, custodian = %id, error = %e, "custodian webhook refused");
            refused(StatusCode::UNAUTHORIZED, e.code(), &e.to_string())
        }
        Err(e @ CustodyError::WithoutWebhooks(_)) => {
            refused(StatusCode::NOT_FOUND, e.code(), &e.to_string())
        }
        Err(e) if e.code() == NOT_FOUND => {
            refused(StatusCode::NOT_FOUND, NOT_FOUND, "no such custodian")
        }
        Err(e) => {
            tracing::error!(correlation_id = %correlation_id.0, custodian = %id, error = %e, "custodian webhook could not be stored");
            refused(
                StatusCode::SERVICE_UNAVAILABLE,
                e.code(),
                "the webhook could not be taken now; deliver it again later",
            )
        }
    }
}
