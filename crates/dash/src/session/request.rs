//! One request's session, resolved on first use: the cookie is verified and
//! the record read only when a layout or callback asks for the session.

use std::fmt;
use std::sync::{Arc, Mutex};

use axum::http::HeaderValue;

use super::cookie::{self, Rejected, SessionId, Ticket};
use super::record::{self, Record};
use super::secret::Verified;
use super::{handle, now_ms, Sessions};

/// The session of one request; cheap to clone (clones share the state).
#[derive(Clone)]
pub(crate) struct RequestSession {
    inner: Arc<Slot>,
}

struct Slot {
    sessions: Arc<Sessions>,
    cookies: Vec<HeaderValue>,
    secure: bool,
    state: Mutex<Option<Current>>,
}

#[derive(Clone, Copy)]
struct Current {
    ticket: Ticket,
    /// The answer must carry `Set-Cookie` (new, rotated or signed again).
    send_cookie: bool,
}

impl fmt::Debug for RequestSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestSession(..)")
    }
}

/// Why a session could not be rotated.
#[derive(Debug)]
pub(crate) struct RotateError(pub String);

impl RequestSession {
    /// `cookies`: the request's `Cookie` headers; `secure`: whether a
    /// cookie set on this answer gets `Secure`.
    pub(crate) fn new(sessions: Arc<Sessions>, cookies: Vec<HeaderValue>, secure: bool) -> Self {
        RequestSession {
            inner: Arc::new(Slot {
                sessions,
                cookies,
                secure,
                state: Mutex::new(None),
            }),
        }
    }

    /// Whether the browser used HTTPS (a trusted proxy's
    /// `X-Forwarded-Proto`, or `secure_cookies`).
    pub(crate) fn secure(&self) -> bool {
        self.inner.secure
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Option<Current>> {
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The session: the cookie's if it is valid, else a new one. May read
    /// and write the backend (call it where blocking is allowed).
    pub(crate) fn id(&self) -> SessionId {
        self.current().ticket.id
    }

    fn current(&self) -> Current {
        let mut state = self.state();
        if let Some(c) = *state {
            return c;
        }
        let c = self.resolve();
        *state = Some(c);
        c
    }

    /// The app secret (server stores sign their references with it, and
    /// background job handles).
    pub(crate) fn secret(&self) -> &super::AppSecret {
        &self.inner.sessions.secret
    }

    /// The cache namespace of the session's own data.
    pub(crate) fn data_namespace(&self) -> String {
        record::data_namespace(self.id())
    }

    /// The public handle of the session (see `handle.rs`).
    pub(crate) fn handle(&self) -> String {
        handle::of(&self.inner.sessions.secret, self.id())
    }

    /// Starts a new session for this browser in this answer: a new id and
    /// cookie, the old id refused from now on, the server data moved over.
    /// The absolute lifetime starts again.
    pub(crate) fn rotate(&self) -> Result<(), RotateError> {
        let old = self.current().ticket;
        let sessions = &self.inner.sessions;
        let s = &sessions.settings;
        let backend = sessions.backend().ok_or_else(|| {
            RotateError(
                "the cache backend cannot be opened, so the old session cannot be ended".into(),
            )
        })?;
        let now = now_ms();
        let new = Ticket {
            id: SessionId::random(),
            issued_ms: now,
        };
        let fail =
            |e: dash_cache::CacheError| RotateError(format!("the cache backend failed: {e}"));
        let r = Record {
            issued_ms: now,
            touched_ms: now,
        };
        record::write(&**backend, new.id, r, s.idle, s.absolute).map_err(fail)?;
        record::move_data(&**backend, old.id, new.id, s.idle).map_err(fail)?;
        record::delete(&**backend, old.id).map_err(fail)?;
        *self.state() = Some(Current {
            ticket: new,
            send_cookie: true,
        });
        Ok(())
    }

    /// `Set-Cookie` for the answer, if the session was started, rotated or
    /// signed again during this request.
    pub(crate) fn set_cookie(&self) -> Option<HeaderValue> {
        let current = (*self.state())?;
        if !current.send_cookie {
            return None;
        }
        let sessions = &self.inner.sessions;
        cookie::set_cookie(
            cookie::encode(&sessions.secret, current.ticket),
            &sessions.cookie_path,
            self.inner.secure,
        )
    }

    fn resolve(&self) -> Current {
        let sessions = &self.inner.sessions;
        if let Some(link) = &sessions.stored {
            link.refresh_if_due(&sessions.secret, false);
        }
        for value in cookie::request_values(&self.inner.cookies) {
            let mut decoded = cookie::decode(&sessions.secret, &value);
            if decoded == Err(Rejected::BadSignature) {
                // Another process may have rotated the stored secret.
                if let Some(link) = &sessions.stored {
                    if link.refresh_if_due(&sessions.secret, true) {
                        decoded = cookie::decode(&sessions.secret, &value);
                    }
                }
            }
            if let Ok((ticket, verified)) = decoded {
                if self.accept(ticket) {
                    return Current {
                        ticket,
                        send_cookie: verified == Verified::Previous,
                    };
                }
            }
        }
        self.issue()
    }

    /// Whether a validly signed ticket's session is live: within its
    /// absolute lifetime and with a live record. If the backend fails, the
    /// signature alone decides (the server issued it) and a warning says so.
    fn accept(&self, ticket: Ticket) -> bool {
        let sessions = &self.inner.sessions;
        let s = &sessions.settings;
        let now = now_ms();
        let ends = ticket
            .issued_ms
            .saturating_add(s.absolute.as_millis() as u64);
        // A minute of clock skew between hosts is tolerated.
        if now >= ends || ticket.issued_ms > now.saturating_add(60_000) {
            return false;
        }
        let Some(backend) = sessions.backend() else {
            return true;
        };
        match record::read(&**backend, ticket.id) {
            Ok(Some(r)) if r.issued_ms == ticket.issued_ms => {
                let idle_ends = r.touched_ms.saturating_add(s.idle.as_millis() as u64);
                if now >= idle_ends {
                    return false;
                }
                if now.saturating_sub(r.touched_ms) >= s.touch_every.as_millis() as u64 {
                    let touched = Record {
                        touched_ms: now,
                        ..r
                    };
                    if let Err(e) =
                        record::write(&**backend, ticket.id, touched, s.idle, s.absolute)
                    {
                        tracing::warn!(error = %e, "cannot extend a session's record");
                    }
                }
                true
            }
            Ok(_) => false,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read a session's record; its signed cookie is accepted meanwhile");
                true
            }
        }
    }

    fn issue(&self) -> Current {
        let sessions = &self.inner.sessions;
        let s = &sessions.settings;
        let now = now_ms();
        let ticket = Ticket {
            id: SessionId::random(),
            issued_ms: now,
        };
        if let Some(backend) = sessions.backend() {
            let r = Record {
                issued_ms: now,
                touched_ms: now,
            };
            if let Err(e) = record::write(&**backend, ticket.id, r, s.idle, s.absolute) {
                tracing::warn!(error = %e, "cannot write a new session's record; the session will not be recognised on the next request");
            }
        }
        Current {
            ticket,
            send_cookie: true,
        }
    }
}
