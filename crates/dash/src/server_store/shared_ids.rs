//! The ids of server stores, shared by every process of the app through
//! its cache backend.
//!
//! A process learns a store's id from the marker of a `ServerStore` it
//! built: in its layout (every worker builds a static one), but also in a
//! layout function's result or a callback's answer, which only the process
//! that served them saw. So each id learnt is also written to the backend
//! every worker and host shares, and a process that meets an id it does not
//! know asks the backend before treating the id as a plain `dcc.Store`.
//!
//! Asking is bounded: an id found missing is not asked again for
//! [`MISS_FOR`], and a process asks at most [`LOOKUPS_PER_SECOND`] times a
//! second (ids come from the browser: many made-up ids cost at most that).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dash_cache::CacheBackend;

use super::component::StoreSpec;

/// Backend keys of the ids: this prefix and the id.
const ID_PREFIX: &str = "dash/server-store-ids/";
/// Set once any process learnt any id: until then no process asks.
const ANY_KEY: &str = "dash/server-store-ids-any";
/// How long an id's record lives without being written again.
const RECORD_TTL: Duration = Duration::from_secs(7 * 24 * 3600);
/// A process writes an id it keeps learning again after this long.
const REWRITE_AFTER: Duration = Duration::from_secs(3600);
/// An id found missing is taken as missing for this long.
const MISS_FOR: Duration = Duration::from_secs(1);
/// Backend lookups of unknown ids, at most, per process and second.
const LOOKUPS_PER_SECOND: u64 = 200;
/// Entries of the bookkeeping maps, at most (then they start afresh).
const MAX_ENTRIES: usize = 4096;

/// The backend side of the registry (`component::Registry`).
pub(crate) struct SharedIds {
    backend: Arc<dyn CacheBackend>,
    started: Instant,
    /// Ids found missing, and when.
    missed: Mutex<HashMap<String, Instant>>,
    /// Ids this process wrote, and when.
    written: Mutex<HashMap<String, Instant>>,
    /// Whether some id is known anywhere (once true, it stays true: the
    /// check on every request is one atomic load).
    any_known: AtomicBool,
    /// When the backend last said none is.
    none_seen: Mutex<Option<Instant>>,
    /// Lookups in the current second: `second << 32 | count`.
    lookups: AtomicU64,
}

impl std::fmt::Debug for SharedIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SharedIds")
    }
}

impl SharedIds {
    pub(crate) fn new(backend: Arc<dyn CacheBackend>) -> Self {
        SharedIds {
            backend,
            started: Instant::now(),
            missed: Mutex::new(HashMap::new()),
            written: Mutex::new(HashMap::new()),
            any_known: AtomicBool::new(false),
            none_seen: Mutex::new(None),
            lookups: AtomicU64::new(0),
        }
    }

    /// Writes the ids this process learnt (unless written within the hour).
    pub(crate) fn publish(&self, found: &[(String, StoreSpec)]) {
        let now = Instant::now();
        let fresh: Vec<&(String, StoreSpec)> = {
            let mut written = lock(&self.written);
            if written.len() >= MAX_ENTRIES {
                written.clear();
            }
            found
                .iter()
                .filter(|(id, _)| {
                    let due = written
                        .get(id)
                        .is_none_or(|at| now.duration_since(*at) >= REWRITE_AFTER);
                    if due {
                        written.insert(id.clone(), now);
                    }
                    due
                })
                .collect()
        };
        if fresh.is_empty() {
            return;
        }
        for (id, spec) in &fresh {
            let record = spec.ttl_ms.to_be_bytes();
            if let Err(e) = self.backend.set(&record_key(id), &record, Some(RECORD_TTL)) {
                tracing::warn!(
                    "a ServerStore id could not be shared with the other processes: {e}"
                );
            }
            lock(&self.missed).remove(id.as_str());
        }
        if let Err(e) = self.backend.set(ANY_KEY, b"1", Some(RECORD_TTL)) {
            tracing::warn!("a ServerStore id could not be shared with the other processes: {e}");
        }
        self.any_known.store(true, Ordering::Release);
    }

    /// The spec of an id another process learnt, if one did.
    pub(crate) fn lookup(&self, id: &str) -> Option<StoreSpec> {
        let now = Instant::now();
        if !self.any() {
            return None;
        }
        {
            let mut missed = lock(&self.missed);
            if missed
                .get(id)
                .is_some_and(|at| now.duration_since(*at) < MISS_FOR)
            {
                return None;
            }
            if missed.len() >= MAX_ENTRIES {
                missed.clear();
            }
        }
        if !self.may_look_up(now) {
            return None;
        }
        let found = match self.backend.get(&record_key(id)) {
            Ok(Some(bytes)) => <[u8; 8]>::try_from(bytes.as_slice())
                .ok()
                .map(|b| StoreSpec {
                    ttl_ms: u64::from_be_bytes(b),
                }),
            Ok(None) => None,
            Err(e) => {
                tracing::debug!("ServerStore ids of the other processes not read: {e}");
                None
            }
        };
        if found.is_none() {
            lock(&self.missed).insert(id.to_owned(), now);
        }
        found
    }

    /// Whether any process learnt any id (the backend asked at most once a
    /// second while none has).
    pub(crate) fn any(&self) -> bool {
        if self.any_known.load(Ordering::Acquire) {
            return true;
        }
        let now = Instant::now();
        let mut none_seen = lock(&self.none_seen);
        if self.any_known.load(Ordering::Acquire) {
            return true;
        }
        if none_seen.is_some_and(|at| now.duration_since(at) < MISS_FOR) {
            return false;
        }
        let known = matches!(self.backend.get(ANY_KEY), Ok(Some(_)));
        if known {
            self.any_known.store(true, Ordering::Release);
        } else {
            *none_seen = Some(now);
        }
        known
    }

    /// Counts one lookup; false once this second's are used up.
    fn may_look_up(&self, now: Instant) -> bool {
        let second = now.duration_since(self.started).as_secs();
        let mut current = self.lookups.load(Ordering::Acquire);
        loop {
            let (at, count) = (current >> 32, current & 0xffff_ffff);
            let next = if at == second {
                if count >= LOOKUPS_PER_SECOND {
                    return false;
                }
                current + 1
            } else {
                (second << 32) | 1
            };
            match self
                .lookups
                .compare_exchange(current, next, Ordering::AcqRel, Ordering::Acquire)
            {
                Ok(_) => return true,
                Err(seen) => current = seen,
            }
        }
    }
}

fn record_key(id: &str) -> String {
    format!("{ID_PREFIX}{id}")
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend() -> Arc<dyn CacheBackend> {
        Arc::new(dash_cache::MemoryBackend::new(Default::default()))
    }

    #[test]
    fn an_id_one_process_learnt_is_found_by_another() {
        let shared = backend();
        let (one, two) = (SharedIds::new(shared.clone()), SharedIds::new(shared));
        assert!(!two.any(), "nothing learnt anywhere yet");
        assert_eq!(two.lookup("cards"), None);
        one.publish(&[("cards".into(), StoreSpec { ttl_ms: 5000 })]);
        // `two` asked a moment ago: it learns of any id within MISS_FOR.
        std::thread::sleep(MISS_FOR);
        assert!(two.any());
        assert_eq!(two.lookup("cards"), Some(StoreSpec { ttl_ms: 5000 }));
        assert_eq!(two.lookup("plain-store"), None);
    }

    #[test]
    fn lookups_of_unknown_ids_are_bounded() {
        let shared = backend();
        let one = SharedIds::new(shared.clone());
        one.publish(&[("known".into(), StoreSpec { ttl_ms: 1 })]);
        let two = SharedIds::new(shared.clone());
        shared
            .set(&record_key("late"), &7u64.to_be_bytes(), None)
            .unwrap();
        for i in 0..LOOKUPS_PER_SECOND + 50 {
            assert_eq!(two.lookup(&format!("made-up-{i}")), None);
        }
        // This second's lookups are used up: even a known id is not asked.
        let now = Instant::now();
        assert!(!two.may_look_up(now));
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(two.lookup("late"), Some(StoreSpec { ttl_ms: 7 }));
        // A missing id is not asked again within MISS_FOR.
        assert_eq!(two.lookup("soon"), None);
        shared
            .set(&record_key("soon"), &9u64.to_be_bytes(), None)
            .unwrap();
        assert_eq!(two.lookup("soon"), None);
        std::thread::sleep(MISS_FOR);
        assert_eq!(two.lookup("soon"), Some(StoreSpec { ttl_ms: 9 }));
    }
}
