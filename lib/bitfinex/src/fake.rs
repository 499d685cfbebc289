//! A fake exchange: answers `GET /v2/ticker/tBTCUSD` like the real one, with the last price tests
//! set, or fails in each way the real one can ([`Mode`]). Control it through this handle or over
//! HTTP (`PUT /control/price` with a decimal body, `PUT /control/mode` with a mode name), which
//! is how the dev stack and process-level tests drive the `fake-exchange` binary.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How the fake answers the ticker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The ticker with the configured last price.
    Normal,
    /// No answer for a minute.
    Timeout,
    /// HTTP 500.
    ServerError,
    /// HTTP 200 with an HTML page.
    NotJson,
    /// A ticker array too short to hold a last price.
    MissingField,
    /// A last price of 0.
    Zero,
    /// A negative last price.
    Negative,
    /// `["error", 10020, "symbol: invalid"]`.
    ErrorArray,
    /// HTTP 429 with `{"error": "ERR_RATE_LIMIT"}`.
    RateLimit,
}

impl Mode {
    pub const ALL: [Mode; 9] = [
        Mode::Normal,
        Mode::Timeout,
        Mode::ServerError,
        Mode::NotJson,
        Mode::MissingField,
        Mode::Zero,
        Mode::Negative,
        Mode::ErrorArray,
        Mode::RateLimit,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Timeout => "timeout",
            Mode::ServerError => "server_error",
            Mode::NotJson => "not_json",
            Mode::MissingField => "missing_field",
            Mode::Zero => "zero",
            Mode::Negative => "negative",
            Mode::ErrorArray => "error_array",
            Mode::RateLimit => "rate_limit",
        }
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(name: &str) -> Result<Self, String> {
        Mode::ALL
            .into_iter()
            .find(|m| m.name() == name.trim())
            .ok_or_else(|| {
                let names: Vec<&str> = Mode::ALL.iter().map(|m| m.name()).collect();
                format!("unknown mode {name:?}; one of {}", names.join(", "))
            })
    }
}

struct Ticker {
    /// The last price's JSON text, exactly as it will be served.
    last_price: String,
    mode: Mode,
}

#[derive(Clone)]
struct Shared {
    ticker: Arc<Mutex<Ticker>>,
    requests: Arc<AtomicU64>,
}

/// A running fake exchange; stops when dropped.
pub struct FakeExchange {
    base_url: String,
    shared: Shared,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for FakeExchange {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeExchange {
    /// Serves on `addr` (port 0: any free port) with `last_price` (a JSON number's text).
    pub async fn start(addr: SocketAddr, last_price: &str) -> std::io::Result<Self> {
        let shared = Shared {
            ticker: Arc::new(Mutex::new(Ticker {
                last_price: last_price.to_owned(),
                mode: Mode::Normal,
            })),
            requests: Arc::default(),
        };
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let base_url = format!("http://{}", listener.local_addr()?);
        let router = Router::new()
            .route(crate::TICKER_PATH, get(ticker))
            .route("/control/price", put(set_price))
            .route("/control/mode", put(set_mode))
            .with_state(shared.clone());
        let server = tokio::spawn(async move {
            if let Err(error) = axum::serve(listener, router).await {
                eprintln!("fake exchange stopped: {error}");
            }
        });
        Ok(Self {
            base_url,
            shared,
            server,
        })
    }

    /// The base URL to configure the client (and the bank) with.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Serves `last_price` (a JSON number's text, e.g. `96512.5`) from now on.
    pub fn set_price(&self, last_price: &str) {
        if let Ok(mut t) = self.shared.ticker.lock() {
            t.last_price = last_price.to_owned();
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        if let Ok(mut t) = self.shared.ticker.lock() {
            t.mode = mode;
        }
    }

    /// Ticker requests answered (or left unanswered) so far.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

async fn ticker(State(shared): State<Shared>) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let (last, mode) = match shared.ticker.lock() {
        Ok(t) => (t.last_price.clone(), t.mode),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let json = |body: String| ([("content-type", "application/json")], body);
    let array = |last: &str| {
        json(format!(
            "[96500,5.1,96510,3.2,-1200,-0.0123,{last},1234.5,98000,95000]"
        ))
    };
    match mode {
        Mode::Normal => array(&last).into_response(),
        Mode::Timeout => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            array(&last).into_response()
        }
        Mode::ServerError => (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response(),
        Mode::NotJson => {
            ([("content-type", "text/html")], "<html>maintenance</html>").into_response()
        }
        Mode::MissingField => json("[96500,5.1,96510]".into()).into_response(),
        Mode::Zero => array("0").into_response(),
        Mode::Negative => array("-96500").into_response(),
        Mode::ErrorArray => json(r#"["error",10020,"symbol: invalid"]"#.into()).into_response(),
        Mode::RateLimit => (
            StatusCode::TOO_MANY_REQUESTS,
            json(r#"{"error":"ERR_RATE_LIMIT"}"#.into()),
        )
            .into_response(),
    }
}

async fn set_price(State(shared): State<Shared>, body: String) -> Response {
    let price = body.trim();
    if crate::parse_last_price(&format!("[0,0,0,0,0,0,{price},0,0,0]")).is_err() {
        return (
            StatusCode::BAD_REQUEST,
            format!("not a JSON number: {price:?}\n"),
        )
            .into_response();
    }
    if let Ok(mut t) = shared.ticker.lock() {
        t.last_price = price.to_owned();
    }
    (StatusCode::OK, format!("last price {price}\n")).into_response()
}

async fn set_mode(State(shared): State<Shared>, body: String) -> Response {
    match body.parse::<Mode>() {
        Ok(mode) => {
            if let Ok(mut t) = shared.ticker.lock() {
                t.mode = mode;
            }
            (StatusCode::OK, format!("mode {}\n", mode.name())).into_response()
        }
        Err(error) => (StatusCode::BAD_REQUEST, format!("{error}\n")).into_response(),
    }
}
