//! The recurring job that announces ended business days: it runs when the current day ends (on
//! the injected clock), and at start, so days that ended while the bank was down are announced,
//! in order, as soon as it is back.

use crate::Time;
use authz::Actor;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner};

pub struct EndOfDayJob(Time);

impl EndOfDayJob {
    pub const JOB_TYPE: &'static str = "time.end-of-day";

    pub(crate) fn new(time: Time) -> Self {
        Self(time)
    }
}

#[async_trait::async_trait]
impl JobRunner for EndOfDayJob {
    fn job_type(&self) -> &'static str {
        Self::JOB_TYPE
    }

    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        let actor = Actor::system(Self::JOB_TYPE);
        self.0
            .announce_ended_days(&actor)
            .await
            .map_err(|e| JobError::from(e.to_string()))?;
        let (_, next_end) = self.0.calendar().next_end_of_day(job.clock().now());
        Ok(JobCompletion::RescheduleAt(next_end))
    }
}
