//! Group commit: postings from many callers share database transactions.
//!
//! Callers hand their posting to a channel and wait for their own result. Committer tasks take
//! whatever has queued up (up to `max_batch`) and apply it as one batch in one transaction, so a
//! hot account is locked and fsynced once per batch rather than once per posting: throughput into
//! one account is `batch size / commit latency` instead of `1 / commit latency`. Each posting is
//! still judged on its own (limits, idempotency); only a database failure fails a batch, and then
//! its postings are retried one by one, so every caller gets the result of its own posting.
//!
//! A committer waits a short window for more postings only while another batch is being
//! committed: then postings are arriving faster than commits and waiting gathers them into one
//! fsync. With nothing in flight, a lone posting (a teller posting alone) is committed at once.

use crate::error::{LedgerError, PostingError};
use crate::posting::{NewTransaction, Posted};
use crate::{Ledger, LedgerConfig};
use es::DbOp;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, mpsc, oneshot};

pub(crate) type Reply = oneshot::Sender<Result<Posted, LedgerError>>;
pub(crate) type Request = (NewTransaction, Reply);

pub(crate) fn start(ledger: Ledger, config: &LedgerConfig) -> mpsc::Sender<Request> {
    let workers = config.committer_workers.max(1);
    let max_batch = config.max_batch.max(1);
    let window = Duration::from_micros(config.batch_window_micros);
    let (tx, rx) = mpsc::channel::<Request>(max_batch.saturating_mul(workers) * 4);
    let rx = Arc::new(Mutex::new(rx));
    let in_flight = Arc::new(AtomicUsize::new(0));
    for _ in 0..workers {
        tokio::spawn(work(
            ledger.clone(),
            rx.clone(),
            in_flight.clone(),
            max_batch,
            window,
        ));
    }
    tx
}

/// Takes the first request, then whatever arrives within `window` (up to `max_batch`): waiting a
/// fraction of a commit's latency lets callers just answered rejoin this batch.
async fn work(
    ledger: Ledger,
    rx: Arc<Mutex<mpsc::Receiver<Request>>>,
    in_flight: Arc<AtomicUsize>,
    max_batch: usize,
    window: Duration,
) {
    loop {
        let mut batch = Vec::new();
        {
            let mut rx = rx.lock().await;
            let Some(first) = rx.recv().await else { return };
            batch.push(first);
            let deadline = tokio::time::Instant::now() + window;
            while batch.len() < max_batch {
                match rx.try_recv() {
                    Ok(request) => batch.push(request),
                    Err(_) if window.is_zero() || in_flight.load(Ordering::Acquire) == 0 => {
                        break;
                    }
                    Err(_) => match tokio::time::timeout_at(deadline, rx.recv()).await {
                        Ok(Some(request)) => batch.push(request),
                        _ => break,
                    },
                }
            }
        }
        in_flight.fetch_add(1, Ordering::AcqRel);
        commit(&ledger, batch).await;
        in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

async fn commit(ledger: &Ledger, batch: Vec<Request>) {
    let (postings, replies): (Vec<NewTransaction>, Vec<Reply>) = batch.into_iter().unzip();
    match apply_and_commit(ledger, &postings).await {
        Ok(results) => {
            for (reply, result) in replies.into_iter().zip(results) {
                let _ = reply.send(result.map_err(LedgerError::from));
            }
        }
        Err(error) if postings.len() > 1 => {
            tracing::debug!(%error, size = postings.len(), "ledger batch failed; posting one by one");
            for (posting, reply) in postings.into_iter().zip(replies) {
                let result = retry_one(ledger, posting).await;
                let _ = reply.send(result);
            }
        }
        Err(error) => {
            for reply in replies {
                let _ = reply.send(Err(LedgerError::CommitFailed(error.to_string())));
            }
        }
    }
}

async fn apply_and_commit(
    ledger: &Ledger,
    postings: &[NewTransaction],
) -> Result<Vec<Result<Posted, PostingError>>, LedgerError> {
    let mut op = DbOp::init(&ledger.pool, &ledger.clock).await?;
    let results = ledger.apply(&mut op, postings).await?;
    op.commit().await?;
    Ok(results)
}

async fn retry_one(ledger: &Ledger, posting: NewTransaction) -> Result<Posted, LedgerError> {
    let batch = [posting];
    es::retry_conflicts(es::RetryPolicy::default(), || async {
        let mut results = apply_and_commit(ledger, &batch).await?;
        results
            .pop()
            .unwrap_or(Err(PostingError::Invalid("empty batch".into())))
            .map_err(LedgerError::from)
    })
    .await
}
