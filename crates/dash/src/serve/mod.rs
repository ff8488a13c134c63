//! Serving connections safely: our own accept loop (timeouts, a
//! connection cap, graceful stop), the budget of request bodies in flight,
//! security headers, the stop signals and the descriptor limit.
//!
//! Every limit has a builder method on [`Dash`](crate::Dash) (in
//! `options.rs`) and an environment variable; the builder wins.

mod accept;
mod body_budget;
mod connection;
mod connection_cap;
mod descriptors;
mod options;
mod protected;
mod security_headers;
mod settings;
mod stop;

pub(crate) use accept::serve_connections;
pub(crate) use descriptors::raise_descriptor_limit;
pub(crate) use protected::Protected;
pub(crate) use settings::{ServeLimits, ServeSettings};
pub(crate) use stop::Stop;

/// Wraps the whole router in one service that every request goes through:
/// the body budget, the session (`None`: the app's layers
/// wrap it, inside `router`) and the security
/// headers (added last, so errors carry them too). One service around the
/// router, not layers on each route: a layer of `Router::layer` costs a
/// clone and a boxed future per route and request (about 8,000
/// instructions each on a small callback, measured with callgrind).
pub(crate) fn protect(
    router: axum::Router,
    limits: &ServeLimits,
    sessions: Option<std::sync::Arc<crate::session::Sessions>>,
) -> Protected {
    Protected::new(router, limits, sessions)
}
