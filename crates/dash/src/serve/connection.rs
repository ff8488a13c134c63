//! One connection, served by hyper (HTTP/1.1, or HTTP/2 with prior
//! knowledge), with two timeouts:
//!
//! - the head timeout: once the first byte of a request arrives, its whole
//!   head must arrive within it (a slowloris client trickling a head);
//! - the idle timeout: a connection with no request in progress, fresh or
//!   kept alive after an answer, is closed after it.
//!
//! hyper's own `header_read_timeout` cannot be used for both: it starts
//! again as soon as an answer is written, so it also closes idle keep-alive
//! connections after the head timeout (pinned by a test below). Here the
//! stream notes when bytes arrive and the service notes when requests begin
//! and end; a watchdog beside the connection compares them with the clock.
//! It is not woken by that activity (a wake-up and a new timer for every
//! request cost about a third of a small callback's time): it looks at
//! least every quarter of the head timeout, so a stalled head is closed
//! within 1.25 times the head timeout.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{Request, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::OwnedSemaphorePermit;

use super::Stop;

/// The two timeouts of a connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConnectionTimeouts {
    pub head: Duration,
    pub idle: Duration,
}

const NO_HEAD: u64 = u64::MAX;

/// What the stream and the service tell the watchdog.
struct Activity {
    opened: Instant,
    /// Milliseconds since `opened` of the last answer's end (or the start).
    last_active_ms: AtomicU64,
    /// When the first byte of a request head came, or `NO_HEAD`.
    head_started_ms: AtomicU64,
    in_flight: AtomicUsize,
}

enum Verdict {
    HeadTimedOut,
    Idle,
    CheckAt(Instant),
    WaitForChange,
}

impl Activity {
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            last_active_ms: AtomicU64::new(0),
            head_started_ms: AtomicU64::new(NO_HEAD),
            in_flight: AtomicUsize::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    fn at(&self, ms: u64) -> Instant {
        self.opened + Duration::from_millis(ms)
    }

    fn bytes_arrived(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0
            && self.head_started_ms.load(Ordering::Acquire) == NO_HEAD
        {
            self.head_started_ms.store(self.now_ms(), Ordering::Release);
        }
    }

    fn request_started(self: &Arc<Self>) -> RequestInFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.head_started_ms.store(NO_HEAD, Ordering::Release);
        RequestInFlight(self.clone())
    }

    fn verdict(&self, timeouts: ConnectionTimeouts) -> Verdict {
        let now = self.now_ms();
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX / 2);
        let head = self.head_started_ms.load(Ordering::Acquire);
        if head != NO_HEAD {
            let deadline = head.saturating_add(ms(timeouts.head));
            return if now >= deadline {
                Verdict::HeadTimedOut
            } else {
                Verdict::CheckAt(self.at(deadline))
            };
        }
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return Verdict::WaitForChange;
        }
        let deadline = self
            .last_active_ms
            .load(Ordering::Acquire)
            .saturating_add(ms(timeouts.idle));
        if now >= deadline {
            Verdict::Idle
        } else {
            Verdict::CheckAt(self.at(deadline))
        }
    }
}

/// A request being answered; dropped when its answer was written.
struct RequestInFlight(Arc<Activity>);

impl Drop for RequestInFlight {
    fn drop(&mut self) {
        let a = &self.0;
        a.last_active_ms.store(a.now_ms(), Ordering::Release);
        a.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The socket, noting when bytes arrive.
struct Tracked {
    stream: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Tracked {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let result = Pin::new(&mut self.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            self.activity.bytes_arrived();
        }
        result
    }
}

impl AsyncWrite for Tracked {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// An answer's body, keeping its request counted until it is written.
struct AnswerBody {
    body: Body,
    _request: RequestInFlight,
}

impl http_body::Body for AnswerBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.body.size_hint()
    }
}

/// What a connection serves: the app (`Protected` around its router), or
/// a bare router in tests.
pub(crate) trait App:
    tower_service::Service<
        Request<Body>,
        Response = Response<Body>,
        Error = Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + Sync
    + 'static
{
}

impl<S> App for S where
    S: tower_service::Service<
            Request<Body>,
            Response = Response<Body>,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + Sync
        + 'static
{
}

/// The app as a hyper service for one connection: each request carries
/// the peer address as `ConnectInfo<SocketAddr>`.
#[derive(Clone)]
struct AppService<A> {
    app: A,
    peer: SocketAddr,
    activity: Arc<Activity>,
}

type AnswerFuture = Pin<Box<dyn Future<Output = Result<Response<AnswerBody>, Infallible>> + Send>>;

impl<A: App> hyper::service::Service<Request<Incoming>> for AppService<A> {
    type Response = Response<AnswerBody>;
    type Error = Infallible;
    type Future = AnswerFuture;

    fn call(&self, mut request: Request<Incoming>) -> AnswerFuture {
        let in_flight = self.activity.request_started();
        request.extensions_mut().insert(ConnectInfo(self.peer));
        let mut app = self.app.clone();
        // The app (a Router, or `Protected` around one) is always ready:
        // no poll_ready needed.
        let answer = tower_service::Service::call(&mut app, request.map(Body::new));
        Box::pin(async move {
            let response = answer.await.unwrap_or_else(|never| match never {});
            Ok(response.map(|body| AnswerBody {
                body,
                _request: in_flight,
            }))
        })
    }
}

/// Serves one accepted connection until it ends, times out or the stop
/// has drained it.
pub(crate) async fn serve<A: App>(
    stream: TcpStream,
    peer: SocketAddr,
    app: A,
    builder: Arc<auto::Builder<TokioExecutor>>,
    timeouts: ConnectionTimeouts,
    stop: Stop,
    _place: OwnedSemaphorePermit,
) {
    // Answers are written whole: send them without waiting for ACKs.
    let _ = stream.set_nodelay(true);
    let activity = Arc::new(Activity::new());
    let io = TokioIo::new(Tracked {
        stream,
        activity: activity.clone(),
    });
    let service = AppService {
        app,
        peer,
        activity: activity.clone(),
    };
    let connection = builder.serve_connection(io, service);
    tokio::pin!(connection);
    let look_every = (timeouts.head / 4).max(Duration::from_millis(10));
    let timer = tokio::time::sleep(look_every);
    tokio::pin!(timer);
    let mut stopping = false;
    loop {
        let next_look = tokio::time::Instant::now() + look_every;
        let at = match activity.verdict(timeouts) {
            Verdict::HeadTimedOut => {
                tracing::debug!(%peer, "request head not complete in time: connection closed");
                return;
            }
            Verdict::Idle => {
                tracing::trace!(%peer, "idle connection closed");
                return;
            }
            Verdict::CheckAt(at) => next_look.min(at.into()),
            Verdict::WaitForChange => next_look,
        };
        timer.as_mut().reset(at);
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(e) = result {
                    tracing::trace!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            _ = stop.requested(), if !stopping => {
                stopping = true;
                connection.as_mut().graceful_shutdown();
            }
            _ = &mut timer => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    #[tokio::test]
    async fn each_request_carries_the_peer_address() {
        use axum::routing::get;
        let router = axum::Router::new().route(
            "/",
            get(|ConnectInfo(peer): ConnectInfo<SocketAddr>| async move { peer.to_string() }),
        );
        let limits = crate::serve::ServeSettings::default().resolve().unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let stop = Stop::install().unwrap();
        tokio::spawn(async move {
            crate::serve::serve_connections(listener, router, &limits, stop).await
        });
        let (peer, answer) = tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut answer = String::new();
            s.read_to_string(&mut answer).unwrap();
            (s.local_addr().unwrap(), answer)
        })
        .await
        .unwrap();
        assert!(answer.ends_with(&peer.to_string()), "{answer}");
    }

    /// Why the idle timeout is ours: hyper's header read timeout also
    /// closes a keep-alive connection that is merely idle.
    #[tokio::test]
    async fn hypers_header_read_timeout_also_closes_idle_keep_alive_connections() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let service = hyper::service::service_fn(|_r| async {
                Ok::<_, Infallible>(Response::new(Body::from("ok")))
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .timer(hyper_util::rt::TokioTimer::new())
                .header_read_timeout(Duration::from_millis(300))
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
        let closed_after = tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut answer = [0u8; 256];
            let n = s.read(&mut answer).unwrap();
            assert!(answer[..n].starts_with(b"HTTP/1.1 200"));
            let answered = Instant::now();
            // A complete answer, then nothing: the connection is idle.
            assert_eq!(s.read(&mut answer).unwrap(), 0, "closed by the server");
            answered.elapsed()
        })
        .await
        .unwrap();
        assert!(
            closed_after < Duration::from_secs(10),
            "idle for {closed_after:?}"
        );
    }
}
