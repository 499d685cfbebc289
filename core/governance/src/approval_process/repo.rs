use super::entity::ApprovalProcess;
use es::{Column, ColumnType, EsRepo, EsRepoConfig, IndexValue};

pub(crate) struct ApprovalProcesses;

impl EsRepoConfig for ApprovalProcesses {
    type Entity = ApprovalProcess;
    const ENTITY: &'static str = "approval process";
    const EVENTS_TABLE: &'static str = "governance_approval_process_events";
    const INDEX_TABLE: &'static str = "governance_approval_processes";
    const COLUMNS: &'static [Column] = &[
        Column::new("process_type", ColumnType::Text),
        Column::new("target_id", ColumnType::Text),
        Column::new("status", ColumnType::Text),
    ];

    fn index_values(process: &ApprovalProcess) -> Vec<IndexValue> {
        vec![
            process.process_type.as_str().into(),
            process.target_id.as_str().into(),
            process.status.as_str().into(),
        ]
    }
}

pub(crate) type ApprovalProcessRepo = EsRepo<ApprovalProcesses>;
