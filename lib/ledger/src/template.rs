//! Transaction templates: named, typed builders, so domain code posts
//! `record_deposit(account, amount, reference)` rather than raw entries.

use crate::posting::{NewEntry, NewTransaction};
use crate::primitives::{AccountId, JournalId, Layer, Side};
use chrono::NaiveDate;

/// A kind of transaction with typed parameters.
pub trait TxTemplate {
    /// Recorded on every transaction it builds.
    const NAME: &'static str;
    type Params;

    fn entries(&self, params: &Self::Params) -> Vec<NewEntry>;

    fn description(&self, _params: &Self::Params) -> Option<String> {
        None
    }

    /// The transaction for `params`, ready to post.
    fn build(
        &self,
        params: &Self::Params,
        journal_id: JournalId,
        external_id: impl Into<String>,
        effective: NaiveDate,
    ) -> NewTransaction {
        let mut tx = NewTransaction::new(journal_id, external_id, effective);
        tx.template = Some(Self::NAME.to_owned());
        tx.description = self.description(params);
        tx.entries = self.entries(params);
        tx
    }
}

/// What `entries` do to `account` in `layer`, credit positive: for checking what a template
/// posts (a template's tests compare it with the movement they expect).
pub fn net_credit(entries: &[NewEntry], account: AccountId, layer: Layer) -> i128 {
    entries
        .iter()
        .filter(|e| e.account_id == account && e.layer == layer)
        .map(|e| match e.direction {
            Side::Credit => i128::from(e.amount),
            Side::Debit => -i128::from(e.amount),
        })
        .sum()
}
