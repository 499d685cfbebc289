//! A manual journal transaction: entries staff chose, posted to the ledger once.

use crate::primitives::{
    AccountCode, AccountId, BookCurrency, ManualTransactionId, Side, TransactionId,
};
use chrono::NaiveDate;
use es::{EntityEvents, EsEntity, EsEntityError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualEntry {
    pub account: AccountId,
    /// The chart code the entry named, when it named one.
    pub code: Option<AccountCode>,
    pub currency: BookCurrency,
    pub direction: Side,
    pub amount: u64,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ManualTransactionEvent {
    Posted {
        description: String,
        effective: NaiveDate,
        entries: Vec<ManualEntry>,
        ledger_transaction: TransactionId,
    },
}

#[derive(Debug)]
pub struct ManualTransaction {
    pub description: String,
    pub effective: NaiveDate,
    pub entries: Vec<ManualEntry>,
    pub ledger_transaction: TransactionId,
    events: EntityEvents<ManualTransactionEvent>,
}

impl ManualTransaction {
    /// The external id of its ledger transaction.
    pub fn external_id(id: ManualTransactionId) -> String {
        format!("accounting-manual:{id}")
    }
}

pub(crate) fn posted(
    id: ManualTransactionId,
    description: String,
    effective: NaiveDate,
    entries: Vec<ManualEntry>,
    ledger_transaction: TransactionId,
) -> EntityEvents<ManualTransactionEvent> {
    EntityEvents::init(
        id,
        [ManualTransactionEvent::Posted {
            description,
            effective,
            entries,
            ledger_transaction,
        }],
    )
}

impl EsEntity for ManualTransaction {
    type Id = ManualTransactionId;
    type Event = ManualTransactionEvent;

    fn events(&self) -> &EntityEvents<ManualTransactionEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<ManualTransactionEvent> {
        &mut self.events
    }

    fn try_from_events(
        events: EntityEvents<ManualTransactionEvent>,
    ) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(ManualTransactionEvent::Posted {
            description,
            effective,
            entries,
            ledger_transaction,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let posted_twice = iter.next().is_some();
        drop(iter);
        if posted_twice {
            return Err(EsEntityError::Inconsistent {
                entity_id: events.entity_id(),
                reason: "posted twice".into(),
            });
        }
        let (description, effective, entries, ledger_transaction) = (
            description.clone(),
            *effective,
            entries.clone(),
            *ledger_transaction,
        );
        Ok(Self {
            description,
            effective,
            entries,
            ledger_transaction,
            events,
        })
    }
}
