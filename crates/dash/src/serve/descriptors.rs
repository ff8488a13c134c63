//! The descriptor limit: each connection is a file descriptor, and the
//! usual soft limit (1024) is far below the hard one.

/// Descriptors kept for what is not a connection: standard streams, the
/// listener, the event loop, SQLite files, Redis, assets being read.
const RESERVED_DESCRIPTORS: u64 = 64;

/// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the soft
/// limit in force afterwards (`None` where it cannot be read).
#[cfg(unix)]
pub(crate) fn raise_descriptor_limit() -> Option<u64> {
    use nix::sys::resource::{getrlimit, setrlimit, Resource};
    let (soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).ok()?;
    if soft < hard {
        match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => {
                tracing::debug!(from = soft, to = hard, "raised the descriptor limit");
                return Some(hard);
            }
            Err(e) => tracing::debug!(error = %e, "cannot raise the descriptor limit"),
        }
    }
    Some(soft)
}

/// Raises the soft `RLIMIT_NOFILE` to the hard limit (nothing to do here).
#[cfg(not(unix))]
pub(crate) fn raise_descriptor_limit() -> Option<u64> {
    None
}

/// The connection cap that fits `descriptors`: `wanted`, lowered so that
/// the cap, the over-cap answers and the reserve fit.
pub(crate) fn fitting_cap(wanted: usize, descriptors: Option<u64>) -> usize {
    let Some(limit) = descriptors else {
        return wanted;
    };
    let usable = limit.saturating_sub(RESERVED_DESCRIPTORS);
    // The cap plus its overflow allowance (a sixteenth) must be usable.
    let fits = usize::try_from(usable * 16 / 17).unwrap_or(usize::MAX);
    wanted.min(fits).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cap_fits_the_descriptors() {
        assert_eq!(fitting_cap(4096, Some(1_048_576)), 4096);
        assert_eq!(fitting_cap(4096, None), 4096);
        let cap = fitting_cap(4096, Some(1024));
        assert!(cap + cap / 16 + 64 <= 1024, "{cap}");
        assert!(cap > 850, "{cap}");
        assert_eq!(fitting_cap(4096, Some(10)), 1);
    }
}
