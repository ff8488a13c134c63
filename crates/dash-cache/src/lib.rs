//! Server-side storage for Dash apps: data shared between callbacks that
//! every worker process, and every host, can reach.
//!
//! A [`Cache`] sits on a [`CacheBackend`]: SQLite (one file per machine, the
//! embedded default), Redis (several hosts) or memory (one process). Values
//! are MessagePack (or, for memoized values of a traceable type, postcard
//! tagged with a fingerprint of the type's shape), LZ4-compressed above
//! 1 KiB, with a checksum; a damaged entry reads as a miss.
//! [`Cache::memoize`] computes a missing value once across threads,
//! processes and hosts (single flight with a renewed lease).
#![deny(missing_docs)]

mod backend;
mod cache;
pub mod codec;
mod error;
mod flight;
#[doc(hidden)]
pub mod fuzzing;
mod health;
mod memory;
mod metrics;
#[cfg(feature = "redis")]
mod redis_backend;
mod reopen;
pub mod schema;
#[cfg(feature = "sqlite")]
mod sqlite;
#[doc(hidden)]
pub mod testing;

use std::sync::Arc;

pub use backend::CacheBackend;
pub use cache::{BlockingSection, Cache, FlightSettings};
pub use error::CacheError;
pub use health::HealthSnapshot;
pub use memory::MemoryBackend;
pub use metrics::MetricsSnapshot;
#[cfg(feature = "redis")]
pub use redis_backend::RedisBackend;
pub use reopen::ReopeningBackend;
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteBackend;

/// The embedded default when `DASH_CACHE_URL` is unset.
pub const DEFAULT_URL: &str = "sqlite://.dash-cache/cache.sqlite";

/// Bounds on a backend's size; the least recently used entries go first.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    /// At most this many entries.
    pub max_entries: Option<u64>,
    /// At most this many bytes of values.
    pub max_bytes: Option<u64>,
}

/// Opens a backend from a URL:
/// - `sqlite://relative/path.sqlite`, `sqlite:///abs/path.sqlite`
/// - `redis://HOST:PORT/DB`
/// - `memory://`
///
/// ```
/// let backend = dash_cache::open_backend("memory://", Default::default()).unwrap();
/// assert_eq!(backend.kind(), "memory");
/// assert!(dash_cache::open_backend("ftp://x", Default::default()).is_err());
/// ```
pub fn open_backend(url: &str, limits: Limits) -> Result<Arc<dyn CacheBackend>, CacheError> {
    let bad = |reason: &str| CacheError::InvalidUrl {
        url: url.to_owned(),
        reason: reason.to_owned(),
    };
    if let Some(rest) = url.strip_prefix("memory://") {
        if !rest.is_empty() {
            return Err(bad("memory:// takes no path"));
        }
        return Ok(Arc::new(MemoryBackend::new(limits)));
    }
    if let Some(path) = url.strip_prefix("sqlite://") {
        #[cfg(feature = "sqlite")]
        {
            if path.is_empty() {
                return Err(bad(
                    "sqlite:// needs a file path, e.g. sqlite://.dash-cache/cache.sqlite",
                ));
            }
            return Ok(Arc::new(SqliteBackend::open(path, limits)?));
        }
        #[cfg(not(feature = "sqlite"))]
        {
            let _ = path;
            return Err(bad("this build has no sqlite feature"));
        }
    }
    if url.starts_with("redis://") || url.starts_with("rediss://") {
        #[cfg(feature = "redis")]
        {
            return Ok(Arc::new(RedisBackend::open(url)?));
        }
        #[cfg(not(feature = "redis"))]
        return Err(bad("this build has no redis feature"));
    }
    Err(bad(
        "expected sqlite://PATH, redis://HOST:PORT/DB or memory://",
    ))
}
