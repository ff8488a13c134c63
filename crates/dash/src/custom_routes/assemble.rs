//! Putting the app's routes and layers around the Dash router (the order
//! is in the module docs of `custom_routes`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;
use axum::routing::future::RouteFuture;
use axum::Router;

use super::{AppCache, AppRoutes, ForwardedHeadersLayer, Reserved};
use crate::services::Services;
use crate::session::Sessions;

/// The whole app inside the protection of `serve::protect`, and the
/// sessions `protect` must handle itself (`None`: they are inside the
/// app's layers already).
/// Dash's own paths, which the app's routes must not take.
pub(crate) struct DashPaths<'a> {
    /// The routes prefix.
    pub prefix: &'a str,
    /// The assets URL path.
    pub assets_url_path: &'a str,
    /// The paths of the API endpoints.
    pub api_paths: Vec<String>,
}

pub(crate) fn assemble(
    custom: AppRoutes,
    mut dash: Router,
    paths: DashPaths<'_>,
    services: Arc<Services>,
    sessions: Arc<Sessions>,
    guard: impl FnOnce(Router) -> Router,
) -> (Router, Option<Arc<Sessions>>) {
    let DashPaths {
        prefix,
        assets_url_path,
        api_paths,
    } = paths;
    let health = custom.health_path(prefix);
    let cache = AppCache(services.opened_cache().clone());
    if let Some(path) = &health {
        // Checked by `AppRoutes::problems`: a plain path of no Dash route.
        dash = dash.route(
            path,
            axum::routing::get(move || crate::routes::health_plain(services.clone())),
        );
    }
    let core = if custom.routes.is_empty() && custom.merged.is_empty() {
        dash
    } else {
        let mut exact = api_paths;
        exact.extend(health);
        let mut rest = dash.clone();
        for merged in custom.merged.into_iter().rev() {
            rest = merged.fallback_service(rest);
        }
        let mut app = Router::new();
        for (path, handler) in custom.routes {
            // Checked by `AppRoutes::problems` with axum's own router.
            app = app.route(&path, handler);
        }
        Router::new().fallback_service(Dispatch {
            dash,
            app: app.fallback_service(rest),
            reserved: Arc::new(Reserved::new(prefix, assets_url_path, exact)),
            cache,
        })
    };
    let core = guard(core);
    if custom.layers.is_empty() && !custom.forwarded {
        return (core, Some(sessions));
    }
    let trusted = sessions.trusted_proxies().clone();
    let mut layered = Router::new().fallback_service(WithSession {
        inner: core,
        sessions,
    });
    for layer in custom.layers {
        layered = layer(layered);
    }
    if custom.forwarded {
        layered = layered.layer(ForwardedHeadersLayer::new(trusted));
    }
    (layered, None)
}

/// Dash's own paths to Dash, the rest to the app's routes (whose last
/// fallback is Dash again, for the page's paths).
#[derive(Clone)]
struct Dispatch {
    dash: Router,
    app: Router,
    reserved: Arc<Reserved>,
    cache: AppCache,
}

impl tower_service::Service<Request> for Dispatch {
    type Response = Response;
    type Error = Infallible;
    type Future = RouteFuture<Infallible>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        // A Router is always ready.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        if self.reserved.owner(request.uri().path()).is_some() {
            self.dash.call(request)
        } else {
            request.extensions_mut().insert(self.cache.clone());
            self.app.call(request)
        }
    }
}

/// The session middleware as a service, for when it sits inside the app's
/// layers.
#[derive(Clone)]
struct WithSession {
    inner: Router,
    sessions: Arc<Sessions>,
}

impl tower_service::Service<Request> for WithSession {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let session = crate::session::begin(&self.sessions, &mut request);
        let response = self.inner.call(request);
        Box::pin(async move {
            let mut response = match response.await {
                Ok(response) => response,
                Err(never) => match never {},
            };
            crate::session::finish(&session, &mut response);
            Ok(response)
        })
    }
}
