//! Asks the exchange for its price every `price.fetch_interval_secs` (on the injected clock).

use crate::Prices;
use authz::Actor;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner};

pub struct FetchPriceJob(Prices);

impl FetchPriceJob {
    pub const JOB_TYPE: &'static str = "price.fetch";

    pub(crate) fn new(prices: Prices) -> Self {
        Self(prices)
    }
}

#[async_trait::async_trait]
impl JobRunner for FetchPriceJob {
    fn job_type(&self) -> &'static str {
        Self::JOB_TYPE
    }

    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        // A failure to record (the database) is logged, not fatal: the next run tries again, and
        // meanwhile the price ages into stale, which the API shows.
        if let Err(error) = self.0.fetch_now(&Actor::system(Self::JOB_TYPE)).await {
            tracing::error!(%error, "price fetch could not be recorded");
        }
        Ok(JobCompletion::RescheduleAt(
            job.clock().now() + self.0.fetch_interval,
        ))
    }
}
