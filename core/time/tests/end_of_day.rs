//! End of day against PostgreSQL: days missed while down are announced in order and processed
//! once; two processes announce each day once; a failing handler holds its later days back
//! until it succeeds; the manual clock advances day by day, waits for the handlers, says which
//! are behind, persists across restarts, and is refused on the real clock.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;

use core_time::{AdvanceDays, ClockKind, TimeConfig, TimeError};
use harness::*;
use std::time::Duration;
use use_case::DomainError;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_days_missed_while_down_are_announced_in_order_and_each_processed_once() {
    let db = database().await;
    let bank = Bank::start(db.pool.clone(), vec![Recorder::new("recorder")]).await;
    // Down (nothing running) while the clock passes three day ends, the last one the first
    // day of daylight saving (23 hours long).
    bank.manual.set(utc("2026-03-09T16:00:00Z")).unwrap();
    assert!(announced(&db.pool).await.is_empty());

    let running = bank.run();
    let days = await_processed(&db.pool, "recorder", 3).await;
    assert_eq!(
        days,
        [date("2026-03-06"), date("2026-03-07"), date("2026-03-08")]
    );
    assert_eq!(
        announced(&db.pool).await,
        [
            (date("2026-03-06"), utc("2026-03-07T04:59:00Z")),
            (date("2026-03-07"), utc("2026-03-08T04:59:00Z")),
            (date("2026-03-08"), utc("2026-03-09T03:59:00Z")),
        ]
    );
    // Then the current day, when it ends (23:59 EDT on Monday).
    bank.manual.set(utc("2026-03-10T04:00:00Z")).unwrap();
    let days = await_processed(&db.pool, "recorder", 4).await;
    assert_eq!(days.last(), Some(&date("2026-03-09")));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(processed(&db.pool, "recorder").await.len(), 4);
    assert_eq!(announced(&db.pool).await.len(), 4);
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_database_announce_and_process_each_day_once() {
    let db = database().await;
    let first = Bank::start(db.pool.clone(), vec![Recorder::new("recorder")]).await;
    let second = Bank::start(db.second_pool(5).await, vec![Recorder::new("recorder")]).await;
    let (a, b) = (first.run(), second.run());
    for noon in [
        "2026-03-07T17:00:00Z",
        "2026-03-08T16:00:00Z",
        "2026-03-09T16:00:00Z",
        "2026-03-10T16:00:00Z",
        "2026-03-11T16:00:00Z",
    ] {
        first.manual.set(utc(noon)).unwrap();
        second.manual.set(utc(noon)).unwrap();
        // Both also announce directly, racing their own jobs.
        let actor = system();
        let (x, y) = tokio::join!(
            first.time.announce_ended_days(&actor),
            second.time.announce_ended_days(&actor)
        );
        x.unwrap();
        y.unwrap();
    }
    let days = await_processed(&db.pool, "recorder", 5).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let expected = [
        date("2026-03-06"),
        date("2026-03-07"),
        date("2026-03-08"),
        date("2026-03-09"),
        date("2026-03-10"),
    ];
    assert_eq!(days, expected);
    assert_eq!(processed(&db.pool, "recorder").await, expected);
    let announced_days: Vec<_> = announced(&db.pool)
        .await
        .into_iter()
        .map(|(d, _)| d)
        .collect();
    assert_eq!(announced_days, expected);
    a.stop().await;
    b.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_failing_on_day_two_is_retried_and_day_three_waits_for_it() {
    let db = database().await;
    let flaky = Recorder::failing_on("flaky", date("2026-03-07"));
    let bank = Bank::start(
        db.pool.clone(),
        vec![flaky.clone(), Recorder::new("steady")],
    )
    .await;
    bank.manual.set(utc("2026-03-09T16:00:00Z")).unwrap();
    let running = bank.run();
    // The other handler is not held back.
    await_processed(&db.pool, "steady", 3).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while flaky.failures.load(std::sync::atomic::Ordering::SeqCst) < 3 {
        assert!(std::time::Instant::now() < deadline, "never retried");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Retried, and still failing: neither day two nor day three has been processed.
    let so_far = processed(&db.pool, "flaky").await;
    assert!(
        !so_far.contains(&date("2026-03-07")) && !so_far.contains(&date("2026-03-08")),
        "{so_far:?}"
    );
    flaky.heal();
    let days = await_processed(&db.pool, "flaky", 3).await;
    assert_eq!(
        days,
        [date("2026-03-06"), date("2026-03-07"), date("2026-03-08")]
    );
    running.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advancing_the_manual_clock_ends_each_day_and_waits_for_its_handlers() {
    let db = database().await;
    let bank = Bank::start(db.pool.clone(), vec![Recorder::new("recorder")]).await;
    bank.attach().await;
    let running = bank.run();

    let advanced = bank
        .time
        .advance_to_next_end_of_day(&system())
        .await
        .unwrap();
    assert_eq!(advanced.ended, [date("2026-03-06")]);
    assert_eq!(advanced.time.now, utc("2026-03-07T04:59:00Z"));
    assert_eq!(advanced.time.business_date, date("2026-03-07"));
    assert_eq!(advanced.time.next_end_of_day, utc("2026-03-08T04:59:00Z"));
    assert_eq!(advanced.time.last_ended_date, date("2026-03-06"));
    assert_eq!(advanced.time.clock, ClockKind::Manual);
    assert!(advanced.behind.is_empty());
    // The call returned after the handler was done with the day.
    assert_eq!(processed(&db.pool, "recorder").await, [date("2026-03-06")]);

    let advanced = bank
        .time
        .advance_days(&system(), AdvanceDays::parse(3).unwrap())
        .await
        .unwrap();
    assert_eq!(
        advanced.ended,
        [date("2026-03-07"), date("2026-03-08"), date("2026-03-09")]
    );
    assert_eq!(advanced.time.now, utc("2026-03-10T03:59:00Z"));
    assert_eq!(processed(&db.pool, "recorder").await.len(), 4);

    // Two staff advancing at once advance two days.
    let actor = system();
    let (x, y) = tokio::join!(
        bank.time.advance_to_next_end_of_day(&actor),
        bank.time.advance_to_next_end_of_day(&actor)
    );
    let mut ended: Vec<_> = x
        .unwrap()
        .ended
        .into_iter()
        .chain(y.unwrap().ended)
        .collect();
    ended.sort();
    assert_eq!(ended, [date("2026-03-10"), date("2026-03-11")]);
    assert_eq!(bank.manual.now(), utc("2026-03-12T03:59:00Z"));
    running.stop().await;

    // A restart continues from the stored reading, not from the configured start.
    let restarted = Bank::start(db.second_pool(5).await, vec![]).await;
    restarted.attach().await;
    assert_eq!(restarted.manual.now(), utc("2026-03-12T03:59:00Z"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_advance_says_which_handlers_are_behind_and_stops_at_that_day() {
    let db = database().await;
    let stuck = Recorder::failing_on("stuck", date("2026-03-07"));
    let config = TimeConfig {
        advance_wait_ms: 300,
        ..config()
    };
    let bank = Bank::start_at(
        db.pool.clone(),
        &config,
        utc(FRIDAY_NOON),
        vec![stuck.clone(), Recorder::new("fine")],
    )
    .await;
    bank.attach().await;
    let running = bank.run();
    let advanced = bank
        .time
        .advance_days(&system(), AdvanceDays::parse(5).unwrap())
        .await
        .unwrap();
    assert_eq!(advanced.ended, [date("2026-03-06"), date("2026-03-07")]);
    assert_eq!(advanced.behind.len(), 1);
    assert_eq!(advanced.behind[0].name, "stuck");
    assert_eq!(
        advanced.behind[0].last_processed_date,
        Some(date("2026-03-06"))
    );
    assert_eq!(advanced.time.business_date, date("2026-03-08"));
    stuck.heal();
    let advanced = bank
        .time
        .advance_to_next_end_of_day(&system())
        .await
        .unwrap();
    assert_eq!(advanced.ended, [date("2026-03-08")]);
    assert!(advanced.behind.is_empty(), "{:?}", advanced.behind);
    running.stop().await;
}

#[tokio::test]
async fn the_real_clock_cannot_be_advanced() {
    let db = database().await;
    let config = TimeConfig {
        clock: ClockKind::Real,
        ..config()
    };
    let bank = Bank::start_at(db.pool.clone(), &config, utc(FRIDAY_NOON), vec![]).await;
    let error = bank
        .time
        .advance_to_next_end_of_day(&system())
        .await
        .unwrap_err();
    assert!(matches!(error, TimeError::ClockNotManual));
    assert_eq!(error.code().as_str(), "CLOCK_NOT_MANUAL");
    let error = bank
        .time
        .attach_manual_clock(bank.manual.clone())
        .await
        .unwrap_err();
    assert!(matches!(error, TimeError::ClockNotManual));
    assert_eq!(
        AdvanceDays::parse(0).unwrap_err().to_string(),
        "days must be between 1 and 31"
    );
    assert!(AdvanceDays::parse(32).is_err() && AdvanceDays::parse(-1).is_err());
    assert_eq!(AdvanceDays::parse(31).unwrap().get(), 31);
}

#[tokio::test]
async fn a_manual_clock_never_starts_before_the_days_already_ended() {
    let db = database().await;
    // The bank ran on the real clock until Monday noon: the days up to Sunday have ended.
    let real = TimeConfig {
        clock: ClockKind::Real,
        ..config()
    };
    let ran = Bank::start_at(db.pool.clone(), &real, utc(FRIDAY_NOON), vec![]).await;
    ran.manual.set(utc("2026-03-09T16:00:00Z")).unwrap();
    let ended = ran.time.announce_ended_days(&system()).await.unwrap();
    assert_eq!(ended.last(), Some(&date("2026-03-08")));
    // Restarted on the manual clock from an earlier start: it continues where the bank stood.
    let manual = Bank::start(db.second_pool(5).await, vec![]).await;
    manual.attach().await;
    assert_eq!(manual.manual.now(), utc("2026-03-09T03:59:00Z"));
    let advanced = manual
        .time
        .advance_to_next_end_of_day(&system())
        .await
        .unwrap();
    assert_eq!(advanced.ended, [date("2026-03-09")]);
}
