mod entity;
mod repo;

pub use entity::{NewUser, User, UserEvent};
pub(crate) use repo::UserRepo;
