use super::entity::{Wallet, lookup};
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct WalletTable;

impl EsRepoConfig for WalletTable {
    type Entity = Wallet;
    const ENTITY: &'static str = "wallet";
    const EVENTS_TABLE: &'static str = "wallet_events";
    const INDEX_TABLE: &'static str = "wallets";
    const COLUMNS: &'static [Column] = &[
        Column::new("custodian_id", ColumnType::Uuid),
        Column::new("facility_id", ColumnType::Uuid),
        Column::new("lookup", ColumnType::Text),
        Column::new("address", ColumnType::Text),
        Column::new("derivation_index", ColumnType::BigInt),
    ];

    fn index_values(wallet: &Wallet) -> Vec<IndexValue> {
        vec![
            uuid::Uuid::from(wallet.custodian_id).into(),
            wallet.facility_id.into(),
            lookup(wallet.custodian_id, &wallet.external_ref).into(),
            wallet.address.as_str().into(),
            wallet.derivation_index.map(i64::from).into(),
        ]
    }
}

pub(crate) type WalletRepo = EsRepo<WalletTable>;
