//! Domain settings and the deposit activity classes at each end of day, on the manual clock
//! advanced day by day through business time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use authz::Actor;
use chrono::{NaiveDate, TimeZone, Utc};
use clock::Clock;
use core_customer::{CustomerType, ProspectInput, TelegramHandle};
use core_deposit::{Activity, Amount, Reference};
use core_domain_config::DomainConfigError;
use core_price::{PriceConfig, ProviderKind};
use core_time::{AdvanceDays, ClockKind, TimeConfig};
use es::EsEntity;
use lana_app::{AppConfig, LanaApp};
use serde_json::json;
use use_case::DomainError;

fn system() -> Actor {
    Actor::system("test")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_are_validated_and_drive_the_end_of_day_activity_classes() {
    let db = test_db::TestDb::new(&es::migrations::combine(&[]).await.unwrap()).await;
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 10, 0, 0).unwrap();
    let (clock, manual) = Clock::manual(start);
    let config = AppConfig {
        // Business days end at midnight UTC; the clock is advanced through business time.
        time: TimeConfig {
            clock: ClockKind::Manual,
            manual_start_date: NaiveDate::from_ymd_opt(2026, 1, 1),
            ..TimeConfig::default()
        },
        // No exchange is asked here.
        price: PriceConfig {
            initial_provider: ProviderKind::Manual,
            ..PriceConfig::default()
        },
        ..AppConfig::for_database(db.url())
    };
    let app = LanaApp::init(&config, clock).await.unwrap();
    app.attach_manual_clock(manual).await.unwrap();
    let configs = app.configs();

    // typed keys: unknown keys and invalid values are refused with codes
    let unknown = configs
        .update(&system(), "no-such-key", json!(1))
        .await
        .unwrap_err();
    assert!(matches!(unknown, DomainConfigError::UnknownKey(_)));
    assert_eq!(unknown.code().as_str(), "UNKNOWN_SETTING");
    for bad in [json!(0), json!(-1), json!("30"), json!(3651), json!(null)] {
        let err = configs
            .update(&system(), "deposit-inactive-after-days", bad.clone())
            .await
            .unwrap_err();
        assert_eq!(err.code().as_str(), "INVALID_INPUT", "{bad}");
    }
    let listed = configs.list(&system()).await.unwrap();
    let inactive = listed
        .iter()
        .find(|s| s.key == "deposit-inactive-after-days")
        .unwrap();
    assert_eq!(
        (inactive.value.clone(), inactive.updated_at),
        (json!(365), None)
    );
    configs
        .update(&system(), "deposit-inactive-after-days", json!(30))
        .await
        .unwrap();
    configs
        .update(
            &system(),
            "deposit-escheatable-after-inactive-days",
            json!(60),
        )
        .await
        .unwrap();
    configs
        .update(&system(), "customer-manual-conversion-allowed", json!(true))
        .await
        .unwrap();
    let listed = configs.list(&system()).await.unwrap();
    let inactive = listed
        .iter()
        .find(|s| s.key == "deposit-inactive-after-days")
        .unwrap();
    assert_eq!(inactive.value, json!(30));
    assert_eq!(inactive.default, json!(365));
    assert!(inactive.updated_at.is_some());

    let prospect = app
        .customers()
        .create_prospect(
            &system(),
            ProspectInput {
                email: email::Email::parse("eve@bank.test").unwrap(),
                telegram_handle: TelegramHandle::parse("eve_tg").unwrap(),
                customer_type: CustomerType::Individual,
            },
        )
        .await
        .unwrap();
    let customer = app
        .customers()
        .convert_prospect(&system(), prospect.id())
        .await
        .unwrap();
    let account = app
        .deposits()
        .create_account(&system(), customer.id())
        .await
        .unwrap();
    let background = app.start_background();

    let activity = || async {
        app.deposits()
            .find_account(&system(), account.id())
            .await
            .unwrap()
            .unwrap()
            .activity
    };
    // Each advance returns once the day's end-of-day work is done.
    let app = &app;
    let advance = |days: i64| async move {
        let advanced = app
            .time()
            .advance_days(&system(), AdvanceDays::parse(days).unwrap())
            .await
            .unwrap();
        assert!(advanced.behind.is_empty(), "{:?}", advanced.behind);
        advanced
    };

    // Opened at 10:00 on 1 January. The end of 30 January (midnight) is 29 days and 14 hours
    // later: still active; the end of 31 January, 30 days and 14 hours: inactive.
    advance(30).await;
    assert_eq!(activity().await, Activity::Active);
    let advanced = advance(1).await;
    assert_eq!(
        advanced.ended,
        [NaiveDate::from_ymd_opt(2026, 1, 31).unwrap()]
    );
    assert_eq!(activity().await, Activity::Inactive);
    // Escheatable 60 idle days later: 90 days after 10:00 on 1 January is 10:00 on 1 April,
    // so the end of 1 April (60 more days) is the first.
    advance(31).await;
    advance(28).await;
    assert_eq!(
        app.clock().now(),
        Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap()
    );
    assert_eq!(activity().await, Activity::Inactive);
    advance(1).await;
    assert_eq!(activity().await, Activity::Escheatable);
    // A deposit, and the next end of day finds it active again.
    app.deposits()
        .record_deposit(
            &system(),
            account.id(),
            Amount::parse(money::UsdCents::from_minor(100)).unwrap(),
            Reference::default(),
            None,
        )
        .await
        .unwrap();
    advance(1).await;
    assert_eq!(activity().await, Activity::Active);
    background.shutdown().await;
}
