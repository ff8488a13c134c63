//! The storage trait every backend implements.

use std::time::Duration;

use crate::CacheError;

/// Byte-level storage shared by the processes that open the same URL.
///
/// Keys are plain strings (the cache builds them from namespaces and
/// hashes). `try_lease`/`release_lease` give single flight: one holder at a
/// time, and a lease that is not renewed expires, so a crashed holder's work
/// passes to a waiter.
pub trait CacheBackend: Send + Sync + 'static {
    /// `sqlite`, `redis` or `memory`.
    fn kind(&self) -> &'static str;
    /// Reads a live entry.
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    /// Writes an entry, replacing any other; `ttl` of `None` keeps it until
    /// evicted or deleted.
    fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError>;
    /// Writes an entry only if no live entry has the key; true if this call
    /// wrote it. Every process that shares the backend agrees on one value
    /// (the app secret made at first start uses it).
    fn add(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<bool, CacheError>;
    /// Extends a live entry's time to live (sliding expiry); true if a
    /// live entry had the key.
    fn touch(&self, key: &str, ttl: Duration) -> Result<bool, CacheError>;
    /// Removes an entry; true if it existed.
    fn delete(&self, key: &str) -> Result<bool, CacheError>;
    /// Removes every entry whose key starts with `prefix`; returns how many.
    fn clear_prefix(&self, prefix: &str) -> Result<u64, CacheError>;
    /// Takes the lease on `key` for `holder` unless someone else holds a
    /// live one; also renews the holder's own lease.
    fn try_lease(&self, key: &str, holder: &str, ttl: Duration) -> Result<bool, CacheError>;
    /// Gives up the lease if `holder` still holds it.
    fn release_lease(&self, key: &str, holder: &str) -> Result<(), CacheError>;
    /// Removes expired entries; returns how many.
    fn purge_expired(&self) -> Result<u64, CacheError>;
    /// Every live entry whose key starts with `prefix`.
    fn scan_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, CacheError>;
    /// Entries removed so far by the size bound.
    fn evictions(&self) -> u64;
}
