use super::entity::Payment;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};
use uuid::Uuid;

pub(crate) struct PaymentTable;

impl EsRepoConfig for PaymentTable {
    type Entity = Payment;
    const ENTITY: &'static str = "payment";
    const EVENTS_TABLE: &'static str = "credit_payment_events";
    const INDEX_TABLE: &'static str = "credit_payments";
    const COLUMNS: &'static [Column] = &[
        Column::new("facility_id", ColumnType::Uuid),
        Column::new("unapplied", ColumnType::Bool),
    ];

    fn index_values(p: &Payment) -> Vec<IndexValue> {
        vec![
            Uuid::from(p.facility_id).into(),
            (!p.unapplied().is_zero()).into(),
        ]
    }
}

pub(crate) type PaymentRepo = EsRepo<PaymentTable>;
