//! Where a callback call runs. Callbacks are plain blocking functions, so
//! by default a call goes to tokio's blocking pool; but handing a 5 µs
//! callback to another thread and back costs more than the call (two
//! thread wake-ups per request). So each callback keeps an estimate of its
//! recent cost, and a call whose callback has been cheap runs inline on the
//! async worker. The first call, large request bodies and callbacks that
//! were slow lately go to the pool. A call that turns out slow moves its
//! callback back to the pool at once; and the server-side cache marks its
//! own long waits (a cache miss computing, or waiting for another
//! process's computation) with `block_in_place` so that an inline call
//! never holds an async worker through them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Calls whose callback recently took at most this run inline.
const INLINE_COST: Duration = Duration::from_micros(250);

/// Requests with a larger body are always parsed and called on the pool.
pub(crate) const INLINE_BODY_LIMIT: usize = 64 * 1024;

const UNKNOWN: u64 = u64::MAX;

/// The recent cost of one callback, in microseconds.
#[derive(Debug)]
pub(crate) struct CostEstimate {
    micros: AtomicU64,
}

impl Default for CostEstimate {
    fn default() -> Self {
        CostEstimate {
            micros: AtomicU64::new(UNKNOWN),
        }
    }
}

impl CostEstimate {
    /// Whether the next call may run inline on the async worker: only on
    /// a multi-thread runtime (on a current-thread one a call that turns
    /// out slow would stop every other request).
    pub(crate) fn runs_inline(&self) -> bool {
        self.micros.load(Ordering::Relaxed) <= INLINE_COST.as_micros() as u64
            && on_multi_thread_runtime()
    }

    /// Records the time one call took: a slower call raises the estimate at
    /// once, a faster one lowers it by an eighth of the difference.
    pub(crate) fn record(&self, took: Duration) {
        let sample = u64::try_from(took.as_micros()).unwrap_or(UNKNOWN - 1);
        let old = self.micros.load(Ordering::Relaxed);
        let new = if old == UNKNOWN || sample >= old {
            sample
        } else {
            old - (old - sample) / 8
        };
        self.micros.store(new, Ordering::Relaxed);
    }
}

/// Runs `f`, which may block for long, without holding an async worker:
/// inside a multi-thread runtime's worker it goes through
/// `tokio::task::block_in_place`; elsewhere it just runs.
pub(crate) fn blocking_section(f: &mut dyn FnMut()) {
    if on_multi_thread_runtime() {
        tokio::task::block_in_place(f);
    } else {
        f();
    }
}

fn on_multi_thread_runtime() -> bool {
    tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn first_call_and_slow_calls_go_to_the_pool() {
        let c = CostEstimate::default();
        assert!(!c.runs_inline(), "unknown cost: pool");
        c.record(Duration::from_micros(5));
        assert!(c.runs_inline());
        c.record(Duration::from_millis(30));
        assert!(!c.runs_inline(), "one slow call sends it to the pool");
        let mut fast_calls = 0;
        while !c.runs_inline() {
            c.record(Duration::from_micros(5));
            fast_calls += 1;
        }
        assert!((20..60).contains(&fast_calls), "{fast_calls}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn blocking_section_runs_on_both_runtime_flavors() {
        let mut ran = false;
        blocking_section(&mut || ran = true);
        assert!(ran);
        let handle = std::thread::spawn(|| {
            let mut ran = false;
            blocking_section(&mut || ran = true);
            ran
        });
        assert!(handle.join().unwrap());
    }
}
