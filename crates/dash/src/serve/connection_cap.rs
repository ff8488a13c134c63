//! The cap of open connections per process. Beyond it a connection gets a
//! 503 with `Retry-After` (a JSON body naming the limit) and is closed;
//! beyond a sixteenth more, it is closed at once (answering costs a
//! descriptor too).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, HeaderValue, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpStream;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::security_headers::SecurityHeaders;

/// How long a refused connection may take to send its request head.
const REFUSAL_HEAD_TIMEOUT: Duration = Duration::from_secs(2);

/// Open connections, counted.
pub(crate) struct ConnectionCap {
    cap: usize,
    open: Arc<Semaphore>,
    refusing: Arc<Semaphore>,
    last_warning: Mutex<Option<Instant>>,
}

/// What to do with a new connection.
pub(crate) enum Admission {
    /// Serve it; the permit is its place under the cap.
    Serve(OwnedSemaphorePermit),
    /// Answer 503 and close it.
    Refuse(OwnedSemaphorePermit),
    /// Close it at once.
    Close,
}

impl ConnectionCap {
    pub(crate) fn new(cap: usize) -> Self {
        ConnectionCap {
            cap,
            open: Arc::new(Semaphore::new(cap)),
            refusing: Arc::new(Semaphore::new((cap / 16).max(1))),
            last_warning: Mutex::new(None),
        }
    }

    pub(crate) fn cap(&self) -> usize {
        self.cap
    }

    pub(crate) fn admit(&self) -> Admission {
        if let Ok(permit) = self.open.clone().try_acquire_owned() {
            return Admission::Serve(permit);
        }
        self.warn_now_and_then();
        match self.refusing.clone().try_acquire_owned() {
            Ok(permit) => Admission::Refuse(permit),
            Err(_) => Admission::Close,
        }
    }

    /// Connections open now.
    pub(crate) fn open(&self) -> usize {
        self.cap - self.open.available_permits()
    }

    /// Resolves when every connection under the cap has closed.
    pub(crate) async fn all_closed(&self) {
        let n = u32::try_from(self.cap).unwrap_or(u32::MAX);
        let _ = self.open.acquire_many(n).await;
    }

    fn warn_now_and_then(&self) {
        let mut last = self.last_warning.lock().unwrap_or_else(|e| e.into_inner());
        if last.is_none_or(|t| t.elapsed() > Duration::from_secs(10)) {
            *last = Some(Instant::now());
            tracing::warn!(
                cap = self.cap,
                "connection cap reached: new connections get 503 (Dash::max_connections, DASH_MAX_CONNECTIONS)"
            );
        }
    }
}

/// The answer to a connection over the cap.
pub(crate) fn refusal(cap: usize, headers: &SecurityHeaders) -> Response<Body> {
    let body = serde_json::json!({
        "error": "too_many_connections",
        "message": format!(
            "this server process has {cap} connections open, its limit (Dash::max_connections, DASH_MAX_CONNECTIONS); retry shortly"
        ),
    })
    .to_string();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = StatusCode::SERVICE_UNAVAILABLE;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    h.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    h.insert(header::CONNECTION, HeaderValue::from_static("close"));
    headers.apply(h);
    response
}

/// Reads one request head from `stream`, answers 503 and closes.
pub(crate) async fn refuse(
    stream: TcpStream,
    cap: usize,
    headers: SecurityHeaders,
    _permit: OwnedSemaphorePermit,
) {
    let service = hyper::service::service_fn(move |_request| {
        let answer = refusal(cap, &headers);
        async move { Ok::<_, Infallible>(answer) }
    });
    let connection = hyper::server::conn::http1::Builder::new()
        .keep_alive(false)
        .timer(TokioTimer::new())
        .header_read_timeout(REFUSAL_HEAD_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    let _ = tokio::time::timeout(2 * REFUSAL_HEAD_TIMEOUT, connection).await;
}
