//! The in-process cache of recently used values, bounded by bytes: the
//! checked, decompressed body of each value (see
//! `dash_cache::codec::CheckedBody`), so that the follow-on callbacks of one
//! interaction read the backend and check and decompress the value once per
//! process; each callback then decodes the body straight into its own type
//! (arguments need no `Clone`), or, for a [`Shared`](super::Shared)
//! argument, shares the one value decoded in this process. Values never
//! change once written (a write
//! makes a new key), so an entry is never stale; whether it still lives is
//! asked of the backend on each use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use std::any::{Any, TypeId};

use dash_cache::codec::CheckedBody;
use dash_cache::CacheError;
use serde::de::DeserializeOwned;

type Decoded = Arc<dyn Any + Send + Sync>;

/// One value: its checked body and the types it was decoded to, shared.
pub(crate) struct Held {
    body: CheckedBody,
    decoded: Mutex<Vec<(TypeId, Decoded)>>,
}

impl Held {
    pub(crate) fn new(body: CheckedBody) -> Self {
        Held {
            body,
            decoded: Mutex::new(Vec::new()),
        }
    }

    /// Bytes of the body.
    pub(crate) fn len(&self) -> usize {
        self.body.len()
    }

    /// The checked body (for reading it as one element of a list).
    pub(crate) fn body(&self) -> &CheckedBody {
        &self.body
    }

    /// A fresh value of type `T`.
    pub(crate) fn decode<T: DeserializeOwned + 'static>(&self) -> Result<T, CacheError> {
        self.body.decode()
    }

    /// The value as `T`, decoded once per process and type and shared.
    pub(crate) fn shared<T: DeserializeOwned + Send + Sync + 'static>(
        &self,
    ) -> Result<Arc<T>, CacheError> {
        let mut decoded = self.decoded.lock().unwrap_or_else(|p| p.into_inner());
        let id = TypeId::of::<T>();
        if let Some((_, v)) = decoded.iter().find(|(t, _)| *t == id) {
            if let Ok(v) = v.clone().downcast::<T>() {
                return Ok(v);
            }
        }
        let v = Arc::new(self.body.decode::<T>()?);
        decoded.push((id, v.clone()));
        Ok(v)
    }
}

struct Entry {
    body: Arc<Held>,
    tick: u64,
    /// When this process last wrote the value's index entry.
    indexed: Instant,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    bytes: usize,
    tick: u64,
}

/// A byte-bounded LRU map from backend key to body.
pub(crate) struct LocalCache {
    limit: usize,
    state: Mutex<State>,
}

impl LocalCache {
    pub(crate) fn new(limit: usize) -> Self {
        LocalCache {
            limit,
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The body and when this process last indexed it.
    pub(crate) fn get(&self, key: &str) -> Option<(Arc<Held>, Instant)> {
        let mut s = self.lock();
        s.tick += 1;
        let tick = s.tick;
        let e = s.entries.get_mut(key)?;
        e.tick = tick;
        Some((e.body.clone(), e.indexed))
    }

    /// Keeps a body (not one larger than the whole bound), evicting the
    /// least recently used.
    pub(crate) fn insert(&self, key: &str, body: Arc<Held>) {
        let size = body.len();
        if size > self.limit {
            return;
        }
        let mut s = self.lock();
        s.tick += 1;
        let tick = s.tick;
        if let Some(old) = s.entries.insert(
            key.to_owned(),
            Entry {
                body,
                tick,
                indexed: Instant::now(),
            },
        ) {
            s.bytes -= old.body.len();
        }
        s.bytes += size;
        while s.bytes > self.limit {
            let Some(oldest) = s
                .entries
                .iter()
                .min_by_key(|(_, e)| e.tick)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(e) = s.entries.remove(&oldest) {
                s.bytes -= e.body.len();
            }
        }
    }

    /// Notes that the index entry of `key` was written now.
    pub(crate) fn indexed(&self, key: &str) {
        if let Some(e) = self.lock().entries.get_mut(key) {
            e.indexed = Instant::now();
        }
    }

    pub(crate) fn remove(&self, key: &str) {
        let mut s = self.lock();
        if let Some(e) = s.entries.remove(key) {
            s.bytes -= e.body.len();
        }
    }

    /// Bytes held.
    #[cfg(test)]
    pub(crate) fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(n: usize) -> Arc<Held> {
        let framed = dash_cache::codec::encode(&vec![7u8; n]).unwrap();
        Arc::new(Held::new(dash_cache::codec::unframe(&framed).unwrap()))
    }

    #[test]
    fn bounded_by_bytes_least_recently_used_first() {
        let c = LocalCache::new(10_000);
        c.insert("a", body(4000));
        c.insert("b", body(4000));
        assert!(c.get("a").is_some());
        c.insert("c", body(4000));
        assert!(c.get("b").is_none(), "b was the least recently used");
        assert!(c.get("a").is_some() && c.get("c").is_some());
        assert!(c.bytes() <= 10_000);
        c.insert("huge", body(20_000));
        assert!(c.get("huge").is_none());
        c.remove("a");
        assert!(c.get("a").is_none());
        let held = c.get("c").unwrap().0;
        let one = held.shared::<Vec<u8>>().unwrap();
        assert!(
            Arc::ptr_eq(&one, &held.shared::<Vec<u8>>().unwrap()),
            "decoded once"
        );
        assert_eq!(held.decode::<Vec<u8>>().unwrap(), *one);
    }
}
