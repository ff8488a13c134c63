//! `GET P` and every other GET path: the HTML page. It also gives a browser
//! without one its session cookie.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{Html, IntoResponse, Response};

use super::AppState;
use crate::services::{new_session_id, session_from_headers, SESSION_COOKIE};

pub(crate) async fn serve(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let mut response = Html(state.index_html.clone()).into_response();
    if session_from_headers(&headers).is_none() {
        let cookie = format!(
            "{SESSION_COOKIE}={}; Path={}; HttpOnly; SameSite=Lax",
            new_session_id(),
            state.cookie_path
        );
        if let Ok(v) = HeaderValue::from_str(&cookie) {
            response.headers_mut().insert(header::SET_COOKIE, v);
        }
    }
    response
}
