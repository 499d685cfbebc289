mod entity;
mod repo;

pub use entity::{NewProspect, Prospect, ProspectEvent};
pub(crate) use repo::ProspectRepo;
