//! `POST P_dash-update-component`: run one callback.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use dash_protocol::{excerpt, ECHO_LIMIT};

use super::body::BodyError;
use super::{json_response, AppState};
use crate::callback::{dispatch, CallEnvironment, DispatchError};

/// The longest message of a 400 answer (it quotes cut ids and values).
const MESSAGE_LIMIT: usize = 1024;
/// The longest failure message logged or shown in debug mode (a callback's
/// error or panic text can quote its arguments).
const FAILURE_LIMIT: usize = 4096;

// An axum handler: one argument per extractor.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn serve(
    State(state): State<Arc<AppState>>,
    session: Option<axum::Extension<crate::session::RequestSession>>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
    uri: axum::http::Uri,
    remote: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    user: Option<axum::Extension<crate::auth::User>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let body = match super::body::read(&headers, body, state.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return body_error_response(e, state.max_body_bytes),
    };
    let environment = CallEnvironment {
        services: state.services.clone(),
        session: session.map(|s| s.0),
        guard: state.store_guard.clone(),
        headers,
        server_stores: Some(state.server_stores.clone()),
        query,
        path: uri.path().to_owned(),
        remote: remote.map(|axum::Extension(c)| c.0),
        user: user.map(|u| u.0),
    };
    match dispatch(state.registry.clone(), environment, body).await {
        Ok(answer) => {
            with_callback_headers(json_response(StatusCode::OK, answer.json), answer.headers)
        }
        Err(e) => error_response(&state, e),
    }
}

/// Adds what the callback set with `ctx.response()` (`true`: appended, as
/// cookies are; else replacing).
pub(crate) fn with_callback_headers(
    mut response: Response,
    added: Vec<(axum::http::HeaderName, axum::http::HeaderValue, bool)>,
) -> Response {
    let headers = response.headers_mut();
    for (name, value, append) in added {
        if append {
            headers.append(name, value);
        } else {
            headers.insert(name, value);
        }
    }
    response
}

/// The answer to a body that cannot be read (too large, broken).
pub(crate) fn body_error_response(e: BodyError, limit: usize) -> Response {
    let (status, message) = match e {
        BodyError::TooLarge => (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request body is larger than the limit of {} bytes (Dash::max_body_bytes)",
                limit
            ),
        ),
        BodyError::Unreadable(reason) => (
            StatusCode::BAD_REQUEST,
            format!("cannot read the request body: {reason}"),
        ),
    };
    tracing::warn!(status = status.as_u16(), %message, "request body refused");
    json_response(
        status,
        json!({"error": "bad_body", "message": message}).to_string(),
    )
}

/// The answer to a failed or prevented call (also for callbacks served as
/// API routes).
pub(crate) fn error_response(state: &AppState, error: DispatchError) -> Response {
    match error {
        DispatchError::Prevented => StatusCode::NO_CONTENT.into_response(),
        DispatchError::Forbidden { message } => json_response(
            StatusCode::FORBIDDEN,
            json!({"error": "forbidden", "message": message}).to_string(),
        ),
        DispatchError::Unauthorized { message } => json_response(
            StatusCode::UNAUTHORIZED,
            json!({"error": "unauthorized", "message": message}).to_string(),
        ),
        DispatchError::BadRequest {
            message,
            callback,
            property,
            expected,
        } => {
            // Everything echoed is cut: the request chose these strings.
            let cut = |s: &str| excerpt(s, ECHO_LIMIT).into_owned();
            let message = excerpt(&message, MESSAGE_LIMIT);
            let callback = callback.as_deref().map(cut);
            tracing::warn!(%message, callback = callback.as_deref().unwrap_or("-"), "bad callback request");
            let mut body = json!({"error": "bad_request", "message": message});
            if let Some(c) = callback {
                body["callback"] = c.into();
            }
            if let Some(p) = property {
                body["property"] = cut(&p).into();
            }
            if let Some(e) = expected {
                body["expected"] = cut(&e).into();
            }
            json_response(StatusCode::BAD_REQUEST, body.to_string())
        }
        DispatchError::Refused {
            status,
            callback,
            store,
            message,
        } => {
            // Names the store; says nothing of the value or the backend.
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FORBIDDEN);
            let error = if status == StatusCode::GONE {
                "server_store_value_gone"
            } else {
                "server_store_reference_refused"
            };
            let callback = excerpt(&callback, ECHO_LIMIT);
            tracing::warn!(status = status.as_u16(), %message, %callback, "server store reference not served");
            json_response(
                status,
                json!({"error": error, "store": store, "callback": callback, "message": message})
                    .to_string(),
            )
        }
        DispatchError::Failed { callback, message } => {
            let callback = excerpt(&callback, ECHO_LIMIT);
            let message = excerpt(&message, FAILURE_LIMIT);
            tracing::error!(%callback, %message, "callback failed");
            failure_response(state.debug, &callback, &message)
        }
    }
}

/// A 500 answer: in debug mode an HTML fragment the dev-tools panel shows;
/// otherwise a JSON body that names the callback but not the details.
fn failure_response(debug: bool, callback: &str, message: &str) -> Response {
    if debug {
        let esc = |s: &str| {
            s.replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
        };
        let html = format!(
            "<div class=\"dash-rs-callback-error\"><h3>Callback error in {}</h3><pre>{}</pre></div>",
            esc(callback),
            esc(message)
        );
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(axum::http::header::CONTENT_TYPE, "text/html; charset=utf-8")],
            html,
        )
            .into_response()
    } else {
        json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            json!({"error": "callback_failed", "callback": callback, "message": "the callback failed; see the server log"})
                .to_string(),
        )
    }
}
