//! `GET P_favicon.ico`: Dash's default icon.

use axum::http::header;
use axum::response::{IntoResponse, Response};

pub(crate) async fn serve() -> Response {
    let icon = dash_assets::favicon();
    (
        [
            (header::CONTENT_TYPE, "image/x-icon"),
            (header::CACHE_CONTROL, "public, max-age=31536000"),
        ],
        icon.raw,
    )
        .into_response()
}
