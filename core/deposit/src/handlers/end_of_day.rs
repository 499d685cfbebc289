use crate::Deposits;
use authz::Actor;
use core_time::{EndOfDayHandler, EndedDay};
use es::DbOp;
use outbox::HandlerError;

/// At the end of each business day, re-evaluates every open account's activity class as of the
/// instant the day ended (settings `deposit-inactive-after-days`,
/// `deposit-escheatable-after-inactive-days`).
pub struct ActivityOnEndOfDay(Deposits);

impl ActivityOnEndOfDay {
    pub fn new(deposits: Deposits) -> Self {
        Self(deposits)
    }
}

#[async_trait::async_trait]
impl EndOfDayHandler for ActivityOnEndOfDay {
    fn name(&self) -> &'static str {
        "deposit.activity"
    }

    async fn run(&self, op: &mut DbOp, day: &EndedDay) -> Result<(), HandlerError> {
        let actor = Actor::system(self.name()).with_correlation_id(day.correlation_id.clone());
        let changed = self
            .0
            .evaluate_activity_in_op(op, &actor, day.ended_at)
            .await?;
        tracing::info!(date = %day.date, changed, "deposit account activity evaluated");
        Ok(())
    }
}
