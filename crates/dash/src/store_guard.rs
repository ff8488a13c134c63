//! The store size guard (debug mode, plotly/dash#2123): a warning in the
//! server log naming a `dcc.Store` whose `data` passes a size.
//!
//! The browser owns a store's value and sends all of it with every callback
//! that reads it; every write sends it back; `local` and `session` stores
//! share a quota of about 5 MB per origin (2.6 M characters in Safari). Dash's
//! documentation calls 2 MB "generally safe", so the default limit, 1 MiB,
//! warns at half of that: the quota is shared by every store of the origin,
//! and a megabyte of state per request is where the network transfer starts
//! to dominate a callback's time (plotly/dash#3452).
//!
//! Callbacks know components only by id, so the guard learns which ids are
//! `dcc.Store`s from the layouts it sees: the fixed layout at start, every
//! rendering of a layout function, and callback values that hold a `Store`.
//! It checks the `data` of those ids in requests (Inputs and States) and in
//! answers (Outputs and `set_props`), and warns once per store per process.

use std::collections::HashSet;
use std::sync::{Mutex, RwLock};

use dash_protocol::{excerpt, ComponentId, ECHO_LIMIT};
use serde_json::Value;

use crate::{Dash, Error};

/// The limit when neither the app nor `DASH_STORE_WARNING_BYTES` sets one.
pub(crate) const DEFAULT_STORE_WARNING_BYTES: usize = 1024 * 1024;

/// Ids remembered at most, so layouts that make new ids on every load
/// cannot grow the sets without bound.
const MAX_IDS: usize = 10_000;

impl Dash {
    /// In debug mode, logs a warning naming a `dcc.Store` whose `data` (sent
    /// by the browser or written by a callback) is larger than `bytes` of
    /// JSON, once per store. Default 1 MiB; `DASH_STORE_WARNING_BYTES` sets
    /// it when the app does not; 0 turns the warning off.
    ///
    /// ```
    /// let app = dash::Dash::new().debug(true).store_size_warning(256 * 1024);
    /// # let _ = app;
    /// ```
    pub fn store_size_warning(mut self, bytes: usize) -> Self {
        self.settings.store_warning_bytes = Some(bytes);
        self
    }
}

/// Which way a store value went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Passage {
    /// The browser sent it (an Input or State).
    Sent,
    /// A callback wrote it (an Output or `set_props`).
    Written,
}

/// Known store ids and the stores already warned about.
#[derive(Debug)]
pub(crate) struct StoreGuard {
    limit: usize,
    stores: RwLock<HashSet<String>>,
    warned: Mutex<HashSet<String>>,
}

impl StoreGuard {
    /// A guard for debug mode, from the app's setting or the environment;
    /// `None` outside debug mode or with a limit of 0.
    pub(crate) fn for_app(setting: Option<usize>, debug: bool) -> Result<Option<Self>, Error> {
        if !debug {
            return Ok(None);
        }
        let limit = match setting {
            Some(n) => n,
            None => match std::env::var("DASH_STORE_WARNING_BYTES") {
                Ok(v) if !v.trim().is_empty() => {
                    v.trim().parse().map_err(|_| Error::InvalidSetting {
                        name: "DASH_STORE_WARNING_BYTES".into(),
                        reason: format!("{v:?} is not a number of bytes (0 turns the warning off)"),
                    })?
                }
                _ => DEFAULT_STORE_WARNING_BYTES,
            },
        };
        Ok((limit > 0).then(|| StoreGuard::new(limit)))
    }

    pub(crate) fn new(limit: usize) -> Self {
        StoreGuard {
            limit,
            stores: RwLock::new(HashSet::new()),
            warned: Mutex::new(HashSet::new()),
        }
    }

    /// Learns the ids of the `dcc.Store`s in layout JSON (or in a callback's
    /// value); text without a `"Store"` is skipped without parsing.
    pub(crate) fn learn(&self, json: &[u8]) {
        const NEEDLE: &[u8] = b"\"Store\"";
        if !json.windows(NEEDLE.len()).any(|w| w == NEEDLE) {
            return;
        }
        let Ok(value) = serde_json::from_slice::<Value>(json) else {
            return;
        };
        let mut found = Vec::new();
        collect_stores(&value, &mut found);
        if found.is_empty() {
            return;
        }
        let mut stores = self.stores.write().unwrap_or_else(|e| e.into_inner());
        for id in found {
            if stores.len() >= MAX_IDS {
                break;
            }
            stores.insert(id);
        }
    }

    fn is_store(&self, id: &str) -> bool {
        self.stores
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(id)
    }

    /// Warns if `property` of `id` is a store's `data` of more than the
    /// limit, the first time for that store; true if it warned now.
    pub(crate) fn check(
        &self,
        id: &impl std::fmt::Display,
        property: &str,
        bytes: usize,
        passage: Passage,
        callback: &str,
    ) -> bool {
        if property != "data" || bytes <= self.limit {
            return false;
        }
        let id = id.to_string();
        if !self.is_store(&id) {
            return false;
        }
        {
            let mut warned = self.warned.lock().unwrap_or_else(|e| e.into_inner());
            if warned.len() >= MAX_IDS || !warned.insert(id.clone()) {
                return false;
            }
        }
        let how = match passage {
            Passage::Sent => "sent by the browser to",
            Passage::Written => "written by",
        };
        tracing::warn!(
            store = %excerpt(&id, ECHO_LIMIT),
            callback = %excerpt(callback, ECHO_LIMIT),
            bytes,
            limit = self.limit,
            "dcc.Store {:?}: its data {how} the callback is {bytes} bytes of JSON, above the store \
             size warning of {} bytes. The browser sends the whole value with every callback that \
             reads it and receives it with every write, and local/session storage holds about 5 MB \
             per origin: keep large data on the server (CallbackContext::cache) and store a key. \
             Set Dash::store_size_warning or DASH_STORE_WARNING_BYTES to change the limit (0: off); \
             this store is not reported again.",
            excerpt(&id, ECHO_LIMIT),
            self.limit,
        );
        true
    }
}

/// Ids of every `dash_core_components.Store` in a layout tree.
fn collect_stores(node: &Value, out: &mut Vec<String>) {
    match node {
        Value::Array(items) => items.iter().for_each(|i| collect_stores(i, out)),
        Value::Object(map) => {
            let is_store = map.get("namespace").and_then(Value::as_str)
                == Some("dash_core_components")
                && map.get("type").and_then(Value::as_str) == Some("Store");
            if is_store {
                let id = map.get("props").and_then(|p| p.get("id"));
                if let Some(id) =
                    id.and_then(|v| serde_json::from_value::<ComponentId>(v.clone()).ok())
                {
                    out.push(id.to_string());
                }
            }
            map.values().for_each(|v| collect_stores(v, out));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dash_protocol::Component;

    fn store(id: &str) -> Component {
        Component::new("dash_core_components", "Store").with_prop("id", id)
    }

    #[test]
    fn learns_stores_from_layouts_and_warns_once_per_store() {
        let guard = StoreGuard::new(100);
        let layout = Component::new("dash_html_components", "Div").with_prop(
            "children",
            dash_protocol::Children::from((
                store("big"),
                store("other"),
                Component::new("dash_table", "DataTable").with_prop("id", "table"),
            )),
        );
        guard.learn(&serde_json::to_vec(&layout).unwrap());
        let id = |s: &str| ComponentId::from(s);
        assert!(
            !guard.check(&id("big"), "data", 100, Passage::Sent, "cb"),
            "at the limit"
        );
        assert!(!guard.check(&id("big"), "modified_timestamp", 500, Passage::Sent, "cb"));
        assert!(
            !guard.check(&id("table"), "data", 500, Passage::Sent, "cb"),
            "not a store"
        );
        assert!(guard.check(&id("big"), "data", 101, Passage::Sent, "cb"));
        assert!(
            !guard.check(&id("big"), "data", 5000, Passage::Written, "cb"),
            "once"
        );
        assert!(guard.check(&id("other"), "data", 5000, Passage::Written, "cb"));
        // A store that arrives in a callback's value is learned too.
        assert!(!guard.check(&id("late"), "data", 5000, Passage::Sent, "cb"));
        guard.learn(&serde_json::to_vec(&store("late")).unwrap());
        assert!(guard.check(&id("late"), "data", 5000, Passage::Sent, "cb"));
    }

    #[test]
    fn off_outside_debug_and_at_zero() {
        assert!(StoreGuard::for_app(Some(10), false).unwrap().is_none());
        assert!(StoreGuard::for_app(Some(0), true).unwrap().is_none());
        assert_eq!(
            StoreGuard::for_app(Some(10), true).unwrap().unwrap().limit,
            10
        );
    }
}
