//! Announcing ended business days, and the handlers that run on them.

mod handler;
mod repo;

pub use handler::{EndOfDayDispatch, EndOfDayHandler, EndedDay};
pub(crate) use repo::EndOfDayRepo;

use crate::Time;
use crate::error::TimeError;
use crate::primitives::{HandlerProgress, permissions};
use crate::public::TimePublicEvent;
use authz::Actor;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

impl Time {
    /// Announces every business day that has ended and was not announced yet, oldest first, one
    /// transaction per day (the day's record and its `EndOfDay` event commit together, under
    /// the calendar row's lock). Returns the days this call announced.
    pub async fn announce_ended_days(&self, actor: &Actor) -> Result<Vec<NaiveDate>, TimeError> {
        use permissions::{CLOCK, END_DAY};
        let mut announced = Vec::new();
        loop {
            let day = self
                .use_cases
                .command(actor, CLOCK, END_DAY, || {
                    async move |op| {
                        let calendar = self.repo.lock_calendar_in_op(op).await?;
                        let Some(date) = calendar.last_ended_date.succ_opt() else {
                            return Ok(None);
                        };
                        let ended_at = self.calendar.end_of(date);
                        if ended_at > op.now() {
                            return Ok(None);
                        }
                        self.repo.record_ended_in_op(op, date, ended_at).await?;
                        self.outbox
                            .publish_all_in_op(op, &[TimePublicEvent::EndOfDay { date, ended_at }])
                            .await?;
                        Ok::<_, TimeError>(Some(date))
                    }
                })
                .await?;
            match day {
                Some(date) => {
                    tracing::info!(%date, "business day ended");
                    announced.push(date);
                }
                None => return Ok(announced),
            }
        }
    }

    /// Registers work to run at every end of day (before the background starts).
    pub fn register_end_of_day(&self, handler: impl EndOfDayHandler) {
        if let Ok(mut handlers) = self.handlers.write() {
            handlers.push(Arc::new(handler));
        }
    }

    /// One outbox handler per registered end-of-day handler, for the background to run.
    pub fn end_of_day_dispatchers(&self) -> Vec<EndOfDayDispatch> {
        self.handlers()
            .into_iter()
            .map(|h| EndOfDayDispatch::new(self.repo.clone(), h))
            .collect()
    }

    fn handlers(&self) -> Vec<Arc<dyn EndOfDayHandler>> {
        self.handlers.read().map(|h| h.clone()).unwrap_or_default()
    }

    /// How far each registered end-of-day handler has got.
    pub(crate) async fn handler_progress(&self) -> Result<Vec<HandlerProgress>, TimeError> {
        let handlers = self.handlers();
        let names: Vec<&'static str> = handlers.iter().map(|h| h.name()).collect();
        let dates: HashMap<String, NaiveDate> =
            self.repo.handler_dates(&names).await?.into_iter().collect();
        Ok(names
            .into_iter()
            .map(|name| HandlerProgress {
                name,
                last_processed_date: dates.get(name).copied(),
            })
            .collect())
    }

    /// The last business day that has ended and that every registered end-of-day handler has
    /// processed: the day's work is in the books. A handler that has processed no day yet is
    /// behind from the first day announced (before it there was nothing to process).
    pub async fn days_done_through(&self) -> Result<NaiveDate, TimeError> {
        let ended = self.repo.calendar().await?.last_ended_date;
        let before_first = self
            .repo
            .first_announced()
            .await?
            .and_then(|d| d.pred_opt())
            .unwrap_or(ended);
        Ok(self
            .handler_progress()
            .await?
            .into_iter()
            .map(|p| p.last_processed_date.unwrap_or(before_first))
            .fold(ended, NaiveDate::min))
    }

    /// Waits (up to the configured time) until every handler has processed `date`; returns the
    /// ones still behind.
    pub(crate) async fn wait_for_handlers(
        &self,
        date: NaiveDate,
    ) -> Result<Vec<HandlerProgress>, TimeError> {
        let deadline = Instant::now() + self.advance_wait;
        loop {
            let behind: Vec<HandlerProgress> = self
                .handler_progress()
                .await?
                .into_iter()
                .filter(|p| p.last_processed_date.is_none_or(|d| d < date))
                .collect();
            if behind.is_empty() || Instant::now() >= deadline {
                return Ok(behind);
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
