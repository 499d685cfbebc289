//! What every HTTP server of the bank shares, with no banking knowledge: where it listens, how it
//! reports health, how it stops.
//!
//! Listeners are bound before anything is served, so a busy port is a startup error that names the
//! server and the address. Shutdown is graceful: once the shutdown signal fires, the server stops
//! accepting connections and finishes the requests in flight.

use axum::Router;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use serde::{Deserialize, Serialize};
use std::future::Future;
use std::net::SocketAddr;
use tokio::net::TcpListener;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerConfig {
    pub host: String,
    pub port: u16,
}

impl ServerConfig {
    pub fn local(port: u16) -> Self {
        Self {
            host: "127.0.0.1".into(),
            port,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("{server} cannot listen on {host}:{port}: {source}")]
    Bind {
        server: &'static str,
        host: String,
        port: u16,
        source: std::io::Error,
    },
    #[error("{server} stopped with an error: {source}")]
    Serve {
        server: &'static str,
        source: std::io::Error,
    },
}

/// Binds the server's address now, so a busy port fails startup with a clear message.
pub async fn bind(server: &'static str, config: &ServerConfig) -> Result<TcpListener, ServerError> {
    TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(|source| ServerError::Bind {
            server,
            host: config.host.clone(),
            port: config.port,
            source,
        })
}

/// `GET /health`: 200 with the check's report when healthy, 503 otherwise. Unauthenticated.
pub fn health_route<F, Fut, R>(check: F) -> Router
where
    F: Fn() -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = (bool, R)> + Send,
    R: Serialize,
{
    Router::new().route(
        "/health",
        get(move || async move {
            let (healthy, report) = check().await;
            let status = if healthy {
                StatusCode::OK
            } else {
                StatusCode::SERVICE_UNAVAILABLE
            };
            let body = serde_json::json!({
                "status": if healthy { "ok" } else { "unavailable" },
                "checks": report,
            });
            (status, axum::Json(body)).into_response()
        }),
    )
}

/// Serves `router` on `listener` until `shutdown` completes, then finishes in-flight requests.
pub async fn serve(
    server: &'static str,
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServerError> {
    let address = listener.local_addr().ok();
    tracing::info!(server, address = ?address, "listening");
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .map_err(|source| ServerError::Serve { server, source })?;
    tracing::info!(server, "stopped");
    Ok(())
}
