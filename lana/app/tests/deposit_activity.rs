//! Domain settings and the end-of-day activity job, driven by a manual clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use authz::Actor;
use chrono::{Duration, TimeZone, Utc};
use clock::Clock;
use core_customer::{CustomerType, ProspectInput, TelegramHandle};
use core_deposit::{Activity, Amount, Reference};
use core_domain_config::DomainConfigError;
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
    let app = LanaApp::init(&AppConfig::for_database(db.url()), clock)
        .await
        .unwrap();
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
    let await_activity = |expected: Activity| async move {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
        while activity().await != expected {
            assert!(
                std::time::Instant::now() < deadline,
                "activity never became {expected:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    };

    // 31 idle days: the job due at the first midnight runs and finds the account inactive
    manual.advance(Duration::days(31)).unwrap();
    await_activity(Activity::Inactive).await;
    // 60 more: escheatable
    manual.advance(Duration::days(60)).unwrap();
    await_activity(Activity::Escheatable).await;
    // a deposit, and the next end of day finds it active again
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
    manual.advance(Duration::days(1)).unwrap();
    await_activity(Activity::Active).await;
    background.shutdown().await;
}
