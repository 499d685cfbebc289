use super::entity::ManualTransaction;
use es::{Column, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct ManualTransactionTable;

impl EsRepoConfig for ManualTransactionTable {
    type Entity = ManualTransaction;
    const ENTITY: &'static str = "manual transaction";
    const EVENTS_TABLE: &'static str = "accounting_manual_transaction_events";
    const INDEX_TABLE: &'static str = "accounting_manual_transactions";
    const COLUMNS: &'static [Column] = &[];

    fn index_values(_: &ManualTransaction) -> Vec<IndexValue> {
        Vec::new()
    }
}

pub(crate) type ManualTransactionRepo = EsRepo<ManualTransactionTable>;
