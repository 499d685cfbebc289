//! Spans reach an OTLP/HTTP collector: a local HTTP server plays the collector.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::{Router, body::Bytes, http::HeaderMap, routing::post};
use std::sync::{Arc, Mutex};
use telemetry::{TracingConfig, init};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn spans_are_exported_when_an_endpoint_is_configured() {
    let received: Arc<Mutex<Vec<(String, usize)>>> = Arc::default();
    let app = Router::new().route(
        "/v1/traces",
        post({
            let received = received.clone();
            move |headers: HeaderMap, body: Bytes| async move {
                let content_type = headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                received.lock().unwrap().push((content_type, body.len()));
                ""
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let guard = init(&TracingConfig {
        otlp_endpoint: Some(endpoint),
        service_name: "otlp-test".into(),
        ..TracingConfig::default()
    })
    .unwrap();
    tracing::info_span!("a_use_case", customer = "c-1").in_scope(|| tracing::info!("inside"));
    // Dropping the guard flushes the batch; it blocks, so do it off the runtime's threads.
    tokio::task::spawn_blocking(move || drop(guard))
        .await
        .unwrap();

    let received = received.lock().unwrap().clone();
    assert!(!received.is_empty(), "the collector received nothing");
    let (content_type, size) = &received[0];
    assert_eq!(content_type, "application/x-protobuf");
    assert!(*size > 0);
}
