//! Sessions the server issued, and the app secret that signs them.
//!
//! - [`AppSecret`] (`secret.rs`): HMAC-SHA-256 signing with a purpose
//!   string, current and previous keys. Configured (`Dash::secret_key`,
//!   `DASH_SECRET_KEY`) or made once and kept in the cache backend
//!   (`stored.rs`), so every worker and host agrees and restarts keep it.
//! - The cookie (`cookie.rs`): `dash_session = s1.<id>.<issued>.<tag>`,
//!   signed; anything else, including a value the client chose, starts a
//!   new session and is never adopted.
//! - The record (`record.rs`): each session's entry in the backend, so an
//!   unknown or idle session is refused by every worker and host.
//! - Per request (`request.rs`, `middleware.rs`): the service around the
//!   router (`serve::protect`) puts a lazy `RequestSession` in every
//!   request's extensions and adds `Set-Cookie` afterwards if a session was
//!   started, rotated or signed again. Only the index page, `_dash-layout`
//!   and `_dash-update-component` ask for it, so static files never get a
//!   cookie. Nothing is verified or read from the backend until a layout or
//!   callback asks for the session (the index page always does).
//! - The public handle (`handle.rs`): what a layout may show to page
//!   scripts instead of the id.

mod cookie;
#[doc(hidden)]
pub mod fuzzing;
mod handle;
mod middleware;
mod record;
mod request;
mod secret;
mod settings;
mod stored;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use dash_cache::CacheBackend;

pub(crate) use middleware::{begin, finish};
pub(crate) use request::RequestSession;
pub use secret::{AppSecret, SecretSource, Verified, MIN_SECRET_KEY_BYTES};
pub(crate) use settings::{SessionSettings, TrustedProxies};
pub use stored::rotate_stored_secret;

use crate::services::Services;
use crate::Error;

/// Milliseconds since 1970.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The app-wide part: the secret, the lifetimes, where cookies go.
pub(crate) struct Sessions {
    secret: AppSecret,
    stored: Option<Arc<stored::StoredSecret>>,
    settings: settings::Resolved,
    services: Arc<Services>,
    cookie_path: String,
}

impl Sessions {
    /// The peers whose forwarded headers are believed.
    pub(crate) fn trusted_proxies(&self) -> &TrustedProxies {
        &self.settings.trusted_proxies
    }

    /// Loads the app secret and the session settings; called once by
    /// `build()`. Without a configured secret, the cache backend must be
    /// reachable (it keeps the shared one), else this is a start error; with
    /// `allow_degraded`, a secret for this process only is made instead,
    /// with a warning.
    pub(crate) fn load(
        services: &Arc<Services>,
        cookie_path: &str,
        allow_degraded: bool,
    ) -> Result<Arc<Sessions>, Error> {
        let configured = &services.settings().session;
        let settings = configured.resolve()?;
        let (secret, stored) = match configured.secret_key() {
            Some(key) => (AppSecret::new(key)?, None),
            None => match services
                .cache()
                .and_then(|c| stored::load(c.backend().clone(), settings.absolute).map_err(|e| e.to_string()))
            {
                Ok((secret, link)) => (secret, Some(link)),
                Err(cause) if allow_degraded => {
                    tracing::warn!(
                        %cause,
                        "no DASH_SECRET_KEY is set and the cache backend that keeps the shared secret cannot be reached: this process signs with a secret of its own, which other workers and hosts reject; set DASH_SECRET_KEY"
                    );
                    (AppSecret::ephemeral(), None)
                }
                Err(cause) => {
                    return Err(Error::InvalidSetting {
                        name: "DASH_SECRET_KEY".into(),
                        reason: format!(
                            "no secret key is set (Dash::secret_key or DASH_SECRET_KEY), and the cache backend {} that keeps the shared one cannot be reached: {cause}",
                            crate::services::redact_url(&services.settings().resolved_url())
                        ),
                    })
                }
            },
        };
        let mut secret = secret;
        for key in configured.previous_keys() {
            secret = secret.with_previous(key)?;
        }
        Ok(Arc::new(Sessions {
            secret,
            stored,
            settings,
            services: services.clone(),
            cookie_path: cookie_path.to_owned(),
        }))
    }

    /// The app secret (the login cookie is signed with it too).
    pub(crate) fn secret(&self) -> &AppSecret {
        &self.secret
    }

    /// Ends the browser session named by these `Cookie` headers (a sign-in
    /// or sign-out starts the next user on a fresh one): its record and
    /// data are deleted from the backend. Returns the `Set-Cookie` that
    /// removes the cookie, if there was a valid one. Blocks on the backend.
    pub(crate) fn end_browser_session(
        &self,
        headers: &[axum::http::HeaderValue],
    ) -> Result<Option<axum::http::HeaderValue>, dash_cache::CacheError> {
        let Some(backend) = self.backend() else {
            return Ok(None);
        };
        for value in cookie::request_values(headers) {
            if let Ok((ticket, _)) = cookie::decode(&self.secret, &value) {
                record::delete(&**backend, ticket.id)?;
                backend.clear_prefix(&record::data_prefix(ticket.id))?;
                return Ok(cookie::removal(&self.cookie_path));
            }
        }
        Ok(None)
    }

    /// The backend, if it can be opened.
    fn backend(&self) -> Option<&Arc<dyn CacheBackend>> {
        self.services.cache().ok().map(|c| c.backend())
    }
}
