//! `GET P_reload-hash` (hot reload): the watcher's answer (see
//! `hot_reload.rs`); its hash also changes when the server restarts, so
//! pages of a rebuilt app reload themselves.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{json_response, AppState};

pub(crate) async fn serve(State(state): State<Arc<AppState>>) -> Response {
    let body = match state.hot_reload.clone() {
        Some(watcher) => tokio::task::spawn_blocking(move || watcher.answer())
            .await
            .unwrap_or_else(|_| json!({"reloadHash": state.reload_hash, "hard": true})),
        None => {
            json!({"reloadHash": state.reload_hash, "hard": true, "packages": ["dash"], "files": []})
        }
    };
    json_response(StatusCode::OK, body.to_string())
}
