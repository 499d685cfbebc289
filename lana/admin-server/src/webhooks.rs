//! `POST /webhook/sumsub`: the KYC provider's webhooks. No bearer token: the provider signs the
//! raw body with the shared webhook secret (`X-Payload-Digest`), checked before anything is
//! stored. A verified webhook is stored once in the inbox (a redelivery of the same body is a
//! duplicate) and processed by a job; the answer is 200 either way, so the provider stops
//! retrying. A bad or missing signature is 401 and nothing is stored.

use crate::AdminState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};

use error_code::INTERNAL;
use graphql_kit::{correlation_id, reject};
use inbox::Received;
use sumsub::{DIGEST_ALG_HEADER, DIGEST_HEADER, WebhookError, WebhookPayload, verify_webhook};

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
        Ok(Received::New(id)) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "accepted", "id": id.to_string()})),
        )
            .into_response(),
        Ok(Received::Duplicate(id)) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({"status": "duplicate", "id": id.to_string()})),
        )
            .into_response(),
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
