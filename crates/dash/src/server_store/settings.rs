//! The `Dash` builder methods of server stores and their environment
//! variables.

use std::time::Duration;

use crate::{Dash, Error};

/// Default bound of the values one session holds.
pub const DEFAULT_SESSION_BYTES: u64 = 256 * 1024 * 1024;
/// Default bound of the values all sessions hold together.
pub const DEFAULT_TOTAL_BYTES: u64 = 2 * 1024 * 1024 * 1024;
/// Default bound of the in-process cache of values, per process.
pub const DEFAULT_MEMORY_BYTES: usize = 256 * 1024 * 1024;
/// A session that used no server store for this long is idle: its values
/// are evicted first.
pub const DEFAULT_ACTIVE_WINDOW: Duration = Duration::from_secs(10 * 60);
/// A reference is refused this long after it was made (the default
/// absolute lifetime of a session: no reference outlives its session).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// What the app set; unset values come from the environment, else the
/// defaults.
#[derive(Debug, Clone, Default)]
pub(crate) struct StoreSettings {
    pub per_session: Option<u64>,
    pub total: Option<u64>,
    pub memory: Option<usize>,
    pub active_window: Option<Duration>,
}

pub(crate) struct Resolved {
    pub per_session: u64,
    pub total: u64,
    pub memory: usize,
    pub active_window: Duration,
    pub lifetime: Duration,
}

fn env_number(name: &str) -> Result<Option<u64>, Error> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => {
            v.trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| Error::InvalidSetting {
                    name: name.into(),
                    reason: format!("{v:?} is not a whole number"),
                })
        }
        _ => Ok(None),
    }
}

impl StoreSettings {
    pub(crate) fn resolve(&self) -> Result<Resolved, Error> {
        let per_session = match self.per_session {
            Some(n) => n,
            None => env_number("DASH_SERVER_STORE_SESSION_BYTES")?.unwrap_or(DEFAULT_SESSION_BYTES),
        };
        let total = match self.total {
            Some(n) => n,
            None => env_number("DASH_SERVER_STORE_TOTAL_BYTES")?.unwrap_or(DEFAULT_TOTAL_BYTES),
        };
        let memory = match self.memory {
            Some(n) => n,
            None => env_number("DASH_SERVER_STORE_MEMORY_BYTES")?
                .map_or(DEFAULT_MEMORY_BYTES, |n| n as usize),
        };
        let active_window = match self.active_window {
            Some(d) => d,
            None => env_number("DASH_SERVER_STORE_ACTIVE_MS")?
                .map_or(DEFAULT_ACTIVE_WINDOW, Duration::from_millis),
        };
        if per_session == 0 || total == 0 {
            return Err(Error::InvalidSetting {
                name: "server_store_limits".into(),
                reason: "the bounds must be larger than zero".into(),
            });
        }
        Ok(Resolved {
            per_session,
            total,
            memory,
            active_window,
            lifetime: DEFAULT_LIFETIME,
        })
    }
}

impl Dash {
    /// Bounds on the bytes of [`ServerStore`](crate::ServerStore) values
    /// held for one session and for all sessions together, across every
    /// worker and host sharing the backend (defaults 256 MiB and 2 GiB;
    /// `DASH_SERVER_STORE_SESSION_BYTES`, `DASH_SERVER_STORE_TOTAL_BYTES`).
    /// Over a bound the least recently used values of idle sessions go
    /// first, then values a newer write superseded; the newest value of each
    /// store of an active session is never evicted (the write that would
    /// need it fails instead).
    ///
    /// ```
    /// let app = dash::Dash::new().server_store_limits(64 << 20, 1 << 30);
    /// # let _ = app;
    /// ```
    pub fn server_store_limits(mut self, per_session_bytes: u64, total_bytes: u64) -> Self {
        self.server_stores.settings.per_session = Some(per_session_bytes);
        self.server_stores.settings.total = Some(total_bytes);
        self
    }

    /// A session that used no server store for this long is idle (its
    /// values are evicted first); default 10 minutes,
    /// `DASH_SERVER_STORE_ACTIVE_MS`.
    pub fn server_store_active_window(mut self, window: Duration) -> Self {
        self.server_stores.settings.active_window = Some(window);
        self
    }

    /// Bytes of recently used server store values each process keeps
    /// decoded-ready in memory (default 256 MiB,
    /// `DASH_SERVER_STORE_MEMORY_BYTES`; 0 keeps none).
    pub fn server_store_memory(mut self, bytes: usize) -> Self {
        self.server_stores.settings.memory = Some(bytes);
        self
    }
}
