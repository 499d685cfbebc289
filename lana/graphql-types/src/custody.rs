//! The wallet that holds a facility's collateral, as both servers show it.

use async_graphql::{Enum, SimpleObject};
use chrono::{DateTime, Utc};
use es::EsEntity;
use graphql_kit::Satoshis;
use uuid::Uuid;

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_custody::Provider")]
pub enum CustodianProvider {
    Bitgo,
    Komainu,
    /// The bank's own account key; balances read from a block explorer.
    SelfCustody,
    /// Collateral recorded by staff.
    Manual,
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
#[graphql(remote = "core_custody::Network")]
pub enum BitcoinNetwork {
    Mainnet,
    Testnet,
}

/// Where a facility's collateral is held: send bitcoin to `address`; its balance as the
/// custodian (or the block explorer) last reported it is the facility's collateral.
#[derive(SimpleObject)]
pub struct Wallet {
    id: Uuid,
    custodian_id: Uuid,
    /// The credit facility whose collateral it holds.
    facility_id: Uuid,
    provider: CustodianProvider,
    /// The custodian's own id of the wallet (the address itself for self-custody): what their
    /// notifications and support name it by.
    custodian_ref: String,
    address: String,
    network: BitcoinNetwork,
    /// The last reported balance (none reported yet: null).
    balance: Option<Satoshis>,
    /// The instant the last applied report describes.
    balance_observed_at: Option<DateTime<Utc>>,
    created_at: Option<DateTime<Utc>>,
}

impl From<core_custody::Wallet> for Wallet {
    fn from(w: core_custody::Wallet) -> Self {
        Self {
            id: w.id().into(),
            custodian_id: w.custodian_id.into(),
            facility_id: w.facility_id,
            provider: w.provider.into(),
            custodian_ref: w.external_ref.clone(),
            address: w.address.clone(),
            network: w.network.into(),
            balance: w.balance.map(|b| Satoshis(b.balance)),
            balance_observed_at: w.balance.map(|b| b.observed_at),
            created_at: w.created_at(),
        }
    }
}
