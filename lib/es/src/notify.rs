//! Waking up on PostgreSQL notifications, with polling as the fallback.

use futures::FutureExt;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::time::Duration;

/// A `LISTEN` on `channel`, or nothing if it cannot be set up (callers then rely on polling).
pub async fn listen(pool: &PgPool, channel: &str) -> Option<PgListener> {
    let mut listener = match PgListener::connect_with(pool).await {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(channel, %error, "cannot connect to LISTEN; polling only");
            return None;
        }
    };
    match listener.listen(channel).await {
        Ok(()) => Some(listener),
        Err(error) => {
            tracing::warn!(channel, %error, "LISTEN failed; polling only");
            None
        }
    }
}

/// Resolves on the next notification; never, without a listener. The notifications that arrived
/// while the caller was busy are consumed with it: one wake-up answers them all. (Read one at a
/// time, a waiter that was busy through a stream of commits would then wake once per commit it
/// missed, and its connection would hold the backlog.)
pub async fn notified(listener: &mut Option<PgListener>) {
    match listener {
        Some(l) => {
            if l.recv().await.is_err() {
                // The connection dropped; sqlx reconnects on the next recv. Avoid a hot loop.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return;
            }
            // Each `recv` that is ready at once takes a notification already received; the first
            // that would wait is dropped, as the callers' `select!`s drop a waiting one.
            while let Some(Ok(_)) = l.recv().now_or_never() {}
        }
        None => std::future::pending().await,
    }
}
