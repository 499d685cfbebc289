//! The client against the fake exchange over real HTTP: the price, then each way the exchange
//! fails, each refused with its reason.
#![allow(clippy::unwrap_used)]

use bitfinex::fake::{FakeExchange, Mode};
use bitfinex::{TickerClient, TickerError};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::time::Duration;

/// Whether an error is the one expected.
type Check = fn(&TickerError) -> bool;

#[tokio::test]
async fn the_client_reads_the_price_and_names_each_failure() {
    let exchange = FakeExchange::start(([127, 0, 0, 1], 0).into(), "96512.5")
        .await
        .unwrap();
    let client = TickerClient::new(exchange.base_url(), Duration::from_millis(300)).unwrap();
    assert_eq!(
        client.last_price().await.unwrap(),
        Decimal::from_str("96512.5").unwrap()
    );
    exchange.set_price("101000.01");
    assert_eq!(
        client.last_price().await.unwrap(),
        Decimal::from_str("101000.01").unwrap()
    );

    let expectations: [(Mode, Check); 8] = [
        (Mode::Timeout, |e| matches!(e, TickerError::Timeout(300))),
        (Mode::ServerError, |e| {
            matches!(e, TickerError::Status { status: 500, .. })
        }),
        (Mode::NotJson, |e| matches!(e, TickerError::NotJson(_))),
        (Mode::MissingField, |e| {
            matches!(e, TickerError::MissingLastPrice(_))
        }),
        // Zero and negative are numbers; the price domain refuses them.
        (Mode::Zero, |e| unreachable!("{e}")),
        (Mode::Negative, |e| unreachable!("{e}")),
        (
            Mode::ErrorArray,
            |e| matches!(e, TickerError::ExchangeError(m) if m.contains("10020")),
        ),
        (
            Mode::RateLimit,
            |e| matches!(e, TickerError::ExchangeError(m) if m.contains("ERR_RATE_LIMIT")),
        ),
    ];
    for (mode, expected) in expectations {
        exchange.set_mode(mode);
        match (mode, client.last_price().await) {
            (Mode::Zero, Ok(p)) => assert!(p.is_zero()),
            (Mode::Negative, Ok(p)) => assert!(p.is_sign_negative()),
            (_, Err(e)) => assert!(expected(&e), "{mode:?}: {e:?}"),
            (_, Ok(p)) => panic!("{mode:?} answered {p}"),
        }
    }
    exchange.set_mode(Mode::Normal);
    assert!(client.last_price().await.is_ok());
    assert_eq!(exchange.requests(), 11);

    // Nobody listening.
    drop(exchange);
    let error = client.last_price().await.unwrap_err();
    assert!(
        matches!(error, TickerError::Unreachable(_) | TickerError::Timeout(_)),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_fake_is_controlled_over_http() {
    let exchange = FakeExchange::start(([127, 0, 0, 1], 0).into(), "96500")
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let put = |path: &str, body: &str| {
        http.put(format!("{}{path}", exchange.base_url()))
            .body(body.to_owned())
            .send()
    };
    assert_eq!(
        put("/control/price", "97000.25").await.unwrap().status(),
        200
    );
    assert_eq!(put("/control/price", "lots").await.unwrap().status(), 400);
    let client = TickerClient::new(exchange.base_url(), Duration::from_secs(2)).unwrap();
    assert_eq!(
        client.last_price().await.unwrap(),
        Decimal::from_str("97000.25").unwrap()
    );
    assert_eq!(
        put("/control/mode", "server_error").await.unwrap().status(),
        200
    );
    assert!(client.last_price().await.is_err());
    let refused = put("/control/mode", "sideways").await.unwrap();
    assert_eq!(refused.status(), 400);
    assert!(refused.text().await.unwrap().contains("normal"));
}
