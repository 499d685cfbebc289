//! The customer events other domains may react to (published on the outbox).

use crate::primitives::CustomerId;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CustomerPublicEvent {
    CustomerCreated { customer_id: CustomerId },
    CustomerFrozen { customer_id: CustomerId },
    CustomerUnfrozen { customer_id: CustomerId },
    CustomerClosed { customer_id: CustomerId },
}
