mod entity;
mod repo;

pub use entity::{Customer, CustomerEvent, NewCustomer};
pub(crate) use repo::CustomerRepo;
