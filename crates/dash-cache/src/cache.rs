//! `Cache`: typed get/set and memoize with single flight over a backend.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::flight::{Flights, LeaderGuard, Role};
use crate::health::{Gate, Health, HealthSnapshot};
use crate::metrics::{Metrics, MetricsSnapshot};
use crate::{codec, CacheBackend, CacheError};

/// A failure faster than this, of a backend that was answering, is tried
/// once more before the backend is marked down (a busy file, a reset
/// connection); a slow failure (a timeout) is not.
const QUICK_FAILURE: Duration = Duration::from_millis(500);
const RETRY_PAUSE: Duration = Duration::from_millis(30);

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
    health: Health,
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
                health: Health::default(),
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

    /// Whether the backend answered lately (no call is made).
    pub fn health(&self) -> HealthSnapshot {
        self.shared.health.snapshot()
    }

    /// Asks the backend now (a read of a probe key) unless it is down and
    /// its next probe is not due, and returns the state after.
    pub fn check_health(&self) -> HealthSnapshot {
        let _ = self.call(|b| b.get("health/probe"));
        self.health()
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
        let key = format!("metrics/{}", self.shared.holder);
        let encoded = codec::encode(&mine)?;
        self.call(|b| b.set(&key, &encoded, Some(Duration::from_secs(300))))?;
        let mut total = MetricsSnapshot::default();
        for (_, bytes) in self.call(|b| b.scan_prefix("metrics/"))? {
            if let Ok(s) = codec::decode::<MetricsSnapshot>(&bytes) {
                total = total + s;
            }
        }
        Ok(total)
    }

    /// Removes expired entries (the maintenance task calls it).
    pub fn purge_expired(&self) -> Result<u64, CacheError> {
        self.call(|b| b.purge_expired())
    }

    /// One call to the backend through the health gate: skipped while the
    /// backend is down and no probe is due; a quick failure of a backend
    /// that was answering is tried once more; failures are counted, and
    /// logged when they change the state.
    fn call<R>(
        &self,
        op: impl Fn(&dyn CacheBackend) -> Result<R, CacheError>,
    ) -> Result<R, CacheError> {
        let health = &self.shared.health;
        let backend = &*self.shared.backend;
        let gate = health.gate();
        if gate == Gate::Skip {
            return Err(CacheError::Unavailable {
                backend: backend.kind(),
            });
        }
        let started = Instant::now();
        let mut result = op(backend);
        if result.is_err() && gate == Gate::Call && started.elapsed() < QUICK_FAILURE {
            Metrics::add(&self.shared.metrics.errors, 1);
            std::thread::sleep(RETRY_PAUSE);
            result = op(backend);
        }
        match &result {
            Ok(_) => {
                if health.succeeded() {
                    tracing::info!(backend = backend.kind(), "cache backend reachable again");
                }
            }
            Err(e) => {
                Metrics::add(&self.shared.metrics.errors, 1);
                if health.failed(&e.to_string()) {
                    tracing::warn!(
                        backend = backend.kind(),
                        error = %e,
                        "cache backend unreachable: computing without it, retrying with back-off"
                    );
                } else if gate == Gate::Probe {
                    tracing::debug!(backend = backend.kind(), error = %e, "cache backend still unreachable");
                }
            }
        }
        result
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
        let key = self.full_key(key);
        self.call(|b| b.delete(&key))
    }

    /// Deletes every entry of this namespace.
    pub fn clear(&self) -> Result<u64, CacheError> {
        let prefix = format!("{}:", self.namespace);
        self.call(|b| b.clear_prefix(&prefix))
    }

    fn read(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let bytes = self.call(|b| b.get(key))?;
        if let Some(bytes) = &bytes {
            Metrics::add(&self.shared.metrics.bytes_read, bytes.len() as u64);
            if let Some(idle) = self.sliding {
                let _ = self.call(|b| b.touch(key, idle));
            }
        }
        Ok(bytes)
    }

    fn write(&self, key: &str, bytes: &[u8], ttl: Option<Duration>) -> Result<(), CacheError> {
        let ttl = self.ttl_for(ttl);
        self.call(|b| b.set(key, bytes, ttl))?;
        Metrics::add(&self.shared.metrics.bytes_written, bytes.len() as u64);
        Ok(())
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
    /// it exactly once across threads, processes and hosts that share the
    /// backend: other callers wait and receive that result. While the
    /// backend is unreachable the value is computed without it (once per
    /// process at a time), counted as `uncached` in the metrics.
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
        if let Ok(Some(bytes)) = self.read(&key) {
            if let Some(v) = self.decode(&bytes) {
                Metrics::add(&self.shared.metrics.hits, 1);
                return Ok(v);
            }
        }
        let Some(section) = self.blocking.clone() else {
            return self.memoize_slow(&key, ttl, compute);
        };
        let mut compute = Some(compute);
        let mut result = None;
        section(&mut || {
            if let Some(c) = compute.take() {
                result = Some(self.memoize_slow(&key, ttl, c));
            }
        });
        result.unwrap_or_else(|| {
            Err(CacheError::Computation(
                "the blocking section did not run the computation".into(),
            ))
        })
    }

    /// `try_memoize` after a first read missed. One thread of this process
    /// leads (the others wait for its result); the leader reads again, then
    /// takes the backend's lease or waits for the process holding it, reads
    /// again once it holds the lease (the previous holder may have stored the
    /// value and released it just now), and only then computes and stores.
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
        let m = &self.shared.metrics;
        let mut counted_wait = false;
        let mut count_wait = || {
            if !counted_wait {
                Metrics::add(&m.waits, 1);
                counted_wait = true;
            }
        };
        let leader = loop {
            match self.shared.flights.join(key) {
                Role::Follower(flight) => {
                    count_wait();
                    if let Some(bytes) = flight.wait() {
                        if let Some(v) = self.decode(&bytes) {
                            Metrics::add(&m.hits, 1);
                            return Ok(v);
                        }
                    }
                    // The leader failed (its computation erred or panicked):
                    // try again, perhaps as the leader.
                }
                Role::Leader(guard) => break guard,
            }
        };
        let reachable = match self.read(key) {
            Ok(Some(bytes)) => {
                if let Some(v) = self.decode(&bytes) {
                    Metrics::add(&m.hits, 1);
                    leader.publish(Some(Arc::new(bytes)));
                    return Ok(v);
                }
                true
            }
            Ok(None) => true,
            Err(_) => false,
        };
        let lease = if reachable {
            match self.lease_or_value::<T>(key, &mut count_wait)? {
                LeaseOutcome::Value(v, bytes) => {
                    Metrics::add(&m.hits, 1);
                    leader.publish(Some(Arc::new(bytes)));
                    return Ok(v);
                }
                LeaseOutcome::Held => true,
                LeaseOutcome::Unreachable => false,
            }
        } else {
            false
        };
        self.compute_and_store(key, ttl, compute, lease, leader)
    }

    /// As this process's leader for `key`: takes the lease, or waits while
    /// another process holds it until that one stores the value (or its
    /// lease lapses and passes to us).
    fn lease_or_value<T: DeserializeOwned + 'static>(
        &self,
        key: &str,
        count_wait: &mut impl FnMut(),
    ) -> Result<LeaseOutcome<T>, CacheError> {
        let settings = self.shared.settings;
        let holder = self.shared.holder.as_str();
        let waiting_since = Instant::now();
        let mut warned = false;
        loop {
            match self.call(|b| b.try_lease(key, holder, settings.lease)) {
                Ok(true) => {
                    return Ok(match self.read(key) {
                        Ok(Some(bytes)) => match self.decode::<T>(&bytes) {
                            Some(v) => {
                                let _ = self.call(|b| b.release_lease(key, holder));
                                LeaseOutcome::Value(v, bytes)
                            }
                            None => LeaseOutcome::Held,
                        },
                        Ok(None) => LeaseOutcome::Held,
                        Err(_) => LeaseOutcome::Held,
                    });
                }
                Ok(false) => {}
                Err(_) => return Ok(LeaseOutcome::Unreachable),
            }
            count_wait();
            std::thread::sleep(settings.poll);
            match self.read(key) {
                Ok(Some(bytes)) => {
                    if let Some(v) = self.decode::<T>(&bytes) {
                        return Ok(LeaseOutcome::Value(v, bytes));
                    }
                }
                Ok(None) => {}
                Err(_) => return Ok(LeaseOutcome::Unreachable),
            }
            if !warned && waiting_since.elapsed() > Duration::from_secs(60) {
                warned = true;
                tracing::warn!(
                    key,
                    "still waiting for another process to compute this value"
                );
            }
        }
    }

    /// Computes (renewing the lease if held), stores, releases the lease and
    /// hands the encoded value to this process's waiters, even when it could
    /// not be stored.
    fn compute_and_store<T, E, F>(
        &self,
        key: &str,
        ttl: Option<Duration>,
        compute: F,
        lease: bool,
        leader: LeaderGuard<'_>,
    ) -> Result<T, CacheError>
    where
        T: Serialize + DeserializeOwned + 'static,
        E: std::fmt::Display,
        F: FnOnce() -> Result<T, E>,
    {
        let m = &self.shared.metrics;
        let holder = self.shared.holder.as_str();
        let release = || {
            if lease {
                let _ = self.call(|b| b.release_lease(key, holder));
            }
        };
        Metrics::add(&m.misses, 1);
        Metrics::add(&m.computations, 1);
        let value = if lease {
            self.compute_with_lease(key, compute)
        } else {
            run_computation(compute)
        };
        let value = match value {
            Ok(v) => v,
            Err(e) => {
                release();
                return Err(e);
            }
        };
        let encoded = match codec::encode_typed(&value) {
            Ok(bytes) => bytes,
            Err(e) => {
                release();
                return Err(e);
            }
        };
        let stored =
            (lease || !self.shared.health.is_down()) && self.write(key, &encoded, ttl).is_ok();
        if !stored {
            Metrics::add(&m.uncached, 1);
        }
        release();
        leader.publish(Some(Arc::new(encoded)));
        Ok(value)
    }

    /// Runs the computation while a thread renews the lease; a panic
    /// releases the lease before it goes on unwinding.
    fn compute_with_lease<T, E, F>(&self, key: &str, compute: F) -> Result<T, CacheError>
    where
        E: std::fmt::Display,
        F: FnOnce() -> Result<T, E>,
    {
        let done = AtomicBool::new(false);
        let holder = self.shared.holder.as_str();
        let lease = self.shared.settings.lease;
        let backend = &self.shared.backend;
        std::thread::scope(|scope| {
            let renew = scope.spawn(|| {
                let step = lease / 3;
                let mut last = Instant::now();
                while !done.load(Ordering::Acquire) {
                    std::thread::park_timeout(Duration::from_millis(50).min(step));
                    if last.elapsed() >= step && !done.load(Ordering::Acquire) {
                        if !self.shared.health.is_down() {
                            let _ = backend.try_lease(key, holder, lease);
                        }
                        last = Instant::now();
                    }
                }
            });
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_computation(compute)));
            done.store(true, Ordering::Release);
            renew.thread().unpark();
            match result {
                Ok(r) => r,
                Err(panic) => {
                    let _ = backend.release_lease(key, holder);
                    std::panic::resume_unwind(panic)
                }
            }
        })
    }
}

/// What the leader of a process found while it tried to take the lease.
enum LeaseOutcome<T> {
    /// Another process stored the value meanwhile.
    Value(T, Vec<u8>),
    /// This process holds the lease and the value is still missing.
    Held,
    /// The backend stopped answering: compute without it.
    Unreachable,
}

fn run_computation<T, E: std::fmt::Display>(
    compute: impl FnOnce() -> Result<T, E>,
) -> Result<T, CacheError> {
    compute().map_err(|e| CacheError::Computation(e.to_string()))
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .map(|s| s.trim().to_owned())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "host".into())
}
