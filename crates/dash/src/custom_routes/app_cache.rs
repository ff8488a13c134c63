//! [`AppCache`]: the app's cache in the app's own route handlers.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// The app's server-side cache (`DASH_CACHE_URL`, the one callbacks reach
/// with `ctx.cache()`), as an extractor for handlers of [`Dash::route`](crate::Dash::route)
/// and [`Dash::merge`](crate::Dash::merge). Its calls block: make them in
/// `tokio::task::spawn_blocking`.
///
/// ```
/// use axum::routing::get;
/// use dash::custom_routes::AppCache;
/// use dash::prelude::*;
///
/// let mut app = Dash::new().cache_url("memory://");
/// app.layout(html::Div::new().id("page"));
/// app.route(
///     "/api/visits",
///     get(|AppCache(cache): AppCache| async move {
///         let n = tokio::task::spawn_blocking(move || {
///             let n = cache.get::<u64>("visits").unwrap_or(0) + 1;
///             let _ = cache.set("visits", &n, None);
///             n
///         })
///         .await
///         .unwrap_or(0);
///         n.to_string()
///     }),
/// );
/// assert!(app.into_router().is_ok());
/// ```
#[derive(Clone)]
pub struct AppCache(pub dash_cache::Cache);

impl<S: Send + Sync> FromRequestParts<S> for AppCache {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Response> {
        parts.extensions.get::<AppCache>().cloned().ok_or_else(|| {
            crate::routes::json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                r#"{"message":"AppCache is only available to the app's routes (Dash::route, Dash::merge)"}"#,
            )
            .into_response()
        })
    }
}
