//! The app secret kept in the cache backend when none is configured: made
//! once by whichever process starts first (`CacheBackend::add`, a write only
//! when no live entry has the key), read back by every other worker and
//! host, kept across restarts.
//!
//! The entry holds the current key and, after a rotation, the previous one
//! with the time of the rotation. Each process reads the entry again at
//! most once a minute while sessions are used (sooner when a signature
//! fails: another process may have rotated), so a rotation reaches every
//! worker without a restart, and an entry lost to eviction is written back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use dash_cache::{CacheBackend, CacheError};
use serde::{Deserialize, Serialize};

use super::secret::{AppSecret, Key, Keys, PreviousKey, SecretSource};

/// The reserved backend key of the stored secret.
pub(crate) const SECRET_ENTRY: &str = "dash/app-secret/v1";

/// How often a process reads the stored secret again.
const REFRESH_EVERY: Duration = Duration::from_secs(60);
/// The soonest a failed signature makes a process read it again.
const REFRESH_ON_FAILURE_EVERY: Duration = Duration::from_secs(1);

#[derive(Serialize, Deserialize)]
struct Entry {
    current: String,
    previous: Option<String>,
    rotated_at_ms: u64,
}

impl Entry {
    fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("plain fields serialize")
    }

    fn decode(bytes: &[u8]) -> Result<Entry, CacheError> {
        let damaged = || {
            CacheError::Codec(format!(
                "the stored app secret ({SECRET_ENTRY}) is damaged; delete the entry to make a new one (every session then starts anew)"
            ))
        };
        let entry: Entry = serde_json::from_slice(bytes).map_err(|_| damaged())?;
        let ok = |k: &str| URL_SAFE_NO_PAD.decode(k).is_ok_and(|b| b.len() >= 32);
        if !ok(&entry.current) || entry.previous.as_deref().is_some_and(|p| !ok(p)) {
            return Err(damaged());
        }
        Ok(entry)
    }

    fn key(text: &str) -> Key {
        Key::new(URL_SAFE_NO_PAD.decode(text).unwrap_or_default())
    }

    fn new_random() -> Entry {
        Entry {
            current: URL_SAFE_NO_PAD.encode(Key::random().bytes()),
            previous: None,
            rotated_at_ms: super::now_ms(),
        }
    }

    fn keys(&self, grace: Duration) -> Keys {
        let until = self.rotated_at_ms.saturating_add(grace.as_millis() as u64);
        Keys {
            current: Entry::key(&self.current),
            previous: self
                .previous
                .iter()
                .filter(|_| super::now_ms() < until)
                .map(|p| PreviousKey {
                    key: Entry::key(p),
                    until_ms: Some(until),
                })
                .collect(),
        }
    }
}

/// The link from an [`AppSecret`] to its entry in the backend.
pub(crate) struct StoredSecret {
    backend: Arc<dyn CacheBackend>,
    grace: Duration,
    /// The last read of the entry, for the read once a minute.
    last_read_ms: AtomicU64,
    /// The last read caused by a failed signature, for the limit of one a
    /// second.
    last_failure_read_ms: AtomicU64,
}

/// Makes or reads the shared secret.
pub(crate) fn load(
    backend: Arc<dyn CacheBackend>,
    grace: Duration,
) -> Result<(AppSecret, Arc<StoredSecret>), CacheError> {
    backend.add(SECRET_ENTRY, &Entry::new_random().encode(), None)?;
    let bytes = backend.get(SECRET_ENTRY)?.ok_or_else(|| {
        CacheError::Codec(format!(
            "the stored app secret ({SECRET_ENTRY}) vanished right after it was written"
        ))
    })?;
    let entry = Entry::decode(&bytes)?;
    let secret = AppSecret::from_keys(entry.keys(grace), SecretSource::Stored);
    let link = Arc::new(StoredSecret {
        backend,
        grace,
        last_read_ms: AtomicU64::new(super::now_ms()),
        last_failure_read_ms: AtomicU64::new(0),
    });
    Ok((secret, link))
}

impl StoredSecret {
    /// Reads the entry again if the last read is older than a minute, or
    /// (`after_failure`) older than a second.
    pub(crate) fn refresh_if_due(&self, secret: &AppSecret, after_failure: bool) -> bool {
        let (clock, every) = if after_failure {
            (&self.last_failure_read_ms, REFRESH_ON_FAILURE_EVERY)
        } else {
            (&self.last_read_ms, REFRESH_EVERY)
        };
        let now = super::now_ms();
        let last = clock.load(Ordering::Relaxed);
        // One caller at a time makes the read; the others go on with the
        // keys in memory.
        if now.saturating_sub(last) < every.as_millis() as u64
            || clock
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_err()
        {
            return false;
        }
        self.last_read_ms.store(now, Ordering::Relaxed);
        match self.refresh(secret) {
            Ok(changed) => changed,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the stored app secret; the one in memory stays in use");
                false
            }
        }
    }

    /// Adopts a rotated entry; writes ours back if the entry is gone.
    /// True if the current key changed.
    fn refresh(&self, secret: &AppSecret) -> Result<bool, CacheError> {
        let bytes = match self.backend.get(SECRET_ENTRY)? {
            Some(b) => b,
            None => {
                let ours = Entry {
                    current: URL_SAFE_NO_PAD.encode(secret.read().current.bytes()),
                    previous: None,
                    rotated_at_ms: super::now_ms(),
                };
                self.backend.add(SECRET_ENTRY, &ours.encode(), None)?;
                match self.backend.get(SECRET_ENTRY)? {
                    Some(b) => b,
                    None => return Ok(false),
                }
            }
        };
        let entry = Entry::decode(&bytes)?;
        let current = Entry::key(&entry.current);
        if secret.read().current == current {
            return Ok(false);
        }
        // Keys the entry still lists as previous stay accepted until their
        // own grace ends; the key this process used until now, for `grace`.
        let listed = entry.keys(self.grace).previous;
        secret.adopt(current, self.grace);
        let mut keys = secret.write();
        for p in listed {
            if !keys.previous.iter().any(|k| k.key == p.key) {
                keys.previous.push(p);
            }
        }
        tracing::info!("the stored app secret was rotated; now signing with the new key");
        Ok(true)
    }
}

/// Replaces the stored app secret with a new random key; the old one stays
/// accepted for the grace period (the session lifetime), so signed-in
/// browsers keep their sessions. Every worker and host sharing the backend
/// picks the new key up within a minute. Returns an error when the
/// backend cannot be reached.
///
/// ```
/// let cache = dash::Cache::from_url("memory://").unwrap();
/// dash::session::rotate_stored_secret(&cache).unwrap();
/// ```
pub fn rotate_stored_secret(cache: &dash_cache::Cache) -> Result<(), CacheError> {
    let backend = cache.backend();
    let previous = match backend.get(SECRET_ENTRY)? {
        Some(bytes) => Some(Entry::decode(&bytes)?.current),
        None => None,
    };
    let entry = Entry {
        previous,
        ..Entry::new_random()
    };
    backend.set(SECRET_ENTRY, &entry.encode(), None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::secret::Verified;

    #[test]
    fn every_process_reads_the_first_secret_and_follows_a_rotation() {
        let backend: Arc<dyn CacheBackend> =
            Arc::new(dash_cache::MemoryBackend::new(Default::default()));
        let grace = Duration::from_secs(3600);
        let (a, link_a) = load(backend.clone(), grace).unwrap();
        let (b, _) = load(backend.clone(), grace).unwrap();
        let signed = a.sign_value("p", "v");
        assert_eq!(b.verify_value("p", &signed), Some(("v", Verified::Current)));

        let cache = dash_cache::Cache::new(backend.clone(), Default::default());
        rotate_stored_secret(&cache).unwrap();
        let (c, _) = load(backend.clone(), grace).unwrap();
        let from_c = c.sign_value("p", "w");
        assert_eq!(
            c.verify_value("p", &signed),
            Some(("v", Verified::Previous))
        );
        assert_eq!(a.verify_value("p", &from_c), None, "a has not read it yet");
        assert!(
            !link_a.refresh_if_due(&a, false),
            "read less than a minute ago"
        );
        assert!(link_a.refresh_if_due(&a, true));
        assert_eq!(a.verify_value("p", &from_c), Some(("w", Verified::Current)));
        assert_eq!(
            a.verify_value("p", &signed),
            Some(("v", Verified::Previous))
        );
        assert!(
            !link_a.refresh_if_due(&a, true),
            "not again within a second"
        );
    }

    #[test]
    fn a_lost_entry_is_written_back_and_a_damaged_one_is_an_error() {
        let backend: Arc<dyn CacheBackend> =
            Arc::new(dash_cache::MemoryBackend::new(Default::default()));
        let (a, link) = load(backend.clone(), Duration::from_secs(60)).unwrap();
        backend.delete(SECRET_ENTRY).unwrap();
        link.last_read_ms.store(0, Ordering::Relaxed);
        assert!(!link.refresh_if_due(&a, false));
        let (b, _) = load(backend.clone(), Duration::from_secs(60)).unwrap();
        let signed = a.sign_value("p", "v");
        assert_eq!(b.verify_value("p", &signed), Some(("v", Verified::Current)));

        backend.set(SECRET_ENTRY, b"{not json", None).unwrap();
        let Err(e) = load(backend, Duration::from_secs(60)) else {
            panic!("a damaged entry was accepted");
        };
        assert!(e.to_string().contains("damaged"), "{e}");
    }
}
