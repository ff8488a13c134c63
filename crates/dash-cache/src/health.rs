//! Whether the backend answers, and when to ask it again after it failed.
//!
//! A failed call marks the backend down; while it is down, calls fail at
//! once (without waiting on a dead server) until the next probe time, which
//! backs off from 250 ms to 10 s. The first call after that time is the
//! probe: its success marks the backend up again. So an outage costs one
//! slow call per back-off step, not one per request.

use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(10);

/// The backend's state as the health route shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthSnapshot {
    /// The last call succeeded (or none failed yet).
    pub reachable: bool,
    /// Since when it is unreachable.
    pub down_since: Option<SystemTime>,
    /// The last failure, as the backend described it.
    pub last_error: Option<String>,
    /// Times it went from reachable to unreachable.
    pub outages: u64,
}

#[derive(Debug)]
struct State {
    down: Option<Down>,
    last_error: Option<String>,
    outages: u64,
}

#[derive(Debug)]
struct Down {
    since: SystemTime,
    next_probe: Instant,
    backoff: Duration,
    probing: bool,
}

/// Shared by every clone of a cache.
#[derive(Debug)]
pub(crate) struct Health {
    state: Mutex<State>,
}

/// What a caller may do now.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Gate {
    /// Call the backend.
    Call,
    /// Call it as the probe of a backend that was down.
    Probe,
    /// Do not call it: it is down and the next probe is not due.
    Skip,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            state: Mutex::new(State {
                down: None,
                last_error: None,
                outages: 0,
            }),
        }
    }
}

impl Health {
    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether to call the backend now; one caller at a time gets `Probe`.
    pub(crate) fn gate(&self) -> Gate {
        let mut s = self.lock();
        match &mut s.down {
            None => Gate::Call,
            Some(d) if !d.probing && Instant::now() >= d.next_probe => {
                d.probing = true;
                Gate::Probe
            }
            Some(_) => Gate::Skip,
        }
    }

    /// A call succeeded; true if the backend was down until now.
    pub(crate) fn succeeded(&self) -> bool {
        let mut s = self.lock();
        s.down.take().is_some()
    }

    /// A call failed; true if this marks the backend down (it was up).
    pub(crate) fn failed(&self, error: &str) -> bool {
        let mut s = self.lock();
        s.last_error = Some(error.to_owned());
        match &mut s.down {
            Some(d) => {
                d.backoff = (d.backoff * 2).min(MAX_BACKOFF);
                d.next_probe = Instant::now() + d.backoff;
                d.probing = false;
                false
            }
            None => {
                s.down = Some(Down {
                    since: SystemTime::now(),
                    next_probe: Instant::now() + FIRST_BACKOFF,
                    backoff: FIRST_BACKOFF,
                    probing: false,
                });
                s.outages += 1;
                true
            }
        }
    }

    /// Whether the backend is considered down now.
    pub(crate) fn is_down(&self) -> bool {
        self.lock().down.is_some()
    }

    pub(crate) fn snapshot(&self) -> HealthSnapshot {
        let s = self.lock();
        HealthSnapshot {
            reachable: s.down.is_none(),
            down_since: s.down.as_ref().map(|d| d.since),
            last_error: s.last_error.clone(),
            outages: s.outages,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn down_skips_until_the_probe_then_backs_off() {
        let h = Health::default();
        assert_eq!(h.gate(), Gate::Call);
        assert!(h.failed("refused"));
        assert!(!h.snapshot().reachable);
        assert_eq!(h.gate(), Gate::Skip, "no call before the first back-off");
        std::thread::sleep(FIRST_BACKOFF + Duration::from_millis(20));
        assert_eq!(h.gate(), Gate::Probe);
        assert_eq!(h.gate(), Gate::Skip, "one probe at a time");
        assert!(!h.failed("refused"), "still down");
        std::thread::sleep(FIRST_BACKOFF + Duration::from_millis(20));
        assert_eq!(h.gate(), Gate::Skip, "the back-off doubled");
        std::thread::sleep(FIRST_BACKOFF);
        assert_eq!(h.gate(), Gate::Probe);
        assert!(h.succeeded());
        assert_eq!(h.gate(), Gate::Call);
        let s = h.snapshot();
        assert!(s.reachable);
        assert_eq!(s.outages, 1);
        assert_eq!(s.last_error.as_deref(), Some("refused"));
    }
}
