use crate::{ReviewAnswer, SigningKeyError, SumsubConfig, SumsubError, keyed_mac};
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use reqwest::{Method, StatusCode, Url, header};
use serde::Deserialize;
use serde_json::json;
use sha2::Sha256;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const APP_TOKEN_HEADER: &str = "X-App-Token";
pub const APP_ACCESS_TS_HEADER: &str = "X-App-Access-Ts";
pub const APP_ACCESS_SIG_HEADER: &str = "X-App-Access-Sig";

/// A response body larger than this is refused rather than buffered.
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;
/// The provider's error descriptions are cut to this many characters.
const MAX_DESCRIPTION_CHARS: usize = 500;

/// Everything but the RFC 3986 unreserved characters is escaped in a path parameter, so the
/// value cannot end the `;key=value` segment and the URL parser leaves it as signed.
const PATH_PARAM: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The HMAC behind `X-App-Access-Sig`, before it is finalized (the fake server verifies it in
/// constant time).
pub(crate) fn request_mac(
    secret: &str,
    ts: u64,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Result<Hmac<Sha256>, SigningKeyError> {
    let mut mac: Hmac<Sha256> = keyed_mac(secret.as_bytes())?;
    mac.update(ts.to_string().as_bytes());
    mac.update(method.to_ascii_uppercase().as_bytes());
    mac.update(path_and_query.as_bytes());
    mac.update(body);
    Ok(mac)
}

/// `X-App-Access-Sig`: the hex `HMAC-SHA256(secret, ts + METHOD + path_and_query + body)`.
pub fn sign_request(
    secret: &str,
    ts: u64,
    method: &str,
    path_and_query: &str,
    body: &[u8],
) -> Result<String, SigningKeyError> {
    Ok(hex::encode(
        request_mac(secret, ts, method, path_and_query, body)?
            .finalize()
            .into_bytes(),
    ))
}

/// An applicant as the provider knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicant {
    /// The provider's id.
    pub id: String,
    /// Our id for the person, given when the verification link was created.
    pub external_user_id: String,
    /// `init`, `pending`, `onHold`, `completed`, ...
    pub review_status: Option<String>,
    /// Present once the review is completed.
    pub review_answer: Option<ReviewAnswer>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApplicantBody {
    id: String,
    external_user_id: String,
    review: Option<ReviewBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewBody {
    review_status: Option<String>,
    review_result: Option<ReviewResultBody>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReviewResultBody {
    review_answer: Option<ReviewAnswer>,
}

#[derive(Deserialize)]
struct LinkBody {
    url: String,
}

/// The provider's error body.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ErrorBody {
    description: String,
    code: Option<i64>,
    correlation_id: Option<String>,
}

/// Signed calls to the provider's API.
#[derive(Debug, Clone)]
pub struct SumsubClient {
    http: reqwest::Client,
    config: SumsubConfig,
}

impl SumsubClient {
    /// Refuses a configuration without credentials, with a base URL that is not http(s), with an
    /// empty level name or with a zero link lifetime or timeout.
    pub fn new(config: SumsubConfig) -> Result<Self, SumsubError> {
        let invalid = |why: &str| Err(SumsubError::Config(why.to_owned()));
        if config.app_token.is_empty() || config.secret_key.is_empty() {
            return invalid("app_token and secret_key must be set");
        }
        if config.level_name.is_empty() {
            return invalid("level_name must be set");
        }
        if config.link_ttl_secs == 0 || config.timeout_secs == 0 {
            return invalid("link_ttl_secs and timeout_secs must be positive");
        }
        match Url::parse(&config.base_url) {
            Ok(url) if matches!(url.scheme(), "http" | "https") && url.query().is_none() => {}
            _ => return invalid("base_url must be an http(s) URL without a query"),
        }
        let timeout = Duration::from_secs(config.timeout_secs);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SumsubError::Config(format!("HTTP client: {e}")))?;
        Ok(Self { http, config })
    }

    /// A link to the provider's web SDK where the person identified by `external_user_id`
    /// verifies themselves at the configured level; valid for `link_ttl_secs`. The provider
    /// creates the applicant on first use of the id and reuses it afterwards.
    pub async fn create_verification_link(
        &self,
        external_user_id: &str,
    ) -> Result<String, SumsubError> {
        let body = json!({
            "levelName": self.config.level_name,
            "userId": external_user_id,
            "ttlInSecs": self.config.link_ttl_secs,
        })
        .to_string();
        let (status, bytes) = self
            .call(
                Method::POST,
                "/resources/sdkIntegrations/levels/-/websdkLink",
                Some(body),
            )
            .await?;
        if !status.is_success() {
            return Err(api_error(status, &bytes));
        }
        let link: LinkBody = parse(&bytes)?;
        if link.url.is_empty() {
            return Err(SumsubError::BadResponse("empty verification link".into()));
        }
        Ok(link.url)
    }

    /// The applicant created for `external_user_id`, or `None` when there is none yet.
    pub async fn applicant_by_external_id(
        &self,
        external_user_id: &str,
    ) -> Result<Option<Applicant>, SumsubError> {
        let path = format!(
            "/resources/applicants/-;externalUserId={}/one",
            utf8_percent_encode(external_user_id, PATH_PARAM)
        );
        let (status, bytes) = self.call(Method::GET, &path, None).await?;
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !status.is_success() {
            return Err(api_error(status, &bytes));
        }
        let body: ApplicantBody = parse(&bytes)?;
        let review = body.review;
        Ok(Some(Applicant {
            id: body.id,
            external_user_id: body.external_user_id,
            review_status: review.as_ref().and_then(|r| r.review_status.clone()),
            review_answer: review
                .and_then(|r| r.review_result)
                .and_then(|r| r.review_answer),
        }))
    }

    /// Sends one signed request; returns the status and the (bounded) body.
    async fn call(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<String>,
    ) -> Result<(StatusCode, Vec<u8>), SumsubError> {
        let url = format!(
            "{}{path_and_query}",
            self.config.base_url.trim_end_matches('/')
        );
        let url = Url::parse(&url).map_err(|e| SumsubError::Config(format!("request URL: {e}")))?;
        // Sign what goes on the wire: the parsed URL's path and query.
        let signed_path = match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        };
        let ts = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or_default();
        let body = body.map(String::into_bytes);
        let signature = sign_request(
            &self.config.secret_key,
            ts,
            method.as_str(),
            &signed_path,
            body.as_deref().unwrap_or_default(),
        )
        .map_err(|e| SumsubError::Config(format!("secret_key: {e}")))?;
        let mut request = self
            .http
            .request(method, url)
            .header(header::ACCEPT, "application/json")
            .header(APP_TOKEN_HEADER, &self.config.app_token)
            .header(APP_ACCESS_TS_HEADER, ts.to_string())
            .header(APP_ACCESS_SIG_HEADER, signature);
        if let Some(body) = body {
            request = request
                .header(header::CONTENT_TYPE, "application/json")
                .body(body);
        }
        let mut response = request.send().await.map_err(transport)?;
        let status = response.status();
        let mut bytes = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(SumsubError::BadResponse(format!(
                    "response body larger than {MAX_RESPONSE_BYTES} bytes"
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((status, bytes))
    }
}

fn parse<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, SumsubError> {
    serde_json::from_slice(bytes).map_err(|e| SumsubError::BadResponse(e.to_string()))
}

/// An error status, described by the provider's error body when it has that shape.
fn api_error(status: StatusCode, bytes: &[u8]) -> SumsubError {
    let (code, description, correlation_id) = match serde_json::from_slice::<ErrorBody>(bytes) {
        Ok(body) => (
            body.code,
            body.description
                .chars()
                .take(MAX_DESCRIPTION_CHARS)
                .collect(),
            body.correlation_id,
        ),
        Err(_) => (
            None,
            status
                .canonical_reason()
                .unwrap_or("unknown status")
                .to_owned(),
            None,
        ),
    };
    SumsubError::Api {
        status: status.as_u16(),
        code,
        description,
        correlation_id,
    }
}

/// A transport failure, described by its causes. The URL is left out (it may hold a customer
/// id); headers, and so the credentials, never appear in these messages.
fn transport(error: reqwest::Error) -> SumsubError {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let error = error.without_url();
    let mut message = format!("{kind}: {error}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    SumsubError::Unavailable(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values computed independently:
    // python3 -c 'import hmac,hashlib;print(hmac.new(b"sumsub-secret", b"1607551635POST/resources/...", hashlib.sha256).hexdigest())'
    #[test]
    fn signs_a_post_with_body() {
        let body = br#"{"levelName":"basic-kyc-level","userId":"u1","ttlInSecs":1800}"#;
        assert_eq!(
            sign_request(
                "sumsub-secret",
                1_607_551_635,
                "POST",
                "/resources/sdkIntegrations/levels/-/websdkLink",
                body
            )
            .unwrap(),
            "17447019a414eba0096f6a86ca5ef9a59c1d74bb56a04ff4f12338b03e737c80"
        );
    }

    #[test]
    fn signs_a_get_without_body_and_uppercases_the_method() {
        let expected = "058054f61941704b52e85729418dcd7bdbc3817f8ddff52fb72e43222b418b33";
        let path = "/resources/applicants/-;externalUserId=u%201/one";
        assert_eq!(
            sign_request("sumsub-secret", 1_607_551_635, "GET", path, b"").unwrap(),
            expected
        );
        assert_eq!(
            sign_request("sumsub-secret", 1_607_551_635, "get", path, b"").unwrap(),
            expected
        );
        assert_ne!(
            sign_request("other-secret", 1_607_551_635, "GET", path, b"").unwrap(),
            expected
        );
    }

    #[test]
    fn path_parameters_are_fully_escaped() {
        let encoded = utf8_percent_encode("a b;c=d/e?f~g.h_i-j", PATH_PARAM).to_string();
        assert_eq!(encoded, "a%20b%3Bc%3Dd%2Fe%3Ff~g.h_i-j");
    }

    #[test]
    fn refuses_unusable_configurations() {
        let good = SumsubConfig {
            app_token: "t".into(),
            secret_key: "s".into(),
            ..SumsubConfig::default()
        };
        assert!(SumsubClient::new(good.clone()).is_ok());
        for bad in [
            SumsubConfig {
                secret_key: String::new(),
                ..good.clone()
            },
            SumsubConfig {
                base_url: "ftp://example.com".into(),
                ..good.clone()
            },
            SumsubConfig {
                base_url: "not a url".into(),
                ..good.clone()
            },
            SumsubConfig {
                timeout_secs: 0,
                ..good.clone()
            },
            SumsubConfig {
                level_name: String::new(),
                ..good.clone()
            },
        ] {
            let error = SumsubClient::new(bad).expect_err("refused");
            assert_eq!(error.code().as_str(), "KYC_PROVIDER_MISCONFIGURED");
        }
    }

    #[test]
    fn error_bodies_of_the_provider_shape_are_read() {
        let body = br#"{"description":"Request signature mismatch","code":401,"correlationId":"abc","errorCode":4003,"errorName":"app-token-signature-mismatch"}"#;
        assert_eq!(
            api_error(StatusCode::UNAUTHORIZED, body),
            SumsubError::Api {
                status: 401,
                code: Some(401),
                description: "Request signature mismatch".into(),
                correlation_id: Some("abc".into()),
            }
        );
        assert_eq!(
            api_error(StatusCode::BAD_GATEWAY, b"<html>bad gateway</html>"),
            SumsubError::Api {
                status: 502,
                code: None,
                description: "Bad Gateway".into(),
                correlation_id: None,
            }
        );
    }
}
