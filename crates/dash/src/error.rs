//! The one error type of the `dash` crate.

use thiserror::Error;

/// What can go wrong while building or running an app. Its `Debug` form is
/// its message, so that `fn main() -> Result<(), dash::Error>` prints a
/// readable line when the start fails.
#[derive(Error)]
#[non_exhaustive]
pub enum Error {
    /// A callback declaration breaks a Dash rule.
    #[error("invalid callback {callback}: {reason}")]
    InvalidCallback {
        /// The callback's key (its `output` string).
        callback: String,
        /// What is wrong.
        reason: String,
    },
    /// The layout breaks a Dash rule.
    #[error("invalid layout: {0}")]
    InvalidLayout(String),
    /// A setting has an unusable value.
    #[error("invalid setting {name}: {reason}")]
    InvalidSetting {
        /// The setting (or environment variable, or flag).
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// Several problems at once.
    #[error("{}", .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
    Several(Vec<Error>),
    /// The server could not listen.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// The system's reason.
        source: std::io::Error,
    },
    /// The server-side cache cannot be opened or does not answer at start.
    #[error("the cache {url} cannot be used: {reason} (set DASH_CACHE_URL to a usable cache, or allow a degraded start with DASH_ALLOW_DEGRADED_START=1 / Dash::allow_degraded_start)")]
    CacheUnavailable {
        /// The cache URL, any password hidden.
        url: String,
        /// The backend's reason.
        reason: String,
    },
    /// A callback called through [`dash::testing`](crate::testing) did not
    /// answer 200 or 204: the status and message the renderer would get.
    #[error("the call answered HTTP {status}: {message}")]
    CallFailed {
        /// 400 (a request the callback's types refuse), 403/410 (server
        /// store references), 500 (the callback failed or panicked).
        status: u16,
        /// The message.
        message: String,
    },
    /// Any other I/O failure.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl std::fmt::Debug for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}
