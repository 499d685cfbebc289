mod entity;
mod repo;

pub(crate) use entity::ConclusionEffect;
pub use entity::{NewWithdrawal, Withdrawal, WithdrawalEvent};
pub(crate) use repo::WithdrawalRepo;
