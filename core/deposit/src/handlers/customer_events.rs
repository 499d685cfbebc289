use crate::Deposits;
use crate::primitives::AccountStatusChange;
use authz::Actor;
use core_customer::public::CustomerPublicEvent;
use es::DbOp;
use outbox::{HandlerError, OutboxEvent, OutboxHandler};

/// Carries customer freezes, unfreezes and closes to every one of their deposit accounts.
pub struct CustomerEventsHandler(Deposits);

impl CustomerEventsHandler {
    pub fn new(deposits: Deposits) -> Self {
        Self(deposits)
    }
}

#[async_trait::async_trait]
impl OutboxHandler for CustomerEventsHandler {
    fn name(&self) -> &'static str {
        "deposit.customer-events"
    }

    async fn handle(&self, op: &mut DbOp, event: &OutboxEvent) -> Result<(), HandlerError> {
        let (customer_id, change) = match event.decode_as()? {
            Some(CustomerPublicEvent::CustomerFrozen { customer_id }) => {
                (customer_id, AccountStatusChange::Freeze)
            }
            Some(CustomerPublicEvent::CustomerUnfrozen { customer_id }) => {
                (customer_id, AccountStatusChange::Unfreeze)
            }
            Some(CustomerPublicEvent::CustomerClosed { customer_id }) => {
                (customer_id, AccountStatusChange::Close)
            }
            _ => return Ok(()),
        };
        let actor = Actor::system(self.name()).with_correlation_id(event.correlation_id.clone());
        self.0
            .apply_customer_change_in_op(op, &actor, customer_id, change)
            .await?;
        Ok(())
    }
}
