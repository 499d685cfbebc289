//! What runs at the end of each business day: an [`EndOfDayHandler`] per piece of work,
//! delivered through the outbox by [`EndOfDayDispatch`].

use super::repo::EndOfDayRepo;
use crate::public::TimePublicEvent;
use chrono::{DateTime, NaiveDate, Utc};
use es::DbOp;
use outbox::{HandlerError, OutboxEvent, OutboxHandler};
use std::sync::Arc;

/// A business day that has ended, as a handler sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedDay {
    pub date: NaiveDate,
    /// The instant it ended: the "as of" of the day's work.
    pub ended_at: DateTime<Utc>,
    /// The correlation id of whatever ended it (a staff request advancing the manual clock), if
    /// anything did.
    pub correlation_id: Option<String>,
}

/// Work done once for every ended business day, in date order. Its effects commit in the
/// transaction it is given, together with the record that the day is done, so a crash never
/// makes it process a day twice; a failure is retried (with backoff) and later days wait.
#[async_trait::async_trait]
pub trait EndOfDayHandler: Send + Sync + 'static {
    /// Stable: the handler's progress (and its outbox position) are keyed by it.
    fn name(&self) -> &'static str;
    async fn run(&self, op: &mut DbOp, day: &EndedDay) -> Result<(), HandlerError>;
}

/// Delivers end-of-day events to one handler: skips every other event and every day the handler
/// has already processed, and records each day it processes.
pub struct EndOfDayDispatch {
    repo: EndOfDayRepo,
    handler: Arc<dyn EndOfDayHandler>,
}

impl EndOfDayDispatch {
    pub(crate) fn new(repo: EndOfDayRepo, handler: Arc<dyn EndOfDayHandler>) -> Self {
        Self { repo, handler }
    }
}

#[async_trait::async_trait]
impl OutboxHandler for EndOfDayDispatch {
    fn name(&self) -> &'static str {
        self.handler.name()
    }

    async fn handle(&self, op: &mut DbOp, event: &OutboxEvent) -> Result<(), HandlerError> {
        let Some(TimePublicEvent::EndOfDay { date, ended_at }) = event.decode_as()? else {
            return Ok(());
        };
        let name = self.handler.name();
        if self
            .repo
            .handler_last_date_in_op(op, name)
            .await?
            .is_some_and(|done| done >= date)
        {
            return Ok(());
        }
        let day = EndedDay {
            date,
            ended_at,
            correlation_id: event.correlation_id.clone(),
        };
        self.handler.run(op, &day).await?;
        self.repo.set_handler_date_in_op(op, name, date).await?;
        tracing::info!(handler = name, %date, "end of day processed");
        Ok(())
    }
}
