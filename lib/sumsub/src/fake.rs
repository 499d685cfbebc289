//! A local stand-in for the provider, for tests: it serves the endpoints [`SumsubClient`] calls,
//! checks every request's token, timestamp and signature as the provider does (answering 401
//! with the provider's error body otherwise), records what it was asked, and sends webhooks
//! signed with the webhook secret.
//!
//! The applicant lookup path, `/resources/applicants/-;externalUserId=<id>/one`, puts a
//! matrix parameter inside a segment, which axum's router does not match; every request goes to
//! one fallback handler that routes on the raw path.
//!
//! [`SumsubClient`]: crate::SumsubClient

use crate::client::request_mac;
use crate::{
    APP_ACCESS_SIG_HEADER, APP_ACCESS_TS_HEADER, APP_TOKEN_HEADER, DIGEST_ALG_HEADER,
    DIGEST_HEADER, DigestAlgorithm, ReviewAnswer, SumsubConfig, WebhookType, sign_webhook,
};
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use hmac::Mac;
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::task::JoinHandle;

const LINK_PATH: &str = "/resources/sdkIntegrations/levels/-/websdkLink";
const APPLICANT_PREFIX: &str = "/resources/applicants/-;externalUserId=";
const APPLICANT_SUFFIX: &str = "/one";
/// The provider refuses a request whose timestamp is further than this from its clock.
const MAX_CLOCK_SKEW_SECS: u64 = 300;
const CLIENT_ID: &str = "lana";

/// A request the fake received, signed correctly or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path and query, as received (still percent-encoded).
    pub path: String,
    /// Whether the token, timestamp and signature were accepted.
    pub authenticated: bool,
}

#[derive(Debug, Clone)]
struct FakeApplicant {
    id: String,
    inspection_id: String,
    level_name: String,
    created_at: String,
    review: Option<ReviewAnswer>,
}

#[derive(Default)]
struct Records {
    applicants: HashMap<String, FakeApplicant>,
    requests: Vec<RecordedRequest>,
}

struct Shared {
    base_url: String,
    app_token: String,
    secret_key: String,
    level_name: String,
    records: Mutex<Records>,
}

impl Shared {
    fn records(&self) -> MutexGuard<'_, Records> {
        // A test that panicked while holding the lock leaves consistent records behind.
        self.records.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The applicant for `external_user_id`, created (at `level_name`, or the default level)
    /// if there is none.
    fn applicant(&self, external_user_id: &str, level_name: Option<&str>) -> FakeApplicant {
        self.records()
            .applicants
            .entry(external_user_id.to_owned())
            .or_insert_with(|| FakeApplicant {
                id: random_hex(24),
                inspection_id: random_hex(24),
                level_name: level_name.unwrap_or(&self.level_name).to_owned(),
                created_at: timestamp(),
                review: None,
            })
            .clone()
    }

    fn authenticate(&self, method: &Method, path: &str, headers: &HeaderMap, body: &[u8]) -> bool {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        if header(APP_TOKEN_HEADER) != Some(self.app_token.as_str()) {
            return false;
        }
        let Some(ts) = header(APP_ACCESS_TS_HEADER).and_then(|ts| ts.parse::<u64>().ok()) else {
            return false;
        };
        if unix_now().abs_diff(ts) > MAX_CLOCK_SKEW_SECS {
            return false;
        }
        let Some(signature) = header(APP_ACCESS_SIG_HEADER).and_then(|s| hex::decode(s).ok())
        else {
            return false;
        };
        request_mac(&self.secret_key, ts, method.as_str(), path, body)
            .is_ok_and(|mac| mac.verify_slice(&signature).is_ok())
    }
}

/// The fake provider. The server stops when this is dropped.
pub struct FakeSumsub {
    shared: Arc<Shared>,
    webhook_secret: String,
    http: reqwest::Client,
    server: JoinHandle<()>,
}

impl Drop for FakeSumsub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeSumsub {
    /// Binds 127.0.0.1 on a free port and serves in a background task.
    pub async fn start(
        app_token: &str,
        secret_key: &str,
        webhook_secret: &str,
    ) -> std::io::Result<Self> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let shared = Arc::new(Shared {
            base_url: format!("http://{}", listener.local_addr()?),
            app_token: app_token.to_owned(),
            secret_key: secret_key.to_owned(),
            level_name: SumsubConfig::default().level_name,
            records: Mutex::default(),
        });
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(std::io::Error::other)?;
        let app = Router::new()
            .fallback(handle)
            .with_state(Arc::clone(&shared));
        let server = tokio::spawn(async move {
            // Only fails if the listener breaks; the test then sees its requests fail.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            shared,
            webhook_secret: webhook_secret.to_owned(),
            http,
            server,
        })
    }

    pub fn base_url(&self) -> &str {
        &self.shared.base_url
    }

    /// A client configuration pointing at this server, with its credentials.
    pub fn config(&self) -> SumsubConfig {
        SumsubConfig {
            base_url: self.shared.base_url.clone(),
            app_token: self.shared.app_token.clone(),
            secret_key: self.shared.secret_key.clone(),
            webhook_secret: self.webhook_secret.clone(),
            level_name: self.shared.level_name.clone(),
            timeout_secs: 5,
            ..SumsubConfig::default()
        }
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.records().requests.clone()
    }

    /// Completes the review of the applicant for `external_user_id` (created if needed).
    pub fn set_review(&self, external_user_id: &str, answer: ReviewAnswer) {
        self.shared.applicant(external_user_id, None);
        if let Some(applicant) = self.shared.records().applicants.get_mut(external_user_id) {
            applicant.review = Some(answer);
        }
    }

    /// A webhook of type `kind` about the applicant for `external_user_id` (created if needed),
    /// and its `X-Payload-Digest` (`HMAC_SHA256_HEX` with the webhook secret). An `answer` is
    /// recorded as the applicant's review and sent as `reviewResult`; without one, an
    /// `applicantReviewed` webhook carries the review recorded earlier, if any.
    pub fn webhook(
        &self,
        kind: WebhookType,
        external_user_id: &str,
        answer: Option<ReviewAnswer>,
    ) -> (Vec<u8>, String) {
        if let Some(answer) = answer {
            self.set_review(external_user_id, answer);
        }
        let applicant = self.shared.applicant(external_user_id, None);
        let review = answer.or(match kind {
            WebhookType::ApplicantReviewed => applicant.review,
            _ => None,
        });
        let review_status = match &kind {
            WebhookType::ApplicantCreated => "init",
            WebhookType::ApplicantPending => "pending",
            WebhookType::ApplicantOnHold => "onHold",
            WebhookType::ApplicantReviewed => "completed",
            WebhookType::ApplicantPersonalInfoChanged | WebhookType::Other(_) => {
                status_of(&applicant)
            }
        };
        let mut payload = json!({
            "applicantId": applicant.id,
            "inspectionId": applicant.inspection_id,
            "correlationId": format!("req-{}", uuid::Uuid::new_v4()),
            "levelName": applicant.level_name,
            "externalUserId": external_user_id,
            "type": kind.as_str(),
            "sandboxMode": true,
            "reviewStatus": review_status,
            "createdAtMs": timestamp(),
            "clientId": CLIENT_ID,
        });
        if let Some(answer) = review {
            payload["reviewResult"] = review_result(answer);
        }
        let body = payload.to_string().into_bytes();
        // A secret that cannot sign gives an empty digest, which every receiver refuses.
        let digest = sign_webhook(&self.webhook_secret, DigestAlgorithm::HmacSha256Hex, &body)
            .unwrap_or_default();
        (body, digest)
    }

    /// Builds a webhook (see [`FakeSumsub::webhook`]) and POSTs it, signed, to `url`.
    pub async fn send_webhook(
        &self,
        url: &str,
        kind: WebhookType,
        external_user_id: &str,
        answer: Option<ReviewAnswer>,
    ) -> reqwest::Result<reqwest::Response> {
        let (body, digest) = self.webhook(kind, external_user_id, answer);
        self.send_raw(url, body, Some(&digest)).await
    }

    /// POSTs `body` to `url` as a webhook with the given digest header (none when `None`), to
    /// test how a receiver treats bad signatures.
    pub async fn send_raw(
        &self,
        url: &str,
        body: Vec<u8>,
        digest_header: Option<&str>,
    ) -> reqwest::Result<reqwest::Response> {
        let mut request = self
            .http
            .post(url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(
                DIGEST_ALG_HEADER,
                DigestAlgorithm::HmacSha256Hex.header_value(),
            );
        if let Some(digest) = digest_header {
            request = request.header(DIGEST_HEADER, digest);
        }
        request.body(body).send().await
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path_and_query = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    let authenticated = shared.authenticate(&method, &path_and_query, &headers, &body);
    shared.records().requests.push(RecordedRequest {
        method: method.to_string(),
        path: path_and_query,
        authenticated,
    });
    if !authenticated {
        return provider_error(
            StatusCode::UNAUTHORIZED,
            "Request signature mismatch",
            Some((4003, "app-token-signature-mismatch")),
        );
    }
    let path = uri.path();
    if method == Method::POST && path == LINK_PATH {
        return create_link(&shared, &body);
    }
    if method == Method::GET {
        let id = path
            .strip_prefix(APPLICANT_PREFIX)
            .and_then(|rest| rest.strip_suffix(APPLICANT_SUFFIX));
        if let Some(id) = id {
            return match percent_decode_str(id).decode_utf8() {
                Ok(id) => applicant(&shared, &id),
                Err(_) => provider_error(StatusCode::BAD_REQUEST, "Invalid externalUserId", None),
            };
        }
    }
    provider_error(StatusCode::NOT_FOUND, "Not found", None)
}

fn create_link(shared: &Shared, body: &[u8]) -> Response {
    let request: Value = serde_json::from_slice(body).unwrap_or_default();
    let level_name = request["levelName"].as_str().filter(|s| !s.is_empty());
    let user_id = request["userId"].as_str().filter(|s| !s.is_empty());
    let (Some(level_name), Some(user_id)) = (level_name, user_id) else {
        return provider_error(
            StatusCode::BAD_REQUEST,
            "levelName and userId are required",
            None,
        );
    };
    shared.applicant(user_id, Some(level_name));
    let url = format!("{}/websdk/p/{}", shared.base_url, random_hex(32));
    (StatusCode::OK, axum::Json(json!({ "url": url }))).into_response()
}

fn applicant(shared: &Shared, external_user_id: &str) -> Response {
    let Some(applicant) = shared.records().applicants.get(external_user_id).cloned() else {
        return provider_error(
            StatusCode::NOT_FOUND,
            &format!("Applicant with external user id '{external_user_id}' not found"),
            None,
        );
    };
    let mut review = json!({
        "levelName": applicant.level_name,
        "createDate": applicant.created_at,
        "reviewStatus": status_of(&applicant),
        "priority": 0,
    });
    if let Some(answer) = applicant.review {
        review["reviewResult"] = review_result(answer);
    }
    let body = json!({
        "id": applicant.id,
        "createdAt": applicant.created_at,
        "clientId": CLIENT_ID,
        "inspectionId": applicant.inspection_id,
        "externalUserId": external_user_id,
        "levelName": applicant.level_name,
        "type": "individual",
        "review": review,
    });
    (StatusCode::OK, axum::Json(body)).into_response()
}

fn status_of(applicant: &FakeApplicant) -> &'static str {
    if applicant.review.is_some() {
        "completed"
    } else {
        "init"
    }
}

fn review_result(answer: ReviewAnswer) -> Value {
    match answer {
        ReviewAnswer::Green => json!({ "reviewAnswer": answer.as_str() }),
        ReviewAnswer::Red => json!({
            "reviewAnswer": answer.as_str(),
            "rejectLabels": ["FORGERY"],
            "reviewRejectType": "FINAL",
            "moderationComment": "We could not verify your identity.",
        }),
    }
}

/// An error in the provider's shape.
fn provider_error(status: StatusCode, description: &str, error: Option<(i64, &str)>) -> Response {
    let mut body = json!({
        "description": description,
        "code": status.as_u16(),
        "correlationId": random_hex(32),
    });
    if let Some((error_code, error_name)) = error {
        body["errorCode"] = error_code.into();
        body["errorName"] = error_name.into();
    }
    (status, axum::Json(body)).into_response()
}

/// `len` (at most 32) random lowercase hex digits.
fn random_hex(len: usize) -> String {
    uuid::Uuid::new_v4()
        .simple()
        .to_string()
        .chars()
        .take(len)
        .collect()
}

/// The provider's date-time format, e.g. `2020-02-21 13:23:19.321`.
fn timestamp() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.3f")
        .to_string()
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
