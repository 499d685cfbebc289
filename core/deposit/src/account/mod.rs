mod entity;
mod repo;

pub use entity::{DepositAccount, DepositAccountEvent, NewDepositAccount};
pub(crate) use repo::DepositAccountRepo;
