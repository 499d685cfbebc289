//! Account activity classes, evaluated at the end of each day.
//!
//! An account's last activity is its newest deposit or withdrawal (or its opening). It is
//! `inactive` after [`InactiveAfterDays`] without activity and `escheatable` after a further
//! [`EscheatableAfterInactiveDays`] (both domain settings). The job runs just after midnight UTC
//! by the injected clock, walks the open accounts in id order, 500 at a time, and records a change
//! of class as an event on the account.

use crate::primitives::{Activity, DepositAccountId};
use crate::{DepositError, Deposits};
use chrono::{DateTime, Days, Utc};
use core_domain_config::ConfigKey;
use es::DbOp;
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner};
use uuid::Uuid;

pub struct InactiveAfterDays;

impl ConfigKey for InactiveAfterDays {
    const KEY: &'static str = "deposit-inactive-after-days";
    const DESCRIPTION: &'static str =
        "Days without a deposit or withdrawal after which an account is inactive (1 to 3650)";
    type Value = u32;
    fn default_value() -> u32 {
        365
    }
    fn validate(days: &u32) -> Result<(), String> {
        if (1..=3650).contains(days) {
            Ok(())
        } else {
            Err("must be between 1 and 3650".into())
        }
    }
}

pub struct EscheatableAfterInactiveDays;

impl ConfigKey for EscheatableAfterInactiveDays {
    const KEY: &'static str = "deposit-escheatable-after-inactive-days";
    const DESCRIPTION: &'static str =
        "Further days after becoming inactive after which an account is escheatable (1 to 36500)";
    type Value = u32;
    fn default_value() -> u32 {
        1460
    }
    fn validate(days: &u32) -> Result<(), String> {
        if (1..=36_500).contains(days) {
            Ok(())
        } else {
            Err("must be between 1 and 36500".into())
        }
    }
}

const BATCH: i64 = 500;

/// The class of an account last active at `last` on `now`.
pub(crate) fn classify(
    last: DateTime<Utc>,
    now: DateTime<Utc>,
    inactive_after: u32,
    escheatable_after: u32,
) -> Activity {
    let idle_days = (now - last).num_days();
    let inactive_after = i64::from(inactive_after);
    if idle_days >= inactive_after + i64::from(escheatable_after) {
        Activity::Escheatable
    } else if idle_days >= inactive_after {
        Activity::Inactive
    } else {
        Activity::Active
    }
}

/// The first midnight (UTC) after `now`.
pub(crate) fn next_midnight(now: DateTime<Utc>) -> DateTime<Utc> {
    now.date_naive()
        .checked_add_days(Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(now, |d| d.and_utc())
}

impl Deposits {
    /// Re-evaluates every open account's activity class as of `now`; returns how many changed.
    pub async fn evaluate_activity(&self, now: DateTime<Utc>) -> Result<usize, DepositError> {
        let mut op = DbOp::init(&self.pool, &self.clock).await?;
        let inactive_after = self.configs.get_in_op::<InactiveAfterDays>(&mut op).await?;
        let escheatable_after = self
            .configs
            .get_in_op::<EscheatableAfterInactiveDays>(&mut op)
            .await?;
        op.commit().await?;
        let (mut after, mut changed) = (Uuid::nil(), 0);
        loop {
            let mut op = DbOp::init(&self.pool, &self.clock).await?;
            let rows: Vec<(Uuid, String, DateTime<Utc>)> = sqlx::query_as(
                r#"SELECT a.id, a.activity,
                          greatest(a.created_at,
                                   (SELECT max(d.created_at) FROM deposit_deposits d WHERE d.account_id = a.id),
                                   (SELECT max(w.created_at) FROM deposit_withdrawals w WHERE w.account_id = a.id))
                   FROM deposit_accounts a
                   WHERE a.status <> 'closed' AND a.id > $1
                   ORDER BY a.id LIMIT $2"#,
            )
            .bind(after)
            .bind(BATCH)
            .fetch_all(op.conn())
            .await?;
            let Some((last_id, _, _)) = rows.last() else {
                break;
            };
            after = *last_id;
            for (id, current, last) in &rows {
                let class = classify(*last, now, inactive_after, escheatable_after);
                if class.as_str() == current {
                    continue;
                }
                let mut account = self
                    .accounts
                    .find_by_id_in_op(&mut op, DepositAccountId::from(*id))
                    .await?;
                if account.update_activity(class).did_execute() {
                    self.accounts.update_in_op(&mut op, &mut account).await?;
                    changed += 1;
                }
            }
            op.commit().await?;
            if i64::try_from(rows.len()).unwrap_or(0) < BATCH {
                break;
            }
        }
        Ok(changed)
    }
}

/// The end-of-day job: evaluates activity, then runs again after the next midnight.
pub struct ActivityJob(pub Deposits);

impl ActivityJob {
    pub const JOB_TYPE: &'static str = "deposit.activity";

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
        let changed = self
            .0
            .evaluate_activity(now)
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
    fn classes_follow_the_thresholds() {
        let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 5).unwrap();
        let days_ago = |d| now - chrono::Duration::days(d);
        assert_eq!(classify(days_ago(0), now, 30, 60), Activity::Active);
        assert_eq!(classify(days_ago(29), now, 30, 60), Activity::Active);
        assert_eq!(classify(days_ago(30), now, 30, 60), Activity::Inactive);
        assert_eq!(classify(days_ago(89), now, 30, 60), Activity::Inactive);
        assert_eq!(classify(days_ago(90), now, 30, 60), Activity::Escheatable);
    }

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
