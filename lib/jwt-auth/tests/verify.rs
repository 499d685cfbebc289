//! The verifier against a local JWKS endpoint and tokens signed with test keys.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::{Json, Router, extract::State, http::StatusCode, routing::get};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use jwt_auth::{AuthError, JwtConfig, JwtVerifier};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

const ISSUER: &str = "http://idp.test/realms/internal";
const AUDIENCE: &str = "lana-admin";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn jwk(kid: &str) -> Value {
    serde_json::from_str(&fixture(&format!("{kid}.jwk.json"))).unwrap()
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn claims() -> Value {
    json!({ "sub": "alice@lana.dev", "iss": ISSUER, "aud": AUDIENCE, "exp": now() + 300, "iat": now(),
            "email": "alice@lana.dev", "email_verified": true })
}

fn sign_with(kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    let key = EncodingKey::from_rsa_pem(fixture(&format!("{kid}.pem")).as_bytes()).unwrap();
    jsonwebtoken::encode(&header, claims, &key).unwrap()
}

#[derive(Clone)]
struct Provider {
    keys: Arc<Mutex<Option<Vec<Value>>>>,
    fetches: Arc<AtomicUsize>,
}

async fn jwks(State(p): State<Provider>) -> Result<Json<Value>, StatusCode> {
    p.fetches.fetch_add(1, Ordering::SeqCst);
    match p.keys.lock().unwrap().clone() {
        Some(keys) => Ok(Json(json!({ "keys": keys }))),
        None => Err(StatusCode::SERVICE_UNAVAILABLE),
    }
}

async fn provider(keys: &[&str], refresh_interval_secs: u64) -> (Provider, JwtVerifier) {
    let p = Provider {
        keys: Arc::new(Mutex::new(Some(keys.iter().map(|k| jwk(k)).collect()))),
        fetches: Arc::default(),
    };
    let app = Router::new()
        .route("/jwks", get(jwks))
        .with_state(p.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let verifier = JwtVerifier::new(JwtConfig {
        jwks_url: url,
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        leeway_secs: 5,
        jwks_refresh_min_interval_secs: refresh_interval_secs,
        ..JwtConfig::default()
    })
    .unwrap();
    (p, verifier)
}

fn b64(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

#[tokio::test]
async fn a_valid_token_passes_and_its_claims_are_read() {
    let (_, verifier) = provider(&["test-key-1"], 30).await;
    let claims = verifier
        .verify(&sign_with("test-key-1", &claims()))
        .await
        .unwrap();
    assert_eq!(claims.sub, "alice@lana.dev");
    assert_eq!(claims.verified_email(), Some("alice@lana.dev"));
    let mut unverified = self::claims();
    unverified["email_verified"] = json!(false);
    let claims = verifier
        .verify(&sign_with("test-key-1", &unverified))
        .await
        .unwrap();
    assert_eq!(claims.verified_email(), None);
}

#[tokio::test]
async fn forged_and_invalid_tokens_are_refused() {
    let (_, verifier) = provider(&["test-key-1"], 30).await;
    let with = |f: &dyn Fn(&mut Value)| {
        let mut c = claims();
        f(&mut c);
        sign_with("test-key-1", &c)
    };
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT", "kid": "test-key-1"})),
        b64(&claims())
    );
    let hs256 = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("test-key-1".into());
        let public = fixture("test-key-1.public.pem");
        jsonwebtoken::encode(
            &header,
            &claims(),
            &EncodingKey::from_secret(public.as_bytes()),
        )
        .unwrap()
    };
    let valid = sign_with("test-key-1", &claims());
    let tampered = {
        let mut parts: Vec<String> = valid.split('.').map(str::to_owned).collect();
        let mut c = claims();
        c["sub"] = json!("mallory@lana.dev");
        parts[1] = b64(&c);
        parts.join(".")
    };
    let cases: Vec<(&str, String, AuthError)> = vec![
        (
            "alg none",
            none,
            AuthError::UnsupportedAlgorithm("none".into()),
        ),
        (
            "HS256 with the public key",
            hs256,
            AuthError::UnsupportedAlgorithm("HS256".into()),
        ),
        (
            "missing iss",
            with(&|c| {
                c.as_object_mut().unwrap().remove("iss");
            }),
            AuthError::MissingClaim("iss".into()),
        ),
        (
            "wrong iss",
            with(&|c| c["iss"] = json!("http://evil.test")),
            AuthError::WrongIssuer,
        ),
        (
            "missing aud",
            with(&|c| {
                c.as_object_mut().unwrap().remove("aud");
            }),
            AuthError::MissingClaim("aud".into()),
        ),
        (
            "wrong aud",
            with(&|c| c["aud"] = json!("lana-customer")),
            AuthError::WrongAudience,
        ),
        (
            "missing sub",
            with(&|c| {
                c.as_object_mut().unwrap().remove("sub");
            }),
            AuthError::MissingClaim("sub".into()),
        ),
        (
            "missing exp",
            with(&|c| {
                c.as_object_mut().unwrap().remove("exp");
            }),
            AuthError::MissingClaim("exp".into()),
        ),
        (
            "expired",
            with(&|c| c["exp"] = json!(now() - 60)),
            AuthError::Expired,
        ),
        (
            "nbf in the future",
            with(&|c| c["nbf"] = json!(now() + 600)),
            AuthError::NotYetValid,
        ),
        (
            "signed by an unknown key",
            sign_with("test-key-2", &claims()),
            AuthError::UnknownKey,
        ),
        ("tampered payload", tampered, AuthError::InvalidSignature),
        ("garbage", "not.a.jwt".into(), AuthError::Malformed),
        ("empty", String::new(), AuthError::Malformed),
    ];
    for (name, token, expected) in cases {
        assert_eq!(
            verifier.verify(&token).await.unwrap_err(),
            expected,
            "{name}"
        );
    }
    // Within the leeway an expired token still passes; beyond it, not.
    let recent = with(&|c| c["exp"] = json!(now() - 2));
    assert!(verifier.verify(&recent).await.is_ok());
}

#[tokio::test]
async fn an_unknown_kid_refreshes_once_per_interval_and_outages_keep_the_last_keys() {
    let (p, verifier) = provider(&["test-key-1"], 3600).await;
    verifier.prefetch().await;
    assert_eq!(p.fetches.load(Ordering::SeqCst), 1);
    assert!(
        verifier
            .verify(&sign_with("test-key-1", &claims()))
            .await
            .is_ok()
    );
    // Forged kids do not each cost a fetch.
    for _ in 0..20 {
        assert_eq!(
            verifier
                .verify(&sign_with("test-key-2", &claims()))
                .await
                .unwrap_err(),
            AuthError::UnknownKey
        );
    }
    assert_eq!(
        p.fetches.load(Ordering::SeqCst),
        1,
        "refreshed within the minimum interval"
    );

    // With a short interval, a rotated key is picked up by one refresh.
    let (p, verifier) = provider(&["test-key-1"], 0).await;
    verifier.prefetch().await;
    *p.keys.lock().unwrap() = Some(vec![jwk("test-key-1"), jwk("test-key-2")]);
    assert!(
        verifier
            .verify(&sign_with("test-key-2", &claims()))
            .await
            .is_ok()
    );
    assert_eq!(p.fetches.load(Ordering::SeqCst), 2);

    // The provider goes down: known keys keep working.
    *p.keys.lock().unwrap() = None;
    assert!(
        verifier
            .verify(&sign_with("test-key-1", &claims()))
            .await
            .is_ok()
    );
    let mut other = claims();
    other["sub"] = json!("bob@lana.dev");
    let forged_kid = {
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some("rotated-away".into());
        let key = EncodingKey::from_rsa_pem(fixture("test-key-1.pem").as_bytes()).unwrap();
        jsonwebtoken::encode(&header, &other, &key).unwrap()
    };
    assert_eq!(
        verifier.verify(&forged_kid).await.unwrap_err(),
        AuthError::UnknownKey
    );
    assert!(
        verifier
            .verify(&sign_with("test-key-2", &claims()))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn with_no_keys_ever_loaded_the_provider_being_down_is_reported() {
    let (p, verifier) = provider(&[], 0).await;
    *p.keys.lock().unwrap() = None;
    assert_eq!(
        verifier
            .verify(&sign_with("test-key-1", &claims()))
            .await
            .unwrap_err(),
        AuthError::KeysUnavailable
    );
}

#[tokio::test]
async fn keys_missing_at_startup_are_fetched_once_the_provider_is_back() {
    let (p, verifier) = provider(&["test-key-1"], 3600).await;
    *p.keys.lock().unwrap() = None;
    verifier.prefetch().await;
    *p.keys.lock().unwrap() = Some(vec![jwk("test-key-1")]);
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert!(
        verifier
            .verify(&sign_with("test-key-1", &claims()))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn a_remembered_token_still_expires_and_still_needs_its_key() {
    // Within the leeway (5 s) for one or two more seconds: accepted, then remembered.
    let mut nearly_expired = claims();
    nearly_expired["exp"] = json!(now() - 4);
    let (p, verifier) = provider(&["test-key-1"], 0).await;
    let token = sign_with("test-key-1", &nearly_expired);
    assert!(verifier.verify(&token).await.is_ok());
    assert!(verifier.verify(&token).await.is_ok());
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    assert_eq!(
        verifier.verify(&token).await.unwrap_err(),
        AuthError::Expired
    );

    // The provider withdraws the key: once the key set is refreshed, a token signed with it is
    // refused although it passed before.
    let token = sign_with("test-key-1", &claims());
    assert!(verifier.verify(&token).await.is_ok());
    *p.keys.lock().unwrap() = Some(vec![jwk("test-key-2")]);
    assert!(
        verifier
            .verify(&sign_with("test-key-2", &claims()))
            .await
            .is_ok()
    );
    assert_eq!(
        verifier.verify(&token).await.unwrap_err(),
        AuthError::UnknownKey
    );
}
