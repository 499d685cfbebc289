//! The business calendar against day ends worked out by hand from the zones' rules: daylight
//! saving (both hemispheres, a skipped and a repeated closing time), month and year ends, a leap
//! day, a zone without daylight saving, and Samoa's skipped day.
#![allow(clippy::unwrap_used)]

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use core_time::{BusinessCalendar, ClosingTime, Timezone};

fn calendar(zone: &str, closing: &str) -> BusinessCalendar {
    BusinessCalendar::new(zone.parse().unwrap(), closing.parse().unwrap())
}

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn utc(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// (zone, closing time, business date, the instant it ends, worked out by hand)
const DAY_ENDS: &[(&str, &str, &str, &str)] = &[
    // New York: EST (-5) until 8 March 2026 02:00, EDT (-4) until 1 November 02:00.
    (
        "America/New_York",
        "23:59",
        "2026-03-07",
        "2026-03-08T04:59:00Z",
    ),
    // the 23-hour day: 04:59Z to 03:59Z the next day
    (
        "America/New_York",
        "23:59",
        "2026-03-08",
        "2026-03-09T03:59:00Z",
    ),
    (
        "America/New_York",
        "23:59",
        "2026-10-31",
        "2026-11-01T03:59:00Z",
    ),
    // the 25-hour day
    (
        "America/New_York",
        "23:59",
        "2026-11-01",
        "2026-11-02T04:59:00Z",
    ),
    (
        "America/New_York",
        "23:59",
        "2026-12-31",
        "2027-01-01T04:59:00Z",
    ),
    // 02:30 never shows on 8 March (02:00 -> 03:00): the day ends when the skip ends, 03:00 EDT
    (
        "America/New_York",
        "02:30",
        "2026-03-07",
        "2026-03-07T07:30:00Z",
    ),
    (
        "America/New_York",
        "02:30",
        "2026-03-08",
        "2026-03-08T07:00:00Z",
    ),
    (
        "America/New_York",
        "02:30",
        "2026-03-09",
        "2026-03-09T06:30:00Z",
    ),
    // 01:30 shows twice on 1 November (EDT, then EST): the day ends the first time
    (
        "America/New_York",
        "01:30",
        "2026-10-31",
        "2026-10-31T05:30:00Z",
    ),
    (
        "America/New_York",
        "01:30",
        "2026-11-01",
        "2026-11-01T05:30:00Z",
    ),
    (
        "America/New_York",
        "01:30",
        "2026-11-02",
        "2026-11-02T06:30:00Z",
    ),
    // Berlin, midnight closing: CET (+1) until 29 March 02:00, CEST (+2) until 25 October 03:00.
    (
        "Europe/Berlin",
        "00:00",
        "2026-03-28",
        "2026-03-28T23:00:00Z",
    ),
    (
        "Europe/Berlin",
        "00:00",
        "2026-03-29",
        "2026-03-29T22:00:00Z",
    ),
    (
        "Europe/Berlin",
        "00:00",
        "2026-04-30",
        "2026-04-30T22:00:00Z",
    ),
    (
        "Europe/Berlin",
        "00:00",
        "2026-10-24",
        "2026-10-24T22:00:00Z",
    ),
    (
        "Europe/Berlin",
        "00:00",
        "2026-10-25",
        "2026-10-25T23:00:00Z",
    ),
    (
        "Europe/Berlin",
        "24:00",
        "2026-12-31",
        "2026-12-31T23:00:00Z",
    ),
    (
        "Europe/Berlin",
        "00:00",
        "2028-02-28",
        "2028-02-28T23:00:00Z",
    ),
    (
        "Europe/Berlin",
        "00:00",
        "2028-02-29",
        "2028-02-29T23:00:00Z",
    ),
    (
        "Europe/Berlin",
        "02:30",
        "2026-03-29",
        "2026-03-29T01:00:00Z",
    ),
    // El Salvador: -6 all year.
    (
        "America/El_Salvador",
        "23:59",
        "2026-06-30",
        "2026-07-01T05:59:00Z",
    ),
    (
        "America/El_Salvador",
        "23:59",
        "2026-12-31",
        "2027-01-01T05:59:00Z",
    ),
    (
        "America/El_Salvador",
        "23:59",
        "2028-02-29",
        "2028-03-01T05:59:00Z",
    ),
    // Sydney: AEDT (+11) until 5 April 03:00, AEST (+10) until 4 October 02:00.
    (
        "Australia/Sydney",
        "23:59",
        "2026-04-04",
        "2026-04-04T12:59:00Z",
    ),
    (
        "Australia/Sydney",
        "23:59",
        "2026-04-05",
        "2026-04-05T13:59:00Z",
    ),
    (
        "Australia/Sydney",
        "23:59",
        "2026-10-03",
        "2026-10-03T13:59:00Z",
    ),
    (
        "Australia/Sydney",
        "23:59",
        "2026-10-04",
        "2026-10-04T12:59:00Z",
    ),
    // Samoa skipped 30 December 2011 (-10 -> +14 at 10:00Z): that day ends when it was skipped.
    (
        "Pacific/Apia",
        "12:00",
        "2011-12-29",
        "2011-12-29T22:00:00Z",
    ),
    (
        "Pacific/Apia",
        "12:00",
        "2011-12-30",
        "2011-12-30T10:00:00Z",
    ),
    (
        "Pacific/Apia",
        "12:00",
        "2011-12-31",
        "2011-12-30T22:00:00Z",
    ),
];

#[test]
fn each_business_day_ends_when_the_wall_clock_first_reads_the_closing_time() {
    for (zone, closing, day, end) in DAY_ENDS {
        let calendar = calendar(zone, closing);
        assert_eq!(
            calendar.end_of(date(day)),
            utc(end),
            "{zone} closing {closing}: end of {day}"
        );
        // The end belongs to the next business day; the second before it to this one.
        assert_eq!(
            calendar.business_date(utc(end)),
            date(day).succ_opt().unwrap(),
            "{zone} closing {closing}: at the end of {day}"
        );
        assert_eq!(
            calendar.business_date(utc(end) - TimeDelta::seconds(1)),
            date(day),
            "{zone} closing {closing}: just before the end of {day}"
        );
    }
}

/// (zone, closing time, instant, its business date, worked out by hand)
const BUSINESS_DATES: &[(&str, &str, &str, &str)] = &[
    // 23:00 on New Year's Eve in New York: still the old year
    (
        "America/New_York",
        "23:59",
        "2027-01-01T04:00:00Z",
        "2026-12-31",
    ),
    // 23:59:30: after closing, so the new year's first business day
    (
        "America/New_York",
        "23:59",
        "2027-01-01T04:59:30Z",
        "2027-01-01",
    ),
    // the repeated hour's second 01:00 (EST) comes after the day ended at the first 01:30
    (
        "America/New_York",
        "01:30",
        "2026-11-01T06:00:00Z",
        "2026-11-02",
    ),
    // 01:59:59 EST, just before the skipped hour
    (
        "America/New_York",
        "02:30",
        "2026-03-08T06:59:59Z",
        "2026-03-08",
    ),
    // midday on a leap day in Berlin
    (
        "Europe/Berlin",
        "00:00",
        "2028-02-29T12:00:00Z",
        "2028-02-29",
    ),
    // 23:30 on 31 January in El Salvador (05:30Z on 1 February)
    (
        "America/El_Salvador",
        "23:59",
        "2026-02-01T05:30:00Z",
        "2026-01-31",
    ),
    // 00:30 on 1 February in El Salvador
    (
        "America/El_Salvador",
        "23:59",
        "2026-02-01T06:30:00Z",
        "2026-02-01",
    ),
    // Sydney, 10:00 local on 1 January 2027 (23:00Z on 31 December)
    (
        "Australia/Sydney",
        "23:59",
        "2026-12-31T23:00:00Z",
        "2027-01-01",
    ),
];

#[test]
fn an_instant_belongs_to_the_business_day_whose_end_comes_next() {
    for (zone, closing, instant, expected) in BUSINESS_DATES {
        let calendar = calendar(zone, closing);
        assert_eq!(
            calendar.business_date(utc(instant)),
            date(expected),
            "{zone} closing {closing}: {instant}"
        );
        let (day, end) = calendar.next_end_of_day(utc(instant));
        assert_eq!(
            (day, end),
            (date(expected), calendar.end_of(date(expected)))
        );
        assert!(end > utc(instant));
    }
}

#[test]
fn over_three_years_every_day_ends_once_after_the_day_before_within_22_to_26_hours() {
    for zone in [
        "America/New_York",
        "Europe/Berlin",
        "America/El_Salvador",
        "Australia/Sydney",
        "Australia/Lord_Howe",
    ] {
        for closing in ["00:00", "01:30", "02:30", "12:00", "23:59"] {
            let calendar = calendar(zone, closing);
            let mut day = date("2026-01-01");
            let mut previous_end = calendar.end_of(day.pred_opt().unwrap());
            while day < date("2029-01-01") {
                let end = calendar.end_of(day);
                let length = end - previous_end;
                assert!(
                    length >= TimeDelta::hours(22) && length <= TimeDelta::hours(26),
                    "{zone} {closing}: {day} lasts {length}"
                );
                assert_eq!(calendar.business_date(end - TimeDelta::seconds(1)), day);
                assert_eq!(calendar.business_date(previous_end), day);
                previous_end = end;
                day = day.succ_opt().unwrap();
            }
        }
    }
}

#[test]
fn bad_timezones_and_closing_times_are_refused_with_the_reason() {
    for bad in ["Mars/Olympus_Mons", "", "EST5EDT6", "america/new york"] {
        let error = bad.parse::<Timezone>().unwrap_err();
        assert!(
            error.to_string().contains("unknown timezone"),
            "{bad}: {error}"
        );
    }
    for bad in [
        "25:00", "24:01", "23:60", "9:30", "12", "12:00:60", "noon", "-1:00", "12:00 ",
    ] {
        let error = bad.parse::<ClosingTime>().unwrap_err();
        assert!(
            error.to_string().contains("is not a time of day"),
            "{bad}: {error}"
        );
    }
    for (text, shown) in [
        ("23:59", "23:59"),
        ("24:00", "00:00"),
        ("06:30:15", "06:30:15"),
    ] {
        assert_eq!(text.parse::<ClosingTime>().unwrap().to_string(), shown);
    }
}
