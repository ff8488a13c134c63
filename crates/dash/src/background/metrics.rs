//! Job counters, per process and summed over every process that shares the
//! backend (each publishes its own under `dash/job-metrics/<holder>`).
//!
//! Each job is counted once in one of completed, cancelled or failed: by
//! the process that wrote its end (the job's own, the one that took the
//! cancel, or the one that found its lease gone).

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use dash_cache::{codec, CacheBackend, CacheError};
use serde::{Deserialize, Serialize};

const PREFIX: &str = "dash/job-metrics/";
/// A process's published counters count this long after it stopped.
const KEEP: Duration = Duration::from_secs(300);
/// Gauges older than this are not summed (their process is gone).
const GAUGE_FRESH_MS: u64 = 5_000;

#[derive(Debug, Default)]
pub(crate) struct JobMetrics {
    pub(crate) started: AtomicU64,
    pub(crate) completed: AtomicU64,
    pub(crate) cancelled: AtomicU64,
    pub(crate) failed: AtomicU64,
    pub(crate) running: AtomicU64,
    pub(crate) queued: AtomicU64,
}

/// The counters at one moment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub(crate) struct JobMetricsSnapshot {
    pub(crate) started: u64,
    pub(crate) completed: u64,
    pub(crate) cancelled: u64,
    pub(crate) failed: u64,
    pub(crate) running: u64,
    pub(crate) queued: u64,
    pub(crate) published_ms: u64,
}

impl JobMetrics {
    pub(crate) fn add(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn sub(counter: &AtomicU64) {
        let _ = counter.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| v.checked_sub(1));
    }

    pub(crate) fn snapshot(&self) -> JobMetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        JobMetricsSnapshot {
            started: get(&self.started),
            completed: get(&self.completed),
            cancelled: get(&self.cancelled),
            failed: get(&self.failed),
            running: get(&self.running),
            queued: get(&self.queued),
            published_ms: crate::session::now_ms(),
        }
    }

    /// Publishes this process's counters and sums every process's.
    pub(crate) fn cluster(
        &self,
        backend: &dyn CacheBackend,
        holder: &str,
    ) -> Result<JobMetricsSnapshot, CacheError> {
        let mine = self.snapshot();
        backend.set(
            &format!("{PREFIX}{holder}"),
            &codec::encode(&mine)?,
            Some(KEEP),
        )?;
        let now = mine.published_ms;
        let mut total = JobMetricsSnapshot::default();
        for (_, bytes) in backend.scan_prefix(PREFIX)? {
            let Ok(s) = codec::decode::<JobMetricsSnapshot>(&bytes) else {
                continue;
            };
            total.started += s.started;
            total.completed += s.completed;
            total.cancelled += s.cancelled;
            total.failed += s.failed;
            if now.saturating_sub(s.published_ms) <= GAUGE_FRESH_MS {
                total.running += s.running;
                total.queued += s.queued;
            }
        }
        total.published_ms = now;
        Ok(total)
    }
}

impl JobMetricsSnapshot {
    /// Prometheus text, labelled with the backend and the scope.
    pub(crate) fn prometheus(&self, backend: &str, scope: &str, out: &mut String) {
        let rows = [
            (
                "dash_jobs_started_total",
                "counter",
                "Background jobs accepted.",
                self.started,
            ),
            (
                "dash_jobs_completed_total",
                "counter",
                "Background jobs whose function returned (a value or PreventUpdate).",
                self.completed,
            ),
            (
                "dash_jobs_cancelled_total",
                "counter",
                "Background jobs cancelled by a cancel input or a newer run.",
                self.cancelled,
            ),
            (
                "dash_jobs_failed_total",
                "counter",
                "Background jobs whose function failed or whose process stopped.",
                self.failed,
            ),
            (
                "dash_jobs_running",
                "gauge",
                "Background jobs running now.",
                self.running,
            ),
            (
                "dash_jobs_queued",
                "gauge",
                "Background jobs waiting for a free place in the pool.",
                self.queued,
            ),
        ];
        for (name, kind, help, value) in rows {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} {kind}");
            let _ = writeln!(
                out,
                "{name}{{backend=\"{backend}\",scope=\"{scope}\"}} {value}"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn processes_add_up_and_stale_gauges_do_not() {
        let backend = dash_cache::open_backend("memory://", Default::default()).unwrap();
        let a = JobMetrics::default();
        JobMetrics::add(&a.started);
        JobMetrics::add(&a.running);
        let stale = JobMetricsSnapshot {
            started: 2,
            cancelled: 1,
            running: 5,
            published_ms: 1,
            ..Default::default()
        };
        backend
            .set(
                "dash/job-metrics/gone",
                &codec::encode(&stale).unwrap(),
                None,
            )
            .unwrap();
        let total = a.cluster(&*backend, "a").unwrap();
        assert_eq!((total.started, total.cancelled, total.running), (3, 1, 1));
        let mut text = String::new();
        total.prometheus("memory", "all", &mut text);
        assert!(
            text.contains("dash_jobs_started_total{backend=\"memory\",scope=\"all\"} 3"),
            "{text}"
        );
        assert!(text.contains("# TYPE dash_jobs_running gauge"));
        JobMetrics::sub(&a.queued);
        assert_eq!(a.snapshot().queued, 0, "never below zero");
    }
}
