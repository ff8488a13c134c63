//! `GET P` and every other GET path: the HTML page. It also starts a
//! session for a browser without a valid one (the session middleware adds
//! the cookie).

use std::sync::Arc;

use axum::extract::Request;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;

use super::AppState;
use crate::pages::served::Answer;
use crate::session::RequestSession;

pub(crate) async fn serve(
    State(state): State<Arc<AppState>>,
    session: Option<Extension<RequestSession>>,
    request: Request,
) -> Response {
    let mut page = match state.hot_reload.clone() {
        Some(watcher) => tokio::task::spawn_blocking(move || watcher.page())
            .await
            .map(|p| (*p).clone())
            .unwrap_or_default(),
        None => state.index_html.clone(),
    };
    // A pages app: the page's own title and meta tags, 404, redirects.
    let mut status = StatusCode::OK;
    if let Some(pages) = &state.served_pages {
        let rendered = state.hot_reload.is_some().then_some(page.as_str());
        let https = session.as_ref().is_some_and(|s| s.0.secure());
        match pages.answer(request.uri(), request.headers(), https, rendered) {
            Answer::Redirect(to) => {
                // 301, as Python's pages answer `redirect_from` paths.
                return (StatusCode::MOVED_PERMANENTLY, [(header::LOCATION, to)]).into_response();
            }
            Answer::Page { status: s, html } => (status, page) = (s, html),
        }
    }
    let Some(Extension(session)) = session else {
        return (status, Html(page)).into_response();
    };
    // Verifies the cookie and reads the session's record, or starts a new
    // session.
    let with_end_id = state.registry.has_background();
    let end_id = tokio::task::spawn_blocking(move || {
        let id = session.id();
        // A page load's token for background job handles (protocol §7).
        with_end_id.then(|| crate::background::new_end_id(session.secret(), &id.hex()))
    })
    .await
    .ok()
    .flatten();
    match end_id {
        Some(token) => (
            status,
            Html(page.replacen(crate::index_page::END_ID_SLOT, &token, 1)),
        )
            .into_response(),
        None => (status, Html(page)).into_response(),
    }
}
