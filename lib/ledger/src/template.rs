//! Transaction templates: named, typed builders, so domain code posts
//! `record_deposit(account, amount, reference)` rather than raw entries.

use crate::posting::{NewEntry, NewTransaction};
use crate::primitives::JournalId;
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
