use crate::Credit;
use authz::Actor;
use core_time::{EndOfDayHandler, EndedDay};
use es::DbOp;
use outbox::HandlerError;

/// At the end of each business day: every active facility's interest accrued, completed cycles
/// turned into obligations, obligations aged, unapplied payments allocated (see `accrual/mod.rs`).
pub struct ServicingOnEndOfDay(Credit);

impl ServicingOnEndOfDay {
    pub fn new(credit: Credit) -> Self {
        Self(credit)
    }
}

#[async_trait::async_trait]
impl EndOfDayHandler for ServicingOnEndOfDay {
    fn name(&self) -> &'static str {
        "credit.servicing"
    }

    async fn run(&self, op: &mut DbOp, day: &EndedDay) -> Result<(), HandlerError> {
        let actor = Actor::system(self.name()).with_correlation_id(day.correlation_id.clone());
        let serviced = self.0.end_of_day_in_op(op, &actor, day.date).await?;
        tracing::info!(date = %day.date, serviced, "credit facilities serviced");
        Ok(())
    }
}
