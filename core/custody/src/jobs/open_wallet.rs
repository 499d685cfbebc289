//! Opens a facility's wallet at its custodian, out of the approval's transaction: the approval
//! spawns this job ([`Custody::request_wallet_in_op`]), so a custodian that is slow or down
//! holds back neither the approval nor anything behind it. The job opens the wallet (one
//! attempt: the custodian's API call and the wallet's row in one transaction) and tells the
//! [`CollateralSink`] in that transaction; a failed attempt is retried with the jobs' backoff
//! (up to `MAX_ATTEMPTS`, about two days), and a facility whose wallet exists is left alone.

use crate::Custody;
use crate::handlers::CollateralSink;
use crate::primitives::CustodianId;
use es::DbOp;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner, NewJob};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use uuid::Uuid;

/// Attempts before the job gives up: with a backoff doubling from the jobs' base up to an hour,
/// about two days of a custodian refusing or unreachable.
const MAX_ATTEMPTS: i32 = 60;

#[derive(Serialize, Deserialize)]
struct Payload {
    custodian_id: CustodianId,
    facility_id: Uuid,
}

pub struct OpenWalletJob {
    custody: Custody,
    sink: Arc<dyn CollateralSink>,
}

impl OpenWalletJob {
    pub const JOB_TYPE: &'static str = "custody.open-wallet";

    pub(crate) fn new(custody: Custody, sink: Arc<dyn CollateralSink>) -> Self {
        Self { custody, sink }
    }

    /// One job per facility, whoever asks again.
    pub(crate) fn new_job(
        custodian_id: CustodianId,
        facility_id: Uuid,
    ) -> Result<NewJob, serde_json::Error> {
        Ok(NewJob::new(
            Self::JOB_TYPE,
            Payload {
                custodian_id,
                facility_id,
            },
        )?
        .unique_key(format!("{}:{facility_id}", Self::JOB_TYPE))
        .max_attempts(MAX_ATTEMPTS))
    }
}

#[async_trait::async_trait]
impl JobRunner for OpenWalletJob {
    fn job_type(&self) -> &'static str {
        Self::JOB_TYPE
    }

    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        let payload: Payload = job.payload()?;
        let mut op = DbOp::init(job.pool(), job.clock()).await?;
        let opened = self
            .custody
            .open_wallet_in_op(&mut op, payload.custodian_id, payload.facility_id)
            .await;
        match opened {
            Ok(Some(wallet)) => {
                self.sink.wallet_opened_in_op(&mut op, &wallet).await?;
                Ok(JobCompletion::CompleteWithOp(op))
            }
            Ok(None) => Ok(JobCompletion::Complete),
            Err(error) => {
                tracing::warn!(facility = %payload.facility_id, custodian = %payload.custodian_id, %error, "the facility's wallet could not be opened; retried");
                Err(error.into())
            }
        }
    }
}
