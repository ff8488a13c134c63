//! `GET P` and every other GET path: the HTML page.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Html;

use super::AppState;

pub(crate) async fn serve(State(state): State<Arc<AppState>>) -> Html<String> {
    Html(state.index_html.clone())
}
