//! The session of each request: before the router, a lazy
//! [`RequestSession`] goes into the request's extensions; after it,
//! `Set-Cookie` is added when the session was started, rotated or signed
//! again. Only the index page, `_dash-layout` and `_dash-update-component`
//! ask for the session, so static files never get a cookie. Both steps run
//! in the one service that wraps the whole router (`serve::protect`), not
//! as a layer on each route (which cost a clone and a boxed future per
//! layer and request).
//!
//! `Secure` is decided here: by `Dash::secure_cookies` when set, else from
//! `X-Forwarded-Proto: https` when the TCP peer is a trusted proxy. The
//! peer is the `axum::extract::ConnectInfo<SocketAddr>` extension the
//! accept loop puts on every request; without it no proxy is trusted.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request};
use axum::http::{header, HeaderValue};
use axum::response::Response;

use super::settings::TrustedProxies;
use super::{RequestSession, Sessions};

/// Puts this request's lazy session in its extensions.
pub(crate) fn begin(sessions: &Arc<Sessions>, request: &mut Request) -> RequestSession {
    let cookies = request
        .headers()
        .get_all(header::COOKIE)
        .iter()
        .cloned()
        .collect();
    let secure = sessions
        .settings
        .secure_cookies
        .unwrap_or_else(|| forwarded_https(request, &sessions.settings.trusted_proxies));
    let session = RequestSession::new(sessions.clone(), cookies, secure);
    request.extensions_mut().insert(session.clone());
    session
}

/// Adds `Set-Cookie` if the handler started, rotated or re-signed it.
pub(crate) fn finish(session: &RequestSession, response: &mut Response) {
    if let Some(cookie) = session.set_cookie() {
        let headers = response.headers_mut();
        headers.append(header::SET_COOKIE, cookie);
        // An answer that starts a session is for this browser only.
        headers
            .entry(header::CACHE_CONTROL)
            .or_insert(HeaderValue::from_static("no-store"));
    }
}

impl Sessions {
    /// Whether a cookie set on the answer to `request` gets `Secure` (as
    /// the session cookie decides it; the login cookie uses it too).
    pub(crate) fn cookie_secure(&self, request: &Request) -> bool {
        self.settings
            .secure_cookies
            .unwrap_or_else(|| forwarded_https(request, &self.settings.trusted_proxies))
    }
}

/// `X-Forwarded-Proto: https` (the first of a list) from a trusted peer;
/// what `Dash::forwarded_headers` found, when it ran (the peer is then the
/// client, not the proxy).
fn forwarded_https(request: &Request, trusted: &TrustedProxies) -> bool {
    if let Some(forwarded) = request
        .extensions()
        .get::<crate::custom_routes::Forwarded>()
    {
        return forwarded.https();
    }
    let Some(ConnectInfo(peer)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return false;
    };
    trusted.trusts(peer.ip())
        && request
            .headers()
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
}
