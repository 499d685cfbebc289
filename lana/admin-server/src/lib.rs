//! admin-server: the admin API on port 5253. Bank staff (RBAC).
//!
//! For now it serves the unauthenticated health endpoint; the GraphQL API arrives with the servers
//! issue.

use axum::Router;
use http_server::{ServerConfig, health_route};
use lana_app::LanaApp;

pub const NAME: &str = "admin-server";

pub fn default_config() -> ServerConfig {
    ServerConfig::local(5253)
}

pub fn router(app: LanaApp) -> Router {
    health_route(move || {
        let app = app.clone();
        async move { app.health_report().await }
    })
}
