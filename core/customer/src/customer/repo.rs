use super::entity::Customer;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct CustomerTable;

impl EsRepoConfig for CustomerTable {
    type Entity = Customer;
    const ENTITY: &'static str = "customer";
    const EVENTS_TABLE: &'static str = "customer_customer_events";
    const INDEX_TABLE: &'static str = "customer_customers";
    const COLUMNS: &'static [Column] = &[
        Column::new("email", ColumnType::Text),
        Column::new("status", ColumnType::Text),
        Column::new("auth_subject", ColumnType::Text),
    ];

    fn index_values(c: &Customer) -> Vec<IndexValue> {
        vec![
            c.email.as_str().into(),
            c.status.as_str().into(),
            c.auth_subject.as_deref().into(),
        ]
    }
}

pub(crate) type CustomerRepo = EsRepo<CustomerTable>;
