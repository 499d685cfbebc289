//! The bank's clock: reading the bank's time, and moving the manual clock.
//!
//! The manual clock's reading is stored in the calendar row. A process that starts on the
//! manual clock continues from the stored reading (or the configured start), and an advance
//! stores the new reading before the process's clock moves. Advances are serialized by the
//! calendar row's lock and each starts from the stored reading, so two staff advancing at once
//! advance two days, not one. The manual clock is meant for one process: another process on the
//! same database reads the stored time when it starts, not while it runs.

use crate::Time;
use crate::error::TimeError;
use crate::primitives::{AdvanceDays, Advanced, ClockKind, TimeInfo, permissions};
use authz::Actor;
use chrono::{DateTime, Utc};
use clock::{ClockError, ManualClock};
use es::DbOp;

impl Time {
    /// The bank's time now.
    pub async fn time_info(&self, actor: &Actor) -> Result<TimeInfo, TimeError> {
        use permissions::{CLOCK, READ};
        self.use_cases
            .query(actor, CLOCK, READ, async || {
                self.info_at(self.use_cases.clock().now()).await
            })
            .await
    }

    async fn info_at(&self, now: DateTime<Utc>) -> Result<TimeInfo, TimeError> {
        let (business_date, next_end_of_day) = self.calendar.next_end_of_day(now);
        Ok(TimeInfo {
            now,
            business_date,
            next_end_of_day,
            clock: self.clock_kind,
            timezone: self.calendar.timezone(),
            closing_time: self.calendar.closing_time(),
            last_ended_date: self.repo.calendar().await?.last_ended_date,
        })
    }

    /// Runs this process on `manual` (configured with `time.clock: manual`). Time never runs
    /// back: the clock continues from the reading stored by an earlier run, or from the end of
    /// the last business day already ended on this database (a bank that ran on the real clock
    /// before), when either is later than its start; the reading is stored.
    pub async fn attach_manual_clock(&self, manual: ManualClock) -> Result<(), TimeError> {
        if self.clock_kind != ClockKind::Manual {
            return Err(TimeError::ClockNotManual);
        }
        let calendar = self.repo.calendar().await?;
        let floor = calendar
            .manual_now
            .unwrap_or(manual.now())
            .max(self.calendar.end_of(calendar.last_ended_date));
        if floor > manual.now() {
            tracing::info!(from = %manual.now(), to = %floor, "the manual clock continues where the bank stood");
            manual
                .set(floor)
                .map_err(|e| TimeError::ManualClock(floor, e))?;
        }
        let mut op = DbOp::init(self.repo.pool(), manual.clock()).await?;
        self.repo
            .set_manual_now_in_op(&mut op, manual.now())
            .await?;
        op.commit().await?;
        // Attached once; a second attach keeps the first clock.
        let _ = self.manual.set(manual);
        Ok(())
    }

    /// Moves the manual clock to the end of the current business day, announces the day, and
    /// waits for its end-of-day handlers (see [`Advanced::behind`]).
    pub async fn advance_to_next_end_of_day(&self, actor: &Actor) -> Result<Advanced, TimeError> {
        self.advance(actor, 1).await
    }

    /// [`Self::advance_to_next_end_of_day`], `days` times, stopping early at a day whose
    /// handlers did not finish in time.
    pub async fn advance_days(
        &self,
        actor: &Actor,
        days: AdvanceDays,
    ) -> Result<Advanced, TimeError> {
        self.advance(actor, days.get()).await
    }

    async fn advance(&self, actor: &Actor, days: u32) -> Result<Advanced, TimeError> {
        use permissions::{ADVANCE, CLOCK};
        // Announcing is the system's work, done under the request's correlation id.
        let announcer = Actor::system(crate::jobs::EndOfDayJob::JOB_TYPE)
            .with_correlation_id(actor.correlation_id.clone());
        let (mut ended, mut behind) = (Vec::new(), Vec::new());
        for _ in 0..days {
            let manual = self
                .use_cases
                .command(actor, CLOCK, ADVANCE, || {
                    async move |op| {
                        let manual = self.manual.get().ok_or(TimeError::ClockNotManual)?;
                        let calendar = self.repo.lock_calendar_in_op(op).await?;
                        let from = calendar
                            .manual_now
                            .unwrap_or(manual.now())
                            .max(manual.now());
                        let day = self.calendar.business_date(from);
                        let to = self.calendar.end_of(day);
                        self.repo.set_manual_now_in_op(op, to).await?;
                        Ok::<_, TimeError>((manual, day, to))
                    }
                })
                .await;
            let (manual, day, to) = manual?;
            // Stored and committed: now this process's clock moves (a concurrent advance may
            // already have moved it further, and then it stays there).
            match manual.set(to) {
                Ok(_) | Err(ClockError::Backwards { .. }) => {}
                Err(e) => return Err(TimeError::ManualClock(to, e)),
            }
            // Announced here, or already by the end-of-day job that woke with the clock.
            self.announce_ended_days(&announcer).await?;
            ended.push(day);
            behind = self.wait_for_handlers(day).await?;
            if !behind.is_empty() {
                break;
            }
        }
        let time = self.info_at(self.use_cases.clock().now()).await?;
        Ok(Advanced {
            ended,
            time,
            behind,
        })
    }
}
