//! `GET P_dash-dependencies`: the callback list.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use super::{json_response, AppState};

pub(crate) async fn serve(State(state): State<Arc<AppState>>) -> Response {
    json_response(StatusCode::OK, state.dependencies.clone())
}
