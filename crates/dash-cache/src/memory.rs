//! `memory://`: inside one process only.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::{CacheBackend, CacheError, Limits};

struct Entry {
    value: Vec<u8>,
    expires: Option<Instant>,
    tick: u64,
}

#[derive(Default)]
struct State {
    entries: HashMap<String, Entry>,
    lru: BTreeMap<u64, String>,
    leases: HashMap<String, (String, Instant)>,
    tick: u64,
    bytes: usize,
}

/// Entries in this process's memory, with LRU eviction.
pub struct MemoryBackend {
    state: Mutex<State>,
    limits: Limits,
    evictions: AtomicU64,
}

impl MemoryBackend {
    /// An empty store bounded by `limits`.
    pub fn new(limits: Limits) -> Self {
        MemoryBackend {
            state: Mutex::new(State::default()),
            limits,
            evictions: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes an entry under the caller's lock, then evicts down to the limits.
    fn insert(&self, s: &mut State, key: &str, value: &[u8], ttl: Option<Duration>) {
        s.remove(key);
        s.tick += 1;
        let tick = s.tick;
        s.bytes += value.len();
        s.entries.insert(
            key.to_owned(),
            Entry {
                value: value.to_vec(),
                expires: ttl.map(|t| Instant::now() + t),
                tick,
            },
        );
        s.lru.insert(tick, key.to_owned());
        while s.entries.len() > 1
            && (self
                .limits
                .max_entries
                .is_some_and(|m| s.entries.len() as u64 > m)
                || self.limits.max_bytes.is_some_and(|m| s.bytes as u64 > m))
        {
            let Some((_, oldest)) = s.lru.pop_first() else {
                break;
            };
            if let Some(e) = s.entries.remove(&oldest) {
                s.bytes -= e.value.len();
                self.evictions.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl State {
    fn remove(&mut self, key: &str) -> Option<Entry> {
        let e = self.entries.remove(key)?;
        self.lru.remove(&e.tick);
        self.bytes -= e.value.len();
        Some(e)
    }

    fn bump(&mut self, key: &str) {
        self.tick += 1;
        let tick = self.tick;
        if let Some(e) = self.entries.get_mut(key) {
            self.lru.remove(&e.tick);
            e.tick = tick;
            self.lru.insert(tick, key.to_owned());
        }
    }
}

impl CacheBackend for MemoryBackend {
    fn kind(&self) -> &'static str {
        "memory"
    }

    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let mut s = self.lock();
        let expired = match s.entries.get(key) {
            None => return Ok(None),
            Some(e) => e.expires.is_some_and(|t| t <= Instant::now()),
        };
        if expired {
            s.remove(key);
            return Ok(None);
        }
        s.bump(key);
        Ok(s.entries.get(key).map(|e| e.value.clone()))
    }

    fn set(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        let mut s = self.lock();
        self.insert(&mut s, key, value, ttl);
        Ok(())
    }

    fn add(&self, key: &str, value: &[u8], ttl: Option<Duration>) -> Result<bool, CacheError> {
        let mut s = self.lock();
        let live = s
            .entries
            .get(key)
            .is_some_and(|e| e.expires.is_none_or(|t| t > Instant::now()));
        if live {
            return Ok(false);
        }
        self.insert(&mut s, key, value, ttl);
        Ok(true)
    }

    fn touch(&self, key: &str, ttl: Duration) -> Result<bool, CacheError> {
        let now = Instant::now();
        let mut s = self.lock();
        match s.entries.get_mut(key) {
            Some(e) if e.expires.is_none_or(|t| t > now) => e.expires = Some(now + ttl),
            _ => return Ok(false),
        }
        s.bump(key);
        Ok(true)
    }

    fn delete(&self, key: &str) -> Result<bool, CacheError> {
        Ok(self.lock().remove(key).is_some())
    }

    fn clear_prefix(&self, prefix: &str) -> Result<u64, CacheError> {
        let mut s = self.lock();
        let keys: Vec<String> = s
            .entries
            .keys()
            .filter(|k| k.starts_with(prefix))
            .cloned()
            .collect();
        for k in &keys {
            s.remove(k);
        }
        Ok(keys.len() as u64)
    }

    fn try_lease(&self, key: &str, holder: &str, ttl: Duration) -> Result<bool, CacheError> {
        let mut s = self.lock();
        let now = Instant::now();
        match s.leases.get(key) {
            Some((h, until)) if h != holder && *until > now => Ok(false),
            _ => {
                s.leases
                    .insert(key.to_owned(), (holder.to_owned(), now + ttl));
                Ok(true)
            }
        }
    }

    fn release_lease(&self, key: &str, holder: &str) -> Result<(), CacheError> {
        let mut s = self.lock();
        if s.leases.get(key).is_some_and(|(h, _)| h == holder) {
            s.leases.remove(key);
        }
        Ok(())
    }

    fn purge_expired(&self) -> Result<u64, CacheError> {
        let mut s = self.lock();
        let now = Instant::now();
        let keys: Vec<String> = s
            .entries
            .iter()
            .filter(|(_, e)| e.expires.is_some_and(|t| t <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for k in &keys {
            s.remove(k);
        }
        Ok(keys.len() as u64)
    }

    fn scan_prefix(&self, prefix: &str) -> Result<Vec<(String, Vec<u8>)>, CacheError> {
        let s = self.lock();
        let now = Instant::now();
        Ok(s.entries
            .iter()
            .filter(|(k, e)| k.starts_with(prefix) && e.expires.is_none_or(|t| t > now))
            .map(|(k, e)| (k.clone(), e.value.clone()))
            .collect())
    }

    fn evictions(&self) -> u64 {
        self.evictions.load(Ordering::Relaxed)
    }
}
