//! Business time's static configuration (the `time` section of the bank's configuration).

use crate::calendar::{BusinessCalendar, ClosingTime, Timezone};
use crate::primitives::ClockKind;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TimeConfig {
    /// The bank's timezone, an IANA name (`America/El_Salvador`, `UTC`).
    pub timezone: Timezone,
    /// The time of day business days end, `HH:MM`; `00:00` is midnight at the end of the day.
    pub closing_time: ClosingTime,
    /// `real`, or `manual` for simulations and demos (staff advance it through the API).
    pub clock: ClockKind,
    /// With the manual clock: the first business day (the clock starts as it begins). After a
    /// restart the clock continues from where it stood.
    pub manual_start_date: Option<NaiveDate>,
    /// How long advancing the manual clock waits for the end-of-day handlers, per day.
    pub advance_wait_ms: u64,
}

impl Default for TimeConfig {
    fn default() -> Self {
        Self {
            timezone: Timezone::utc(),
            closing_time: ClosingTime::midnight(),
            clock: ClockKind::Real,
            manual_start_date: None,
            advance_wait_ms: 30_000,
        }
    }
}

impl TimeConfig {
    pub fn calendar(&self) -> BusinessCalendar {
        BusinessCalendar::new(self.timezone, self.closing_time)
    }

    /// The setting that is wrong and why, if one is.
    pub fn validate(&self) -> Result<(), (&'static str, String)> {
        match (self.clock, self.manual_start_date) {
            (ClockKind::Manual, None) => Err((
                "time.manual_start_date",
                "is required with the manual clock (time.clock: manual), e.g. 2026-01-01".into(),
            )),
            (ClockKind::Real, Some(_)) => Err((
                "time.manual_start_date",
                "applies to the manual clock only (time.clock: manual)".into(),
            )),
            _ if self.advance_wait_ms == 0 => {
                Err(("time.advance_wait_ms", "must be at least 1".into()))
            }
            _ => Ok(()),
        }
    }

    /// With the manual clock, where it starts: the instant the start date's business day
    /// begins. `None` on the real clock.
    pub fn manual_start(&self) -> Option<DateTime<Utc>> {
        if self.clock != ClockKind::Manual {
            return None;
        }
        let first = self.manual_start_date?;
        Some(self.calendar().end_of(first.pred_opt()?))
    }
}
