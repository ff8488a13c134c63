//! `GET P_dash-layout`: the layout JSON.

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::{json_response, AppState};

pub(crate) async fn serve(
    State(state): State<Arc<AppState>>,
    session: Option<axum::Extension<crate::session::RequestSession>>,
    user: Option<axum::Extension<crate::auth::User>>,
) -> Response {
    let layout = state.layout.clone();
    let dynamic = matches!(layout, crate::layout::LayoutSource::Function(_));
    let context =
        crate::layout::LayoutContext::new(session.map(|s| s.0)).with_user(user.map(|u| u.0));
    let rendered = match layout {
        crate::layout::LayoutSource::Fixed(b) => Ok(b),
        other => tokio::task::spawn_blocking(move || other.render(&context))
            .await
            .unwrap_or_else(|e| Err(e.to_string())),
    };
    match rendered {
        Ok(bytes) => {
            if let (true, Some(guard)) = (dynamic, &state.store_guard) {
                guard.learn(&bytes);
            }
            json_response(StatusCode::OK, bytes)
        }
        Err(message) => {
            tracing::error!(%message, "layout failed");
            json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": "layout_failed", "message": message}).to_string(),
            )
        }
    }
}
