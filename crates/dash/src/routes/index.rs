//! `GET P` and every other GET path: the HTML page. It also starts a
//! session for a browser without a valid one (the session middleware adds
//! the cookie).

use std::sync::Arc;

use axum::extract::State;
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;

use super::AppState;
use crate::session::RequestSession;

pub(crate) async fn serve(
    State(state): State<Arc<AppState>>,
    session: Option<Extension<RequestSession>>,
) -> Response {
    if let Some(Extension(session)) = session {
        // Verifies the cookie and reads the session's record, or starts a
        // new session.
        let _ = tokio::task::spawn_blocking(move || session.id()).await;
    }
    match state.hot_reload.clone() {
        Some(watcher) => {
            let page = tokio::task::spawn_blocking(move || watcher.page())
                .await
                .map(|p| (*p).clone())
                .unwrap_or_default();
            Html(page).into_response()
        }
        None => Html(state.index_html.clone()).into_response(),
    }
}
