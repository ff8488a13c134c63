//! The route table (protocol notes §1.1), one file per route.

mod api;
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
use axum::routing::{get, post};
use axum::Router;
use tower_http::compression::predicate::{NotForContentType, Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, CompressionLevel};

pub(crate) use health::plain as health_plain;

use crate::callback::CallbackRegistry;
use crate::layout::LayoutSource;

/// What every handler shares; immutable after start-up.
pub(crate) struct AppState {
    pub registry: Arc<CallbackRegistry>,
    pub layout: LayoutSource,
    pub index_html: String,
    /// Debug mode's watcher of the assets folder: it renders the page.
    pub hot_reload: Option<Arc<crate::hot_reload::HotReload>>,
    pub dependencies: Bytes,
    pub reload_hash: String,
    pub debug: bool,
    pub assets_folder: PathBuf,
    pub max_body_bytes: usize,
    pub services: Arc<crate::services::Services>,
    /// Debug mode's warning about large `dcc.Store` values.
    pub store_guard: Option<Arc<crate::store_guard::StoreGuard>>,
    /// The app's server stores.
    pub server_stores: Arc<crate::server_store::ServerStores>,
    /// A pages app's per-path title, meta tags, 404 and redirects.
    pub served_pages: Option<Arc<crate::pages::served::ServedPages>>,
}

/// Builds the router; `p` is the routes prefix (starts and ends with `/`).
pub(crate) fn router(
    state: Arc<AppState>,
    p: &str,
    assets_url_path: &str,
    compress: bool,
) -> Router {
    let mut routes = Router::new()
        .route(&format!("{p}_dash-layout"), get(layout::serve))
        .route(&format!("{p}_dash-dependencies"), get(dependencies::serve))
        .route(
            &format!("{p}_dash-update-component"),
            post(update::serve).get(index::serve),
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
    if state.hot_reload.is_some() {
        routes = routes.route(&format!("{p}_reload-hash"), get(reload_hash::serve));
    }
    for cb in state.registry.callbacks() {
        let Some(path) = cb.spec.api_endpoint.clone() else {
            continue;
        };
        let cb = cb.clone();
        let serve_api = move |axum::extract::State(state): axum::extract::State<Arc<AppState>>,
                              session: Option<axum::Extension<crate::session::RequestSession>>,
                              remote: Option<
            axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>,
        >,
                              user: Option<axum::Extension<crate::auth::User>>,
                              uri: axum::http::Uri,
                              headers: axum::http::HeaderMap,
                              body: axum::body::Body| {
            let request = api::ApiRequest {
                session: session.map(|s| s.0),
                uri,
                remote: remote.map(|axum::Extension(c)| c.0),
                user: user.map(|u| u.0),
                headers,
                body,
            };
            api::serve(state, cb, request)
        };
        routes = routes.route(
            &format!("{p}{}", path.trim_start_matches('/')),
            post(serve_api),
        );
    }
    routes = routes
        .route(p, get(index::serve))
        .route(&format!("{p}{{*rest}}"), get(index::serve));
    let limit = state.max_body_bytes;
    let routes = routes.layer(DefaultBodyLimit::max(limit)).with_state(state);
    if compress {
        // Fonts (woff2, woff) are compressed already.
        let predicate = SizeAbove::new(1024)
            .and(NotForContentType::IMAGES)
            .and(NotForContentType::const_new("font/"));
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
    let mut response = axum::response::Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    // Room for the security headers and a session cookie added later,
    // without growing the map.
    headers.reserve(8);
    headers.insert(
        axum::http::header::CONTENT_TYPE,
        axum::http::HeaderValue::from_static("application/json"),
    );
    response
}
