mod entity;
mod repo;

pub use entity::{NewRole, Role, RoleEvent};
pub(crate) use repo::RoleRepo;
