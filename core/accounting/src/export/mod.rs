//! Exports of a ledger account's history as a CSV file: staff request one, a job writes the
//! file (`jobs/export.rs`) where the configuration says (`accounting.export_dir`), and the
//! export's status says when it is ready; the file is then read through the use case
//! [`Accounting::ledger_export_file`] (the admin server serves it to staff).

mod entity;
mod repo;

pub use entity::{ExportStatus, LedgerExport, LedgerExportEvent};
pub(crate) use repo::LedgerExportRepo;

use crate::Accounting;
use crate::error::AccountingError;
use crate::jobs::LedgerExportJob;
use crate::primitives::{AccountId, LedgerExportId, permissions};
use authz::Actor;
use es::{EsEntity, ListQuery, Page};
use std::path::PathBuf;

impl Accounting {
    /// Requests the export of `account`'s history (an account, not a set); a job writes it.
    pub async fn request_ledger_export(
        &self,
        actor: &Actor,
        account: AccountId,
    ) -> Result<LedgerExport, AccountingError> {
        use permissions::{EXPORTS, WRITE};
        self.use_cases
            .command(actor, EXPORTS, WRITE, || {
                async move |op| {
                    let info = self
                        .ledger
                        .account_info(account)
                        .await?
                        .ok_or(AccountingError::AccountNotFound(account))?;
                    if info.is_set {
                        return Err(AccountingError::ExportOfSet(account));
                    }
                    let id = LedgerExportId::new();
                    let export = self
                        .exports
                        .create_in_op(op, entity::requested(id, account, info.code))
                        .await?;
                    self.jobs
                        .spawn_in_op(op, LedgerExportJob::new_job(id)?)
                        .await?;
                    Ok(export)
                }
            })
            .await
    }

    pub async fn ledger_export(
        &self,
        actor: &Actor,
        id: LedgerExportId,
    ) -> Result<LedgerExport, AccountingError> {
        use permissions::{EXPORTS, READ};
        self.use_cases
            .query(actor, EXPORTS, READ, async || {
                Ok(self.exports.find_by_id(id).await?)
            })
            .await
    }

    /// Newest first.
    pub async fn ledger_exports(
        &self,
        actor: &Actor,
        query: ListQuery,
    ) -> Result<Page<LedgerExport>, AccountingError> {
        use permissions::{EXPORTS, READ};
        self.use_cases
            .query(actor, EXPORTS, READ, async || {
                Ok(self.exports.list(query).await?)
            })
            .await
    }

    /// A completed export's file: its name and its bytes.
    pub async fn ledger_export_file(
        &self,
        actor: &Actor,
        id: LedgerExportId,
    ) -> Result<(String, Vec<u8>), AccountingError> {
        use permissions::{EXPORTS, READ};
        self.use_cases
            .query(actor, EXPORTS, READ, async || {
                let export = self.exports.find_by_id(id).await?;
                let ExportStatus::Completed { file_name, .. } = &export.status else {
                    return Err(AccountingError::ExportNotReady(export.id()));
                };
                let path = self.export_path(file_name);
                let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
                    .await
                    .map_err(|e| AccountingError::ExportFile(e.to_string()))?
                    .map_err(|e| AccountingError::ExportFile(e.to_string()))?;
                Ok((file_name.clone(), bytes))
            })
            .await
    }

    pub(crate) fn export_path(&self, file_name: &str) -> PathBuf {
        PathBuf::from(&self.config.export_dir).join(file_name)
    }
}
