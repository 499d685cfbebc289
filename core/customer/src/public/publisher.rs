use super::CustomerPublicEvent;
use crate::customer::{Customer, CustomerEvent};
use es::{DbOp, EsEntity, EsRepoError, PersistHook, PersistedEvent};
use outbox::Outbox;

/// Publishes the public event of each persisted customer event, in the same transaction.
#[derive(Clone)]
pub(crate) struct CustomerPublisher {
    outbox: Outbox,
}

impl CustomerPublisher {
    pub(crate) fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }
}

#[async_trait::async_trait]
impl PersistHook<Customer> for CustomerPublisher {
    async fn persisted(
        &self,
        op: &mut DbOp,
        customer: &Customer,
        new_events: &[PersistedEvent<CustomerEvent>],
    ) -> Result<(), EsRepoError> {
        use CustomerPublicEvent as P;
        let customer_id = customer.id();
        let events: Vec<P> = new_events
            .iter()
            .filter_map(|e| match &e.event {
                CustomerEvent::Initialized { .. } => Some(P::CustomerCreated { customer_id }),
                CustomerEvent::Frozen => Some(P::CustomerFrozen { customer_id }),
                CustomerEvent::Unfrozen => Some(P::CustomerUnfrozen { customer_id }),
                CustomerEvent::Closed => Some(P::CustomerClosed { customer_id }),
                CustomerEvent::EmailUpdated { email } => Some(P::CustomerEmailUpdated {
                    customer_id,
                    email: email.clone(),
                }),
                // Linking a login is the customer's own business.
                CustomerEvent::AuthSubjectLinked { .. } => None,
            })
            .collect();
        Ok(self.outbox.publish_all_in_op(op, &events).await?)
    }
}
