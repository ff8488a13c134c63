//! `POST <prefix><path>` of a callback's `api_endpoint` (see
//! `callback/api_endpoint.rs`): the JSON body's values through the usual
//! dispatch, the function's return value as the answer.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::Response;
use dash_protocol::Dependency;
use serde_json::{json, Value};

use super::update::{body_error_response, error_response, with_callback_headers};
use super::{json_response, AppState};
use crate::callback::api_endpoint::values;
use crate::callback::synthetic::{request_body, returned_values};
use crate::callback::{dispatch, CallEnvironment, RegisteredCallback};

/// The extractors of the route, gathered.
pub(crate) struct ApiRequest {
    pub session: Option<crate::session::RequestSession>,
    pub uri: Uri,
    pub remote: Option<std::net::SocketAddr>,
    pub user: Option<crate::auth::User>,
    pub headers: HeaderMap,
    pub body: Body,
}

fn bad(message: String) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({"error": "bad_request", "message": dash_protocol::excerpt(&message, 1024)})
            .to_string(),
    )
}

pub(crate) async fn serve(
    state: Arc<AppState>,
    callback: Arc<RegisteredCallback>,
    request: ApiRequest,
) -> Response {
    let body = match super::body::read(&request.headers, request.body, state.max_body_bytes).await {
        Ok(b) => b,
        Err(e) => return body_error_response(e, state.max_body_bytes),
    };
    let spec = &callback.spec;
    let deps: Vec<&Dependency> = spec.inputs.iter().chain(&spec.states).collect();
    let given = match values(&deps, &body) {
        Ok(v) => v,
        Err(m) => return bad(m),
    };
    let call = match request_body(&callback, &given, &[], &[]) {
        Ok(b) => b,
        Err(m) => return bad(m),
    };
    let environment = CallEnvironment {
        services: state.services.clone(),
        session: request.session,
        guard: state.store_guard.clone(),
        headers: request.headers,
        server_stores: Some(state.server_stores.clone()),
        query: request.uri.query().map(str::to_owned),
        path: request.uri.path().to_owned(),
        remote: request.remote,
        user: request.user,
    };
    let body = Bytes::from(call.to_string());
    match dispatch(state.registry.clone(), environment, body).await {
        Ok(answer) => {
            let written: Value = serde_json::from_str(&answer.json).unwrap_or(Value::Null);
            with_callback_headers(
                json_response(
                    StatusCode::OK,
                    returned_values(&callback, &written).to_string(),
                ),
                answer.headers,
            )
        }
        Err(e) => error_response(&state, e),
    }
}
