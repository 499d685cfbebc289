mod entity;
mod repo;

pub(crate) use entity::NewPolicy;
pub use entity::{Policy, PolicyEvent};
pub(crate) use repo::PolicyRepo;
