//! Business time: the bank's calendar (its timezone and closing time define when each business
//! day ends), the end-of-day event announced once for every ended day, the handlers that run on
//! it, and the manual clock that simulations and demos advance.
//!
//! Laid out like `core/deposit` (ARCHITECTURE.md, "The shape of a domain"), without entities:
//! - `calendar.rs`: business dates and day ends, daylight-saving correct (pure);
//! - `end_of_day/`: announcing ended days (one transaction per day, in order, under a lock on
//!   the calendar row, so two processes never announce a day twice), the handler trait and its
//!   outbox dispatch (each handler records the days it processed), the tables;
//! - `clock_control.rs`: reading the bank's time, and moving the manual clock (persisted, so a
//!   restart continues where the simulation stood);
//! - `public/`: `TimePublicEvent::EndOfDay`; `jobs/`: the recurring job that announces days
//!   (catching up after downtime).

pub mod calendar;
mod clock_control;
mod config;
mod end_of_day;
mod error;
mod jobs;
pub mod primitives;
pub mod public;

pub use calendar::{BusinessCalendar, CalendarError, ClosingTime, Timezone};
pub use config::TimeConfig;
pub use end_of_day::{EndOfDayDispatch, EndOfDayHandler, EndedDay};
pub use error::{CODES, TimeError};
pub use jobs::EndOfDayJob;
pub use primitives::*;

use clock::ManualClock;
use end_of_day::EndOfDayRepo;
use outbox::Outbox;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;
use use_case::UseCases;

pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone)]
pub struct Time {
    use_cases: UseCases,
    outbox: Outbox,
    repo: EndOfDayRepo,
    calendar: BusinessCalendar,
    clock_kind: ClockKind,
    advance_wait: Duration,
    handlers: Arc<RwLock<Vec<Arc<dyn EndOfDayHandler>>>>,
    manual: Arc<OnceLock<ManualClock>>,
}

impl Time {
    /// Creates the calendar on a new bank (the current business day is the first it announces)
    /// and schedules the end-of-day job, which first runs at once to catch up.
    pub async fn init(
        use_cases: UseCases,
        outbox: &Outbox,
        jobs: &::jobs::Jobs,
        config: &TimeConfig,
    ) -> Result<Self, TimeError> {
        let calendar = config.calendar();
        let repo = EndOfDayRepo::new(use_cases.pool().clone());
        let now = use_cases.clock().now();
        repo.ensure_calendar(calendar.business_date(now), now)
            .await?;
        let time = Self {
            use_cases,
            outbox: outbox.clone(),
            repo,
            calendar,
            clock_kind: config.clock,
            advance_wait: Duration::from_millis(config.advance_wait_ms),
            handlers: Arc::default(),
            manual: Arc::default(),
        };
        jobs.register(EndOfDayJob::new(time.clone()));
        jobs.spawn(::jobs::NewJob::recurring(EndOfDayJob::JOB_TYPE))
            .await?;
        Ok(time)
    }

    pub fn calendar(&self) -> &BusinessCalendar {
        &self.calendar
    }
}
