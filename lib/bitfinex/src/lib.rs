//! The public ticker of a Bitfinex-style exchange: `GET {base}/v2/ticker/tBTCUSD`, no
//! authentication. The answer is a flat JSON array of ten numbers (bid, bid size, ask, ask size,
//! daily change, daily change relative, **last price**, volume, high, low); errors come as
//! `["error", code, "message"]`, and the rate limit as `{"error": "ERR_RATE_LIMIT"}`.
//!
//! Only the last price is read, and it is read exactly: its JSON text is parsed as a decimal,
//! never through a float. Whether a price is acceptable (positive, not a wild jump) is the price
//! domain's call, not this client's.
//!
//! Feature `fake`: [`fake::FakeExchange`], a local server answering like the exchange with a
//! price tests set, and failing in each way the real one can; the `fake-exchange` binary runs it
//! for the dev stack.

#[cfg(feature = "fake")]
pub mod fake;

use rust_decimal::Decimal;
use serde_json::value::RawValue;
use std::time::Duration;

/// The ticker's path under the exchange's base URL.
pub const TICKER_PATH: &str = "/v2/ticker/tBTCUSD";
/// Position of the last price in the ticker array.
const LAST_PRICE: usize = 6;
/// How much of an unexpected body an error quotes.
const QUOTED: usize = 200;

/// Why no price came from the exchange.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TickerError {
    #[error("no answer within {0} ms")]
    Timeout(u128),
    #[error("cannot reach the exchange: {0}")]
    Unreachable(String),
    #[error("the exchange answered HTTP {status}: {body}")]
    Status { status: u16, body: String },
    #[error("the answer is not JSON: {0}")]
    NotJson(String),
    #[error("the exchange answered with an error: {0}")]
    ExchangeError(String),
    #[error("the answer has no last price (a number at index 6 of the ticker array): {0}")]
    MissingLastPrice(String),
    #[error("the last price {0} is not a decimal number")]
    NotANumber(String),
}

/// Reads the exchange's BTC/USD ticker.
#[derive(Clone, Debug)]
pub struct TickerClient {
    http: reqwest::Client,
    url: String,
    timeout: Duration,
}

impl TickerClient {
    /// A client of the exchange at `base_url` (e.g. `https://api-pub.bitfinex.com`), giving up on
    /// an answer after `timeout`.
    pub fn new(base_url: &str, timeout: Duration) -> Result<Self, TickerError> {
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .build()
            .map_err(|e| TickerError::Unreachable(e.to_string()))?;
        Ok(Self {
            http,
            url: format!("{}{TICKER_PATH}", base_url.trim_end_matches('/')),
            timeout,
        })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// The last traded price, in USD per BTC, exactly as the exchange wrote it.
    pub async fn last_price(&self) -> Result<Decimal, TickerError> {
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                TickerError::Timeout(self.timeout.as_millis())
            } else {
                TickerError::Unreachable(e.to_string())
            }
        };
        let response = self.http.get(&self.url).send().await.map_err(failed)?;
        let status = response.status();
        let body = response.text().await.map_err(failed)?;
        if !status.is_success() {
            // The rate limit's `{"error": ..}` and the `["error", ..]` form say more than the status.
            return Err(match parse_last_price(&body) {
                Err(e @ TickerError::ExchangeError(_)) => e,
                _ => TickerError::Status {
                    status: status.as_u16(),
                    body: quote(&body),
                },
            });
        }
        parse_last_price(&body)
    }
}

fn quote(text: &str) -> String {
    let mut quoted: String = text.chars().take(QUOTED).collect();
    if quoted.len() < text.len() {
        quoted.push('…');
    }
    quoted
}

/// The last price in a ticker answer, parsed exactly from its JSON text.
pub fn parse_last_price(body: &str) -> Result<Decimal, TickerError> {
    let not_json = |e: serde_json::Error| TickerError::NotJson(format!("{e}: {}", quote(body)));
    let whole: &RawValue = serde_json::from_str(body).map_err(not_json)?;
    let text = whole.get();
    if text.starts_with('{') {
        let object: serde_json::Map<String, serde_json::Value> =
            serde_json::from_str(text).map_err(not_json)?;
        return Err(match object.get("error") {
            Some(error) => TickerError::ExchangeError(error.to_string()),
            None => TickerError::MissingLastPrice(quote(text)),
        });
    }
    if !text.starts_with('[') {
        return Err(TickerError::MissingLastPrice(quote(text)));
    }
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(not_json)?;
    if items.first().map(|i| i.get()) == Some("\"error\"") {
        return Err(TickerError::ExchangeError(quote(text)));
    }
    let last = items
        .get(LAST_PRICE)
        .map(|i| i.get())
        .filter(|i| *i != "null")
        .ok_or_else(|| TickerError::MissingLastPrice(quote(text)))?;
    parse_decimal(last).ok_or_else(|| TickerError::NotANumber(quote(last)))
}

/// A JSON number's text as an exact decimal (`96512.5`, `-3`, `9.65125e4`); `None` for anything
/// else (strings, booleans, objects) or a number beyond a decimal's range.
fn parse_decimal(text: &str) -> Option<Decimal> {
    if text.contains(['e', 'E']) {
        Decimal::from_scientific(text).ok()
    } else if text.starts_with(['-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9']) {
        Decimal::from_str_exact(text).ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    #[test]
    fn the_last_price_is_read_exactly_from_its_text() {
        let cases = [
            (
                "[96500,5.1,96510,3.2,-1200,-0.0123,96512.5,1234.5,98000,95000]",
                "96512.5",
            ),
            (
                "[1,1,1,1,1,1,96512.123456789012345678,1,1,1]",
                "96512.123456789012345678",
            ),
            ("[1,1,1,1,1,1,9.6512e4,1,1,1]", "96512"),
            ("[1,1,1,1,1,1,-5,1,1,1]", "-5"),
            ("[1,1,1,1,1,1,0,1,1,1]", "0"),
            (" [1,1,1,1,1,1,0.1,1,1,1] ", "0.1"),
        ];
        for (body, expected) in cases {
            assert_eq!(
                parse_last_price(body).unwrap(),
                Decimal::from_str(expected).unwrap(),
                "{body}"
            );
        }
        // 0.1 is not 0.1000000000000000055511151231257827 (what a float would give)
        assert_eq!(
            parse_last_price("[1,1,1,1,1,1,0.1,1,1,1]")
                .unwrap()
                .to_string(),
            "0.1"
        );
    }

    /// Whether an error is the one expected.
    type Check = fn(&TickerError) -> bool;

    #[test]
    fn every_other_answer_is_refused_with_the_reason() {
        let cases: [(&str, Check); 9] = [
            ("<html>maintenance</html>", |e| {
                matches!(e, TickerError::NotJson(_))
            }),
            ("", |e| matches!(e, TickerError::NotJson(_))),
            ("[1,2,3]", |e| matches!(e, TickerError::MissingLastPrice(_))),
            ("[1,1,1,1,1,1,null,1,1,1]", |e| {
                matches!(e, TickerError::MissingLastPrice(_))
            }),
            ("[1,1,1,1,1,1,\"96500\",1,1,1]", |e| {
                matches!(e, TickerError::NotANumber(_))
            }),
            ("[1,1,1,1,1,1,true,1,1,1]", |e| {
                matches!(e, TickerError::NotANumber(_))
            }),
            (
                "[\"error\",10020,\"symbol: invalid\"]",
                |e| matches!(e, TickerError::ExchangeError(m) if m.contains("symbol: invalid")),
            ),
            (
                "{\"error\":\"ERR_RATE_LIMIT\"}",
                |e| matches!(e, TickerError::ExchangeError(m) if m.contains("ERR_RATE_LIMIT")),
            ),
            ("{\"last\":1}", |e| {
                matches!(e, TickerError::MissingLastPrice(_))
            }),
        ];
        for (body, expected) in cases {
            let error = parse_last_price(body).unwrap_err();
            assert!(expected(&error), "{body}: {error:?}");
        }
    }
}
