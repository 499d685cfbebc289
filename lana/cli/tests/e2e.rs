//! End to end: PostgreSQL, the development OIDC provider and lana-cli as real processes; real
//! tokens; GraphQL over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Stack, role_id};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

const SUPERUSER: &str = "root@lana.test";

const USER_CREATE: &str = "mutation($input: UserCreateInput!) { userCreate(input: $input) { user { id email role { name } } } }";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn staff_access_scenario_with_audit() {
    let stack = Stack::start(SUPERUSER).await;
    let root = stack.token("internal", SUPERUSER).await;

    // The superuser logs in and creates a bank manager and an accountant.
    let me = stack
        .admin(
            &root,
            "{ me { user { email role { name } } permissions { object action } } }",
            json!({}),
        )
        .await;
    assert_eq!(me.data()["me"]["user"]["role"]["name"], "superuser");
    let bank_manager = role_id(&stack, &root, "bank-manager").await;
    let created = stack
        .admin(
            &root,
            USER_CREATE,
            json!({ "input": { "email": "Manager@Lana.test", "roleId": bank_manager } }),
        )
        .await;
    assert_eq!(created.status, 200);
    assert_eq!(
        created.data()["userCreate"]["user"]["email"],
        "manager@lana.test"
    );
    assert_eq!(
        created.data()["userCreate"]["user"]["role"]["name"],
        "bank-manager"
    );
    let accountant_role = role_id(&stack, &root, "accountant").await;
    let accountant = stack
        .admin(
            &root,
            USER_CREATE,
            json!({ "input": { "email": "books@lana.test", "roleId": accountant_role } }),
        )
        .await;
    accountant.data();

    // Creating the same email again is a coded error.
    let duplicate = stack
        .admin(
            &root,
            USER_CREATE,
            json!({ "input": { "email": "manager@lana.test", "roleId": bank_manager } }),
        )
        .await;
    assert_eq!(duplicate.error_code(), "EMAIL_TAKEN");
    let invalid = stack
        .admin(
            &root,
            USER_CREATE,
            json!({ "input": { "email": "not an email", "roleId": bank_manager } }),
        )
        .await;
    assert_eq!(invalid.error_code(), "INVALID_INPUT");

    // The bank manager logs in and sees their permissions.
    let manager = stack.token("internal", "manager@lana.test").await;
    let me = stack
        .admin(
            &manager,
            "{ me { user { email role { name } } permissions { object action } } }",
            json!({}),
        )
        .await;
    assert_eq!(me.data()["me"]["user"]["email"], "manager@lana.test");
    let permissions = me.data()["me"]["permissions"].as_array().unwrap();
    let has = |object: &str, action: &str| {
        permissions
            .iter()
            .any(|p| p["object"] == object && p["action"] == action)
    };
    assert!(has("customer/*", "customer:write") && has("access/*", "access:read"));
    assert!(!has("access/*", "access:write"));

    // The accountant is refused userCreate: a code, and a denied audit row.
    let books = stack.token("internal", "books@lana.test").await;
    let refused = stack
        .admin(
            &books,
            USER_CREATE,
            json!({ "input": { "email": "intruder@lana.test", "roleId": bank_manager } }),
        )
        .await;
    assert_eq!(refused.error_code(), "NOT_AUTHORIZED", "{}", refused.body);
    assert!(refused.body["errors"][0]["extensions"]["correlationId"].is_string());
    assert!(refused.body["data"].is_null());

    // The audit query shows both decisions.
    let audit = stack
        .admin(
            &root,
            "query($f: AuditFilter) { audit(filter: $f, first: 100) { nodes { subject object action authorized } } }",
            json!({ "f": { "action": "access:write", "object": "access/user" } }),
        )
        .await;
    let entries = audit.data()["audit"]["nodes"].as_array().unwrap().clone();
    assert!(
        entries.iter().any(|e| e["authorized"] == true),
        "{entries:?}"
    );
    let denied: Vec<&Value> = entries
        .iter()
        .filter(|e| e["authorized"] == false)
        .collect();
    assert_eq!(denied.len(), 1, "{entries:?}");
    let books_id = accountant.data()["userCreate"]["user"]["id"]
        .as_str()
        .unwrap();
    assert_eq!(denied[0]["subject"], format!("user:{books_id}"));
    // And it is in the database, append-only.
    let rows: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_entries WHERE NOT authorized AND action = 'access:write'",
    )
    .fetch_one(&stack.db.pool)
    .await
    .unwrap();
    assert_eq!(rows, 1);

    // An identity with no staff user gets nothing.
    let stranger = stack.token("internal", "stranger@lana.test").await;
    let reply = stack
        .admin(&stranger, "{ me { user { email } } }", json!({}))
        .await;
    assert_eq!((reply.status, reply.error_code()), (403, "FORBIDDEN"));
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn b64(value: &Value) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

fn forge(key: &EncodingKey, kid: &str, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.into());
    jsonwebtoken::encode(&header, claims, key).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_rejection_suite() {
    let stack = Stack::start(SUPERUSER).await;
    let iss = format!("http://127.0.0.1:{}/realms/internal", stack.oidc_port);
    let key = stack.signing_key("internal");
    let good = json!({ "sub": SUPERUSER, "email": SUPERUSER, "email_verified": true, "iss": iss,
                       "aud": "lana-admin", "exp": now() + 300, "iat": now() });
    let with = |f: &dyn Fn(&mut Value)| {
        let mut claims = good.clone();
        f(&mut claims);
        forge(&key, "internal-1", &claims)
    };
    let public_pem_hs256 = {
        // HS256 "signed" with the provider's public key material, the classic confusion attack.
        let jwks: Value = reqwest::get(format!("{iss}/jwks"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("internal-1".into());
        let secret = serde_json::to_vec(&jwks["keys"][0]).unwrap();
        jsonwebtoken::encode(&header, &good, &EncodingKey::from_secret(&secret)).unwrap()
    };
    let cases: Vec<(&str, Option<String>)> = vec![
        (
            "alg none",
            Some(format!(
                "{}.{}.",
                b64(&json!({"alg": "none", "kid": "internal-1"})),
                b64(&good)
            )),
        ),
        ("HS256 with the public key", Some(public_pem_hs256)),
        (
            "missing iss",
            Some(with(&|c| {
                c.as_object_mut().unwrap().remove("iss");
            })),
        ),
        (
            "wrong iss",
            Some(with(&|c| {
                c["iss"] = json!("http://127.0.0.1:1/realms/internal")
            })),
        ),
        (
            "missing aud",
            Some(with(&|c| {
                c.as_object_mut().unwrap().remove("aud");
            })),
        ),
        (
            "wrong aud",
            Some(with(&|c| c["aud"] = json!("lana-customer"))),
        ),
        ("expired", Some(with(&|c| c["exp"] = json!(now() - 3600)))),
        (
            "nbf in the future",
            Some(with(&|c| c["nbf"] = json!(now() + 3600))),
        ),
        ("unknown kid", Some(forge(&key, "rotated-away", &good))),
        (
            "customer token on admin-server",
            Some(stack.token("customer", SUPERUSER).await),
        ),
        ("garbage", Some("garbage".into())),
        ("no header", None),
    ];
    let query = serde_json::to_vec(&json!({ "query": "{ me { user { email } } }" })).unwrap();
    for (name, token) in &cases {
        let reply = stack
            .post(stack.admin_port, token.as_deref(), query.clone())
            .await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (401, "UNAUTHENTICATED"),
            "{name}: {}",
            reply.body
        );
    }
    let staff_on_customer = stack.token("internal", SUPERUSER).await;
    let reply = stack
        .customer(&staff_on_customer, "{ me { subject } }")
        .await;
    assert_eq!(
        (reply.status, reply.error_code()),
        (401, "UNAUTHENTICATED"),
        "staff token on customer-server"
    );

    // Valid tokens pass: forged with the right key and claims, and issued by the provider.
    let reply = stack
        .post(stack.admin_port, Some(&with(&|_| {})), query.clone())
        .await;
    assert_eq!(reply.data()["me"]["user"]["email"], SUPERUSER);
    let customer = stack.token("customer", "alice@example.com").await;
    let reply = stack.customer(&customer, "{ me { subject email } }").await;
    assert_eq!(reply.data()["me"]["email"], "alice@example.com");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graphql_abuse_is_refused_before_any_resolver_runs() {
    let stack = Stack::start(SUPERUSER).await;
    let root = stack.token("internal", SUPERUSER).await;
    // Warm up: the first request links the token's subject to the user.
    stack
        .admin(&root, "{ me { user { email } } }", json!({}))
        .await
        .data();
    // the requests' own entries (background jobs and reactions audit as `system:*`, any time)
    let audit_rows = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM audit_entries WHERE subject NOT LIKE 'system:%'",
        )
        .fetch_one(&stack.db.pool)
        .await
        .unwrap()
    };
    let before = audit_rows().await;

    // eleven levels of data fields (unknown ones: depth is checked before the schema is)
    let deep = format!("{{ {}id{} }}", "a { ".repeat(10), " }".repeat(10));
    let wide = (0..8)
        .map(|i| format!("u{i}: users(first: 100) {{ nodes {{ id email roleId createdAt }} }}"))
        .collect::<Vec<_>>()
        .join(" ");
    let cases: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("depth over the limit", serde_json::to_vec(&json!({ "query": deep })).unwrap(), 400, "QUERY_TOO_DEEP"),
        ("complexity over the limit", serde_json::to_vec(&json!({ "query": format!("{{ {wide} }}") })).unwrap(), 400, "QUERY_TOO_COMPLEX"),
        ("first: 100000", serde_json::to_vec(&json!({ "query": "{ users(first: 100000) { nodes { id } } }" })).unwrap(), 400, "QUERY_TOO_COMPLEX"),
        ("a 1 MB body", serde_json::to_vec(&json!({ "query": format!("{{ me {{ user {{ email }} }} }} #{}", "x".repeat(1 << 20)) })).unwrap(), 413, "PAYLOAD_TOO_LARGE"),
        ("a batched array", serde_json::to_vec(&json!([{ "query": "{ me { user { email } } }" }, { "query": "{ me { user { email } } }" }])).unwrap(), 400, "BATCH_NOT_SUPPORTED"),
        ("not JSON", b"{ me }".to_vec(), 400, "BAD_REQUEST"),
        ("a syntax error", serde_json::to_vec(&json!({ "query": "{ me { user " })).unwrap(), 400, "GRAPHQL_PARSE_FAILED"),
        ("an unknown field", serde_json::to_vec(&json!({ "query": "{ nope }" })).unwrap(), 400, "GRAPHQL_VALIDATION_FAILED"),
    ];
    for (name, body, status, code) in cases {
        let reply = stack.post(stack.admin_port, Some(&root), body).await;
        assert_eq!(
            (reply.status, reply.error_code()),
            (status, code),
            "{name}: {}",
            reply.body
        );
    }
    assert_eq!(
        audit_rows().await,
        before,
        "a refused request reached a resolver"
    );

    // Arguments out of range are coded too, and a bad cursor.
    let reply = stack
        .admin(&root, "{ users(first: 0) { nodes { id } } }", json!({}))
        .await;
    assert_eq!(reply.error_code(), "INVALID_INPUT", "{}", reply.body);
    let reply = stack
        .admin(
            &root,
            "{ users(first: 5, after: \"bogus\") { nodes { id } } }",
            json!({}),
        )
        .await;
    assert_eq!(reply.error_code(), "INVALID_CURSOR", "{}", reply.body);
}
