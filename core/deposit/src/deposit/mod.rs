mod entity;
mod repo;

pub use entity::{Deposit, DepositEvent, NewDeposit};
pub(crate) use repo::DepositRepo;
