//! The server-side record of a session, in the cache backend: a cookie is
//! accepted only while its session's record lives, so "unknown" and the
//! idle lifetime hold across workers and hosts.
//!
//! The record expires in the backend after the idle lifetime (or at the
//! end of the absolute lifetime, if sooner); a used session writes it again
//! at most once per `touch_every` to slide that expiry, so most requests
//! only read it.

use std::time::Duration;

use dash_cache::{CacheBackend, CacheError};
use serde::{Deserialize, Serialize};

use super::cookie::SessionId;

/// The record's backend key.
fn key(id: SessionId) -> String {
    format!("dash/session/{}", id.hex())
}

/// The prefix of the session's own data: `CallbackContext::session_cache`
/// is the cache namespace `session/<id>`, whose keys are
/// `app/session/<id>:<key>` (pinned by a test below).
pub(crate) fn data_prefix(id: SessionId) -> String {
    format!("app/{}:", data_namespace(id))
}

/// The cache namespace of the session's own data.
pub(crate) fn data_namespace(id: SessionId) -> String {
    format!("session/{}", id.hex())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Record {
    pub issued_ms: u64,
    pub touched_ms: u64,
}

impl Record {
    /// How long the backend keeps the record from `now`: the idle lifetime,
    /// cut at the end of the absolute one.
    fn ttl(&self, now_ms: u64, idle: Duration, absolute: Duration) -> Duration {
        let end = self.issued_ms.saturating_add(absolute.as_millis() as u64);
        idle.min(Duration::from_millis(end.saturating_sub(now_ms)))
    }
}

pub(crate) fn read(
    backend: &dyn CacheBackend,
    id: SessionId,
) -> Result<Option<Record>, CacheError> {
    Ok(backend
        .get(&key(id))?
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()))
}

pub(crate) fn write(
    backend: &dyn CacheBackend,
    id: SessionId,
    record: Record,
    idle: Duration,
    absolute: Duration,
) -> Result<(), CacheError> {
    let bytes = serde_json::to_vec(&record).expect("plain fields serialize");
    let ttl = record.ttl(record.touched_ms, idle, absolute);
    backend.set(&key(id), &bytes, Some(ttl))
}

pub(crate) fn delete(backend: &dyn CacheBackend, id: SessionId) -> Result<(), CacheError> {
    backend.delete(&key(id)).map(|_| ())
}

/// Copies the session's data to another session (after a rotation) and
/// removes the old copy; entries keep living for `idle`.
pub(crate) fn move_data(
    backend: &dyn CacheBackend,
    from: SessionId,
    to: SessionId,
    idle: Duration,
) -> Result<usize, CacheError> {
    let (old, new) = (data_prefix(from), data_prefix(to));
    let entries = backend.scan_prefix(&old)?;
    for (k, v) in &entries {
        backend.set(&format!("{new}{}", &k[old.len()..]), v, Some(idle))?;
    }
    backend.clear_prefix(&old)?;
    Ok(entries.len())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn the_data_prefix_is_the_session_cache_namespace() {
        let backend: Arc<dyn CacheBackend> =
            Arc::new(dash_cache::MemoryBackend::new(Default::default()));
        let cache = dash_cache::Cache::new(backend.clone(), Default::default());
        let (a, b) = (SessionId::random(), SessionId::random());
        let ns = cache.with_idle_expiry(&data_namespace(a), Duration::from_secs(60));
        ns.set("rows", &vec![1u32, 2, 3], None).unwrap();
        assert_eq!(backend.scan_prefix(&data_prefix(a)).unwrap().len(), 1);
        assert_eq!(
            move_data(&*backend, a, b, Duration::from_secs(60)).unwrap(),
            1
        );
        let moved = cache.with_idle_expiry(&data_namespace(b), Duration::from_secs(60));
        assert_eq!(moved.get::<Vec<u32>>("rows"), Some(vec![1, 2, 3]));
        assert_eq!(ns.get::<Vec<u32>>("rows"), None);
    }

    #[test]
    fn records_expire_at_the_sooner_lifetime() {
        let r = Record {
            issued_ms: 1_000,
            touched_ms: 5_000,
        };
        let (idle, absolute) = (Duration::from_secs(10), Duration::from_secs(8));
        assert_eq!(r.ttl(5_000, idle, absolute), Duration::from_secs(4));
        assert_eq!(r.ttl(1_000, idle, Duration::from_secs(60)), idle);
        assert_eq!(r.ttl(20_000, idle, absolute), Duration::ZERO);
    }
}
