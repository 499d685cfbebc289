//! Reads every self-custody address from its custodian's block explorer every
//! `custody.poll_interval_secs` (on the injected clock): each wallet's confirmed balance
//! (funded - spent) is applied as observed at the poll's instant, and a change reaches the
//! [`CollateralSink`] in the same transaction. One wallet per transaction, so an explorer that
//! fails for one address does not hold back the others; a failure is logged and the next poll
//! tries again.

use crate::Custody;
use crate::custodian::Adapter;
use crate::handlers::CollateralSink;
use crate::primitives::Provider;
use es::{DbOp, EsEntity, ListQuery};
use jobs::{CurrentJob, JobCompletion, JobError, JobRunner};
use money::Satoshis;
use std::sync::Arc;

pub struct SelfCustodyPollJob {
    custody: Custody,
    sink: Arc<dyn CollateralSink>,
}

impl SelfCustodyPollJob {
    pub const JOB_TYPE: &'static str = "custody.self-custody-poll";

    pub(crate) fn new(custody: Custody, sink: Arc<dyn CollateralSink>) -> Self {
        Self { custody, sink }
    }

    async fn poll(&self) -> Result<usize, JobError> {
        let custody = &self.custody;
        let (pool, clock) = (custody.use_cases.pool(), custody.use_cases.clock());
        let custodians = custody
            .custodians
            .list(ListQuery::first(100).filter("provider", Provider::SelfCustody.as_str()))
            .await?
            .entities;
        let mut applied = 0;
        for custodian in custodians {
            let mut op = DbOp::init(pool, clock).await?;
            let Adapter::SelfCustody { explorer, .. } =
                custody.adapter_in_op(&mut op, &custodian).await?
            else {
                continue;
            };
            drop(op);
            let query =
                ListQuery::first(100).filter("custodian_id", uuid::Uuid::from(custodian.id()));
            let mut page = custody.wallets.list(query.clone()).await?;
            loop {
                for wallet in &page.entities {
                    let balance = match explorer.confirmed_balance(&wallet.address).await {
                        Ok(balance) => balance,
                        Err(error) => {
                            tracing::warn!(address = %wallet.address, %error, "block explorer read failed");
                            continue;
                        }
                    };
                    let mut op = DbOp::init(pool, clock).await?;
                    let observed_at = op.now();
                    custody
                        .record_and_tell_in_op(
                            &mut op,
                            Self::JOB_TYPE,
                            wallet.id(),
                            Satoshis::from_minor(balance),
                            observed_at,
                            "explorer".into(),
                            self.sink.as_ref(),
                        )
                        .await?;
                    op.commit().await?;
                    applied += 1;
                }
                if !page.has_next_page {
                    break;
                }
                page = custody
                    .wallets
                    .list(query.clone().after(page.end_cursor))
                    .await?;
            }
        }
        Ok(applied)
    }
}

#[async_trait::async_trait]
impl JobRunner for SelfCustodyPollJob {
    fn job_type(&self) -> &'static str {
        Self::JOB_TYPE
    }

    async fn run(&self, job: &mut CurrentJob) -> Result<JobCompletion, JobError> {
        if let Err(error) = self.poll().await {
            tracing::error!(%error, "self-custody poll failed");
        }
        Ok(JobCompletion::RescheduleAt(
            job.clock().now() + self.custody.poll_interval,
        ))
    }
}
