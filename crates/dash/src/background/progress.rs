//! What a running job holds: [`Progress`] for the function, and the link
//! through which its progress and `set_props` updates reach the backend,
//! each under the next sequence number, so the page gets every one in order.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use dash_protocol::ComponentId;
use serde::Serialize;
use serde_json::{Map, Value};

use super::handles::JobId;
use super::store::{JobStore, Update};
use crate::callback::{ArgError, ArgSource, CallbackArg};

/// Tells a running job that it was cancelled (by a cancel input, a newer
/// run, or the end of its lease). Cheap to clone; hand it to threads the
/// job starts.
///
/// ```
/// # async fn job(token: dash::background::CancelToken) {
/// tokio::select! {
///     _ = token.cancelled() => { /* clean up */ }
///     _ = tokio::time::sleep(std::time::Duration::from_secs(60)) => {}
/// }
/// # }
/// ```
#[derive(Clone, Default)]
pub struct CancelToken {
    inner: Arc<TokenInner>,
}

#[derive(Default)]
struct TokenInner {
    cancelled: AtomicBool,
    notify: tokio::sync::Notify,
}

impl std::fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CancelToken")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

impl CancelToken {
    /// True once the job is cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::Acquire)
    }

    /// Resolves when the job is cancelled.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }

    /// Cancels; true if this call did.
    pub(crate) fn cancel(&self) -> bool {
        let first = !self.inner.cancelled.swap(true, Ordering::AcqRel);
        self.inner.notify.notify_waiters();
        first
    }
}

/// The unwinding payload that stops a cancelled job at its next progress or
/// `set_props` call (never shown as a panic: `resume_unwind` skips the hook).
pub(crate) struct Aborted;

/// The job's side of the backend.
pub(crate) struct JobLink {
    pub(crate) id: JobId,
    store: JobStore,
    next_seq: AtomicU64,
    progress_keys: Vec<String>,
    pub(crate) cancel: CancelToken,
    callback: String,
}

impl JobLink {
    pub(crate) fn new(
        id: JobId,
        store: JobStore,
        progress_keys: Vec<String>,
        cancel: CancelToken,
        callback: String,
    ) -> Self {
        JobLink {
            id,
            store,
            next_seq: AtomicU64::new(0),
            progress_keys,
            cancel,
            callback,
        }
    }

    /// Updates written so far.
    pub(crate) fn written(&self) -> u64 {
        self.next_seq.load(Ordering::Acquire)
    }

    /// Stops the job here if it was cancelled.
    fn abort_if_cancelled(&self) {
        if self.cancel.is_cancelled() {
            std::panic::resume_unwind(Box::new(Aborted));
        }
    }

    fn push(&self, update: Update) {
        self.abort_if_cancelled();
        let seq = self.next_seq.fetch_add(1, Ordering::AcqRel);
        let mut result = Ok(());
        crate::callback::blocking_section(&mut || {
            result = self.store.push_update(&self.id, seq, &update);
        });
        if let Err(e) = result {
            tracing::warn!(job = self.id.short(), callback = %self.callback, error = %e, "a background job's update could not be stored; the page misses it");
        }
    }

    /// `set_props` from the job: streamed to the page at once.
    pub(crate) fn set_props(&self, id: &ComponentId, props: Map<String, Value>) {
        let props = props.into_iter().map(|(p, v)| (p, v.to_string())).collect();
        self.push(Update::Props {
            id: id.to_string(),
            props,
        });
    }

    fn set_progress(&self, value: Value) {
        let n = self.progress_keys.len();
        if n == 0 {
            self.abort_if_cancelled();
            tracing::warn!(callback = %self.callback, "Progress::set in a callback without progress outputs (Callback::progress); ignored");
            return;
        }
        let Some(values) = super::spec::spread(&value, n) else {
            self.abort_if_cancelled();
            tracing::warn!(callback = %self.callback, "Progress::set needs one value per progress output: a tuple or list of {n}; ignored");
            return;
        };
        let values = self
            .progress_keys
            .iter()
            .cloned()
            .zip(values.iter().map(Value::to_string))
            .collect();
        self.push(Update::Progress { values });
    }
}

/// A background job's progress reporter and cancel flag: take it as an
/// argument of the job function (it uses no Input slot).
///
/// [`set`](Self::set) writes the progress outputs (one value, or a tuple
/// with one value per output), and the page shows every value in order.
/// Once the job is cancelled, the next `set` (or `set_props`) call stops
/// the function there, an async function stops at its next `.await`, and
/// [`is_cancelled`](Self::is_cancelled) tells a loop to finish early.
///
/// ```
/// use dash::background::Progress;
/// fn job(progress: Progress, n: Option<u64>) -> String {
///     let steps = 5;
///     for i in 1..=steps {
///         if progress.is_cancelled() {
///             break;
///         }
///         // ... one step of work ...
///         progress.set((i, steps));
///     }
///     format!("done {}", n.unwrap_or(0))
/// }
/// # let _ = job;
/// ```
#[derive(Clone)]
pub struct Progress {
    link: Arc<JobLink>,
}

impl std::fmt::Debug for Progress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress")
            .field("job", &self.link.id.short())
            .finish_non_exhaustive()
    }
}

impl Progress {
    /// Sets the progress outputs: a value for one output, a tuple or list
    /// with one value per output for several. Stops a cancelled job.
    pub fn set(&self, value: impl Serialize) {
        match serde_json::to_value(value) {
            Ok(v) => self.link.set_progress(v),
            Err(e) => {
                self.link.abort_if_cancelled();
                tracing::warn!(error = %e, "a progress value cannot be serialized; ignored");
            }
        }
    }

    /// True once the job is cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.link.cancel.is_cancelled()
    }

    /// The job's cancel flag, to hand to threads or futures it starts.
    pub fn cancel_token(&self) -> CancelToken {
        self.link.cancel.clone()
    }
}

impl CallbackArg for Progress {
    const SLOTS: usize = 0;

    fn extract(source: &ArgSource<'_>, _next: &mut usize) -> Result<Self, ArgError> {
        match source.context.job() {
            Some(link) => Ok(Progress { link: link.clone() }),
            None => Err(ArgError {
                callback: source.callback.to_owned(),
                property: "(Progress argument)".into(),
                expected: "dash::background::Progress".into(),
                message: "a Progress argument needs a background callback: declare it with Callback::background()".into(),
                refusal: None,
            }),
        }
    }
}
