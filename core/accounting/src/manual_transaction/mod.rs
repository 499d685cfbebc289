//! Manual journal transactions: staff post entries by chart code (the node's own account) or by
//! ledger account id. Refused before the inception date, after today, or in a closed period
//! (the ledger refuses that last one itself); the ledger checks the balance per currency and
//! each account's limits. One posting per transaction, under an external id derived from its
//! id, in the use case's transaction; an `Idempotency-Key` makes a retry return the first.

mod entity;
mod repo;

pub use entity::{ManualEntry, ManualTransaction, ManualTransactionEvent};
pub(crate) use repo::ManualTransactionRepo;

use crate::Accounting;
use crate::error::AccountingError;
use crate::primitives::{EntryAccount, ManualTransactionId, NewManualTransaction, permissions};
use authz::Actor;
use es::{ListQuery, Page};
use idempotency::IdempotencyKey;
use ledger::{NewEntry, NewTransaction};
use use_case::Idempotency;

impl Accounting {
    pub async fn create_manual_transaction(
        &self,
        actor: &Actor,
        input: NewManualTransaction,
        key: Option<&IdempotencyKey>,
    ) -> Result<ManualTransaction, AccountingError> {
        use permissions::{MANUAL_TRANSACTIONS, WRITE};
        let idempotency = Idempotency {
            operation: "manualTransactionCreate",
            key,
            request: &input,
        };
        self.use_cases
            .idempotent_command(
                actor,
                MANUAL_TRANSACTIONS,
                WRITE,
                idempotency,
                &self.manual,
                |id: ManualTransactionId| {
                    let input = input.clone();
                    async move |op| {
                        let chart = self
                            .charts
                            .find_by_id_in_op(op, crate::chart::chart_id())
                            .await?;
                        let config = chart
                            .config
                            .as_ref()
                            .ok_or(AccountingError::NotConfigured)?;
                        if input.effective < config.inception {
                            return Err(AccountingError::BeforeInception {
                                effective: input.effective,
                                inception: config.inception,
                            });
                        }
                        let today = self.time.calendar().business_date(op.now());
                        if input.effective > today {
                            return Err(AccountingError::FutureDate {
                                effective: input.effective,
                                today,
                            });
                        }
                        let mut entries = Vec::with_capacity(input.entries.len());
                        for e in &input.entries {
                            let (account, code) = match &e.account {
                                EntryAccount::Code(code) => {
                                    (chart.node(code)?.own_account, Some(code.clone()))
                                }
                                EntryAccount::Account(id) => (*id, None),
                            };
                            entries.push(ManualEntry {
                                account,
                                code,
                                currency: e.currency,
                                direction: e.direction,
                                amount: e.amount,
                                description: e.description.clone(),
                            });
                        }
                        let mut tx = NewTransaction::new(
                            self.journal,
                            ManualTransaction::external_id(id),
                            input.effective,
                        )
                        .description(input.description.clone());
                        tx.template = Some("manual".into());
                        for e in &entries {
                            let mut entry = NewEntry::new(
                                e.direction,
                                e.account,
                                e.amount,
                                e.currency.ledger(),
                            );
                            entry.description.clone_from(&e.description);
                            tx = tx.entry(entry);
                        }
                        let posted = self
                            .ledger
                            .post_in_op(op, tx)
                            .await
                            .map_err(AccountingError::from_posting)?;
                        let events = entity::posted(
                            id,
                            input.description.clone(),
                            input.effective,
                            entries,
                            posted.id,
                        );
                        Ok(self.manual.create_in_op(op, events).await?)
                    }
                },
            )
            .await
    }

    pub async fn manual_transaction(
        &self,
        actor: &Actor,
        id: ManualTransactionId,
    ) -> Result<ManualTransaction, AccountingError> {
        use permissions::{MANUAL_TRANSACTIONS, READ};
        self.use_cases
            .query(actor, MANUAL_TRANSACTIONS, READ, async || {
                Ok(self.manual.find_by_id(id).await?)
            })
            .await
    }

    /// Newest first.
    pub async fn manual_transactions(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<ManualTransaction>, AccountingError> {
        use permissions::{MANUAL_TRANSACTIONS, READ};
        self.use_cases
            .query(actor, MANUAL_TRANSACTIONS, READ, async || {
                Ok(self.manual.list(query).await?)
            })
            .await
    }
}
