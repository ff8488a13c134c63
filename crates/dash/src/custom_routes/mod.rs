//! The app's own routes and middleware, served by [`Dash::run`] (every
//! worker) and [`Dash::into_router`] alike: [`Dash::route`],
//! [`Dash::merge`], [`Dash::layer`], [`Dash::forwarded_headers`] and
//! [`Dash::health_endpoint`].
//!
//! Where the app's layers sit (outermost first):
//!
//! 1. the accept loop: connection cap, head and idle timeouts;
//! 2. the security headers and the body budget (`serve::protect`);
//! 3. [`ForwardedHeadersLayer`] when [`Dash::forwarded_headers`] is on;
//! 4. the app's layers, the last added outermost (as `Router::layer`);
//! 5. the session middleware;
//! 6. the routes: Dash's own paths go straight to Dash; any other path
//!    tries the app's routes, then each merged router, then Dash (the page).
//!
//! So a CORS layer answers a preflight, and a rate limit refuses, before a
//! session is looked at, while their answers still carry the security
//! headers and their bodies still count against the budget.

mod app_cache;
mod assemble;
mod forwarded;
mod paths;

use axum::routing::MethodRouter;
use axum::Router;

use crate::Dash;

pub use app_cache::AppCache;
pub(crate) use assemble::{assemble, DashPaths};
pub use forwarded::{Forwarded, ForwardedHeaders, ForwardedHeadersLayer};
pub(crate) use paths::Reserved;

type LayerFn = Box<dyn FnOnce(Router) -> Router + Send + Sync>;

/// What the builder collected.
#[derive(Default)]
pub(crate) struct AppRoutes {
    routes: Vec<(String, MethodRouter)>,
    merged: Vec<Router>,
    layers: Vec<LayerFn>,
    forwarded: bool,
    health_endpoint: Option<String>,
}

impl AppRoutes {
    fn paths(&self) -> impl Iterator<Item = &str> {
        self.routes.iter().map(|(p, _)| p.as_str())
    }

    /// The health endpoint's full path under `prefix`.
    fn health_path(&self, prefix: &str) -> Option<String> {
        self.health_endpoint
            .as_ref()
            .map(|name| format!("{prefix}{}", name.trim_start_matches('/')))
    }

    /// Start-up problems: bad paths, collisions with Dash's routes.
    pub(crate) fn problems(
        &self,
        prefix: &str,
        assets_url_path: &str,
        api_paths: Vec<String>,
    ) -> Vec<crate::Error> {
        let mut problems = Vec::new();
        if let Some(name) = &self.health_endpoint {
            let path = self.health_path(prefix).unwrap_or_default();
            let reserved = Reserved::new(prefix, assets_url_path, api_paths.clone());
            let plain =
                !name.trim_start_matches('/').is_empty() && !path.contains(['{', '}', '*', ':']);
            if !plain || reserved.owner(&path).is_some() {
                problems.push(crate::Error::InvalidSetting {
                    name: "health_endpoint".into(),
                    reason: format!(
                        "{name:?}: a plain path under the routes prefix, outside Dash's own routes (e.g. \"health\")"
                    ),
                });
            }
        }
        let mut exact = api_paths;
        exact.extend(self.health_path(prefix));
        let reserved = Reserved::new(prefix, assets_url_path, exact);
        problems.extend(paths::problems(self.paths(), &reserved));
        problems
    }
}

/// The app's own routes and middleware.
impl Dash {
    /// Serves `handler` at `path`, an absolute path as Flask's
    /// `@app.server.route` takes (`{name}` and `{*rest}` capture, as in
    /// axum), next to the Dash routes and under the app's layers. A path
    /// under a Dash route (the page at the routes prefix, `_dash-*`,
    /// `_reload-hash`, `_favicon.ico`, the assets folder, an
    /// `api_endpoint`), a malformed path or one registered twice is an
    /// [`Error::InvalidSetting`](crate::Error::InvalidSetting) naming it,
    /// from [`Dash::run`] and [`Dash::into_router`].
    ///
    /// ```
    /// use axum::routing::get;
    /// use dash::prelude::*;
    ///
    /// let mut app = Dash::new().cache_url("memory://");
    /// app.layout(html::Div::new().id("page"));
    /// app.route("/hello", get(|| async { "hi" }));
    /// app.route("/items/{id}", get(|axum::extract::Path(id): axum::extract::Path<u32>| async move {
    ///     format!("item {id}")
    /// }));
    /// assert!(app.into_router().is_ok());
    ///
    /// let mut clash = Dash::new().cache_url("memory://");
    /// clash.layout(html::Div::new().id("page"));
    /// clash.route("/_dash-layout", get(|| async { "mine" }));
    /// let e = clash.into_router().unwrap_err().to_string();
    /// assert!(e.contains("/_dash-layout"), "{e}");
    /// ```
    pub fn route(&mut self, path: &str, handler: MethodRouter) -> &mut Self {
        self.custom_routes.routes.push((path.to_owned(), handler));
        self
    }

    /// Serves a whole axum router beside the Dash routes (Flask's
    /// blueprints), under the app's layers. Its routes are tried after the
    /// ones of [`Dash::route`] and before the Dash page; it cannot shadow
    /// Dash's own paths (`_dash-*`, assets...), which always reach Dash. Its
    /// fallback, if it has one, is replaced by the rest of the app.
    ///
    /// ```
    /// use axum::routing::get;
    /// use dash::prelude::*;
    ///
    /// let api = axum::Router::new()
    ///     .route("/api/ping", get(|| async { "pong" }))
    ///     .nest("/admin", axum::Router::new().route("/stats", get(|| async { "{}" })));
    /// let mut app = Dash::new().cache_url("memory://");
    /// app.layout(html::Div::new().id("page"));
    /// app.merge(api);
    /// assert!(app.into_router().is_ok());
    /// ```
    pub fn merge(&mut self, router: Router) -> &mut Self {
        self.custom_routes.merged.push(router);
        self
    }

    /// Adds a tower layer around the whole app: the Dash routes and the
    /// app's own (same bound as `axum::Router::layer`; the last added runs
    /// first). Inside the connection and body limits and the security
    /// headers, outside the session middleware and every route (see the
    /// [module docs](crate::custom_routes)). Every worker of `--workers`
    /// runs the builder again, so each applies it.
    ///
    /// ```
    /// use dash::prelude::*;
    ///
    /// let mut app = Dash::new().cache_url("memory://");
    /// app.layout(html::Div::new().id("page"));
    /// app.layer(axum::middleware::map_response(
    ///     |mut r: axum::response::Response| async move {
    ///         r.headers_mut().insert("x-served-by", "dash-rs".parse().unwrap());
    ///         r
    ///     },
    /// ));
    /// assert!(app.into_router().is_ok());
    /// ```
    pub fn layer<L>(&mut self, layer: L) -> &mut Self
    where
        L: tower_layer::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
        L::Service: tower_service::Service<axum::extract::Request> + Clone + Send + Sync + 'static,
        <L::Service as tower_service::Service<axum::extract::Request>>::Response:
            axum::response::IntoResponse + 'static,
        <L::Service as tower_service::Service<axum::extract::Request>>::Error:
            Into<std::convert::Infallible> + 'static,
        <L::Service as tower_service::Service<axum::extract::Request>>::Future: Send + 'static,
    {
        self.custom_routes
            .layers
            .push(Box::new(move |router: Router| router.layer(layer)));
        self
    }

    /// Believes `X-Forwarded-For`, `X-Forwarded-Proto` and
    /// `X-Forwarded-Host` from the trusted proxies
    /// ([`Dash::trusted_proxies`], `DASH_TRUSTED_PROXIES`, default
    /// loopback), as Werkzeug's `ProxyFix`: the request's
    /// `ConnectInfo<SocketAddr>` (and so `ctx.remote_addr()`) becomes the
    /// client, `Host` the forwarded host, and a [`Forwarded`] extension
    /// tells the proxy and scheme. Other peers' headers are ignored. Runs
    /// before the app's layers, so a rate limit keyed on the peer sees the
    /// client. Default off.
    ///
    /// ```
    /// use dash::prelude::*;
    ///
    /// let mut app = Dash::new()
    ///     .cache_url("memory://")
    ///     .trusted_proxies(["10.0.0.0/8"])
    ///     .forwarded_headers(true);
    /// app.layout(html::Div::new().id("page"));
    /// assert!(app.into_router().is_ok());
    /// ```
    pub fn forwarded_headers(mut self, yes: bool) -> Self {
        self.custom_routes.forwarded = yes;
        self
    }

    /// Dash 4's `health_endpoint`: serves `GET P<path>` (e.g. `"health"` →
    /// `/health`) answering `OK` (`text/plain`, 200), or `DEGRADED` with
    /// 503 while the cache backend does not answer. Default none, as in
    /// Python. `P_dash-health` always serves the JSON report.
    ///
    /// ```
    /// use dash::prelude::*;
    ///
    /// let mut app = Dash::new().cache_url("memory://").health_endpoint("health");
    /// app.layout(html::Div::new().id("page"));
    /// assert!(app.into_router().is_ok());
    /// ```
    pub fn health_endpoint(mut self, path: impl Into<String>) -> Self {
        self.custom_routes.health_endpoint = Some(path.into());
        self
    }
}
