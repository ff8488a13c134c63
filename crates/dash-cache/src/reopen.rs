//! A backend that could not be opened at start, opened again on use: for an
//! app that chose to start degraded (for instance before its SQLite volume
//! is mounted). Until the open succeeds every call fails, so the cache's
//! health gate spaces the attempts out with its back-off.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use crate::{open_backend, CacheBackend, CacheError, Limits};

/// Opens `url` on the first call that finds it closed; see the module doc.
pub struct ReopeningBackend {
    url: String,
    limits: Limits,
    kind: &'static str,
    opened: RwLock<Option<Arc<dyn CacheBackend>>>,
}

impl ReopeningBackend {
    /// A backend for `url` that is not open yet.
    pub fn new(url: &str, limits: Limits) -> Self {
        let kind = if url.starts_with("sqlite://") {
            "sqlite"
        } else if url.starts_with("redis") {
            "redis"
        } else {
            "memory"
        };
        ReopeningBackend {
            url: url.to_owned(),
            limits,
            kind,
            opened: RwLock::new(None),
        }
    }

    fn inner(&self) -> Result<Arc<dyn CacheBackend>, CacheError> {
        if let Some(b) = &*self.opened.read().unwrap_or_else(|p| p.into_inner()) {
            return Ok(b.clone());
        }
        let mut slot = self.opened.write().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = &*slot {
            return Ok(b.clone());
        }
        let backend = open_backend(&self.url, self.limits)?;
        *slot = Some(backend.clone());
        tracing::info!(backend = self.kind, "cache backend opened");
        Ok(backend)
    }
}

impl CacheBackend for ReopeningBackend {
    fn kind(&self) -> &'static str {
        self.kind
    }
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        self.inner()?.get(key)
    }
    fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        self.inner()?.set(key, value, ttl)
    }
    fn add(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<bool, CacheError> {
        self.inner()?.add(key, value, ttl)
    }
    fn touch(&self, key: &str, ttl: Duration) -> Result<bool, CacheError> {
        self.inner()?.touch(key, ttl)
    }
    fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.inner()?.delete(key)
    }
    fn clear_prefix(&self, prefix: &str) -> Result<u64, CacheError> {
        self.inner()?.clear_prefix(prefix)
    }
    fn try_lease(&self, key: &str, holder: &str, ttl: Duration) -> Result<bool, CacheError> {
        self.inner()?.try_lease(key, holder, ttl)
    }
    fn release_lease(&self, key: &str, holder: &str) -> Result<(), CacheError> {
        self.inner()?.release_lease(key, holder)
    }
    fn purge_expired(&self) -> Result<u64, CacheError> {
        self.inner()?.purge_expired()
    }
    fn scan_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, CacheError> {
        self.inner()?.scan_prefix(prefix)
    }
    fn evictions(&self) -> u64 {
        self.opened
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map_or(0, |b| b.evictions())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_once_the_path_becomes_usable() {
        let dir = std::env::temp_dir().join(format!("dash-reopen-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // A regular file where the cache's folder should be.
        let blocker = dir.join("cache");
        std::fs::write(&blocker, b"not a folder").unwrap();
        let url = format!("sqlite://{}", blocker.join("cache.sqlite").display());
        let b = ReopeningBackend::new(&url, Limits::default());
        assert_eq!(b.kind(), "sqlite");
        assert!(b.get("k").is_err());
        std::fs::remove_file(&blocker).unwrap();
        b.set("k", b"v", None).unwrap();
        assert_eq!(b.get("k").unwrap().as_deref(), Some(&b"v"[..]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
