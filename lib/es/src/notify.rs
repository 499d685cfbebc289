//! Waking up on PostgreSQL notifications, with polling as the fallback.

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

/// Resolves on the next notification; never, without a listener.
pub async fn notified(listener: &mut Option<PgListener>) {
    match listener {
        Some(l) => {
            if l.recv().await.is_err() {
                // The connection dropped; sqlx reconnects on the next recv. Avoid a hot loop.
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        None => std::future::pending().await,
    }
}
