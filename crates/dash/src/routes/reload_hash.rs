//! `GET P_reload-hash` (debug only): changes when the server restarts, so
//! pages of a rebuilt app reload themselves.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{json_response, AppState};

pub(crate) async fn serve(State(state): State<Arc<AppState>>) -> Response {
    let body =
        json!({"reloadHash": state.reload_hash, "hard": true, "packages": ["dash"], "files": []});
    json_response(StatusCode::OK, body.to_string())
}
