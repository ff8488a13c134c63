//! `GET P_dash-health`: whether this process can serve with its cache, for
//! load balancers and probes. 200 `{"status":"ok",...}` when the backend
//! answers; 503 `{"status":"degraded",...}` while it does not (callbacks
//! then compute without it). No backend detail beyond its kind is shown;
//! `worker` (`DASH_WORKER_ID`, `null` without `--workers`) and `pid` name
//! the answering process.
//!
//! Dash 4's `health_endpoint` (`Dash::health_endpoint`) is [`plain`]:
//! Python's `OK` in `text/plain`, and here `DEGRADED` with 503 while the
//! backend does not answer.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use dash_cache::HealthSnapshot;
use serde_json::json;

use super::{json_response, AppState};
use crate::services::Services;

/// The backend's health, asked on a blocking thread; `None` if that failed.
async fn check(services: &Services) -> Option<HealthSnapshot> {
    let cache = services.opened_cache().clone();
    tokio::task::spawn_blocking(move || cache.check_health())
        .await
        .ok()
}

pub(crate) async fn serve(State(state): State<Arc<AppState>>) -> Response {
    let kind = state.services.opened_cache().backend_kind();
    let worker = crate::workers::worker_id();
    let pid = std::process::id();
    let Some(health) = check(&state.services).await else {
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "degraded", "cache": {"backend": kind, "reachable": false},
                   "worker": worker, "pid": pid})
            .to_string(),
        );
    };
    let down_for = health
        .down_since
        .and_then(|t| SystemTime::now().duration_since(t).ok())
        .map(|d| d.as_secs());
    let status = if health.reachable {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = json!({
        "status": if health.reachable { "ok" } else { "degraded" },
        "cache": {
            "backend": kind,
            "reachable": health.reachable,
            "down_for_seconds": down_for,
            "outages": health.outages,
        },
        "worker": worker,
        "pid": pid,
    });
    json_response(status, body.to_string())
}

/// `OK` (200) or `DEGRADED` (503), `text/plain`, as Dash 4's
/// `serve_health`.
pub(crate) async fn plain(services: Arc<Services>) -> Response {
    let reachable = check(&services).await.is_some_and(|h| h.reachable);
    let (status, text) = if reachable {
        (StatusCode::OK, "OK")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "DEGRADED")
    };
    let mut response = Response::new(axum::body::Body::from(text));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
