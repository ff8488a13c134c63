//! The route table (protocol notes §1.1), one file per route.

mod assets;
mod body;
mod component_suites;
mod dependencies;
mod favicon;
mod health;
mod index;
mod layout;
mod metrics;
mod reload_hash;
mod update;

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

use crate::callback::CallbackRegistry;
use crate::layout::LayoutSource;

/// What every handler shares; immutable after start-up.
pub(crate) struct AppState {
    pub registry: Arc<CallbackRegistry>,
    pub layout: LayoutSource,
    pub index_html: String,
    pub dependencies: Bytes,
    pub reload_hash: String,
    pub debug: bool,
    pub assets_folder: PathBuf,
    pub max_body_bytes: usize,
    pub services: Arc<crate::services::Services>,
    /// The app secret and session settings.
    pub sessions: Arc<crate::session::Sessions>,
    /// Debug mode's warning about large `dcc.Store` values.
    pub store_guard: Option<Arc<crate::store_guard::StoreGuard>>,
}

/// Builds the router; `p` is the routes prefix (starts and ends with `/`).
pub(crate) fn router(
    state: Arc<AppState>,
    p: &str,
    assets_url_path: &str,
    compress: bool,
) -> Router {
    // The routes that may start a session (and set its cookie).
    let session = from_fn_with_state(state.sessions.clone(), crate::session::attach);
    let mut routes = Router::new()
        .route(
            &format!("{p}_dash-layout"),
            get(layout::serve).layer(session.clone()),
        )
        .route(&format!("{p}_dash-dependencies"), get(dependencies::serve))
        .route(
            &format!("{p}_dash-update-component"),
            post(update::serve).get(index::serve).layer(session.clone()),
        )
        .route(
            &format!("{p}_dash-component-suites/{{namespace}}/{{*path}}"),
            get(component_suites::serve),
        )
        .route(&format!("{p}_favicon.ico"), get(favicon::serve))
        .route(&format!("{p}_dash-health"), get(health::serve))
        .route(
            &format!("{p}{assets_url_path}/{{*path}}"),
            get(assets::serve),
        );
    if state.services.settings().metrics {
        routes = routes.route(&format!("{p}_dash-metrics"), get(metrics::serve));
    }
    if state.debug {
        routes = routes.route(&format!("{p}_reload-hash"), get(reload_hash::serve));
    }
    routes = routes
        .route(p, get(index::serve).layer(session.clone()))
        .route(&format!("{p}{{*rest}}"), get(index::serve).layer(session));
    let limit = state.max_body_bytes;
    let routes = routes.layer(DefaultBodyLimit::max(limit)).with_state(state);
    if compress {
        let predicate = SizeAbove::new(1024).and(NotForContentType::IMAGES);
        routes.layer(
            CompressionLayer::new()
                .quality(CompressionLevel::Precise(4))
                .compress_when(predicate),
        )
    } else {
        routes
    }
}

/// A JSON answer with the content type the renderer requires.
pub(crate) fn json_response(
    status: axum::http::StatusCode,
    body: impl Into<axum::body::Body>,
) -> axum::response::Response {
    axum::response::Response::builder()
        .status(status)
        .header(axum::http::header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .expect("static headers are valid")
}
