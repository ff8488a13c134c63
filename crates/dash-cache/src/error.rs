use thiserror::Error;

/// What can go wrong with a cache.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CacheError {
    /// `DASH_CACHE_URL` (or the URL given) cannot be used.
    #[error("invalid cache URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The backend (SQLite file, Redis server) failed.
    #[error("{backend} cache backend: {message}")]
    Backend {
        /// `sqlite`, `redis` or `memory`.
        backend: &'static str,
        /// What it said.
        message: String,
    },
    /// The backend failed lately and is not asked again until its next
    /// probe (see [`crate::HealthSnapshot`]).
    #[error("{backend} cache backend is unreachable; retrying with back-off")]
    Unavailable {
        /// `sqlite`, `redis` or `memory`.
        backend: &'static str,
    },
    /// A value could not be encoded or decoded.
    #[error("cache value codec: {0}")]
    Codec(String),
    /// The computation of a memoized value failed.
    #[error("computation failed: {0}")]
    Computation(String),
}

impl CacheError {
    pub(crate) fn backend(backend: &'static str, e: impl std::fmt::Display) -> Self {
        CacheError::Backend {
            backend,
            message: e.to_string(),
        }
    }
}
