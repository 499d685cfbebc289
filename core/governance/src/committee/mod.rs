mod entity;
mod repo;

pub(crate) use entity::NewCommittee;
pub use entity::{Committee, CommitteeEvent};
pub(crate) use repo::CommitteeRepo;
