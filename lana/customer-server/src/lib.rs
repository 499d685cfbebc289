//! customer-server: the customer API on port 5254. Customers, each scoped to their own data.
//!
//! For now it serves the unauthenticated health endpoint; the GraphQL API arrives with the servers
//! issue.

use axum::Router;
use http_server::{ServerConfig, health_route};
use lana_app::LanaApp;

pub const NAME: &str = "customer-server";

pub fn default_config() -> ServerConfig {
    ServerConfig::local(5254)
}

pub fn router(app: LanaApp) -> Router {
    health_route(move || {
        let app = app.clone();
        async move { app.health_report().await }
    })
}
