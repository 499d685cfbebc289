use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// Errors that a fresh attempt of the same use case may not hit again: an optimistic-concurrency
/// conflict, a serialization failure, a deadlock victim.
pub trait Retryable {
    fn is_retryable(&self) -> bool;
}

/// PostgreSQL's serialization_failure (40001) and deadlock_detected (40P01).
pub fn sqlx_error_is_retryable(error: &sqlx::Error) -> bool {
    matches!(
        error.as_database_error().and_then(|e| e.code()).as_deref(),
        Some("40001" | "40P01")
    )
}

/// How often and how patiently a use case is re-run.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Total attempts, the first included.
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(2),
            max_delay: Duration::from_millis(100),
        }
    }
}

impl RetryPolicy {
    /// Exponential backoff with full jitter: a random delay in [0, min(max, base * 2^retry)].
    pub fn delay(&self, retry: u32) -> Duration {
        let cap = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_delay);
        let nanos = u64::try_from(cap.as_nanos()).unwrap_or(u64::MAX);
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(RandomState::new().hash_one(retry) % nanos)
    }
}

/// Runs `attempt` (a whole use case: begin, load, decide, persist, commit) and runs it again while
/// it fails with a retryable error, at most `policy.max_attempts` times in all. The last error is
/// returned when attempts run out.
pub async fn retry_conflicts<T, E, F, Fut>(policy: RetryPolicy, mut attempt: F) -> Result<T, E>
where
    E: Retryable + std::fmt::Display,
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut tries = 1;
    loop {
        match attempt().await {
            Err(e) if e.is_retryable() && tries < policy.max_attempts => {
                tracing::debug!(attempt = tries, error = %e, "retrying after a conflict");
                tokio::time::sleep(policy.delay(tries - 1)).await;
                tries += 1;
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[derive(Debug)]
    struct Conflict(bool);
    impl Retryable for Conflict {
        fn is_retryable(&self) -> bool {
            self.0
        }
    }
    impl std::fmt::Display for Conflict {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "conflict")
        }
    }

    #[tokio::test]
    async fn gives_up_after_max_attempts() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = retry_conflicts(RetryPolicy::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Conflict(true))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 5);
    }

    #[tokio::test]
    async fn does_not_retry_other_errors() {
        let calls = AtomicU32::new(0);
        let result: Result<(), _> = retry_conflicts(RetryPolicy::default(), || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(Conflict(false))
        })
        .await;
        assert!(result.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn delays_stay_under_the_cap() {
        let policy = RetryPolicy::default();
        for retry in 0..40 {
            assert!(policy.delay(retry) <= policy.max_delay);
        }
    }
}
