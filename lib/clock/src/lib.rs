//! The one place domain code reads time from.
//!
//! A [`Clock`] is either real (wall-clock UTC) or manual: it stands still until a [`ManualClock`]
//! handle advances it. Tests and simulations use the manual clock to walk through days, months and
//! maturities deterministically. Everything time-dependent takes a `Clock` by injection; nothing in
//! domain code calls `Utc::now()`.
//!
//! Readings are truncated to whole microseconds, the precision PostgreSQL stores, so a time read
//! here and a time read back from the database compare equal.
//!
//! Sleeping on a manual clock waits until the clock is advanced past the deadline, which lets a job
//! scheduled "tomorrow" run exactly when a test moves the clock to tomorrow.

use chrono::{DateTime, Duration, DurationRound, Utc};
use std::sync::Arc;
use tokio::sync::watch;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    #[error("a manual clock cannot move backwards (from {now} to {requested})")]
    Backwards {
        now: DateTime<Utc>,
        requested: DateTime<Utc>,
    },
    #[error("cannot advance a manual clock by a negative duration ({0})")]
    NegativeDuration(Duration),
    #[error("time out of range")]
    OutOfRange,
}

#[derive(Clone, Debug)]
pub struct Clock {
    inner: Arc<Inner>,
}

#[derive(Debug)]
enum Inner {
    Real,
    Manual(Arc<watch::Sender<DateTime<Utc>>>),
}

/// The handle that moves a manual clock. Only whoever owns the simulation holds one.
#[derive(Clone, Debug)]
pub struct ManualClock {
    clock: Clock,
    time: Arc<watch::Sender<DateTime<Utc>>>,
}

fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    // Truncation to a microsecond only fails for instants outside chrono's nanosecond range,
    // which `Utc::now()` never yields; keep the input unchanged in that impossible case.
    t.duration_trunc(Duration::microseconds(1)).unwrap_or(t)
}

impl Clock {
    pub fn real() -> Self {
        Self {
            inner: Arc::new(Inner::Real),
        }
    }

    /// A clock standing at `start` until the returned handle moves it.
    pub fn manual(start: DateTime<Utc>) -> (Self, ManualClock) {
        let time = Arc::new(watch::channel(truncate(start)).0);
        let clock = Self {
            inner: Arc::new(Inner::Manual(time.clone())),
        };
        (clock.clone(), ManualClock { clock, time })
    }

    pub fn is_manual(&self) -> bool {
        matches!(*self.inner, Inner::Manual(_))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &*self.inner {
            Inner::Real => truncate(Utc::now()),
            Inner::Manual(tx) => *tx.borrow(),
        }
    }

    /// Waits until the clock reads `deadline` or later.
    pub async fn sleep_until(&self, deadline: DateTime<Utc>) {
        match &*self.inner {
            Inner::Real => {
                let remaining = deadline - Utc::now();
                if let Ok(remaining) = remaining.to_std() {
                    tokio::time::sleep(remaining).await;
                }
            }
            Inner::Manual(tx) => {
                let mut rx = tx.subscribe();
                // The sender lives as long as `self`, so `wait_for` cannot fail while we wait.
                let _ = rx.wait_for(|now| *now >= deadline).await;
            }
        }
    }

    pub async fn sleep(&self, duration: Duration) {
        self.sleep_until(self.now() + duration).await;
    }
}

impl ManualClock {
    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Moves the clock forward by `by` and wakes every sleeper whose deadline has passed.
    pub fn advance(&self, by: Duration) -> Result<DateTime<Utc>, ClockError> {
        if by < Duration::zero() {
            return Err(ClockError::NegativeDuration(by));
        }
        let target = self
            .now()
            .checked_add_signed(by)
            .ok_or(ClockError::OutOfRange)?;
        self.set(target)
    }

    /// Moves the clock to `to`, which may not be earlier than now.
    pub fn set(&self, to: DateTime<Utc>) -> Result<DateTime<Utc>, ClockError> {
        let to = truncate(to);
        let mut result = Ok(to);
        self.time.send_if_modified(|now| {
            if to < *now {
                result = Err(ClockError::Backwards {
                    now: *now,
                    requested: to,
                });
                false
            } else {
                let changed = to != *now;
                *now = to;
                changed
            }
        });
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 31, 23, 59, 0).unwrap()
    }

    #[test]
    fn manual_clock_stands_still_until_advanced() {
        let (clock, control) = Clock::manual(start());
        assert_eq!(clock.now(), start());
        assert_eq!(clock.now(), start());
        control.advance(Duration::minutes(2)).unwrap();
        assert_eq!(
            clock.now(),
            Utc.with_ymd_and_hms(2026, 2, 1, 0, 1, 0).unwrap()
        );
        assert!(clock.is_manual());
    }

    #[test]
    fn manual_clock_refuses_to_go_back() {
        let (clock, control) = Clock::manual(start());
        let err = control.set(start() - Duration::seconds(1)).unwrap_err();
        assert!(matches!(err, ClockError::Backwards { .. }));
        assert!(matches!(
            control.advance(Duration::seconds(-1)),
            Err(ClockError::NegativeDuration(_))
        ));
        assert_eq!(clock.now(), start());
    }

    #[test]
    fn readings_are_truncated_to_microseconds() {
        let (clock, _) = Clock::manual(start() + Duration::nanoseconds(1_500));
        assert_eq!(clock.now(), start() + Duration::microseconds(1));
        let real = Clock::real().now();
        assert_eq!(real.timestamp_subsec_nanos() % 1_000, 0);
    }

    #[tokio::test]
    async fn sleepers_wake_when_the_manual_clock_passes_their_deadline() {
        let (clock, control) = Clock::manual(start());
        let deadline = clock.now() + Duration::days(1);
        let sleeper = tokio::spawn({
            let clock = clock.clone();
            async move {
                clock.sleep_until(deadline).await;
                clock.now()
            }
        });
        tokio::task::yield_now().await;
        control.advance(Duration::hours(23)).unwrap();
        tokio::task::yield_now().await;
        assert!(!sleeper.is_finished(), "woke before its deadline");
        control.advance(Duration::hours(2)).unwrap();
        let woke_at = tokio::time::timeout(std::time::Duration::from_secs(5), sleeper)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(woke_at, start() + Duration::hours(25));
    }

    #[tokio::test]
    async fn real_clock_moves() {
        let clock = Clock::real();
        let before = clock.now();
        clock.sleep(Duration::milliseconds(5)).await;
        assert!(clock.now() >= before + Duration::milliseconds(5));
    }
}
