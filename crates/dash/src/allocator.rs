//! Memory of large requests goes back to the system when they finish.
//!
//! glibc's malloc serves a large buffer (a 10 MB `dcc.Store` body, the
//! records decoded from it) from `mmap` and returns it on free, until the
//! first such free: then it raises its threshold to that size, and later
//! large buffers come from per-thread arenas that keep their pages. A
//! server taking big stores on many threads then holds several times the
//! payload per concurrent request. Fixing the threshold keeps large
//! buffers on `mmap`; buffers below it are unchanged.

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
