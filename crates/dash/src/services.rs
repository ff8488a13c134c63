//! Server-side services callbacks reach through their context: the shared
//! cache (`DASH_CACHE_URL`) and the session settings (see `session/`).

use std::sync::{Arc, OnceLock};

use dash_cache::{Cache, CacheError, FlightSettings, Limits};

/// How the cache and sessions are set up.
#[derive(Debug, Clone, Default)]
pub(crate) struct ServiceSettings {
    pub cache_url: Option<String>,
    pub cache_limits: Limits,
    pub session: crate::session::SessionSettings,
    pub flight: FlightSettings,
    pub metrics: bool,
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
