//! Account activity classes, evaluated just after each midnight UTC by the injected clock (see
//! `Deposits::evaluate_activity`, and the settings in `crate::config`).

use crate::Deposits;
use authz::Actor;
use chrono::{DateTime, Days, Utc};
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner};

/// The first midnight (UTC) after `now`.
fn next_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive()
        .checked_add_days(Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(now, |d| d.and_utc())
}

/// The end-of-day job: evaluates activity, then runs again after the next midnight.
pub struct ActivityJob(Deposits);

impl ActivityJob {
    pub const JOB_TYPE: &'static str = "deposit.activity";

    pub fn new(deposits: Deposits) -> Self {
        Self(deposits)
    }

    /// When the first run is due.
    pub fn first_run(now: DateTime<Utc>) -> DateTime<Utc> {
        next_midnight(now)
    }
}

#[async_trait::async_trait]
impl JobRunner for ActivityJob {
    fn job_type(&self) -> &'static str {
        Self::JOB_TYPE
    }

    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        let now = job.clock().now();
        let actor = Actor::system(Self::JOB_TYPE);
        let changed = self
            .0
            .evaluate_activity(&actor, now)
            .await
            .map_err(|e| JobError::from(e.to_string()))?;
        tracing::info!(changed, "deposit account activity evaluated");
        Ok(JobCompletion::RescheduleAt(next_midnight(now)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_job_runs_after_each_midnight() {
        let now = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap();
        assert_eq!(
            next_midnight(now),
            Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()
        );
        let midnight = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            next_midnight(midnight),
            Utc.with_ymd_and_hms(2027, 1, 2, 0, 0, 0).unwrap()
        );
    }
}
