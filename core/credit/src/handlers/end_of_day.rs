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

    /// The facilities are serviced in transactions of their own, a batch at a time (see
    /// `accrual/mod.rs`); `op` records the day once all of them are.
    async fn run(&self, _op: &mut DbOp, day: &EndedDay) -> Result<(), HandlerError> {
        let actor = Actor::system(self.name()).with_correlation_id(day.correlation_id.clone());
        let serviced = self.0.end_of_day(&actor, day.date).await?;
        tracing::info!(date = %day.date, serviced, "credit facilities serviced");
        Ok(())
    }
}
