//! The customer events other domains may react to, published on the outbox by
//! [`CustomerPublisher`] as the customer's events are persisted.

mod publisher;

pub(crate) use publisher::CustomerPublisher;

use crate::primitives::CustomerId;
use email::Email;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerPublicEvent {
    CustomerCreated {
        customer_id: CustomerId,
    },
    CustomerFrozen {
        customer_id: CustomerId,
    },
    CustomerUnfrozen {
        customer_id: CustomerId,
    },
    CustomerClosed {
        customer_id: CustomerId,
    },
    CustomerEmailUpdated {
        customer_id: CustomerId,
        email: Email,
    },
}

impl outbox::PublicEvent for CustomerPublicEvent {
    const EVENT_TYPES: &'static [&'static str] = &[
        "customer_created",
        "customer_frozen",
        "customer_unfrozen",
        "customer_closed",
        "customer_email_updated",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use outbox::PublicEvent;

    #[test]
    fn event_types_are_exactly_the_tags() {
        let customer_id = CustomerId::new();
        let all = [
            CustomerPublicEvent::CustomerCreated { customer_id },
            CustomerPublicEvent::CustomerFrozen { customer_id },
            CustomerPublicEvent::CustomerUnfrozen { customer_id },
            CustomerPublicEvent::CustomerClosed { customer_id },
            CustomerPublicEvent::CustomerEmailUpdated {
                customer_id,
                email: Email::parse("x@bank.test").unwrap(),
            },
        ];
        assert_eq!(
            outbox::event_types(&all).unwrap(),
            CustomerPublicEvent::EVENT_TYPES
        );
    }
}
