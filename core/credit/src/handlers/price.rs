use crate::Credit;
use authz::Actor;
use core_price::public::PricePublicEvent;
use es::DbOp;
use outbox::{HandlerError, OutboxEvent, OutboxHandler};

/// Re-evaluates every pending and active facility when the bank's price changes (a pending one
/// may activate; an active one may start a partial liquidation).
pub struct PriceChangeHandler(Credit);

impl PriceChangeHandler {
    pub fn new(credit: Credit) -> Self {
        Self(credit)
    }
}

#[async_trait::async_trait]
impl OutboxHandler for PriceChangeHandler {
    fn name(&self) -> &'static str {
        "credit.price-changes"
    }

    async fn handle(&self, op: &mut DbOp, event: &OutboxEvent) -> Result<(), HandlerError> {
        let Some(PricePublicEvent::PriceUpdated { .. }) = event.decode_as()? else {
            return Ok(());
        };
        let actor = Actor::system(self.name()).with_correlation_id(event.correlation_id.clone());
        self.0.reevaluate_all_in_op(op, &actor).await?;
        Ok(())
    }
}
