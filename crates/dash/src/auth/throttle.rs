//! Slowing down password guessing: failed attempts are counted per user
//! name and per peer address in a window; past the limit, attempts are
//! refused (429) without checking the password until the window ends.
//! Bounded memory: at most [`MAX_KEYS`] counters, the oldest dropped first.
//! Per process: with several workers each keeps its own counts.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The most counters kept.
const MAX_KEYS: usize = 10_000;

/// How many failures are allowed in a window.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limit {
    /// Per user name.
    pub per_user: u32,
    /// Per peer address (one address may serve many people: higher).
    pub per_peer: u32,
    pub window: Duration,
}

impl Limit {
    /// `per_user` failures per user name in `window`, ten times as many
    /// per peer address.
    pub(crate) fn per_user(per_user: u32, window: Duration) -> Self {
        Limit {
            per_user,
            per_peer: per_user.saturating_mul(10),
            window,
        }
    }
}

impl Default for Limit {
    fn default() -> Self {
        Limit {
            per_user: 5,
            per_peer: 50,
            window: Duration::from_secs(300),
        }
    }
}

#[derive(Clone, Copy)]
struct Count {
    failures: u32,
    since: Instant,
}

pub(crate) struct Throttle {
    limit: Limit,
    counts: Mutex<HashMap<String, Count>>,
}

fn keys(user: &str, peer: Option<IpAddr>) -> [Option<String>; 2] {
    // Names are cut so that a long one cannot take much memory.
    let user: String = user.chars().take(128).collect();
    [Some(format!("u:{user}")), peer.map(|p| format!("p:{p}"))]
}

impl Throttle {
    pub(crate) fn new(limit: Limit) -> Self {
        Throttle {
            limit,
            counts: Mutex::new(HashMap::new()),
        }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, HashMap<String, Count>> {
        self.counts.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `Some(wait)` if attempts for this user or from this peer are
    /// refused for now.
    pub(crate) fn blocked(&self, user: &str, peer: Option<IpAddr>) -> Option<Duration> {
        let counts = self.counts();
        let now = Instant::now();
        let [u, p] = keys(user, peer);
        [(u, self.limit.per_user), (p, self.limit.per_peer)]
            .into_iter()
            .filter_map(|(key, max)| {
                let c = counts.get(key.as_deref()?)?;
                let end = c.since + self.limit.window;
                (c.failures >= max && end > now).then(|| end - now)
            })
            .max()
    }

    /// Counts a failed attempt.
    pub(crate) fn failed(&self, user: &str, peer: Option<IpAddr>) {
        let mut counts = self.counts();
        let now = Instant::now();
        let window = self.limit.window;
        if counts.len() >= MAX_KEYS {
            counts.retain(|_, c| c.since + window > now);
            while counts.len() >= MAX_KEYS {
                let oldest = counts
                    .iter()
                    .min_by_key(|(_, c)| c.since)
                    .map(|(k, _)| k.clone());
                match oldest {
                    Some(k) => counts.remove(&k),
                    None => break,
                };
            }
        }
        for key in keys(user, peer).into_iter().flatten() {
            let c = counts.entry(key).or_insert(Count {
                failures: 0,
                since: now,
            });
            if c.since + window <= now {
                *c = Count {
                    failures: 0,
                    since: now,
                };
            }
            c.failures = c.failures.saturating_add(1);
        }
    }

    /// A success clears the user's count (not the peer's).
    pub(crate) fn succeeded(&self, user: &str) {
        let [u, _] = keys(user, None);
        if let Some(u) = u {
            self.counts().remove(&u);
        }
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.counts().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_past_the_limit_block_the_user_and_the_peer() {
        let t = Throttle::new(Limit {
            per_user: 2,
            per_peer: 3,
            window: Duration::from_secs(60),
        });
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        t.failed("alice", Some(peer));
        assert!(t.blocked("alice", Some(peer)).is_none());
        t.failed("alice", Some(peer));
        assert!(t.blocked("alice", None).is_some());
        assert!(t.blocked("bob", Some(peer)).is_none());
        t.failed("bob", Some(peer));
        assert!(
            t.blocked("carol", Some(peer)).is_some(),
            "the peer is blocked"
        );
        assert!(t.blocked("carol", None).is_none());
        t.succeeded("alice");
        assert!(t.blocked("alice", None).is_none());
    }

    #[test]
    fn windows_end_and_memory_is_bounded() {
        let t = Throttle::new(Limit {
            per_user: 1,
            per_peer: 100,
            window: Duration::from_millis(50),
        });
        t.failed("alice", None);
        assert!(t.blocked("alice", None).is_some());
        std::thread::sleep(Duration::from_millis(80));
        assert!(t.blocked("alice", None).is_none());
        for i in 0..(MAX_KEYS + 500) {
            t.failed(&format!("user{i}"), None);
        }
        assert!(t.len() <= MAX_KEYS);
    }
}
