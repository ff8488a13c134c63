//! Counters of one cache, readable as Prometheus text.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

/// Hits, misses, computations, single-flight waits, errors and bytes.
#[derive(Debug, Default)]
pub struct Metrics {
    pub(crate) hits: AtomicU64,
    pub(crate) misses: AtomicU64,
    pub(crate) computations: AtomicU64,
    pub(crate) waits: AtomicU64,
    pub(crate) errors: AtomicU64,
    pub(crate) uncached: AtomicU64,
    pub(crate) corrupt: AtomicU64,
    pub(crate) bytes_read: AtomicU64,
    pub(crate) bytes_written: AtomicU64,
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct MetricsSnapshot {
    /// Values found in the cache.
    pub hits: u64,
    /// Values not found.
    pub misses: u64,
    /// Computations run by this process.
    pub computations: u64,
    /// Calls that waited for another caller's computation.
    pub waits: u64,
    /// Failed backend calls (each retry counts).
    pub errors: u64,
    /// Computations whose value could not be stored (the backend was
    /// unreachable): computed without the cache.
    pub uncached: u64,
    /// Damaged entries read as misses.
    pub corrupt: u64,
    /// Entries removed by the size bound.
    pub evictions: u64,
    /// Bytes read from the backend.
    pub bytes_read: u64,
    /// Bytes written to the backend.
    pub bytes_written: u64,
}

impl Metrics {
    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    /// The current values.
    pub fn snapshot(&self, evictions: u64) -> MetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        MetricsSnapshot {
            hits: get(&self.hits),
            misses: get(&self.misses),
            computations: get(&self.computations),
            waits: get(&self.waits),
            errors: get(&self.errors),
            uncached: get(&self.uncached),
            corrupt: get(&self.corrupt),
            evictions,
            bytes_read: get(&self.bytes_read),
            bytes_written: get(&self.bytes_written),
        }
    }
}

impl std::ops::Add for MetricsSnapshot {
    type Output = MetricsSnapshot;

    fn add(self, o: MetricsSnapshot) -> MetricsSnapshot {
        MetricsSnapshot {
            hits: self.hits + o.hits,
            misses: self.misses + o.misses,
            computations: self.computations + o.computations,
            waits: self.waits + o.waits,
            errors: self.errors + o.errors,
            uncached: self.uncached + o.uncached,
            corrupt: self.corrupt + o.corrupt,
            evictions: self.evictions + o.evictions,
            bytes_read: self.bytes_read + o.bytes_read,
            bytes_written: self.bytes_written + o.bytes_written,
        }
    }
}

impl MetricsSnapshot {
    /// Prometheus text exposition, labelled with the backend kind.
    ///
    /// ```
    /// let text = dash_cache::MetricsSnapshot { hits: 3, ..Default::default() }.prometheus("sqlite");
    /// assert!(text.contains("dash_cache_hits_total{backend=\"sqlite\"} 3"));
    /// ```
    pub fn prometheus(&self, backend: &str) -> String {
        let rows = [
            ("hits", "Values found in the cache.", self.hits),
            ("misses", "Values not found in the cache.", self.misses),
            (
                "computations",
                "Memoized computations run.",
                self.computations,
            ),
            (
                "single_flight_waits",
                "Calls that waited for another caller's computation.",
                self.waits,
            ),
            ("errors", "Failed backend calls.", self.errors),
            (
                "uncached_computations",
                "Computations whose value could not be stored: the backend was unreachable.",
                self.uncached,
            ),
            (
                "corrupt_entries",
                "Damaged entries read as misses.",
                self.corrupt,
            ),
            (
                "evictions",
                "Entries removed by the size bound.",
                self.evictions,
            ),
            (
                "read_bytes",
                "Bytes read from the backend.",
                self.bytes_read,
            ),
            (
                "written_bytes",
                "Bytes written to the backend.",
                self.bytes_written,
            ),
        ];
        let mut out = String::new();
        for (name, help, value) in rows {
            let _ = writeln!(out, "# HELP dash_cache_{name}_total {help}");
            let _ = writeln!(out, "# TYPE dash_cache_{name}_total counter");
            let _ = writeln!(
                out,
                "dash_cache_{name}_total{{backend=\"{backend}\"}} {value}"
            );
        }
        out
    }
}
