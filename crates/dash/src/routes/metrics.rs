//! `GET P_dash-metrics` (when enabled): cache counters in Prometheus text,
//! for this process and summed over every process sharing the backend.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use super::AppState;

pub(crate) async fn serve(State(state): State<Arc<AppState>>) -> Response {
    let services = state.services.clone();
    let text = tokio::task::spawn_blocking(move || {
        let cache = match services.cache() {
            Ok(c) => c,
            Err(e) => return format!("# cache unavailable: {e}\n"),
        };
        let kind = cache.backend_kind();
        let mut text = String::new();
        let mine = cache.metrics();
        text.push_str(&mine.prometheus(&format!("{kind}\",scope=\"process")));
        match cache.cluster_metrics() {
            Ok(total) => text.push_str(&total.prometheus(&format!("{kind}\",scope=\"all"))),
            Err(e) => text.push_str(&format!("# cluster totals unavailable: {e}\n")),
        }
        let jobs = services.jobs();
        jobs.metrics()
            .snapshot()
            .prometheus(kind, "process", &mut text);
        match jobs.cluster_metrics() {
            Ok(total) => total.prometheus(kind, "all", &mut text),
            Err(e) => text.push_str(&format!("# job totals unavailable: {e}\n")),
        }
        text
    })
    .await
    .unwrap_or_else(|e| format!("# metrics failed: {e}\n"));
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
