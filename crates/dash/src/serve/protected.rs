//! The service around the whole router (see [`super::protect`]).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::response::Response;

use super::body_budget::{meter, Metering};
use super::security_headers::SecurityHeaders;
use super::ServeLimits;
use crate::session::Sessions;

/// Budget, session and headers around `inner`.
#[derive(Clone)]
pub(crate) struct Protected {
    inner: axum::Router,
    shared: Arc<Shared>,
}

struct Shared {
    metering: Metering,
    headers: SecurityHeaders,
    sessions: Option<Arc<Sessions>>,
}

impl Protected {
    pub(crate) fn new(
        inner: axum::Router,
        limits: &ServeLimits,
        sessions: Option<Arc<Sessions>>,
    ) -> Self {
        Protected {
            inner,
            shared: Arc::new(Shared {
                metering: Metering::new(limits),
                headers: limits.security_headers.clone(),
                sessions,
            }),
        }
    }
}

impl tower_service::Service<Request> for Protected {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut request: Request) -> Self::Future {
        let mut inner = self.inner.clone();
        let shared = self.shared.clone();
        Box::pin(async move {
            let session = shared
                .sessions
                .as_ref()
                .map(|sessions| crate::session::begin(sessions, &mut request));
            let mut response = meter(&shared.metering, request, |request| async move {
                // A Router is always ready.
                match tower_service::Service::call(&mut inner, request).await {
                    Ok(response) => response,
                    Err(never) => match never {},
                }
            })
            .await;
            if let Some(session) = &session {
                crate::session::finish(session, &mut response);
            }
            shared.headers.apply(response.headers_mut());
            Ok(response)
        })
    }
}
