//! Server-side services callbacks reach through their context: the shared
//! cache (`DASH_CACHE_URL`) and the session settings (see `session/`).
//!
//! The cache is opened when the app is built: a cache that cannot be opened
//! (a read-only folder, a damaged file, an unreachable Redis) stops the
//! start with an error naming the URL and the cause, unless the app chose
//! to start degraded ([`crate::Dash::allow_degraded_start`]); then, as when
//! the backend fails later, callbacks compute without it while it is tried
//! again with back-off, and `_dash-health` says so.

use std::sync::Arc;
use std::time::Duration;

use dash_cache::{Cache, CacheBackend, CacheError, FlightSettings, Limits, ReopeningBackend};

/// How the cache and sessions are set up.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceSettings {
    pub cache_url: Option<String>,
    pub cache_limits: Limits,
    pub session: crate::session::SessionSettings,
    pub flight: FlightSettings,
    pub metrics: bool,
    /// Start even if the cache cannot be opened (`None`: from
    /// `DASH_ALLOW_DEGRADED_START`).
    pub allow_degraded_start: Option<bool>,
    /// `flight.lease` was set by the app (else `DASH_CACHE_LEASE_MS` may).
    pub lease_from_app: bool,
    /// The background job pool and lease.
    pub background: crate::background::BackgroundSettings,
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

    /// Whether a start may go on without a usable cache.
    pub(crate) fn degraded_start_allowed(&self) -> bool {
        self.allow_degraded_start.unwrap_or_else(|| {
            crate::run_options::RunOptions::env_flag("DASH_ALLOW_DEGRADED_START").unwrap_or(false)
        })
    }
}

/// Shared by every request of one process.
pub(crate) struct Services {
    settings: ServiceSettings,
    cache: Cache,
    jobs: crate::background::Jobs,
}

impl Services {
    /// Opens the cache and asks it once; see the module doc for failures.
    pub(crate) fn open(mut settings: ServiceSettings) -> Result<Arc<Self>, crate::Error> {
        if !settings.lease_from_app {
            if let Ok(text) = std::env::var("DASH_CACHE_LEASE_MS") {
                let ms: u64 = text
                    .trim()
                    .parse()
                    .ok()
                    .filter(|&ms| ms >= 100)
                    .ok_or_else(|| crate::Error::InvalidSetting {
                        name: "DASH_CACHE_LEASE_MS".into(),
                        reason: format!("{text:?} is not a number of milliseconds (at least 100)"),
                    })?;
                settings.flight.lease = Duration::from_millis(ms);
            }
        }
        let url = settings.resolved_url();
        let shown = redact_url(&url);
        let refuse = |reason: String| crate::Error::CacheUnavailable {
            url: shown.clone(),
            reason,
        };
        let backend: Arc<dyn CacheBackend> = match dash_cache::open_backend(
            &url,
            settings.cache_limits,
        ) {
            Ok(b) => b,
            Err(e @ CacheError::InvalidUrl { .. }) => return Err(refuse(e.to_string())),
            Err(e) if settings.degraded_start_allowed() => {
                tracing::warn!(url = %shown, error = %e, "the cache cannot be opened; starting degraded, retrying with back-off");
                Arc::new(ReopeningBackend::new(&url, settings.cache_limits))
            }
            Err(e) => return Err(refuse(e.to_string())),
        };
        // Asked directly, not through the cache's health gate, so that a
        // refused start does not log a "computing without it" warning.
        let answered = backend.get("health/probe");
        let cache = Cache::new(backend, settings.flight);
        if let Err(error) = answered {
            if !settings.degraded_start_allowed() {
                return Err(refuse(error.to_string()));
            }
            tracing::warn!(url = %shown, %error, "the cache does not answer; starting degraded, retrying with back-off");
            cache.check_health();
        }
        let background = settings.background.resolve(settings.flight.lease)?;
        let jobs = crate::background::Jobs::new(
            cache.backend().clone(),
            cache.holder_id().to_owned(),
            background,
        );
        Ok(Arc::new(Services {
            settings,
            cache,
            jobs,
        }))
    }

    pub(crate) fn settings(&self) -> &ServiceSettings {
        &self.settings
    }

    /// The app's cache.
    pub(crate) fn cache(&self) -> Result<&Cache, String> {
        Ok(&self.cache)
    }

    /// This process's background jobs.
    pub(crate) fn jobs(&self) -> &crate::background::Jobs {
        &self.jobs
    }

    /// The app's cache, for the server's own tasks (a failed backend shows
    /// in its health).
    pub(crate) fn opened_cache(&self) -> &Cache {
        &self.cache
    }
}

/// The URL with any password replaced, for messages and logs.
pub(crate) fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact_url("redis://user:hunter2@cache.internal:6379/0"),
            "redis://user:***@cache.internal:6379/0"
        );
        assert_eq!(
            redact_url("sqlite://.dash-cache/c.sqlite"),
            "sqlite://.dash-cache/c.sqlite"
        );
    }
}
