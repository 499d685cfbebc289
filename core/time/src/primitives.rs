//! Value objects of business time, parsed once at the edge.

use crate::calendar::{ClosingTime, Timezone};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Objects and actions this domain authorizes.
pub mod permissions {
    pub const CLOCK: &str = "time/clock";
    pub const READ: &str = "time:read";
    /// Moving the manual clock: its own permission, granted to no role but the superuser.
    pub const ADVANCE: &str = "time:advance";
    /// Announcing ended days: only the system does it.
    pub const END_DAY: &str = "time:end-day";
}

/// Which clock the bank runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockKind {
    /// Wall-clock UTC.
    #[default]
    Real,
    /// Stands still until staff advance it (simulations, demos, tests).
    Manual,
}

/// The most business days one call may advance the manual clock by.
pub const MAX_ADVANCE_DAYS: u32 = 31;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidValue {
    #[error("days must be between 1 and {MAX_ADVANCE_DAYS}")]
    AdvanceDays,
}

/// How many business days to advance the manual clock by: 1 to [`MAX_ADVANCE_DAYS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdvanceDays(u32);

impl AdvanceDays {
    pub fn parse(days: i64) -> Result<Self, InvalidValue> {
        u32::try_from(days)
            .ok()
            .filter(|d| (1..=MAX_ADVANCE_DAYS).contains(d))
            .map(Self)
            .ok_or(InvalidValue::AdvanceDays)
    }

    pub fn get(self) -> u32 {
        self.0
    }
}

/// The bank's time as of a reading of its clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeInfo {
    pub now: DateTime<Utc>,
    /// The business day `now` belongs to.
    pub business_date: NaiveDate,
    /// When that business day ends.
    pub next_end_of_day: DateTime<Utc>,
    pub clock: ClockKind,
    pub timezone: Timezone,
    pub closing_time: ClosingTime,
    /// Every business day up to this one has ended and been announced.
    pub last_ended_date: NaiveDate,
}

/// How far an end-of-day handler has got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerProgress {
    pub name: &'static str,
    /// The last business day it has processed; `None` before its first.
    pub last_processed_date: Option<NaiveDate>,
}

/// What advancing the manual clock did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advanced {
    /// The business days this advance ended (each announced, by it or by the end-of-day job),
    /// in order.
    pub ended: Vec<NaiveDate>,
    /// The bank's time afterwards.
    pub time: TimeInfo,
    /// End-of-day handlers that had not processed the last ended day when the wait ran out
    /// (empty: every handler is done). The clock stops advancing at that day.
    pub behind: Vec<HandlerProgress>,
}
