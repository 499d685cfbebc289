//! The client against the fake provider over real HTTP, and the fake's webhooks against a real
//! receiver.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use sumsub::fake::{FakeSumsub, RecordedRequest};
use sumsub::{
    DIGEST_ALG_HEADER, DIGEST_HEADER, ReviewAnswer, SumsubClient, SumsubConfig, SumsubError,
    WebhookPayload, WebhookType, verify_webhook,
};

const APP_TOKEN: &str = "sbx:app-token";
const SECRET_KEY: &str = "secret-key";
const WEBHOOK_SECRET: &str = "webhook-secret";
const LINK_PATH: &str = "/resources/sdkIntegrations/levels/-/websdkLink";

async fn fake() -> FakeSumsub {
    FakeSumsub::start(APP_TOKEN, SECRET_KEY, WEBHOOK_SECRET)
        .await
        .unwrap()
}

fn client(config: SumsubConfig) -> SumsubClient {
    SumsubClient::new(config).unwrap()
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

#[tokio::test]
async fn creates_a_verification_link_with_a_signed_request() {
    let fake = fake().await;
    let link = client(fake.config())
        .create_verification_link("customer-1")
        .await
        .unwrap();
    let prefix = format!("{}/websdk/p/", fake.base_url());
    assert!(link.starts_with(&prefix), "{link}");
    assert!(link.len() > prefix.len());
    assert_eq!(
        fake.requests(),
        [RecordedRequest {
            method: "POST".into(),
            path: LINK_PATH.into(),
            authenticated: true,
        }]
    );
}

#[tokio::test]
async fn a_wrong_secret_is_rejected_with_the_providers_error() {
    let fake = fake().await;
    let wrong = client(SumsubConfig {
        secret_key: "not-the-secret".into(),
        ..fake.config()
    });
    let error = wrong
        .create_verification_link("customer-1")
        .await
        .unwrap_err();
    match &error {
        SumsubError::Api {
            status,
            code,
            description,
            correlation_id,
        } => {
            assert_eq!(*status, 401);
            assert_eq!(*code, Some(401));
            assert_eq!(description, "Request signature mismatch");
            assert!(correlation_id.is_some());
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    assert_eq!(error.code().as_str(), "KYC_PROVIDER_REJECTED");
    assert!(!error.to_string().contains("not-the-secret"));
    assert!(!fake.requests()[0].authenticated);

    let wrong_token = client(SumsubConfig {
        app_token: "sbx:other".into(),
        ..fake.config()
    });
    let error = wrong_token
        .applicant_by_external_id("customer-1")
        .await
        .unwrap_err();
    assert!(
        matches!(error, SumsubError::Api { status: 401, .. }),
        "{error:?}"
    );
    assert_eq!(fake.requests().len(), 2);
}

/// A request signed by hand with `sign_request`: accepted when fresh, refused when stale.
#[tokio::test]
async fn the_fake_checks_the_timestamp() {
    let fake = fake().await;
    let path = "/resources/applicants/-;externalUserId=nobody/one";
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let http = reqwest::Client::new();
    for (ts, expected) in [
        (now, StatusCode::NOT_FOUND),
        (now - 600, StatusCode::UNAUTHORIZED),
        (now + 600, StatusCode::UNAUTHORIZED),
    ] {
        let response = http
            .get(format!("{}{path}", fake.base_url()))
            .header(sumsub::APP_TOKEN_HEADER, APP_TOKEN)
            .header(sumsub::APP_ACCESS_TS_HEADER, ts.to_string())
            .header(
                sumsub::APP_ACCESS_SIG_HEADER,
                sumsub::sign_request(SECRET_KEY, ts, "GET", path, b"").unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected, "ts {ts}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], expected.as_u16());
    }
    let body: serde_json::Value = http
        .get(format!("{}{path}", fake.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["errorCode"], 4003);
    assert_eq!(body["errorName"], "app-token-signature-mismatch");
}

#[tokio::test]
async fn looks_applicants_up_by_external_id() {
    let fake = fake().await;
    let client = client(fake.config());
    // Characters that must be escaped inside the `;externalUserId=` path parameter.
    let id = "customer 7/ü;x=y?z";
    assert_eq!(client.applicant_by_external_id(id).await.unwrap(), None);

    client.create_verification_link(id).await.unwrap();
    let applicant = client.applicant_by_external_id(id).await.unwrap().unwrap();
    assert_eq!(applicant.external_user_id, id);
    assert_eq!(applicant.review_status.as_deref(), Some("init"));
    assert_eq!(applicant.review_answer, None);
    assert_eq!(applicant.id.len(), 24);

    fake.set_review(id, ReviewAnswer::Red);
    let reviewed = client.applicant_by_external_id(id).await.unwrap().unwrap();
    assert_eq!(reviewed.id, applicant.id);
    assert_eq!(reviewed.review_status.as_deref(), Some("completed"));
    assert_eq!(reviewed.review_answer, Some(ReviewAnswer::Red));

    let requests = fake.requests();
    assert!(requests.iter().all(|r| r.authenticated), "{requests:?}");
    assert_eq!(
        requests[0].path,
        "/resources/applicants/-;externalUserId=customer%207%2F%C3%BC%3Bx%3Dy%3Fz/one"
    );
}

#[tokio::test]
async fn an_unreachable_provider_is_unavailable() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let client = client(SumsubConfig {
        base_url: format!("http://127.0.0.1:{port}"),
        app_token: APP_TOKEN.into(),
        secret_key: SECRET_KEY.into(),
        timeout_secs: 2,
        ..SumsubConfig::default()
    });
    let started = Instant::now();
    let error = client
        .create_verification_link("customer-1")
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(error, SumsubError::Unavailable(_)), "{error:?}");
    assert_eq!(error.code().as_str(), "KYC_PROVIDER_UNAVAILABLE");
    let message = error.to_string();
    assert!(
        !message.contains(SECRET_KEY) && !message.contains(APP_TOKEN),
        "{message}"
    );
}

#[tokio::test]
async fn a_silent_provider_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accepts connections and never answers.
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = client(SumsubConfig {
        base_url: format!("http://{addr}"),
        app_token: APP_TOKEN.into(),
        secret_key: SECRET_KEY.into(),
        timeout_secs: 1,
        ..SumsubConfig::default()
    });
    let started = Instant::now();
    let error = client
        .applicant_by_external_id("customer-1")
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_secs(1) && elapsed < Duration::from_secs(3),
        "{elapsed:?}"
    );
    match &error {
        SumsubError::Unavailable(message) => assert!(message.starts_with("timed out"), "{message}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(error.code().as_str(), "KYC_PROVIDER_UNAVAILABLE");
}

#[tokio::test]
async fn unusable_answers_are_bad_responses_and_5xx_is_unavailable() {
    let base_url = serve(
        Router::new()
            .route(LINK_PATH, post(|| async { "<html>hello</html>" }))
            .fallback(|| async { (StatusCode::SERVICE_UNAVAILABLE, "<html>down</html>") }),
    )
    .await;
    let client = client(SumsubConfig {
        base_url,
        app_token: APP_TOKEN.into(),
        secret_key: SECRET_KEY.into(),
        ..SumsubConfig::default()
    });
    let error = client
        .create_verification_link("customer-1")
        .await
        .unwrap_err();
    assert!(matches!(error, SumsubError::BadResponse(_)), "{error:?}");
    assert_eq!(error.code().as_str(), "KYC_PROVIDER_BAD_RESPONSE");

    let error = client
        .applicant_by_external_id("customer-1")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        SumsubError::Api {
            status: 503,
            code: None,
            description: "Service Unavailable".into(),
            correlation_id: None,
        }
    );
    assert_eq!(error.code().as_str(), "KYC_PROVIDER_UNAVAILABLE");
}

#[tokio::test]
async fn the_fakes_webhooks_verify() {
    let fake = fake().await;
    let client = client(fake.config());
    client.create_verification_link("customer-1").await.unwrap();
    let applicant = client
        .applicant_by_external_id("customer-1")
        .await
        .unwrap()
        .unwrap();

    let (body, digest) = fake.webhook(
        WebhookType::ApplicantReviewed,
        "customer-1",
        Some(ReviewAnswer::Red),
    );
    let payload = verify_webhook(
        WEBHOOK_SECRET,
        Some(&digest),
        Some("HMAC_SHA256_HEX"),
        &body,
    )
    .unwrap();
    assert_eq!(payload.applicant_id, applicant.id);
    assert_eq!(payload.external_user_id.as_deref(), Some("customer-1"));
    assert_eq!(payload.level_name.as_deref(), Some("basic-kyc-level"));
    assert_eq!(payload.kind, WebhookType::ApplicantReviewed);
    assert_eq!(payload.review_status.as_deref(), Some("completed"));
    let result = payload.review_result.unwrap();
    assert_eq!(result.review_answer, ReviewAnswer::Red);
    assert_eq!(result.reject_labels, ["FORGERY"]);
    assert_eq!(result.review_reject_type.as_deref(), Some("FINAL"));
    assert!(payload.inspection_id.is_some() && payload.correlation_id.is_some());
    assert!(payload.created_at_ms.is_some());
    assert_eq!(payload.raw["clientId"], "lana");
    // The webhook's answer is now the applicant's review.
    let reviewed = client
        .applicant_by_external_id("customer-1")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(reviewed.review_answer, Some(ReviewAnswer::Red));
    // Signed with the webhook secret, not another one.
    assert!(verify_webhook(SECRET_KEY, Some(&digest), None, &body).is_err());
}

#[tokio::test]
async fn the_fakes_webhooks_follow_the_review() {
    let fake = fake().await;
    let status = |kind: WebhookType, answer: Option<ReviewAnswer>| {
        let (body, digest) = fake.webhook(kind, "customer-2", answer);
        verify_webhook(WEBHOOK_SECRET, Some(&digest), None, &body).unwrap()
    };
    let created = status(WebhookType::ApplicantCreated, None);
    assert_eq!(created.review_status.as_deref(), Some("init"));
    assert_eq!(created.review_result, None);
    let pending = status(WebhookType::ApplicantPending, None);
    assert_eq!(pending.review_status.as_deref(), Some("pending"));
    assert_eq!(pending.applicant_id, created.applicant_id);
    let on_hold = status(WebhookType::ApplicantOnHold, None);
    assert_eq!(on_hold.review_status.as_deref(), Some("onHold"));

    fake.set_review("customer-2", ReviewAnswer::Green);
    let reviewed = status(WebhookType::ApplicantReviewed, None);
    assert_eq!(reviewed.review_status.as_deref(), Some("completed"));
    assert_eq!(
        reviewed.review_result.unwrap().review_answer,
        ReviewAnswer::Green
    );
    assert_ne!(reviewed.correlation_id, pending.correlation_id);
}

type Received = Arc<Mutex<Vec<WebhookPayload>>>;

async fn receive(State(received): State<Received>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match verify_webhook(
        WEBHOOK_SECRET,
        header(DIGEST_HEADER),
        header(DIGEST_ALG_HEADER),
        &body,
    ) {
        Ok(payload) => {
            received.lock().unwrap().push(payload);
            StatusCode::OK
        }
        Err(_) => StatusCode::UNAUTHORIZED,
    }
}

#[tokio::test]
async fn the_fake_sends_webhooks_over_http() {
    let fake = fake().await;
    let received = Received::default();
    let base_url = serve(
        Router::new()
            .route("/webhooks/sumsub", post(receive))
            .with_state(Arc::clone(&received)),
    )
    .await;
    let url = format!("{base_url}/webhooks/sumsub");

    let response = fake
        .send_webhook(
            &url,
            WebhookType::ApplicantReviewed,
            "customer-3",
            Some(ReviewAnswer::Green),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);

    let (body, _) = fake.webhook(WebhookType::ApplicantPending, "customer-3", None);
    let bad = "00".repeat(32);
    let response = fake.send_raw(&url, body.clone(), Some(&bad)).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let response = fake.send_raw(&url, body, None).await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);

    let received = received.lock().unwrap();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].kind, WebhookType::ApplicantReviewed);
    assert_eq!(received[0].external_user_id.as_deref(), Some("customer-3"));
    assert_eq!(
        received[0].review_result.as_ref().unwrap().review_answer,
        ReviewAnswer::Green
    );
}
