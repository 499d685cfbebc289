//! The HTTP side of a GraphQL request: correlation id, bearer token, body limits, no batching,
//! and the JSON error shape for refusals that happen before GraphQL runs.

use crate::errors::{BAD_REQUEST, BATCH_NOT_SUPPORTED, PAYLOAD_TOO_LARGE, UNAUTHENTICATED};
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use error_code::{ErrorCode, INVALID_INPUT};
use serde_json::json;

/// The header a client may send its request id in, and every answer carries the correlation id
/// in (the same id the audit log, the events and the server's log lines carry).
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// The id that ties a request's log lines to what its client saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CorrelationId(pub String);

/// `X-Request-Id` when it is a sane token (1..=64 of `[A-Za-z0-9._-]`), else a new UUID.
pub fn correlation_id(headers: &HeaderMap) -> CorrelationId {
    let given = headers
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| {
            (1..=64).contains(&v.len())
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        });
    CorrelationId(given.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned))
}

/// Puts the correlation id on an answer.
fn with_correlation_id(mut response: Response, correlation_id: &CorrelationId) -> Response {
    if let Ok(value) = HeaderValue::from_str(&correlation_id.0) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// A GraphQL-shaped refusal: `{"errors":[{"message", "extensions": {"code", "correlationId"}}]}`.
pub fn reject(
    status: StatusCode,
    code: ErrorCode,
    message: &str,
    correlation_id: &CorrelationId,
) -> Response {
    let body = json!({
        "errors": [{ "message": message, "extensions": { "code": code.as_str(), "correlationId": correlation_id.0 } }]
    });
    let mut response =
        with_correlation_id((status, axum::Json(body)).into_response(), correlation_id);
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Bearer"),
        );
    }
    response
}

/// The bearer token of the `Authorization` header.
fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// The verified claims of the request's bearer token, or the 401 that refuses it.
pub async fn authenticate(
    verifier: &jwt_auth::JwtVerifier,
    headers: &HeaderMap,
    correlation_id: &CorrelationId,
) -> Result<jwt_auth::Claims, Response> {
    let Some(token) = bearer_token(headers) else {
        return Err(reject(
            StatusCode::UNAUTHORIZED,
            UNAUTHENTICATED,
            "a bearer token is required",
            correlation_id,
        ));
    };
    verifier.verify(token).await.map_err(|e| {
        tracing::info!(correlation_id = %correlation_id.0, reason = %e, "token refused");
        reject(
            StatusCode::UNAUTHORIZED,
            UNAUTHENTICATED,
            &e.to_string(),
            correlation_id,
        )
    })
}

/// Reads one GraphQL request from the body, within `max_bytes`; refuses batches.
pub async fn read_request(
    headers: &HeaderMap,
    body: Body,
    max_bytes: usize,
    correlation_id: &CorrelationId,
) -> Result<async_graphql::Request, Response> {
    let too_large = || {
        reject(
            StatusCode::PAYLOAD_TOO_LARGE,
            PAYLOAD_TOO_LARGE,
            &format!("request bodies are limited to {max_bytes} bytes"),
            correlation_id,
        )
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|len| len > max_bytes) {
        drain(body).await;
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, max_bytes)
        .await
        .map_err(|_| too_large())?;
    let bad = |message: &str| {
        reject(
            StatusCode::BAD_REQUEST,
            BAD_REQUEST,
            message,
            correlation_id,
        )
    };
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|_| bad("the body is not a JSON GraphQL request"))?;
    if value.is_array() {
        return Err(reject(
            StatusCode::BAD_REQUEST,
            BATCH_NOT_SUPPORTED,
            "batched requests are not supported; send one operation per request",
            correlation_id,
        ));
    }
    serde_json::from_value(value)
        .map_err(|_| bad("the body is not a GraphQL request (query, variables, operationName)"))
}

/// Reads and discards a refused body (up to `DRAIN_LIMIT`), so the client that is still sending it
/// receives the refusal instead of a reset connection; beyond the limit the connection is dropped.
async fn drain(body: Body) {
    use futures::StreamExt;
    let mut stream = body.into_data_stream();
    let mut seen = 0usize;
    while let Some(Ok(chunk)) = stream.next().await {
        seen += chunk.len();
        if seen > DRAIN_LIMIT {
            break;
        }
    }
}

const DRAIN_LIMIT: usize = 4 << 20;

/// The GraphQL response as JSON. Every error gets a code (`INVALID_INPUT` for input async-graphql
/// refused while coercing arguments or checking their validators) and the correlation id, which
/// the answer also carries in `X-Request-Id`. A response without data (the request never
/// executed) is a 400.
pub fn respond(mut response: async_graphql::Response, correlation_id: &CorrelationId) -> Response {
    for error in &mut response.errors {
        let extensions = error.extensions.get_or_insert_with(Default::default);
        if extensions.get("code").is_none() {
            extensions.set("code", INVALID_INPUT.as_str());
        }
        extensions.set("correlationId", correlation_id.0.as_str());
    }
    let status = if !response.errors.is_empty() && response.data == async_graphql::Value::Null {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    with_correlation_id(
        (status, axum::Json(response)).into_response(),
        correlation_id,
    )
}
