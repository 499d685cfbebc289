//! Verifying bearer JWTs issued by an OpenID Connect provider.
//!
//! - **RS256 only.** `alg: none`, HMAC (including HS256 "signed" with the public key) and anything
//!   else is refused before a key is looked at.
//! - **Claims.** `exp`, `iss`, `aud` and `sub` are required; issuer and audience must equal the
//!   configured ones; `exp` and `nbf` are checked with a configured leeway.
//! - **Keys.** The provider's JWKS is cached by `kid`. An unknown `kid` triggers at most one refresh
//!   per `jwks_refresh_min_interval` (so a flood of forged kids cannot hammer the provider), or one
//!   per second while no key was ever loaded; a failed refresh keeps the last good keys, so a
//!   provider outage does not log everyone out.
//! - **Verified tokens.** A token that passed is remembered (by its exact text, at most
//!   [`VERIFIED_TOKENS_MAX`]) until its `exp` plus the leeway: a client sends the same token with
//!   every request, and the RS256 check was a few percent of a small read's work. Only the
//!   expiry can change the answer for the same text (`nbf` was already passed); a refresh of the
//!   key set forgets every remembered token, so a key the provider withdrew refuses its tokens
//!   as before.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How many verified tokens a verifier remembers; all are forgotten when it is full.
pub const VERIFIED_TOKENS_MAX: usize = 4_096;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JwtConfig {
    pub jwks_url: String,
    pub issuer: String,
    pub audience: String,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway_secs: u64,
    /// An unknown `kid` refreshes the key set at most this often.
    pub jwks_refresh_min_interval_secs: u64,
    pub http_timeout_secs: u64,
}

impl Default for JwtConfig {
    fn default() -> Self {
        Self {
            jwks_url: String::new(),
            issuer: String::new(),
            audience: String::new(),
            leeway_secs: 30,
            jwks_refresh_min_interval_secs: 30,
            http_timeout_secs: 5,
        }
    }
}

/// Why a token was refused. Every variant means HTTP 401.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("no bearer token")]
    MissingToken,
    #[error("the token is not a well-formed JWT")]
    Malformed,
    #[error("signing algorithm {0} is not accepted")]
    UnsupportedAlgorithm(String),
    #[error("the token names no key")]
    MissingKid,
    #[error("the token was signed by an unknown key")]
    UnknownKey,
    #[error("the token signature is invalid")]
    InvalidSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token was issued by someone else")]
    WrongIssuer,
    #[error("the token is meant for another audience")]
    WrongAudience,
    #[error("the token lacks the {0} claim")]
    MissingClaim(String),
    #[error("the identity provider's keys are unavailable")]
    KeysUnavailable,
}

/// The verified claims Lana uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub iss: String,
    pub exp: i64,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
}

impl Claims {
    /// The email, only when the provider vouches for it.
    pub fn verified_email(&self) -> Option<&str> {
        self.email.as_deref().filter(|_| self.email_verified)
    }
}

#[derive(Deserialize)]
struct RawHeader {
    alg: String,
    kid: Option<String>,
}

/// The header as sent, including algorithms the JWT library has no name for (`none`).
fn read_header(token: &str) -> Result<RawHeader, AuthError> {
    use base64::Engine;
    let encoded = token.split('.').next().ok_or(AuthError::Malformed)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(encoded.trim_end_matches('='))
        .map_err(|_| AuthError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| AuthError::Malformed)
}

struct KeyCache {
    keys: HashMap<String, DecodingKey>,
    last_fetch: Option<Instant>,
}

pub struct JwtVerifier {
    config: JwtConfig,
    client: reqwest::Client,
    cache: RwLock<KeyCache>,
    refresh: tokio::sync::Mutex<()>,
    verified: RwLock<Remembered>,
}

/// Tokens that passed, under the generation of the key set they were checked against.
#[derive(Default)]
struct Remembered {
    /// Moves on with every refresh of the keys: a check that began before a refresh is not
    /// remembered after it.
    generation: u64,
    tokens: HashMap<String, Claims>,
}

impl JwtVerifier {
    pub fn new(config: JwtConfig) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(config.http_timeout_secs.max(1)))
            .build()?;
        Ok(Self {
            config,
            client,
            cache: RwLock::new(KeyCache {
                keys: HashMap::new(),
                last_fetch: None,
            }),
            refresh: tokio::sync::Mutex::new(()),
            verified: RwLock::default(),
        })
    }

    pub fn config(&self) -> &JwtConfig {
        &self.config
    }

    /// Fetches the key set now (at startup); a failure is logged, not fatal.
    pub async fn prefetch(&self) {
        let _guard = self.refresh.lock().await;
        if let Err(e) = self.fetch().await {
            tracing::warn!(url = %self.config.jwks_url, error = %e, "identity provider keys not loaded yet");
        }
    }

    pub async fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        if let Some(claims) = self.remembered(token) {
            return Ok(claims);
        }
        let generation = self.verified.read().map(|v| v.generation).ok();
        let claims = self.check(token).await?;
        if let Ok(mut verified) = self.verified.write()
            && Some(verified.generation) == generation
        {
            if verified.tokens.len() >= VERIFIED_TOKENS_MAX {
                verified.tokens.clear();
            }
            verified.tokens.insert(token.to_owned(), claims.clone());
        }
        Ok(claims)
    }

    /// The claims of a token that passed before and has not expired since.
    fn remembered(&self, token: &str) -> Option<Claims> {
        let claims = self.verified.read().ok()?.tokens.get(token).cloned()?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
        let leeway = i64::try_from(self.config.leeway_secs).ok()?;
        (i64::try_from(now).ok()? <= claims.exp.saturating_add(leeway)).then_some(claims)
    }

    /// The full check: header, key, signature and claims.
    async fn check(&self, token: &str) -> Result<Claims, AuthError> {
        let header = read_header(token)?;
        if header.alg != "RS256" {
            return Err(AuthError::UnsupportedAlgorithm(header.alg));
        }
        let kid = header.kid.ok_or(AuthError::MissingKid)?;
        let key = self.key(&kid).await?;
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = self.config.leeway_secs;
        validation.validate_nbf = true;
        // Validate on the raw claims first, so a missing claim is reported as missing rather than
        // as a shape error.
        let raw = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => AuthError::Expired,
                ErrorKind::ImmatureSignature => AuthError::NotYetValid,
                ErrorKind::InvalidIssuer => AuthError::WrongIssuer,
                ErrorKind::InvalidAudience => AuthError::WrongAudience,
                ErrorKind::MissingRequiredClaim(claim) => AuthError::MissingClaim(claim.clone()),
                ErrorKind::InvalidSignature => AuthError::InvalidSignature,
                _ => AuthError::Malformed,
            })?;
        serde_json::from_value(raw).map_err(|_| AuthError::Malformed)
    }

    fn cached(&self, kid: &str) -> Option<DecodingKey> {
        self.cache.read().ok()?.keys.get(kid).cloned()
    }

    /// Whether a refresh may happen now: once per configured interval while keys are loaded;
    /// once a second while none ever loaded (the provider was down at startup).
    fn may_refresh(&self) -> bool {
        self.cache
            .read()
            .map(|c| {
                let min = if c.keys.is_empty() {
                    Duration::from_secs(1)
                } else {
                    Duration::from_secs(self.config.jwks_refresh_min_interval_secs)
                };
                c.last_fetch.is_none_or(|at| at.elapsed() >= min)
            })
            .unwrap_or(false)
    }

    async fn key(&self, kid: &str) -> Result<DecodingKey, AuthError> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        // One refresh at a time; whoever waited re-checks the cache first.
        let _guard = self.refresh.lock().await;
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        if !self.may_refresh() {
            return Err(AuthError::UnknownKey);
        }
        match self.fetch().await {
            Ok(()) => self.cached(kid).ok_or(AuthError::UnknownKey),
            Err(e) => {
                tracing::warn!(url = %self.config.jwks_url, error = %e, "cannot refresh identity provider keys; keeping the last ones");
                let empty = self.cache.read().map(|c| c.keys.is_empty()).unwrap_or(true);
                Err(if empty {
                    AuthError::KeysUnavailable
                } else {
                    AuthError::UnknownKey
                })
            }
        }
    }

    /// Replaces the cached keys with the provider's; keeps them on any failure.
    async fn fetch(&self) -> Result<(), String> {
        let attempt = self.client.get(&self.config.jwks_url).send().await;
        if let Ok(mut cache) = self.cache.write() {
            cache.last_fetch = Some(Instant::now());
        }
        let set: JwkSet = attempt
            .and_then(|r| r.error_for_status())
            .map_err(|e| e.to_string())?
            .json()
            .await
            .map_err(|e| e.to_string())?;
        let keys: HashMap<String, DecodingKey> = set
            .keys
            .iter()
            .filter_map(|jwk| Some((jwk.common.key_id.clone()?, DecodingKey::from_jwk(jwk).ok()?)))
            .collect();
        if keys.is_empty() {
            return Err("the key set holds no usable key".into());
        }
        if let Ok(mut cache) = self.cache.write() {
            cache.keys = keys;
        }
        if let Ok(mut verified) = self.verified.write() {
            verified.tokens.clear();
            verified.generation += 1;
        }
        Ok(())
    }
}
