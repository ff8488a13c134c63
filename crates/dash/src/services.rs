//! Server-side services callbacks reach through their context: the shared
//! cache (`DASH_CACHE_URL`) and per-session data.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use dash_cache::{Cache, CacheError, FlightSettings, Limits};

/// How the cache and sessions are set up.
#[derive(Debug, Clone)]
pub(crate) struct ServiceSettings {
    pub cache_url: Option<String>,
    pub cache_limits: Limits,
    pub session_idle: Duration,
    pub flight: FlightSettings,
    pub metrics: bool,
}

impl Default for ServiceSettings {
    fn default() -> Self {
        ServiceSettings {
            cache_url: None,
            cache_limits: Limits::default(),
            session_idle: Duration::from_secs(30 * 60),
            flight: FlightSettings::default(),
            metrics: false,
        }
    }
}

impl ServiceSettings {
    /// The URL in force: the app's, else `DASH_CACHE_URL`, else the
    /// embedded SQLite default.
    pub(crate) fn resolved_url(&self) -> String {
        self.cache_url
            .clone()
            .or_else(|| {
                std::env::var("DASH_CACHE_URL")
                    .ok()
                    .filter(|u| !u.is_empty())
            })
            .unwrap_or_else(|| dash_cache::DEFAULT_URL.to_owned())
    }
}

/// Shared by every request of one process; the backend opens on first use.
pub(crate) struct Services {
    settings: ServiceSettings,
    url: String,
    cache: OnceLock<Result<Cache, String>>,
}

impl Services {
    pub(crate) fn new(settings: ServiceSettings) -> Arc<Self> {
        let url = settings.resolved_url();
        Arc::new(Services {
            settings,
            url,
            cache: OnceLock::new(),
        })
    }

    /// Checks the URL's form without opening anything.
    pub(crate) fn check_url(&self) -> Result<(), CacheError> {
        let ok = ["sqlite://", "redis://", "rediss://", "memory://"]
            .iter()
            .any(|p| self.url.starts_with(p));
        if ok {
            Ok(())
        } else {
            Err(CacheError::InvalidUrl {
                url: self.url.clone(),
                reason: "expected sqlite://PATH, redis://HOST:PORT/DB or memory://".into(),
            })
        }
    }

    pub(crate) fn settings(&self) -> &ServiceSettings {
        &self.settings
    }

    /// The app's cache, opened on first use.
    pub(crate) fn cache(&self) -> Result<&Cache, String> {
        self.cache
            .get_or_init(|| {
                dash_cache::open_backend(&self.url, self.settings.cache_limits)
                    .map(|b| Cache::new(b, self.settings.flight))
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The cache if it was opened already.
    pub(crate) fn opened_cache(&self) -> Option<&Cache> {
        self.cache.get().and_then(|r| r.as_ref().ok())
    }
}

/// Name of the session cookie.
pub(crate) const SESSION_COOKIE: &str = "dash_session";

/// A new session id: 128 random bits in hex.
pub(crate) fn new_session_id() -> String {
    format!("{:032x}", rand::random::<u128>())
}

/// True for ids this server could have made (32 lowercase hex digits).
pub(crate) fn is_valid_session_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The session id in a request's cookies, if valid.
pub(crate) fn session_from_headers(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, v)| *k == SESSION_COOKIE && is_valid_session_id(v))
        .map(|(_, v)| v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids() {
        let id = new_session_id();
        assert!(is_valid_session_id(&id));
        assert!(!is_valid_session_id("../../etc"));
        let mut h = axum::http::HeaderMap::new();
        h.insert(
            axum::http::header::COOKIE,
            format!("a=b; {SESSION_COOKIE}={id}").parse().unwrap(),
        );
        assert_eq!(session_from_headers(&h), Some(id));
    }
}
