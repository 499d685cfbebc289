//! A wallet: where one facility's collateral is held, and its balance as last reported.
//!
//! **Order.** Reports can arrive out of order (webhook retries, two deliveries processed far
//! apart, an explorer behind another). Each carries the instant it describes (`observed_at`:
//! the custodian's transfer date or signed timestamp, the poll's instant); a report not newer
//! than the one applied is `AlreadyApplied` and changes nothing.

use crate::primitives::{CustodianId, Network, Provider, WalletId};
use chrono::{DateTime, Utc};
use es::{EntityEvents, EsEntity, EsEntityError, Idempotent};
use money::Satoshis;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WalletEvent {
    Created {
        custodian_id: CustodianId,
        provider: Provider,
        facility_id: Uuid,
        /// The custodian's id of the wallet (the address itself for self-custody).
        external_ref: String,
        address: String,
        network: Network,
        derivation_index: Option<u32>,
    },
    BalanceChanged {
        balance: Satoshis,
        observed_at: DateTime<Utc>,
        /// What reported it (the inbox event, or the poll).
        source: String,
    },
}

/// The last balance applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportedBalance {
    pub balance: Satoshis,
    pub observed_at: DateTime<Utc>,
}

#[derive(Debug)]
pub struct Wallet {
    pub custodian_id: CustodianId,
    pub provider: Provider,
    pub facility_id: Uuid,
    pub external_ref: String,
    pub address: String,
    pub network: Network,
    pub derivation_index: Option<u32>,
    pub balance: Option<ReportedBalance>,
    events: EntityEvents<WalletEvent>,
}

pub(crate) struct NewWallet {
    pub id: WalletId,
    pub custodian_id: CustodianId,
    pub provider: Provider,
    pub facility_id: Uuid,
    pub external_ref: String,
    pub address: String,
    pub network: Network,
    pub derivation_index: Option<u32>,
}

impl NewWallet {
    pub fn into_events(self) -> EntityEvents<WalletEvent> {
        EntityEvents::init(
            self.id,
            [WalletEvent::Created {
                custodian_id: self.custodian_id,
                provider: self.provider,
                facility_id: self.facility_id,
                external_ref: self.external_ref,
                address: self.address,
                network: self.network,
                derivation_index: self.derivation_index,
            }],
        )
    }
}

/// How the wallet's lookup key is written: a custodian's reference is unique per custodian.
pub(crate) fn lookup(custodian_id: CustodianId, external_ref: &str) -> String {
    format!("{custodian_id}:{external_ref}")
}

impl Wallet {
    /// When it was created (`None` before it is stored).
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.events.created_at()
    }

    /// Applies a reported balance, unless a report at least as recent was applied. `Executed`
    /// carries whether the balance moved.
    pub fn record_balance(
        &mut self,
        balance: Satoshis,
        observed_at: DateTime<Utc>,
        source: String,
    ) -> Idempotent<bool> {
        if let Some(last) = self.balance
            && last.observed_at >= observed_at
        {
            return Idempotent::AlreadyApplied;
        }
        let moved = self.balance.is_none_or(|last| last.balance != balance);
        self.balance = Some(ReportedBalance {
            balance,
            observed_at,
        });
        self.events.push(WalletEvent::BalanceChanged {
            balance,
            observed_at,
            source,
        });
        Idempotent::Executed(moved)
    }
}

impl EsEntity for Wallet {
    type Id = WalletId;
    type Event = WalletEvent;

    fn events(&self) -> &EntityEvents<WalletEvent> {
        &self.events
    }

    fn events_mut(&mut self) -> &mut EntityEvents<WalletEvent> {
        &mut self.events
    }

    fn try_from_events(events: EntityEvents<WalletEvent>) -> Result<Self, EsEntityError> {
        let mut iter = events.iter_all();
        let Some(WalletEvent::Created {
            custodian_id,
            provider,
            facility_id,
            external_ref,
            address,
            network,
            derivation_index,
        }) = iter.next()
        else {
            return Err(EsEntityError::NotInitialized {
                entity_id: events.entity_id(),
            });
        };
        let mut balance = None;
        for event in iter {
            match event {
                WalletEvent::Created { .. } => {
                    return Err(EsEntityError::Inconsistent {
                        entity_id: events.entity_id(),
                        reason: "created twice".into(),
                    });
                }
                WalletEvent::BalanceChanged {
                    balance: b,
                    observed_at,
                    ..
                } => {
                    balance = Some(ReportedBalance {
                        balance: *b,
                        observed_at: *observed_at,
                    });
                }
            }
        }
        Ok(Self {
            custodian_id: *custodian_id,
            provider: *provider,
            facility_id: *facility_id,
            external_ref: external_ref.clone(),
            address: address.clone(),
            network: *network,
            derivation_index: *derivation_index,
            balance,
            events,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn wallet() -> Wallet {
        let new = NewWallet {
            id: WalletId::new(),
            custodian_id: CustodianId::new(),
            provider: Provider::Bitgo,
            facility_id: Uuid::now_v7(),
            external_ref: "w1".into(),
            address: "tb1q".into(),
            network: Network::Testnet,
            derivation_index: None,
        };
        Wallet::try_from_events(new.into_events()).unwrap()
    }

    #[test]
    fn an_older_report_than_the_last_applied_changes_nothing() {
        let at = |h| Utc.with_ymd_and_hms(2027, 1, 1, h, 0, 0).unwrap();
        let mut w = wallet();
        let sats = Satoshis::from_minor;
        assert_eq!(
            w.record_balance(sats(100), at(10), "a".into()),
            Idempotent::Executed(true)
        );
        // older, then the same instant again: nothing
        assert!(
            w.record_balance(sats(50), at(9), "b".into())
                .was_already_applied()
        );
        assert!(
            w.record_balance(sats(50), at(10), "c".into())
                .was_already_applied()
        );
        assert_eq!(w.balance.unwrap().balance, sats(100));
        // newer with the same balance: recorded, not moved
        assert_eq!(
            w.record_balance(sats(100), at(11), "d".into()),
            Idempotent::Executed(false)
        );
        assert_eq!(
            w.record_balance(sats(30), at(12), "e".into()),
            Idempotent::Executed(true)
        );
        let rebuilt = Wallet::try_from_events(w.events().clone()).unwrap();
        assert_eq!(
            rebuilt.balance,
            Some(ReportedBalance {
                balance: sats(30),
                observed_at: at(12)
            })
        );
        assert_eq!(rebuilt.events().iter_all().count(), 4);
    }
}
