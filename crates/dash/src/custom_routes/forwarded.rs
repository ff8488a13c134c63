//! A proxy's `X-Forwarded-For`, `-Proto` and `-Host`, believed from
//! trusted peers only (as Werkzeug's `ProxyFix` behind a known proxy).
//!
//! For a request whose TCP peer (`ConnectInfo<SocketAddr>`, put there by
//! the accept loop) is a trusted proxy, the layer replaces the peer by the
//! client the proxies name (walking `X-Forwarded-For` from the right, past
//! every trusted hop: the first untrusted address is the client), sets the
//! `Host` header from `X-Forwarded-Host`, and adds a [`Forwarded`]
//! extension with the proxy, the scheme and the host. From any other peer
//! the headers change nothing.

use std::net::{IpAddr, SocketAddr};
use std::task::{Context, Poll};

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, HeaderValue, Request};

use crate::session::TrustedProxies;
use crate::Error;

/// What a trusted proxy said about a request, in its extensions
/// (`Option<axum::Extension<Forwarded>>` in a handler).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forwarded {
    proxy: SocketAddr,
    client: IpAddr,
    scheme: Option<String>,
    host: Option<String>,
}

impl Forwarded {
    /// The proxy the connection came from.
    pub fn proxy(&self) -> SocketAddr {
        self.proxy
    }

    /// The client the proxies named (the proxy itself without
    /// `X-Forwarded-For`).
    pub fn client(&self) -> IpAddr {
        self.client
    }

    /// `http` or `https` from `X-Forwarded-Proto`, if it said one of them.
    pub fn scheme(&self) -> Option<&str> {
        self.scheme.as_deref()
    }

    /// Whether the browser used HTTPS to reach the proxy.
    pub fn https(&self) -> bool {
        self.scheme.as_deref() == Some("https")
    }

    /// The host the browser asked for, from `X-Forwarded-Host`.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }
}

/// The layer (see the module docs). [`Dash::forwarded_headers`](crate::Dash::forwarded_headers)
/// installs it with the app's trusted proxies; on its own it fits any axum
/// router served with `ConnectInfo<SocketAddr>`.
///
/// ```
/// use dash::custom_routes::ForwardedHeadersLayer;
///
/// let layer = ForwardedHeadersLayer::trusting(["10.0.0.0/8", "127.0.0.1"]).unwrap();
/// let _router: axum::Router = axum::Router::new().layer(layer);
/// assert!(ForwardedHeadersLayer::trusting(["10.0.0.0/99"]).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct ForwardedHeadersLayer {
    trusted: TrustedProxies,
}

impl ForwardedHeadersLayer {
    /// Trusts these peers: IP addresses, networks (`10.0.0.0/8`) or `*`.
    pub fn trusting<S: AsRef<str>>(proxies: impl IntoIterator<Item = S>) -> Result<Self, Error> {
        let items: Vec<S> = proxies.into_iter().collect();
        Ok(ForwardedHeadersLayer {
            trusted: TrustedProxies::parse(&items)?,
        })
    }

    pub(crate) fn new(trusted: TrustedProxies) -> Self {
        ForwardedHeadersLayer { trusted }
    }
}

impl<S> tower_layer::Layer<S> for ForwardedHeadersLayer {
    type Service = ForwardedHeaders<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ForwardedHeaders {
            inner,
            trusted: self.trusted.clone(),
        }
    }
}

/// The service of [`ForwardedHeadersLayer`].
#[derive(Debug, Clone)]
pub struct ForwardedHeaders<S> {
    inner: S,
    trusted: TrustedProxies,
}

impl<S, B> tower_service::Service<Request<B>> for ForwardedHeaders<S>
where
    S: tower_service::Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        apply(&self.trusted, &mut request);
        self.inner.call(request)
    }
}

fn apply<B>(trusted: &TrustedProxies, request: &mut Request<B>) {
    let Some(&ConnectInfo(proxy)) = request.extensions().get::<ConnectInfo<SocketAddr>>() else {
        return;
    };
    if !trusted.trusts(proxy.ip()) {
        return;
    }
    let headers = request.headers();
    let client = client(trusted, proxy.ip(), headers);
    let scheme = first(headers, "x-forwarded-proto")
        .map(|s| s.to_ascii_lowercase())
        .filter(|s| s == "http" || s == "https");
    let host = first(headers, "x-forwarded-host")
        .filter(|h| h.parse::<axum::http::uri::Authority>().is_ok())
        .map(str::to_owned);
    if let Some(value) = host.as_deref().and_then(|h| HeaderValue::from_str(h).ok()) {
        request.headers_mut().insert(header::HOST, value);
    }
    // The client's port is not forwarded.
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::new(client, 0)));
    request.extensions_mut().insert(Forwarded {
        proxy,
        client,
        scheme,
        host,
    });
}

/// The first value of a comma-separated header (the browser's side).
fn first<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    let value = headers.get(name)?.to_str().ok()?;
    let first = value.split(',').next()?.trim();
    (!first.is_empty()).then_some(first)
}

/// Right to left through every `X-Forwarded-For`, past trusted hops; an
/// entry that is not an address stops the walk at the last hop known.
fn client(trusted: &TrustedProxies, proxy: IpAddr, headers: &HeaderMap) -> IpAddr {
    let mut entries: Vec<&str> = Vec::new();
    for value in headers.get_all("x-forwarded-for") {
        let Ok(text) = value.to_str() else {
            return proxy;
        };
        entries.extend(text.split(',').map(str::trim));
    }
    let mut client = proxy;
    for entry in entries.iter().rev() {
        let Some(ip) = parse_hop(entry) else {
            break;
        };
        client = ip;
        if !trusted.trusts(ip) {
            break;
        }
    }
    client
}

/// `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1` or `[2001:db8::1]:5678`.
fn parse_hop(entry: &str) -> Option<IpAddr> {
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut r = Request::builder().uri("/x");
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        let mut r = r.body(()).unwrap();
        r.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        r
    }

    fn peer(r: &Request<()>) -> IpAddr {
        r.extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .unwrap()
            .0
            .ip()
    }

    #[test]
    fn trusted_hops_are_skipped_and_untrusted_peers_ignored() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        let mut r = request(
            "10.0.0.1:5000",
            &[
                ("x-forwarded-for", "6.6.6.6, 203.0.113.7"),
                ("x-forwarded-for", "10.1.1.1"),
                ("x-forwarded-proto", "HTTPS, http"),
                ("x-forwarded-host", "example.org"),
            ],
        );
        apply(&trusted, &mut r);
        assert_eq!(peer(&r), "203.0.113.7".parse::<IpAddr>().unwrap());
        assert_eq!(r.headers()["host"], "example.org");
        let f = r.extensions().get::<Forwarded>().unwrap();
        assert!(f.https());
        assert_eq!(f.proxy().to_string(), "10.0.0.1:5000");

        let mut r = request(
            "192.0.2.9:5000",
            &[("x-forwarded-for", "1.1.1.1"), ("x-forwarded-host", "evil")],
        );
        apply(&trusted, &mut r);
        assert_eq!(peer(&r), "192.0.2.9".parse::<IpAddr>().unwrap());
        assert!(r.headers().get("host").is_none());
        assert!(r.extensions().get::<Forwarded>().is_none());
    }

    #[test]
    fn bad_entries_stop_the_walk_and_bad_values_are_dropped() {
        let trusted = TrustedProxies::parse(&["10.0.0.0/8"]).unwrap();
        let mut r = request(
            "10.0.0.1:1",
            &[
                ("x-forwarded-for", "1.1.1.1, junk, 10.2.2.2"),
                ("x-forwarded-proto", "gopher"),
                ("x-forwarded-host", "a b"),
            ],
        );
        apply(&trusted, &mut r);
        assert_eq!(peer(&r), "10.2.2.2".parse::<IpAddr>().unwrap());
        let f = r.extensions().get::<Forwarded>().unwrap();
        assert_eq!((f.scheme(), f.host()), (None, None));
        assert_eq!(parse_hop("[2001:db8::1]:80"), "2001:db8::1".parse().ok());
    }
}
