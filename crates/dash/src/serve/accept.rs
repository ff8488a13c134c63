//! The accept loop: takes connections until the stop, admits them under
//! the cap, then drains the open ones within the graceful timeout.

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

use super::connection::{self, ConnectionTimeouts};
use super::connection_cap::{self, Admission, ConnectionCap};
use super::descriptors::{fitting_cap, raise_descriptor_limit};
use super::{ServeLimits, Stop};

/// Serves `router` on `listener` until `stop`; then stops accepting and
/// waits for open connections to finish their requests, at most
/// `limits.graceful_timeout` (a second stop request cuts the wait short).
pub(crate) async fn serve_connections<A: connection::App>(
    listener: TcpListener,
    router: A,
    limits: &ServeLimits,
    stop: Stop,
) -> io::Result<()> {
    let descriptors = raise_descriptor_limit();
    let cap = fitting_cap(limits.max_connections, descriptors);
    if cap < limits.max_connections {
        tracing::info!(
            cap,
            descriptors,
            "connection cap lowered to fit the descriptor limit"
        );
    }
    let cap = Arc::new(ConnectionCap::new(cap));
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // The head and idle timeouts are enforced per connection (connection.rs).
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(None);
    builder.http2().timer(TokioTimer::new());
    let builder = Arc::new(builder);
    let timeouts = ConnectionTimeouts {
        head: limits.header_timeout,
        idle: limits.idle_timeout,
    };
    let mut accept_errors = AcceptErrors::default();
    loop {
        let (stream, peer) = tokio::select! {
            biased;
            _ = stop.requested() => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_errors.handle(e).await;
                    continue;
                }
            },
        };
        match cap.admit() {
            Admission::Serve(place) => {
                tokio::spawn(connection::serve(
                    stream,
                    peer,
                    router.clone(),
                    builder.clone(),
                    timeouts,
                    stop.clone(),
                    place,
                ));
            }
            Admission::Refuse(place) => {
                tokio::spawn(connection_cap::refuse(
                    stream,
                    cap.cap(),
                    limits.security_headers.clone(),
                    place,
                ));
            }
            Admission::Close => drop(stream),
        }
    }
    // New connections go to the other workers (or are refused) from now on.
    drop(listener);
    let open = cap.open();
    if open > 0 {
        tracing::info!(
            open,
            "waiting for open connections to finish (at most {:?})",
            limits.graceful_timeout
        );
    }
    tokio::select! {
        _ = cap.all_closed() => {}
        _ = tokio::time::sleep(limits.graceful_timeout) => {
            tracing::warn!(
                open = cap.open(),
                "graceful timeout passed (DASH_GRACEFUL_TIMEOUT): closing the connections still open"
            );
        }
        _ = stop.forced() => {}
    }
    Ok(())
}

/// Accept failures: a connection that failed before it was accepted is
/// skipped; running out of descriptors or memory (EMFILE, ENFILE, ENOBUFS,
/// ENOMEM) pauses accepting for a moment instead of spinning, with one
/// log line per ten seconds.
#[derive(Default)]
struct AcceptErrors {
    last_logged: Option<Instant>,
    since_logged: u64,
}

impl AcceptErrors {
    async fn handle(&mut self, e: io::Error) {
        if matches!(
            e.kind(),
            io::ErrorKind::ConnectionAborted
                | io::ErrorKind::ConnectionReset
                | io::ErrorKind::ConnectionRefused
                | io::ErrorKind::Interrupted
        ) {
            return;
        }
        self.since_logged += 1;
        if self
            .last_logged
            .is_none_or(|t| t.elapsed() > Duration::from_secs(10))
        {
            tracing::error!(error = %e, times = self.since_logged, "cannot accept connections; pausing");
            self.last_logged = Some(Instant::now());
            self.since_logged = 0;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
