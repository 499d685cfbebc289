//! Writes a requested ledger export: the account's entries, newest first, a page at a time, to
//! `<export_dir>/<export id>.csv` (written under a temporary name, then renamed, so a file that
//! exists is whole), then marks the export completed in the job's transaction. A failure to
//! read or write marks it failed with the reason (nothing half-written is offered).

use crate::Accounting;
use crate::export::ExportStatus;
use crate::primitives::LedgerExportId;
use crate::statement::major_units;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner, NewJob};
use ledger::{Layer, LedgerEntry, Side};
use serde::{Deserialize, Serialize};
use std::io::Write;

/// Entries read per page.
const PAGE: usize = 100;

#[derive(Serialize, Deserialize)]
struct Payload {
    export: LedgerExportId,
}

pub struct LedgerExportJob(Accounting);

impl LedgerExportJob {
    pub const JOB_TYPE: &'static str = "accounting.ledger-export";

    pub(crate) fn new(accounting: Accounting) -> Self {
        Self(accounting)
    }

    pub(crate) fn new_job(export: LedgerExportId) -> Result<NewJob, serde_json::Error> {
        Ok(NewJob::new(Self::JOB_TYPE, Payload { export })?
            .unique_key(format!("ledger-export:{export}")))
    }
}

fn record(e: &LedgerEntry) -> Vec<String> {
    let layer = match e.layer {
        Layer::Settled => "settled",
        Layer::Pending => "pending",
        Layer::Encumbrance => "encumbrance",
    };
    let direction = match e.direction {
        Side::Debit => "debit",
        Side::Credit => "credit",
    };
    let amount = match e.currency.as_str() {
        "USD" => major_units(i128::from(e.amount), 2),
        "BTC" => major_units(i128::from(e.amount), 8),
        _ => e.amount.to_string(),
    };
    vec![
        e.id.to_string(),
        e.effective.to_string(),
        e.recorded_at.to_rfc3339(),
        e.transaction_id.to_string(),
        e.external_id.clone(),
        e.currency.to_string(),
        layer.into(),
        direction.into(),
        amount,
        e.description.clone().unwrap_or_default(),
    ]
}

const HEADER: [&str; 10] = [
    "entry",
    "effective",
    "recorded_at",
    "transaction",
    "external_id",
    "currency",
    "layer",
    "direction",
    "amount",
    "description",
];

impl Accounting {
    /// Writes the file of `export` and returns (rows, bytes).
    async fn write_export(
        &self,
        export: LedgerExportId,
        account: ledger::AccountId,
    ) -> Result<(u64, u64), String> {
        let dir = std::path::PathBuf::from(&self.config.export_dir);
        let temporary = dir.join(format!("{export}.csv.partial"));
        let done = self.export_path(&format!("{export}.csv"));
        let shown = temporary.display().to_string();
        let file = {
            let temporary = temporary.clone();
            tokio::task::spawn_blocking(move || {
                std::fs::create_dir_all(&dir)?;
                std::fs::File::create(&temporary)
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("cannot create {shown}: {e}"))?
        };
        let mut writer = csv::Writer::from_writer(std::io::BufWriter::new(file));
        writer.write_record(HEADER).map_err(|e| e.to_string())?;
        let (mut rows, mut after) = (0u64, None);
        loop {
            let page = self
                .ledger
                .entries(account, PAGE, after)
                .await
                .map_err(|e| e.to_string())?;
            let records: Vec<Vec<String>> = page.entries.iter().map(record).collect();
            rows += records.len() as u64;
            writer = tokio::task::spawn_blocking(move || {
                for r in &records {
                    writer.write_record(r)?;
                }
                Ok::<_, csv::Error>(writer)
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
            if !page.has_next_page {
                break;
            }
            after = page.end_cursor;
        }
        let bytes = tokio::task::spawn_blocking(move || -> std::io::Result<u64> {
            let mut inner = writer.into_inner().map_err(|e| e.into_error())?;
            inner.flush()?;
            let file = inner.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            std::fs::rename(&temporary, &done)?;
            Ok(std::fs::metadata(&done)?.len())
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("cannot write the export file: {e}"))?;
        Ok((rows, bytes))
    }
}

#[async_trait::async_trait]
impl JobRunner for LedgerExportJob {
    fn job_type(&self) -> &'static str {
        Self::JOB_TYPE
    }

    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        let Payload { export } = job.payload()?;
        let requested = self.0.exports.find_by_id(export).await?;
        if requested.status != ExportStatus::Pending {
            return Ok(JobCompletion::Complete);
        }
        // The file is written outside any transaction; the outcome is recorded with the job's
        // completion.
        let outcome = self.0.write_export(export, requested.account).await;
        let mut op = job.begin_op().await?;
        let mut entity = self.0.exports.find_by_id_in_op(&mut op, export).await?;
        let recorded = match outcome {
            Ok((rows, bytes)) => entity.complete(format!("{export}.csv"), rows, bytes),
            Err(reason) => {
                tracing::error!(%export, %reason, "ledger export failed");
                entity.fail(reason)
            }
        };
        if recorded.did_execute() {
            self.0.exports.update_in_op(&mut op, &mut entity).await?;
        }
        Ok(JobCompletion::CompleteWithOp(op))
    }
}
