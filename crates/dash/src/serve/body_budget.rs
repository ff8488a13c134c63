//! The budget of request bodies in flight per process: a body is counted
//! from its `Content-Length` before it is read, or chunk by chunk as it
//! arrives when it has none; a request that does not fit gets a 503 with
//! `Retry-After`, naming the limit. The per-request limit (413) stays the
//! route's job; a body that stops arriving for the header timeout gets a
//! 408. A refused body with a `Content-Length` is read and dropped before
//! the answer, so the client sees the 503 rather than a reset. After a large body, freed memory goes back to the system
//! (`allocator`).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use http_body::Body as _;

use super::ServeLimits;

/// Bytes of request bodies held by the requests of this process.
struct BodyBudget {
    limit: usize,
    in_use: AtomicUsize,
}

impl BodyBudget {
    fn take(&self, n: usize) -> bool {
        self.in_use
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(n).filter(|&total| total <= self.limit)
            })
            .is_ok()
    }
}

/// One request's share of the budget, given back when dropped.
struct Reservation {
    budget: Arc<BodyBudget>,
    held: AtomicUsize,
}

impl Reservation {
    fn new(budget: &Arc<BodyBudget>, bytes: usize) -> Option<Reservation> {
        budget.take(bytes).then(|| Reservation {
            budget: budget.clone(),
            held: AtomicUsize::new(bytes),
        })
    }

    fn grow(&self, bytes: usize) -> bool {
        let ok = self.budget.take(bytes);
        if ok {
            self.held.fetch_add(bytes, Ordering::AcqRel);
        }
        ok
    }

    fn held(&self) -> usize {
        self.held.load(Ordering::Acquire)
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.in_use.fetch_sub(self.held(), Ordering::AcqRel);
    }
}

const READING: u8 = 0;
const OVER_BUDGET: u8 = 1;
const STALLED: u8 = 2;

/// A request body that counts its chunks (when unannounced) and notices
/// when it stops arriving.
struct MeteredBody {
    inner: Body,
    reservation: Arc<Reservation>,
    count_chunks: bool,
    outcome: Arc<AtomicU8>,
    stall_limit: Duration,
    stall: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl http_body::Body for MeteredBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(Some(Ok(frame))) => {
                this.stall = None;
                let bytes = frame.data_ref().map_or(0, Bytes::len);
                if this.count_chunks && !this.reservation.grow(bytes) {
                    this.outcome.store(OVER_BUDGET, Ordering::Release);
                    return Poll::Ready(Some(Err(axum::Error::new(
                        "the request bodies in flight passed the body budget",
                    ))));
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Pending => {
                let limit = this.stall_limit;
                let stall = this
                    .stall
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                if stall.as_mut().poll(cx).is_ready() {
                    this.outcome.store(STALLED, Ordering::Release);
                    return Poll::Ready(Some(Err(axum::Error::new(
                        "the request body stopped arriving",
                    ))));
                }
                Poll::Pending
            }
            done => done,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// The body budget of a process, with the limits the metering needs.
pub(crate) struct Metering {
    budget: Arc<BodyBudget>,
    max_body_bytes: usize,
    stall_limit: Duration,
}

impl Metering {
    /// The budget and limits of one process.
    pub(crate) fn new(limits: &ServeLimits) -> Self {
        Metering {
            budget: Arc::new(BodyBudget {
                limit: limits.body_budget_bytes,
                in_use: AtomicUsize::new(0),
            }),
            max_body_bytes: limits.max_body_bytes,
            stall_limit: limits.header_timeout,
        }
    }
}

fn announced_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()
}

/// Runs `next` with the request's body counted against the budget, or
/// answers 503 (over budget) or 408 (the body stalled) itself.
pub(crate) async fn meter<F, Fut>(m: &Metering, request: Request, next: F) -> Response
where
    F: FnOnce(Request) -> Fut,
    Fut: Future<Output = Response>,
{
    let announced = announced_length(request.headers());
    let has_body = match announced {
        Some(n) => n > 0,
        None => !request.body().is_end_stream(),
    };
    // Over the per-request limit: the route answers 413 without reading.
    if !has_body || announced.is_some_and(|n| n > m.max_body_bytes) {
        return next(request).await;
    }
    let Some(reservation) = Reservation::new(&m.budget, announced.unwrap_or(0)) else {
        // Read and drop the body first: a client still sending it would
        // otherwise see the connection reset instead of the answer.
        discard(request.into_body(), m.stall_limit).await;
        return over_budget(m.budget.limit);
    };
    let reservation = Arc::new(reservation);
    let outcome = Arc::new(AtomicU8::new(READING));
    let request = request.map(|inner| {
        Body::new(MeteredBody {
            inner,
            reservation: reservation.clone(),
            count_chunks: announced.is_none(),
            outcome: outcome.clone(),
            stall_limit: m.stall_limit,
            stall: None,
        })
    });
    let response = next(request).await;
    let large = reservation.held() >= crate::allocator::LARGE_BUFFER;
    drop(reservation);
    if large {
        crate::allocator::return_freed_memory_soon();
    }
    match outcome.load(Ordering::Acquire) {
        OVER_BUDGET => over_budget(m.budget.limit),
        STALLED => stalled(m.stall_limit),
        _ => response,
    }
}

/// Reads a body to its end, keeping nothing, until it stalls.
async fn discard(mut body: Body, stall_limit: Duration) {
    use http_body_util::BodyExt;
    while let Ok(Some(Ok(_))) = tokio::time::timeout(stall_limit, body.frame()).await {}
}

fn json_answer(status: StatusCode, error: &str, message: String) -> Response {
    let body = serde_json::json!({"error": error, "message": message}).to_string();
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

fn over_budget(limit: usize) -> Response {
    let mut response = json_answer(
        StatusCode::SERVICE_UNAVAILABLE,
        "busy",
        format!(
            "the server is receiving as many request bodies as its budget of {limit} bytes allows (Dash::body_budget_bytes, DASH_BODY_BUDGET_BYTES); retry shortly"
        ),
    );
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

fn stalled(limit: Duration) -> Response {
    json_answer(
        StatusCode::REQUEST_TIMEOUT,
        "body_timeout",
        format!(
            "the request body stopped arriving for {} ms (Dash::header_timeout, DASH_HEADER_TIMEOUT)",
            limit.as_millis()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_give_their_bytes_back() {
        let budget = Arc::new(BodyBudget {
            limit: 100,
            in_use: AtomicUsize::new(0),
        });
        let a = Reservation::new(&budget, 60).unwrap();
        assert!(Reservation::new(&budget, 41).is_none());
        let b = Reservation::new(&budget, 40).unwrap();
        assert!(!b.grow(1));
        drop(a);
        assert!(b.grow(60));
        assert_eq!(b.held(), 100);
        drop(b);
        assert_eq!(budget.in_use.load(Ordering::Acquire), 0);
    }
}
