//! `GET P_dash-health`: whether this process can serve with its cache, for
//! load balancers and probes. 200 `{"status":"ok",...}` when the backend
//! answers; 503 `{"status":"degraded",...}` while it does not (callbacks
//! then compute without it). No backend detail beyond its kind is shown.

use std::sync::Arc;
use std::time::SystemTime;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{json_response, AppState};

pub(crate) async fn serve(State(state): State<Arc<AppState>>) -> Response {
    let cache = state.services.opened_cache().clone();
    let kind = cache.backend_kind();
    let Ok(health) = tokio::task::spawn_blocking(move || cache.check_health()).await else {
        return json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            json!({"status": "degraded", "cache": {"backend": kind, "reachable": false}})
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
    });
    json_response(status, body.to_string())
}
