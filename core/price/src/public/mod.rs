//! The events other domains see: the bank's price changed. Published by [`PricePublisher`] in
//! the transaction that made the change (an accepted exchange price, a manual price set while
//! the manual provider is active, a switch to a provider that has a price).

use crate::primitives::{PriceProviderId, ProviderKind, UsdCentsPerBtc};
use chrono::{DateTime, Utc};
use es::DbOp;
use outbox::{Outbox, OutboxError, PublicEvent};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PricePublicEvent {
    PriceUpdated {
        usd_cents_per_btc: UsdCentsPerBtc,
        provider_id: PriceProviderId,
        source: String,
        source_kind: ProviderKind,
        updated_at: DateTime<Utc>,
    },
}

impl PublicEvent for PricePublicEvent {
    const EVENT_TYPES: &'static [&'static str] = &["price_updated"];
}

#[derive(Clone)]
pub(crate) struct PricePublisher {
    outbox: Outbox,
}

impl PricePublisher {
    pub fn new(outbox: Outbox) -> Self {
        Self { outbox }
    }

    pub async fn price_updated_in_op(
        &self,
        op: &mut DbOp,
        provider: (PriceProviderId, &str, ProviderKind),
        price: UsdCentsPerBtc,
        updated_at: DateTime<Utc>,
    ) -> Result<(), OutboxError> {
        let (provider_id, source, source_kind) = provider;
        let event = PricePublicEvent::PriceUpdated {
            usd_cents_per_btc: price,
            provider_id,
            source: source.to_owned(),
            source_kind,
            updated_at,
        };
        self.outbox.publish_all_in_op(op, &[event]).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_published_types_are_the_declared_ones() {
        let events = [PricePublicEvent::PriceUpdated {
            usd_cents_per_btc: UsdCentsPerBtc::parse(1).unwrap(),
            provider_id: PriceProviderId::new(),
            source: "manual".into(),
            source_kind: ProviderKind::Manual,
            updated_at: DateTime::<Utc>::UNIX_EPOCH,
        }];
        assert_eq!(
            outbox::event_types(&events).unwrap(),
            PricePublicEvent::EVENT_TYPES
        );
    }
}
