//! The bank's business calendar: which business day an instant belongs to, and the instant each
//! business day ends.
//!
//! A business day ends the first time the bank's wall clock (its IANA timezone) reads the closing
//! time on that date; a closing time of 00:00 means midnight at the end of the date. Around
//! daylight-saving changes:
//! - closing time inside the hour skipped in spring (it never shows on the wall clock): the day
//!   ends at the first instant after the skip;
//! - closing time inside the hour repeated in autumn (it shows twice): the day ends the first time.
//!
//! Every business day therefore ends exactly once, whether it lasts 23, 24 or 25 hours. The end
//! instant itself belongs to the next business day: `business_date(end_of(d)) == d + 1`.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("unknown timezone {0:?}: use an IANA name such as America/El_Salvador or UTC")]
    UnknownTimezone(String),
    #[error(
        "closing time {0:?} is not a time of day: use HH:MM (or HH:MM:SS) from 00:00 to 23:59, where 00:00 (or 24:00) is midnight at the end of the day"
    )]
    InvalidClosingTime(String),
}

/// An IANA timezone, read from its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Timezone(Tz);

impl Timezone {
    pub fn utc() -> Self {
        Self(Tz::UTC)
    }

    pub fn tz(self) -> Tz {
        self.0
    }
}

impl FromStr for Timezone {
    type Err = CalendarError;
    fn from_str(name: &str) -> Result<Self, CalendarError> {
        Tz::from_str(name)
            .map(Self)
            .map_err(|_| CalendarError::UnknownTimezone(name.to_owned()))
    }
}

impl TryFrom<String> for Timezone {
    type Error = CalendarError;
    fn try_from(name: String) -> Result<Self, CalendarError> {
        name.parse()
    }
}

impl From<Timezone> for String {
    fn from(tz: Timezone) -> String {
        tz.0.name().to_owned()
    }
}

impl fmt::Display for Timezone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.name())
    }
}

/// The time of day business days end, `HH:MM` or `HH:MM:SS`. `00:00` (also written `24:00`) is
/// midnight at the end of the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClosingTime(NaiveTime);

impl ClosingTime {
    pub fn midnight() -> Self {
        Self(NaiveTime::MIN)
    }

    fn is_midnight(self) -> bool {
        self.0 == NaiveTime::MIN
    }
}

impl FromStr for ClosingTime {
    type Err = CalendarError;
    fn from_str(text: &str) -> Result<Self, CalendarError> {
        let invalid = || CalendarError::InvalidClosingTime(text.to_owned());
        if text == "24:00" || text == "24:00:00" {
            return Ok(Self::midnight());
        }
        // Exactly two digits per field: "9:5" or "23:5" are refused, not guessed.
        let fields: Vec<&str> = text.split(':').collect();
        if !(2..=3).contains(&fields.len())
            || fields
                .iter()
                .any(|f| f.len() != 2 || !f.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(invalid());
        }
        let number = |i: usize| fields.get(i).map_or(Ok(0), |f| f.parse::<u32>());
        let (h, m, s) = (
            number(0).map_err(|_| invalid())?,
            number(1).map_err(|_| invalid())?,
            number(2).map_err(|_| invalid())?,
        );
        NaiveTime::from_hms_opt(h, m, s)
            .map(Self)
            .ok_or_else(invalid)
    }
}

impl TryFrom<String> for ClosingTime {
    type Error = CalendarError;
    fn try_from(text: String) -> Result<Self, CalendarError> {
        text.parse()
    }
}

impl From<ClosingTime> for String {
    fn from(closing: ClosingTime) -> String {
        closing.to_string()
    }
}

impl fmt::Display for ClosingTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.format("%S").to_string() == "00" {
            write!(f, "{}", self.0.format("%H:%M"))
        } else {
            write!(f, "{}", self.0.format("%H:%M:%S"))
        }
    }
}

/// When business days end, in the bank's timezone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BusinessCalendar {
    timezone: Timezone,
    closing: ClosingTime,
}

impl BusinessCalendar {
    pub fn new(timezone: Timezone, closing: ClosingTime) -> Self {
        Self { timezone, closing }
    }

    pub fn timezone(&self) -> Timezone {
        self.timezone
    }

    pub fn closing_time(&self) -> ClosingTime {
        self.closing
    }

    /// The instant business day `date` ends (`DateTime::<Utc>::MAX_UTC` for a date at the end of
    /// the representable range, which never ends).
    pub fn end_of(&self, date: NaiveDate) -> DateTime<Utc> {
        self.try_end_of(date).unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    fn try_end_of(&self, date: NaiveDate) -> Option<DateTime<Utc>> {
        let day = if self.closing.is_midnight() {
            date.checked_add_days(Days::new(1))?
        } else {
            date
        };
        first_instant_at_or_after(self.timezone.tz(), day.and_time(self.closing.0))
    }

    /// The business day `instant` belongs to: the day whose end is the first one after it.
    pub fn business_date(&self, instant: DateTime<Utc>) -> NaiveDate {
        let local = instant.with_timezone(&self.timezone.tz()).date_naive();
        // The day's end lies within a day of the local date; start one day early and walk on.
        let mut date = local.pred_opt().unwrap_or(local);
        while self.end_of(date) <= instant {
            match date.succ_opt() {
                Some(next) => date = next,
                None => break,
            }
        }
        date
    }

    /// The business day `instant` belongs to and the instant it ends.
    pub fn next_end_of_day(&self, instant: DateTime<Utc>) -> (NaiveDate, DateTime<Utc>) {
        let date = self.business_date(instant);
        (date, self.end_of(date))
    }
}

/// The first instant at which the wall clock in `tz` reads `local` or later: the instant itself
/// when it shows once, the first of two when it shows twice, and the end of the skip when
/// daylight saving skips it.
fn first_instant_at_or_after(tz: Tz, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    if let Some(t) = tz.from_local_datetime(&local).earliest() {
        return Some(t.with_timezone(&Utc));
    }
    // Skipped: find the first wall-clock minute after it that exists (a skip lasts at most a
    // day, as when Samoa crossed the date line), then the exact second the skip ended.
    let mut later = local;
    for _ in 0..=(24 * 60) {
        later = later.checked_add_signed(TimeDelta::minutes(1))?;
        if let Some(after) = tz.from_local_datetime(&later).earliest() {
            let after = after.with_timezone(&Utc);
            // One minute before `after` the wall clock still read before `local` (else the
            // previous minute would have existed); bisect the seconds in between.
            let shows_local_or_later =
                |t: DateTime<Utc>| t.with_timezone(&tz).naive_local() >= local;
            // Seconds before `after`: the wall clock is early at `lo`, on time at `hi`.
            let (mut lo, mut hi) = (60_i64, 0_i64);
            while lo - hi > 1 {
                let mid = (lo + hi) / 2;
                if shows_local_or_later(after - TimeDelta::seconds(mid)) {
                    hi = mid;
                } else {
                    lo = mid;
                }
            }
            return Some(after - TimeDelta::seconds(hi));
        }
    }
    None
}
