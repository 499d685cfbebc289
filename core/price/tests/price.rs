//! The price against the fake exchange: a good price, each bad answer refused with its reason
//! while the last good price stays, staleness, the jump bound, the manual provider, switching,
//! and the event on the outbox for each accepted price.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use bitfinex::fake::Mode;
use core_price::{Fetched, PriceProviderId, ProviderKind, UsdCentsPerBtc};
use harness::*;
use std::time::Duration;
use use_case::DomainError;

fn cents(n: u64) -> UsdCentsPerBtc {
    UsdCentsPerBtc::parse(n).unwrap()
}

#[tokio::test]
async fn bad_answers_are_refused_with_the_reason_and_the_last_good_price_stays_until_stale() {
    let h = harness().await;
    let start = h.manual.now();
    assert_eq!(
        h.prices.fetch_now(&staff()).await.unwrap(),
        Fetched::Accepted(cents(9_651_250))
    );
    let good = h.price().await;
    assert_eq!(
        (
            good.usd_cents_per_btc,
            good.source.as_str(),
            good.updated_at,
            good.stale
        ),
        (cents(9_651_250), "bitfinex", start, false)
    );
    assert_eq!(
        h.published().await,
        [(9_651_250, "bitfinex".to_owned(), start)]
    );

    // Each bad answer, a minute apart: (mode, or a price to serve; what the reason says)
    let bad: [(Option<Mode>, &str, &str); 9] = [
        // 96512.50 -> 120000.00 is 24% (more than 20) from a price a minute old
        (
            None,
            "120000",
            "24% away from the last accepted 96512.50 USD",
        ),
        (Some(Mode::Timeout), "", "no answer within 300 ms"),
        (Some(Mode::ServerError), "", "HTTP 500"),
        (Some(Mode::NotJson), "", "not JSON"),
        (Some(Mode::MissingField), "", "no last price"),
        (Some(Mode::Zero), "", "the price is zero"),
        (Some(Mode::Negative), "", "negative"),
        (Some(Mode::ErrorArray), "", "symbol: invalid"),
        (Some(Mode::RateLimit), "", "ERR_RATE_LIMIT"),
    ];
    let exchange_id = h.provider(ProviderKind::Exchange).await;
    for (mode, price, reason) in bad {
        h.advance_secs(60);
        match mode {
            Some(mode) => h.exchange.set_mode(mode),
            None => {
                h.exchange.set_mode(Mode::Normal);
                h.exchange.set_price(price);
            }
        }
        match h.prices.fetch_now(&staff()).await.unwrap() {
            Fetched::Refused(r) => assert!(r.contains(reason), "{mode:?}: {r}"),
            other => panic!("{mode:?} {price}: {other:?}"),
        }
        let kept = h.price().await;
        assert_eq!(
            (kept.usd_cents_per_btc, kept.updated_at),
            (cents(9_651_250), start)
        );
        let view = h
            .prices
            .providers(&staff())
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.id == exchange_id)
            .unwrap();
        let (refused_at, refused_because) = view.last_refusal.unwrap();
        assert_eq!(refused_at, h.manual.now());
        assert!(refused_because.contains(reason), "{refused_because}");
    }
    // Nothing refused was published.
    assert_eq!(h.published().await.len(), 1);
    // The last good price is 540 s old now, beyond the stale age (300 s): still shown, as stale.
    let stale = h.price().await;
    assert!(stale.stale);
    assert_eq!(stale.usd_cents_per_btc, cents(9_651_250));

    // Once the last good price is stale, a far price is no jump from it any more: accepted.
    h.exchange.set_mode(Mode::Normal);
    assert_eq!(
        h.prices.fetch_now(&staff()).await.unwrap(),
        Fetched::Accepted(cents(12_000_000))
    );
    let fresh = h.price().await;
    assert_eq!(
        (fresh.usd_cents_per_btc, fresh.stale),
        (cents(12_000_000), false)
    );
    assert_eq!(h.published().await.len(), 2);
    // A move within 20%: accepted.
    h.advance_secs(60);
    h.exchange.set_price("143999.99");
    assert_eq!(
        h.prices.fetch_now(&staff()).await.unwrap(),
        Fetched::Accepted(cents(14_399_999))
    );
    // Exactly at the age limit it is still fresh; one second later stale.
    h.advance_secs(300);
    assert!(!h.price().await.stale);
    h.advance_secs(1);
    assert!(h.price().await.stale);
}

#[tokio::test]
async fn the_manual_provider_and_switching_between_providers() {
    let h = harness().await;
    let (exchange, manual) = h.providers().await;
    h.prices.fetch_now(&staff()).await.unwrap();
    assert_eq!(h.published().await.len(), 1);

    // Set while the exchange is active: stored, not the bank's price, not published.
    h.advance_secs(10);
    let view = h
        .prices
        .set_manual_price(&staff(), cents(9_000_000))
        .await
        .unwrap();
    assert_eq!(view.last_price, Some((cents(9_000_000), h.manual.now())));
    assert!(!view.active);
    let price = h.price().await;
    assert_eq!(price.source, "bitfinex");
    assert_eq!(h.published().await.len(), 1);

    // Switch to manual: its price is the bank's, published; it never goes stale.
    let requests = h.exchange.requests();
    let view = h.prices.activate_provider(&staff(), manual).await.unwrap();
    assert!(view.active);
    let price = h.price().await;
    assert_eq!(
        (
            price.usd_cents_per_btc,
            price.source.as_str(),
            price.source_kind
        ),
        (cents(9_000_000), "manual", ProviderKind::Manual)
    );
    assert_eq!(h.published().await.last().unwrap().0, 9_000_000);
    h.advance_secs(86_400);
    assert!(!h.price().await.stale);
    // The exchange is not asked while manual is active.
    assert_eq!(
        h.prices.fetch_now(&staff()).await.unwrap(),
        Fetched::NotActive
    );
    assert_eq!(h.exchange.requests(), requests);
    // Setting it now changes the bank's price at once.
    h.prices
        .set_manual_price(&staff(), cents(9_100_000))
        .await
        .unwrap();
    assert_eq!(h.published().await.last().unwrap().0, 9_100_000);
    let events = h.published().await.len();
    // Activating the active one again changes nothing.
    h.prices.activate_provider(&staff(), manual).await.unwrap();
    assert_eq!(h.published().await.len(), events);

    // Back to the exchange: asked at once, its fresh price is the bank's.
    h.exchange.set_price("97000");
    let view = h
        .prices
        .activate_provider(&staff(), exchange)
        .await
        .unwrap();
    assert!(view.active);
    assert_eq!(view.last_price.unwrap().0, cents(9_700_000));
    let price = h.price().await;
    assert_eq!(
        (price.usd_cents_per_btc, price.stale),
        (cents(9_700_000), false)
    );
    let providers = h.prices.providers(&staff()).await.unwrap();
    assert_eq!(providers.iter().filter(|p| p.active).count(), 1);

    // An unknown provider is NOT_FOUND.
    let error = h
        .prices
        .activate_provider(&staff(), PriceProviderId::new())
        .await
        .unwrap_err();
    assert_eq!(error.code().as_str(), "NOT_FOUND");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_switches_leave_exactly_one_provider_active() {
    let h = harness().await;
    let (exchange, manual) = h.providers().await;
    let actor = staff();
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            h.prices.activate_provider(&actor, manual),
            h.prices.activate_provider(&actor, exchange)
        );
        a.unwrap();
        b.unwrap();
        let providers = h.prices.providers(&staff()).await.unwrap();
        assert_eq!(providers.iter().filter(|p| p.active).count(), 1);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_job_asks_the_exchange_every_interval_on_the_clock() {
    let h = harness().await;
    let runner = h.jobs.start_runner();
    let wait_for = |n: u64| {
        let exchange = &h.exchange;
        async move {
            let deadline = std::time::Instant::now() + Duration::from_secs(10);
            while exchange.requests() < n {
                assert!(
                    std::time::Instant::now() < deadline,
                    "only {} requests",
                    exchange.requests()
                );
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
    };
    // Due at once at start.
    wait_for(1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(h.exchange.requests(), 1);
    h.exchange.set_price("96600");
    h.advance_secs(60);
    wait_for(2).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        let price = h.prices.realtime_price(&staff()).await.unwrap();
        if price.is_some_and(|p| p.usd_cents_per_btc == cents(9_660_000)) {
            break;
        }
        assert!(std::time::Instant::now() < deadline);
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    runner.shutdown().await;
}
