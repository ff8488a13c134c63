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
mod security_headers;
mod settings;
mod stop;

pub(crate) use accept::serve_connections;
pub(crate) use descriptors::raise_descriptor_limit;
pub(crate) use settings::{ServeLimits, ServeSettings};
pub(crate) use stop::Stop;

/// Adds the layers every answer goes through: the body budget and the
/// security headers (applied last, so errors carry them too).
pub(crate) fn protect(router: axum::Router, limits: &ServeLimits) -> axum::Router {
    let router = body_budget::layer(router, limits);
    security_headers::layer(router, limits.security_headers.clone())
}
