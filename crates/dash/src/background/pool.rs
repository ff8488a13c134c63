//! The jobs of one worker process: a bounded pool (a full pool queues, in
//! order, and never refuses), the job's lease renewed while it waits or
//! runs, and cancels noticed wherever they were asked.
//!
//! A thread per process watches the jobs it holds: every 100 ms it reads
//! the end of each running job (a cancel taken by another worker, or a
//! lease another worker found lapsed, stops the job here), and every third
//! of the lease it renews each job's lease and record. A cancel taken by
//! this process reaches its job at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Once, Weak};
use std::time::{Duration, Instant};

use dash_cache::{CacheBackend, CacheError};
use tokio::sync::Semaphore;

use super::handles::JobId;
use super::metrics::{JobMetrics, JobMetricsSnapshot};
use super::progress::CancelToken;
use super::run::{execute, JobTask, Ran};
use super::settings::Resolved;
use super::store::{JobStore, Outcome};

/// How often running jobs look for a cancel asked elsewhere.
const CANCEL_CHECK: Duration = Duration::from_millis(100);

/// This process's jobs.
pub(crate) struct Jobs {
    inner: Arc<Inner>,
}

struct Inner {
    store: JobStore,
    holder: String,
    settings: Resolved,
    permits: Arc<Semaphore>,
    local: Mutex<HashMap<JobId, Local>>,
    metrics: JobMetrics,
    watcher: Once,
}

#[derive(Clone)]
struct Local {
    cancel: CancelToken,
    running: bool,
}

impl Jobs {
    /// `holder`: this process's name in the backend (the cache's holder id).
    pub(crate) fn new(backend: Arc<dyn CacheBackend>, holder: String, settings: Resolved) -> Self {
        Jobs {
            inner: Arc::new(Inner {
                store: JobStore::new(backend),
                holder,
                permits: Arc::new(Semaphore::new(settings.pool)),
                settings,
                local: Mutex::new(HashMap::new()),
                metrics: JobMetrics::default(),
                watcher: Once::new(),
            }),
        }
    }

    pub(crate) fn store(&self) -> &JobStore {
        &self.inner.store
    }

    pub(crate) fn holder(&self) -> &str {
        &self.inner.holder
    }

    pub(crate) fn lease(&self) -> Duration {
        self.inner.settings.lease
    }

    pub(crate) fn metrics(&self) -> &JobMetrics {
        &self.inner.metrics
    }

    /// Publishes this process's job counters and sums every process's.
    pub(crate) fn cluster_metrics(&self) -> Result<JobMetricsSnapshot, CacheError> {
        self.inner
            .metrics
            .cluster(&**self.inner.store.backend(), &self.inner.holder)
    }

    /// Queues a job whose record and lease are written; it runs when the
    /// pool has room. Call from within the tokio runtime.
    pub(crate) fn submit(&self, task: JobTask) {
        self.watch();
        let inner = self.inner.clone();
        let id = task.link.id.clone();
        inner.lock().insert(
            id.clone(),
            Local {
                cancel: task.link.cancel.clone(),
                running: false,
            },
        );
        JobMetrics::add(&inner.metrics.started);
        JobMetrics::add(&inner.metrics.queued);
        tokio::runtime::Handle::current().spawn(async move {
            let permit = inner.permits.clone().acquire_owned().await;
            JobMetrics::sub(&inner.metrics.queued);
            JobMetrics::add(&inner.metrics.running);
            if let Some(l) = inner.lock().get_mut(&id) {
                l.running = true;
            }
            let ran = execute(&task, &inner.store).await;
            JobMetrics::sub(&inner.metrics.running);
            let done = inner.clone();
            let _ = tokio::task::spawn_blocking(move || done.conclude(&task, ran)).await;
            drop(permit);
        });
    }

    /// Cancels job `id` unless it has ended (or is unknown); with
    /// `callback`, only a job of that callback. True if this call did.
    pub(crate) fn cancel(&self, id: &JobId, callback: Option<&str>) -> Result<bool, CacheError> {
        let inner = &self.inner;
        let Some(record) = inner.store.record(id)? else {
            return Ok(false);
        };
        if callback.is_some_and(|c| c != record.callback) {
            return Ok(false);
        }
        let won = inner.store.finish(id, &Outcome::Cancelled)?;
        if won {
            JobMetrics::add(&inner.metrics.cancelled);
            tracing::debug!(job = id.short(), "background job cancelled");
        }
        self.stop_local(id);
        Ok(won)
    }

    /// Ends a job whose lease lapsed (its process stopped); true if this
    /// call did.
    pub(crate) fn fail_lapsed(&self, id: &JobId) -> Result<bool, CacheError> {
        let lease = self.inner.settings.lease;
        let outcome = Outcome::Failed {
            message: format!(
                "the worker process running this background job stopped: its lease ({} ms) was not renewed",
                lease.as_millis()
            ),
            updates: None,
        };
        let won = self.inner.store.finish(id, &outcome)?;
        if won {
            JobMetrics::add(&self.inner.metrics.failed);
            tracing::warn!(job = id.short(), "background job failed: its lease lapsed");
        }
        self.stop_local(id);
        Ok(won)
    }

    /// Stops the job if it runs (or waits) in this process.
    fn stop_local(&self, id: &JobId) {
        if let Some(l) = self.inner.lock().get(id) {
            l.cancel.cancel();
        }
    }

    fn watch(&self) {
        self.inner.watcher.call_once(|| {
            let weak = Arc::downgrade(&self.inner);
            let spawned = std::thread::Builder::new()
                .name("dash-jobs".into())
                .spawn(move || watch(weak));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start the background job watcher: leases will lapse");
            }
        });
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, Local>> {
        self.local.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Writes the job's end (unless another end won) and lets it go.
    fn conclude(&self, task: &JobTask, ran: Ran) {
        let id = &task.link.id;
        if let Ran::Finished(outcome) = ran {
            match self.store.finish(id, &outcome) {
                Ok(true) => {
                    match &outcome {
                        Outcome::Failed { message, .. } => {
                            JobMetrics::add(&self.metrics.failed);
                            tracing::debug!(job = id.short(), %message, "background job failed");
                        }
                        _ => JobMetrics::add(&self.metrics.completed),
                    }
                    if let (Some(slot), Outcome::Done { value, .. }) = (&task.cache_slot, &outcome)
                    {
                        let expire = task.callback.spec.background.expire;
                        if let Err(e) = self.store.store_cached(slot, value, expire) {
                            tracing::warn!(error = %e, "a background result could not be cached");
                        }
                    }
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(job = id.short(), error = %e, "a background job's end could not be stored; its lease will lapse and the page will show an error")
                }
            }
        }
        let _ = self.store.release(id);
        self.lock().remove(id);
    }
}

/// The watcher thread; ends when the process's jobs are dropped.
fn watch(weak: Weak<Inner>) {
    let mut renewed = Instant::now();
    loop {
        std::thread::sleep(CANCEL_CHECK);
        let Some(inner) = weak.upgrade() else {
            return;
        };
        let renew = renewed.elapsed() >= inner.settings.lease / 3;
        if renew {
            renewed = Instant::now();
        }
        let jobs: Vec<(JobId, Local)> = inner
            .lock()
            .iter()
            .map(|(id, l)| (id.clone(), l.clone()))
            .collect();
        for (id, local) in jobs {
            if local.cancel.is_cancelled() {
                continue;
            }
            if local.running || renew {
                if let Ok(true) = inner.store.ended(&id) {
                    local.cancel.cancel();
                    continue;
                }
            }
            if renew {
                if let Err(e) = inner.store.renew(&id, &inner.holder, inner.settings.lease) {
                    tracing::warn!(job = id.short(), error = %e, "cannot renew a background job's lease");
                }
            }
        }
    }
}
