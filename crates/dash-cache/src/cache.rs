//! `Cache`: typed get/set and memoize with single flight over a backend.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::flight::{Flights, Role};
use crate::metrics::{Metrics, MetricsSnapshot};
use crate::{codec, CacheBackend, CacheError};

/// Tuning of single flight.
#[derive(Debug, Clone, Copy)]
pub struct FlightSettings {
    /// A computing process renews its lease while it works; a lease not
    /// renewed for this long passes the work to a waiter.
    pub lease: Duration,
    /// How often a waiter in another process looks for the value.
    pub poll: Duration,
}

impl Default for FlightSettings {
    fn default() -> Self {
        FlightSettings {
            lease: Duration::from_secs(10),
            poll: Duration::from_millis(25),
        }
    }
}

struct Shared {
    backend: Arc<dyn CacheBackend>,
    metrics: Metrics,
    flights: Flights,
    holder: String,
    settings: FlightSettings,
}

/// A namespace of a backend: typed values, memoized computations.
/// Cheap to clone; every clone shares counters and in-process flights.
///
/// ```
/// use std::time::Duration;
/// use dash_cache::Cache;
///
/// let cache = Cache::from_url("memory://").unwrap();
/// let slow_square = |n: u64| n * n;
/// let a: u64 = cache.memoize("square", &7u64, Some(Duration::from_secs(60)), || slow_square(7)).unwrap();
/// let b: u64 = cache.memoize("square", &7u64, None, || unreachable!("a hit")).unwrap();
/// assert_eq!((a, b), (49, 49));
/// assert_eq!(cache.metrics().computations, 1);
/// ```
#[derive(Clone)]
pub struct Cache {
    shared: Arc<Shared>,
    namespace: String,
    sliding: Option<Duration>,
    blocking: Option<BlockingSection>,
}

/// Wraps the parts of [`Cache::memoize`] that may block for long (computing
/// a missing value, waiting for another caller's computation): it must call
/// the function it is given exactly once. A server running callbacks on
/// async workers passes `tokio::task::block_in_place` here.
pub type BlockingSection = Arc<dyn Fn(&mut dyn FnMut()) + Send + Sync>;

impl Cache {
    /// A cache over `backend` in the root namespace.
    pub fn new(backend: Arc<dyn CacheBackend>, settings: FlightSettings) -> Self {
        let holder = format!(
            "{}-{}-{:016x}",
            hostname(),
            std::process::id(),
            rand::random::<u64>()
        );
        Cache {
            shared: Arc::new(Shared {
                backend,
                metrics: Metrics::default(),
                flights: Flights::default(),
                holder,
                settings,
            }),
            namespace: "app".into(),
            sliding: None,
            blocking: None,
        }
    }

    /// Opens the backend named by a URL (`sqlite://`, `redis://`,
    /// `memory://`), see [`crate::open_backend`].
    pub fn from_url(url: &str) -> Result<Self, CacheError> {
        Ok(Cache::new(
            crate::open_backend(url, crate::Limits::default())?,
            FlightSettings::default(),
        ))
    }

    /// The same backend under another namespace; keys never collide across
    /// namespaces and `clear` only empties its own.
    pub fn namespace(&self, name: &str) -> Cache {
        Cache {
            shared: self.shared.clone(),
            namespace: format!("{}/{}", self.namespace, name),
            sliding: self.sliding,
            blocking: self.blocking.clone(),
        }
    }

    /// The same cache, running the long waits of `memoize` (a miss that
    /// computes, or waits for another caller) inside `section`. Hits do not
    /// go through it.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicUsize, Ordering};
    /// let sections = Arc::new(AtomicUsize::new(0));
    /// let counter = sections.clone();
    /// let cache = dash_cache::Cache::from_url("memory://").unwrap().with_blocking_section(Arc::new(
    ///     move |f: &mut dyn FnMut()| {
    ///         counter.fetch_add(1, Ordering::Relaxed);
    ///         f()
    ///     },
    /// ));
    /// let a: u32 = cache.memoize("n", "a", None, || 1).unwrap();
    /// let b: u32 = cache.memoize("n", "a", None, || 2).unwrap();
    /// assert_eq!((a, b, sections.load(Ordering::Relaxed)), (1, 1, 1));
    /// ```
    pub fn with_blocking_section(&self, section: BlockingSection) -> Cache {
        let mut c = self.clone();
        c.blocking = Some(section);
        c
    }

    /// A namespace whose entries expire after `idle` without use: every
    /// read extends them (the per-session cache).
    pub fn with_idle_expiry(&self, name: &str, idle: Duration) -> Cache {
        let mut c = self.namespace(name);
        c.sliding = Some(idle);
        c
    }

    /// The backend kind (`sqlite`, `redis`, `memory`).
    pub fn backend_kind(&self) -> &'static str {
        self.shared.backend.kind()
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<dyn CacheBackend> {
        &self.shared.backend
    }

    /// The counters of this cache (shared by all its namespaces).
    pub fn metrics(&self) -> MetricsSnapshot {
        self.shared
            .metrics
            .snapshot(self.shared.backend.evictions())
    }

    /// A name for this process, unique across processes and hosts.
    pub fn holder_id(&self) -> &str {
        &self.shared.holder
    }

    /// Publishes this process's counters into the backend (key
    /// `metrics/<holder>`, kept 5 minutes) and returns the sum over every
    /// process that published, this one included: counts across workers
    /// and hosts.
    pub fn cluster_metrics(&self) -> Result<MetricsSnapshot, CacheError> {
        let mine = self.metrics();
        let backend = &self.shared.backend;
        let key = format!("metrics/{}", self.shared.holder);
        backend.set(&key, &codec::encode(&mine)?, Some(Duration::from_secs(300)))?;
        let mut total = MetricsSnapshot::default();
        for (_, bytes) in backend.scan_prefix("metrics/")? {
            if let Ok(s) = codec::decode::<MetricsSnapshot>(&bytes) {
                total = total + s;
            }
        }
        Ok(total)
    }

    fn full_key(&self, key: &str) -> String {
        format!("{}:{key}", self.namespace)
    }

    /// The key of a memoized call: the name and a SHA-256 of the arguments'
    /// JSON form, stable across processes, builds and hosts.
    pub fn memo_key<A: Serialize + ?Sized>(
        &self,
        name: &str,
        args: &A,
    ) -> Result<String, CacheError> {
        let json = serde_json::to_vec(args).map_err(|e| CacheError::Codec(e.to_string()))?;
        Ok(self.full_key(&format!(
            "memo:{name}:{}",
            hex::encode(Sha256::digest(&json))
        )))
    }

    fn ttl_for(&self, ttl: Option<Duration>) -> Option<Duration> {
        match (self.sliding, ttl) {
            (Some(idle), Some(t)) => Some(idle.min(t)),
            (Some(idle), None) => Some(idle),
            (None, t) => t,
        }
    }

    /// Reads a value; a damaged entry or a backend failure reads as `None`
    /// (and is counted).
    pub fn get<T: DeserializeOwned + 'static>(&self, key: &str) -> Option<T> {
        self.read(&self.full_key(key))
            .ok()
            .flatten()
            .and_then(|b| self.decode(&b))
    }

    /// Writes a value.
    pub fn set<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        ttl: Option<Duration>,
    ) -> Result<(), CacheError> {
        let bytes = codec::encode(value)?;
        self.write(&self.full_key(key), &bytes, ttl)
    }

    /// Deletes a value; true if it existed.
    pub fn delete(&self, key: &str) -> Result<bool, CacheError> {
        self.shared.backend.delete(&self.full_key(key))
    }

    /// Deletes every entry of this namespace.
    pub fn clear(&self) -> Result<u64, CacheError> {
        self.shared
            .backend
            .clear_prefix(&format!("{}:", self.namespace))
    }

    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let m = &self.shared.metrics;
        match self.shared.backend.get(key) {
            Ok(Some(bytes)) => {
                Metrics::add(&m.bytes_read, bytes.len() as u64);
                if let Some(idle) = self.sliding {
                    let _ = self.shared.backend.touch(key, idle);
                }
                Ok(Some(bytes))
            }
            Ok(None) => Ok(None),
            Err(e) => {
                Metrics::add(&m.errors, 1);
                tracing::warn!(error = %e, "cache read failed");
                Err(e)
            }
        }
    }

    fn write(&self, key: &str, bytes: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        let m = &self.shared.metrics;
        match self.shared.backend.set(key, bytes, self.ttl_for(ttl)) {
            Ok(()) => {
                Metrics::add(&m.bytes_written, bytes.len() as u64);
                Ok(())
            }
            Err(e) => {
                Metrics::add(&m.errors, 1);
                tracing::warn!(error = %e, "cache write failed");
                Err(e)
            }
        }
    }

    fn decode<T: DeserializeOwned + 'static>(&self, bytes: &[u8]) -> Option<T> {
        match codec::decode(bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                Metrics::add(&self.shared.metrics.corrupt, 1);
                tracing::warn!(error = %e, "damaged cache entry read as a miss");
                None
            }
        }
    }

    /// Returns the cached result of `compute` for `(name, args)`, computing
    /// it at most once at a time across threads, processes and hosts that
    /// share the backend: other callers wait and receive that result. If the
    /// backend fails, the value is computed without the cache (and the
    /// failure counted and logged).
    pub fn memoize<A, T, F>(
        &self,
        name: &str,
        args: &A,
        ttl: Option<Duration>,
        compute: F,
    ) -> Result<T, CacheError>
    where
        A: Serialize + ?Sized,
        T: Serialize + DeserializeOwned + 'static,
        F: FnOnce() -> T,
    {
        self.try_memoize(name, args, ttl, || {
            Ok::<T, std::convert::Infallible>(compute())
        })
    }

    /// [`Cache::memoize`] for a fallible computation; errors are not cached.
    pub fn try_memoize<A, T, E, F>(
        &self,
        name: &str,
        args: &A,
        ttl: Option<Duration>,
        compute: F,
    ) -> Result<T, CacheError>
    where
        A: Serialize + ?Sized,
        T: Serialize + DeserializeOwned + 'static,
        E: std::fmt::Display,
        F: FnOnce() -> Result<T, E>,
    {
        let key = self.memo_key(name, args)?;
        let backend_works = match self.read(&key) {
            Ok(Some(bytes)) => {
                if let Some(v) = self.decode(&bytes) {
                    Metrics::add(&self.shared.metrics.hits, 1);
                    return Ok(v);
                }
                true
            }
            Ok(None) => true,
            Err(_) => false,
        };
        let slow = |c: F| {
            if backend_works {
                self.memoize_slow(&key, ttl, c)
            } else {
                // Already counted and logged by `read`: compute uncached.
                Metrics::add(&self.shared.metrics.computations, 1);
                c().map_err(|e| CacheError::Computation(e.to_string()))
            }
        };
        let Some(section) = self.blocking.clone() else {
            return slow(compute);
        };
        let mut compute = Some(compute);
        let mut result = None;
        section(&mut || {
            if let Some(c) = compute.take() {
                result = Some(slow(c));
            }
        });
        result.unwrap_or_else(|| {
            Err(CacheError::Computation(
                "the blocking section did not run the computation".into(),
            ))
        })
    }

    /// `try_memoize` after a first read missed: single flight, lease,
    /// compute, store.
    fn memoize_slow<T, E, F>(
        &self,
        key: &str,
        ttl: Option<Duration>,
        compute: F,
    ) -> Result<T, CacheError>
    where
        T: Serialize + DeserializeOwned + 'static,
        E: std::fmt::Display,
        F: FnOnce() -> Result<T, E>,
    {
        let key = key.to_owned();
        let m = &self.shared.metrics;
        let run = |compute: F| compute().map_err(|e| CacheError::Computation(e.to_string()));
        let mut compute = Some(compute);
        let mut counted_wait = false;
        loop {
            match self.read(&key) {
                Ok(Some(bytes)) => {
                    if let Some(v) = self.decode(&bytes) {
                        Metrics::add(&m.hits, 1);
                        return Ok(v);
                    }
                }
                Ok(None) => {}
                Err(_) => {
                    Metrics::add(&m.computations, 1);
                    return run(compute.take().expect("computed once"));
                }
            }
            let leader = match self.shared.flights.join(&key) {
                Role::Follower(flight) => {
                    if !counted_wait {
                        Metrics::add(&m.waits, 1);
                        counted_wait = true;
                    }
                    if let Some(bytes) = flight.wait() {
                        if let Some(v) = self.decode(&bytes) {
                            Metrics::add(&m.hits, 1);
                            return Ok(v);
                        }
                    }
                    continue;
                }
                Role::Leader(guard) => guard,
            };
            // Leader of this process: take the lease, or wait for another process.
            let backend = &self.shared.backend;
            let settings = self.shared.settings;
            let holder = &self.shared.holder;
            let deadline_log = Instant::now();
            loop {
                match backend.try_lease(&key, holder, settings.lease) {
                    Ok(true) => break,
                    Ok(false) => {}
                    Err(_) => {
                        Metrics::add(&m.errors, 1);
                        break;
                    }
                }
                if !counted_wait {
                    Metrics::add(&m.waits, 1);
                    counted_wait = true;
                }
                std::thread::sleep(settings.poll);
                if let Ok(Some(bytes)) = self.read(&key) {
                    if let Some(v) = self.decode::<T>(&bytes) {
                        Metrics::add(&m.hits, 1);
                        leader.publish(Some(Arc::new(bytes)));
                        return Ok(v);
                    }
                }
                if deadline_log.elapsed() > Duration::from_secs(60) {
                    tracing::warn!(
                        key,
                        "still waiting for another process to compute this value"
                    );
                }
            }
            Metrics::add(&m.misses, 1);
            Metrics::add(&m.computations, 1);
            let value = self.compute_with_lease(&key, compute.take().expect("computed once"), run);
            let value = match value {
                Ok(v) => v,
                Err(e) => {
                    let _ = backend.release_lease(&key, holder);
                    return Err(e);
                }
            };
            let encoded = codec::encode_typed(&value)?;
            let stored = self.write(&key, &encoded, ttl).is_ok();
            let _ = backend.release_lease(&key, holder);
            leader.publish(stored.then(|| Arc::new(encoded)));
            return Ok(value);
        }
    }

    fn compute_with_lease<T, F>(
        &self,
        key: &str,
        compute: F,
        run: impl FnOnce(F) -> Result<T, CacheError>,
    ) -> Result<T, CacheError> {
        let done = AtomicBool::new(false);
        let backend = &self.shared.backend;
        let holder = &self.shared.holder;
        let lease = self.shared.settings.lease;
        std::thread::scope(|scope| {
            let renew = scope.spawn(|| {
                let step = lease / 3;
                let mut last = Instant::now();
                while !done.load(Ordering::Acquire) {
                    std::thread::park_timeout(Duration::from_millis(50).min(step));
                    if last.elapsed() >= step && !done.load(Ordering::Acquire) {
                        let _ = backend.try_lease(key, holder, lease);
                        last = Instant::now();
                    }
                }
            });
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(compute)));
            done.store(true, Ordering::Release);
            renew.thread().unpark();
            match result {
                Ok(r) => r,
                Err(panic) => std::panic::resume_unwind(panic),
            }
        })
    }
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "host".into())
}
