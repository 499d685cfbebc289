//! Webhook signature verification and payload parsing. The expected digests were computed
//! independently with Python: `hmac.new(b"webhook-secret", BODY, hashlib.sha1/sha256/sha512)`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use sumsub::{ReviewAnswer, WebhookError, WebhookPayload, WebhookType, verify_webhook};

const SECRET: &str = "webhook-secret";
const BODY: &str = r#"{"applicantId":"5cb56e8e0a975a35f333cb83","inspectionId":"5cb56e8e0a975a35f333cb84","correlationId":"req-a260b669-4f14-4bb5-a4c5-ac0218acb9a4","externalUserId":"customer-1","levelName":"basic-kyc-level","type":"applicantReviewed","reviewResult":{"reviewAnswer":"GREEN"},"reviewStatus":"completed","createdAtMs":"2020-02-21 13:23:19.321"}"#;
const SHA1: &str = "4b958aeb1661692c77f0a0080eadccbbbc228625";
const SHA256: &str = "2bff60e8775498f8c5aa73e546098ad8debeb8e222824be010bb73354aa92f53";
const SHA512: &str = "4eadd8ce2bd334df7aaf2c41e830fe3792e03e61bd068ba1d46141adbf7dffb3c39c9a8cb9d2737f641a055f679ff5a8abb403580d01d9f4adf7626faedb3e63";

fn verify(
    digest: Option<&str>,
    alg: Option<&str>,
    body: &str,
) -> Result<WebhookPayload, WebhookError> {
    verify_webhook(SECRET, digest, alg, body.as_bytes())
}

#[test]
fn accepts_each_documented_algorithm() {
    for (digest, alg) in [
        (SHA1, Some("HMAC_SHA1_HEX")),
        (SHA256, Some("HMAC_SHA256_HEX")),
        (SHA256, None),
        (SHA512, Some("HMAC_SHA512_HEX")),
    ] {
        let payload = verify(Some(digest), alg, BODY).unwrap();
        assert_eq!(payload.kind, WebhookType::ApplicantReviewed, "{alg:?}");
    }
    // Hex is case-insensitive.
    assert!(verify(Some(&SHA256.to_uppercase()), None, BODY).is_ok());
}

#[test]
fn parses_the_payload() {
    let payload = verify(Some(SHA256), None, BODY).unwrap();
    assert_eq!(payload.applicant_id, "5cb56e8e0a975a35f333cb83");
    assert_eq!(
        payload.inspection_id.as_deref(),
        Some("5cb56e8e0a975a35f333cb84")
    );
    assert_eq!(
        payload.correlation_id.as_deref(),
        Some("req-a260b669-4f14-4bb5-a4c5-ac0218acb9a4")
    );
    assert_eq!(payload.external_user_id.as_deref(), Some("customer-1"));
    assert_eq!(payload.level_name.as_deref(), Some("basic-kyc-level"));
    assert_eq!(payload.review_status.as_deref(), Some("completed"));
    let result = payload.review_result.as_ref().unwrap();
    assert_eq!(result.review_answer, ReviewAnswer::Green);
    assert!(result.reject_labels.is_empty());
    assert_eq!(result.review_reject_type, None);
    assert_eq!(
        payload.created_at_ms.as_deref(),
        Some("2020-02-21 13:23:19.321")
    );
    assert_eq!(payload.sandbox_mode, None);
    assert_eq!(payload.raw["levelName"], "basic-kyc-level");
}

#[test]
fn idempotency_key_is_the_sha256_of_the_raw_body() {
    // python3 -c 'import hashlib; print(hashlib.sha256(BODY).hexdigest())'
    assert_eq!(
        WebhookPayload::idempotency_key(BODY.as_bytes()),
        "7bfe6bfb1fef7c8c833f7fdd8e7d57b71b37a54ac6f618473710c7abf4f7c952"
    );
    let reformatted = BODY.replace(',', ", ");
    assert_ne!(
        WebhookPayload::idempotency_key(reformatted.as_bytes()),
        WebhookPayload::idempotency_key(BODY.as_bytes())
    );
}

#[test]
fn rejects_a_tampered_body() {
    let tampered = BODY.replace("GREEN", "RED");
    let error = verify(Some(SHA256), None, &tampered).unwrap_err();
    assert_eq!(error, WebhookError::BadSignature);
    assert_eq!(error.code().as_str(), "WEBHOOK_SIGNATURE_INVALID");
}

#[test]
fn rejects_a_digest_made_with_another_secret_or_algorithm() {
    let error = verify_webhook("other-secret", Some(SHA256), None, BODY.as_bytes()).unwrap_err();
    assert_eq!(error, WebhookError::BadSignature);
    // A SHA-1 digest presented as SHA-256, and a truncated digest.
    assert_eq!(
        verify(Some(SHA1), None, BODY).unwrap_err(),
        WebhookError::BadSignature
    );
    assert_eq!(
        verify(Some(&SHA256[..40]), None, BODY).unwrap_err(),
        WebhookError::BadSignature
    );
    assert_eq!(
        verify(Some("not hex"), None, BODY).unwrap_err(),
        WebhookError::BadSignature
    );
}

#[test]
fn rejects_a_missing_signature() {
    for digest in [None, Some(""), Some("  ")] {
        let error = verify(digest, None, BODY).unwrap_err();
        assert_eq!(error, WebhookError::MissingSignature);
        assert_eq!(error.code().as_str(), "WEBHOOK_SIGNATURE_MISSING");
    }
}

#[test]
fn rejects_an_unknown_algorithm() {
    let error = verify(Some(SHA256), Some("HMAC_MD5_HEX"), BODY).unwrap_err();
    assert_eq!(
        error,
        WebhookError::UnsupportedAlgorithm("HMAC_MD5_HEX".into())
    );
    assert_eq!(
        error.code().as_str(),
        "WEBHOOK_SIGNATURE_ALGORITHM_UNSUPPORTED"
    );
}

#[test]
fn refuses_everything_without_a_secret() {
    let error = verify_webhook("", Some(SHA256), None, BODY.as_bytes()).unwrap_err();
    assert_eq!(error, WebhookError::NoSecretConfigured);
    assert_eq!(error.code().as_str(), "WEBHOOK_SECRET_NOT_CONFIGURED");
}

fn signed(body: &str) -> Result<WebhookPayload, WebhookError> {
    let digest = sumsub::sign_webhook(
        SECRET,
        sumsub::DigestAlgorithm::HmacSha256Hex,
        body.as_bytes(),
    )
    .unwrap();
    verify(Some(&digest), None, body)
}

#[test]
fn sign_webhook_matches_the_independent_digests() {
    use sumsub::DigestAlgorithm::*;
    for (algorithm, expected) in [
        (HmacSha1Hex, SHA1),
        (HmacSha256Hex, SHA256),
        (HmacSha512Hex, SHA512),
    ] {
        assert_eq!(
            sumsub::sign_webhook(SECRET, algorithm, BODY.as_bytes()).unwrap(),
            expected
        );
    }
}

#[test]
fn rejects_malformed_payloads_that_are_correctly_signed() {
    for body in [
        "not json",
        "[]",
        r#"{"type":"applicantReviewed"}"#,
        r#"{"applicantId":"a"}"#,
        r#"{"applicantId":"a","type":"applicantReviewed","reviewResult":{"reviewAnswer":"BLUE"}}"#,
        r#"{"applicantId":"a","type":"applicantReviewed","createdAtMs":{"at":1}}"#,
    ] {
        let error = signed(body).unwrap_err();
        assert!(
            matches!(error, WebhookError::Malformed(_)),
            "{body}: {error:?}"
        );
        assert_eq!(error.code().as_str(), "WEBHOOK_MALFORMED");
    }
}

#[test]
fn unknown_types_and_extra_fields_parse() {
    let payload = signed(
        r#"{"applicantId":"a","type":"applicantWorkflowCompleted","somethingNew":{"x":1},"createdAtMs":1582291399321,"sandboxMode":true}"#,
    )
    .unwrap();
    assert_eq!(
        payload.kind,
        WebhookType::Other("applicantWorkflowCompleted".into())
    );
    assert_eq!(payload.kind.as_str(), "applicantWorkflowCompleted");
    assert_eq!(payload.created_at_ms.as_deref(), Some("1582291399321"));
    assert_eq!(payload.sandbox_mode, Some(true));
    assert_eq!(payload.raw["somethingNew"]["x"], 1);
}

#[test]
fn known_types_and_rejections_parse() {
    for (name, kind) in [
        ("applicantCreated", WebhookType::ApplicantCreated),
        ("applicantPending", WebhookType::ApplicantPending),
        ("applicantOnHold", WebhookType::ApplicantOnHold),
        ("applicantReviewed", WebhookType::ApplicantReviewed),
        (
            "applicantPersonalInfoChanged",
            WebhookType::ApplicantPersonalInfoChanged,
        ),
    ] {
        let payload = signed(&format!(r#"{{"applicantId":"a","type":"{name}"}}"#)).unwrap();
        assert_eq!(payload.kind, kind);
        assert_eq!(payload.kind.as_str(), name);
    }
    let payload = signed(
        r#"{"applicantId":"a","type":"applicantReviewed","reviewStatus":"completed","reviewResult":{"reviewAnswer":"RED","rejectLabels":["FORGERY","SELFIE_MISMATCH"],"reviewRejectType":"FINAL"}}"#,
    )
    .unwrap();
    let result = payload.review_result.unwrap();
    assert_eq!(result.review_answer, ReviewAnswer::Red);
    assert_eq!(result.reject_labels, ["FORGERY", "SELFIE_MISMATCH"]);
    assert_eq!(result.review_reject_type.as_deref(), Some("FINAL"));
}
