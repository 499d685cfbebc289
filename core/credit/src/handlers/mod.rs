//! The credit domain's reactions: governance's conclusions on proposals and disbursals, and
//! every change of the bank's BTC price.

mod approvals;
mod price;

pub use approvals::CreditApprovalHandler;
pub use price::PriceChangeHandler;
