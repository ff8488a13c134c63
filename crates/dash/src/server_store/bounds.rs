//! The bounds on bytes held per session and in total, across every worker
//! and host: each value has a small index entry in the backend
//! (`dash/server-store/<session>/<key>`: store, size, created, last used),
//! read before each write.
//!
//! Over a bound, values go least recently used first: first those of idle
//! sessions (no server-store use within the active window), then values of
//! active sessions that a newer write to the same store superseded. The
//! newest value of each store of an active session (the one its page
//! points to) is never evicted: a write that would need it refused instead.

use std::collections::HashMap;

use dash_cache::{CacheBackend, CacheError};
use serde::{Deserialize, Serialize};

/// The prefix of every index entry.
pub(crate) const INDEX_PREFIX: &str = "dash/server-store/";

/// One value, as the index knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct IndexEntry {
    pub store: String,
    pub size: u64,
    pub created: u64,
    pub used: u64,
}

pub(crate) fn index_key(session: &str, key: &str) -> String {
    format!("{INDEX_PREFIX}{session}/{key}")
}

/// The backend key of a value: in the session's own data, so clearing the
/// session's data clears its values too.
pub(crate) fn value_key(session: &str, key: &str) -> String {
    format!("app/session/{session}:server-store/{key}")
}

/// The bounds in force.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    pub per_session: u64,
    pub total: u64,
    pub active_window_ms: u64,
}

/// A write the bounds do not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Refusal {
    Session { needed: u64, bound: u64 },
    Total { needed: u64, bound: u64 },
}

/// Which values to evict before writing `size` bytes for `session`'s
/// `store`, or why the write cannot be made. Returns (session, key) pairs.
pub(crate) fn plan_eviction(
    entries: &[(String, String, IndexEntry)],
    session: &str,
    store: &str,
    size: u64,
    bounds: Bounds,
    now: u64,
) -> Result<Vec<(String, String)>, Refusal> {
    let mut last_use: HashMap<&str, u64> = HashMap::new();
    let mut newest: HashMap<(&str, &str), (u64, &str)> = HashMap::new();
    for (s, k, e) in entries {
        let u = last_use.entry(s).or_default();
        *u = (*u).max(e.used);
        let n = newest.entry((s, &e.store)).or_insert((e.created, k));
        if e.created > n.0 || (e.created == n.0 && k.as_str() > n.1) {
            *n = (e.created, k);
        }
    }
    let active = |s: &str| {
        s == session
            || last_use
                .get(s)
                .is_some_and(|u| now.saturating_sub(*u) < bounds.active_window_ms)
    };
    // The value being written supersedes the writer's previous one.
    let protected = |s: &str, k: &str, e: &IndexEntry| {
        active(s)
            && !(s == session && e.store == store)
            && newest.get(&(s, e.store.as_str())).map(|n| n.1) == Some(k)
    };
    let mut evicted: Vec<(String, String)> = Vec::new();
    let mut gone = std::collections::HashSet::new();

    // Per session.
    let mine: u64 = entries
        .iter()
        .filter(|(s, _, _)| s == session)
        .map(|(_, _, e)| e.size)
        .sum();
    let mut held = mine + size;
    if held > bounds.per_session {
        let mut candidates: Vec<&(String, String, IndexEntry)> = entries
            .iter()
            .filter(|(s, k, e)| s == session && !protected(s, k, e))
            .collect();
        candidates.sort_by_key(|(_, _, e)| e.used);
        for (s, k, e) in candidates {
            if held <= bounds.per_session {
                break;
            }
            held -= e.size;
            gone.insert((s.as_str(), k.as_str()));
            evicted.push((s.clone(), k.clone()));
        }
        if held > bounds.per_session {
            return Err(Refusal::Session {
                needed: held,
                bound: bounds.per_session,
            });
        }
    }

    // In total.
    let mut total: u64 = entries
        .iter()
        .filter(|(s, k, _)| !gone.contains(&(s.as_str(), k.as_str())))
        .map(|(_, _, e)| e.size)
        .sum::<u64>()
        + size;
    if total > bounds.total {
        let mut idle: Vec<&(String, String, IndexEntry)> = Vec::new();
        let mut superseded: Vec<&(String, String, IndexEntry)> = Vec::new();
        for item in entries {
            let (s, k, e) = item;
            if gone.contains(&(s.as_str(), k.as_str())) {
                continue;
            }
            if !active(s) {
                idle.push(item);
            } else if !protected(s, k, e) {
                superseded.push(item);
            }
        }
        idle.sort_by_key(|(_, _, e)| e.used);
        superseded.sort_by_key(|(_, _, e)| e.used);
        for (s, k, e) in idle.into_iter().chain(superseded) {
            if total <= bounds.total {
                break;
            }
            total -= e.size;
            evicted.push((s.clone(), k.clone()));
        }
        if total > bounds.total {
            return Err(Refusal::Total {
                needed: total,
                bound: bounds.total,
            });
        }
    }
    Ok(evicted)
}

/// Every index entry, parsed; damaged ones are skipped.
pub(crate) fn read_index(
    backend: &dyn CacheBackend,
) -> Result<Vec<(String, String, IndexEntry)>, CacheError> {
    Ok(backend
        .scan_prefix(INDEX_PREFIX)?
        .into_iter()
        .filter_map(|(k, v)| {
            let rest = k.strip_prefix(INDEX_PREFIX)?;
            let (s, key) = rest.split_once('/')?;
            let e: IndexEntry = serde_json::from_slice(&v).ok()?;
            Some((s.to_owned(), key.to_owned(), e))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(store: &str, size: u64, created: u64, used: u64) -> IndexEntry {
        IndexEntry {
            store: store.into(),
            size,
            created,
            used,
        }
    }

    const B: Bounds = Bounds {
        per_session: 450,
        total: 500,
        active_window_ms: 1000,
    };

    #[test]
    fn idle_sessions_go_first_and_live_values_stay() {
        let now = 10_000;
        let entries = vec![
            // An active session: its newest value of "s" is protected.
            ("a".into(), "a1".into(), e("s", 100, 9_000, 9_900)),
            ("a".into(), "a0".into(), e("s", 100, 8_000, 8_000)),
            // An idle session.
            ("b".into(), "b1".into(), e("s", 100, 1_000, 2_000)),
            ("b".into(), "b2".into(), e("t", 100, 1_500, 1_500)),
        ];
        // Writer c needs 200: total 600 > 500, evict the idle session's LRU.
        let out = plan_eviction(&entries, "c", "s", 200, B, now).unwrap();
        assert_eq!(out, vec![("b".to_string(), "b2".to_string())]);
        // Needs 400: both idle values, then a's superseded a0, never a1.
        let out = plan_eviction(&entries, "c", "s", 400, B, now).unwrap();
        assert_eq!(out.len(), 3);
        assert!(!out.contains(&("a".into(), "a1".into())));
        // More than the bound allows without a1: refused.
        let err = plan_eviction(&entries, "c", "s", 401, B, now);
        assert!(matches!(err, Err(Refusal::Total { .. })), "{err:?}");
    }

    #[test]
    fn a_session_over_its_bound_loses_its_own_superseded_values() {
        let entries = vec![
            ("a".into(), "old".into(), e("s", 150, 1, 1)),
            ("a".into(), "keep".into(), e("t", 100, 2, 2)),
        ];
        let b = Bounds {
            per_session: 300,
            ..B
        };
        // Writing "s" again supersedes "old".
        let out = plan_eviction(&entries, "a", "s", 150, b, 10).unwrap();
        assert_eq!(out, vec![("a".to_string(), "old".to_string())]);
        // Writing a third store cannot evict either newest value.
        let err = plan_eviction(&entries, "a", "u", 100, b, 10);
        assert!(matches!(err, Err(Refusal::Session { .. })), "{err:?}");
    }
}
