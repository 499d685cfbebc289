use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use graphql_kit::Date;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_time::ClockKind")]
pub enum Clock {
    /// Wall-clock time.
    Real,
    /// Stands still until staff advance it (simulations and demos).
    Manual,
}

/// The bank's business time.
#[derive(SimpleObject)]
pub struct Time {
    now: DateTime<Utc>,
    /// The business day `now` belongs to.
    business_date: Date,
    /// When that business day ends (in UTC).
    next_end_of_day: DateTime<Utc>,
    clock: Clock,
    /// The bank's timezone (IANA name).
    timezone: String,
    /// The time of day business days end, in the bank's timezone (`HH:MM`).
    closing_time: String,
    /// Every business day up to this one has ended and its end-of-day work was started.
    last_ended_date: Date,
}

impl From<core_time::TimeInfo> for Time {
    fn from(t: core_time::TimeInfo) -> Self {
        Self {
            now: t.now,
            business_date: Date(t.business_date),
            next_end_of_day: t.next_end_of_day,
            clock: t.clock.into(),
            timezone: t.timezone.to_string(),
            closing_time: t.closing_time.to_string(),
            last_ended_date: Date(t.last_ended_date),
        }
    }
}

/// An end-of-day handler that had not finished the last ended day.
#[derive(SimpleObject)]
pub struct EndOfDayHandlerBehind {
    name: String,
    /// The last business day it has processed (none yet: null).
    last_processed_date: Option<Date>,
}

/// What advancing the manual clock did: the business days that ended (in order), the bank's time
/// afterwards, and the end-of-day handlers still working on the last ended day when the wait ran
/// out (empty: all done; the clock stops at that day, call again once they catch up).
macro_rules! advance_payload {
    ($name:ident) => {
        #[derive(SimpleObject)]
        pub struct $name {
            ended_dates: Vec<Date>,
            time: Time,
            handlers_behind: Vec<EndOfDayHandlerBehind>,
        }

        impl From<core_time::Advanced> for $name {
            fn from(a: core_time::Advanced) -> Self {
                Self {
                    ended_dates: a.ended.into_iter().map(Date).collect(),
                    time: a.time.into(),
                    handlers_behind: a
                        .behind
                        .into_iter()
                        .map(|h| EndOfDayHandlerBehind {
                            name: h.name.to_owned(),
                            last_processed_date: h.last_processed_date.map(Date),
                        })
                        .collect(),
                }
            }
        }
    };
}

advance_payload!(TimeAdvanceToNextEndOfDayPayload);
advance_payload!(TimeAdvancePayload);
