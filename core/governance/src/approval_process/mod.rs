mod entity;
mod repo;

pub(crate) use entity::NewApprovalProcess;
pub use entity::{ApprovalProcess, ApprovalProcessEvent, ApprovalProcessStatus, Denial};
pub(crate) use repo::ApprovalProcessRepo;
