//! The credit domain's reactions: governance's conclusions on proposals and disbursals, and
//! every change of the bank's BTC price, the end of each business day, and the balances
//! custodians report for the facilities' wallets.

mod approvals;
mod custody;
mod end_of_day;
mod price;

pub use approvals::CreditApprovalHandler;
pub use custody::CustodianCollateral;
pub use end_of_day::ServicingOnEndOfDay;
pub use price::PriceChangeHandler;
