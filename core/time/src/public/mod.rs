//! The events other domains see: one per ended business day, published on the outbox in the
//! transaction that records the day as ended (`end_of_day/`), so a day is announced exactly once.

use chrono::{DateTime, NaiveDate, Utc};
use outbox::PublicEvent;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TimePublicEvent {
    /// Business day `date` ended at `ended_at`. Published once per day, in date order.
    EndOfDay {
        date: NaiveDate,
        ended_at: DateTime<Utc>,
    },
}

impl PublicEvent for TimePublicEvent {
    const EVENT_TYPES: &'static [&'static str] = &["end_of_day"];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_types_are_the_declared_ones() {
        let events = [TimePublicEvent::EndOfDay {
            date: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            ended_at: DateTime::<Utc>::UNIX_EPOCH,
        }];
        assert_eq!(
            outbox::event_types(&events).unwrap(),
            TimePublicEvent::EVENT_TYPES
        );
    }
}
