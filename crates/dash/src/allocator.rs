//! Memory of large requests goes back to the system when they finish.
//!
//! glibc's malloc serves a large buffer (a 10 MB `dcc.Store` body, the
//! records decoded from it) from `mmap` and returns it on free, until the
//! first such free: then it raises its threshold to that size, and later
//! large buffers come from per-thread arenas that keep their pages. A
//! server taking big stores on many threads then holds several times the
//! payload per concurrent request. Fixing the threshold keeps large
//! buffers on `mmap`; buffers below it are unchanged.
//!
//! The values decoded from a large body are many small allocations (a
//! string per record), spread over the arenas of every thread that took
//! part; freed, they leave pages that malloc keeps. After a large request
//! the server asks glibc to hand free pages back (`malloc_trim`), at most
//! once a second and always once after the last large request.

mod kept_buffers;
pub(crate) use kept_buffers::{body_buffer, into_body};

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Buffers of at least this many bytes are mapped and unmapped on their own.
pub const LARGE_BUFFER: usize = 4 << 20;

/// Makes large buffers go back to the system when freed (glibc on Linux;
/// elsewhere nothing to do). [`Dash::run`](crate::Dash::run) calls it; an
/// app serving through [`Dash::serve`](crate::Dash::serve) may call it at
/// start. Settings made through a non-empty `GLIBC_TUNABLES`
/// or `MALLOC_MMAP_THRESHOLD_` are left alone. Returns whether it changed
/// anything.
///
/// ```
/// let changed = dash::allocator::return_large_buffers();
/// let unset = |name| std::env::var_os(name).is_none_or(|v| v.is_empty());
/// assert_eq!(changed, cfg!(all(target_os = "linux", target_env = "gnu"))
///     && unset("GLIBC_TUNABLES") && unset("MALLOC_MMAP_THRESHOLD_"));
/// ```
pub fn return_large_buffers() -> bool {
    let set_outside = |name: &str| std::env::var_os(name).is_some_and(|v| !v.is_empty());
    if set_outside("GLIBC_TUNABLES") || set_outside("MALLOC_MMAP_THRESHOLD_") {
        return false;
    }
    set_thresholds()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn set_thresholds() -> bool {
    use nix::libc::{mallopt, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD};
    let large = i32::try_from(LARGE_BUFFER).unwrap_or(i32::MAX);
    // SAFETY: mallopt only changes allocator parameters; it is safe to call
    // at any time, from any thread.
    unsafe { mallopt(M_MMAP_THRESHOLD, large) == 1 && mallopt(M_TRIM_THRESHOLD, 2 * large) == 1 }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn set_thresholds() -> bool {
    false
}

/// Trims run at most this often.
const TRIM_INTERVAL: Duration = Duration::from_secs(1);

static TRIM_SCHEDULED: AtomicBool = AtomicBool::new(false);
/// Milliseconds since `clock_start()` of the last trim (0: none yet).
static LAST_TRIM_MS: AtomicU64 = AtomicU64::new(0);

fn clock_start() -> Instant {
    static START: OnceLock<Instant> = OnceLock::new();
    *START.get_or_init(Instant::now)
}

fn now_ms() -> u64 {
    u64::try_from(clock_start().elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Schedules a trim of freed memory (called after a large request, inside
/// a tokio runtime): it runs on a blocking thread once the last trim is
/// [`TRIM_INTERVAL`] old, and one is always scheduled after the latest
/// call, so the last of a burst of large requests is followed by a trim.
pub(crate) fn return_freed_memory_soon() {
    if !cfg!(all(target_os = "linux", target_env = "gnu")) {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    if TRIM_SCHEDULED.swap(true, Ordering::AcqRel) {
        return; // the scheduled trim runs after this request
    }
    let _ = clock_start();
    runtime.spawn(async move {
        let last = LAST_TRIM_MS.load(Ordering::Acquire);
        let interval = u64::try_from(TRIM_INTERVAL.as_millis()).unwrap_or(1000);
        let wait = (last + interval).saturating_sub(now_ms());
        // A short pause lets the answer being written free its buffers.
        tokio::time::sleep(Duration::from_millis(wait.max(50))).await;
        TRIM_SCHEDULED.store(false, Ordering::Release);
        LAST_TRIM_MS.store(now_ms().max(1), Ordering::Release);
        let _ = tokio::task::spawn_blocking(trim).await;
    });
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn trim() {
    let started = Instant::now();
    kept_buffers::release();
    // SAFETY: malloc_trim only returns free memory of malloc's own arenas
    // to the system (madvise); it takes the arena locks itself and is safe
    // to call at any time, from any thread. Pad 0 keeps nothing spare.
    let released = unsafe { nix::libc::malloc_trim(0) } == 1;
    tracing::debug!(released, took = ?started.elapsed(), "returned freed memory");
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn trim() {
    kept_buffers::release();
}
