//! Server-side stores: a callback's big result stays on the server and the
//! browser holds a small signed reference (the pattern of dash-extensions'
//! `Serverside` output, typed, signed and bound to the session).
//!
//! - `component.rs`: [`ServerStore`], a `dcc.Store` in the page, and the
//!   registry of the ids that are one (learnt from the layouts).
//! - `shared_ids.rs`: those ids shared with the app's other processes
//!   through the backend (a store one worker's callback added to the page).
//! - `capture.rs`: a callback's return value is serialized once; an output
//!   to a server store is encoded with the cache codec (MessagePack with
//!   field names, LZ4, CRC: nothing that runs code on load) instead of JSON,
//!   and a signed reference takes its place in the answer.
//! - `reference.rs`: the reference and its HMAC under the app secret.
//! - `list.rs`: a wildcard (`ALL`) Input or State over several stores, read
//!   as a list of their values.
//! - `read.rs`: an Input or State of a server store's `data` is verified
//!   against the request's session and loaded (in-process cache `local.rs`,
//!   else the backend); every read extends the value's time to live.
//! - `side.rs`: `set_props` of a store's `data` (also from background
//!   jobs): written as an output is, the page gets the reference.
//! - `bounds.rs`: per-session and total byte bounds across processes and
//!   hosts, evicting idle sessions' values first.
//! - `settings.rs`: the `Dash` builder methods and environment variables.

mod bounds;
mod capture;
mod component;
mod list;
mod local;
mod read;
mod reference;
mod settings;
mod shared;
mod shared_ids;
mod side;

use std::sync::Arc;
use std::time::Duration;

use dash_cache::CacheBackend;

pub(crate) use capture::{serialize as capture_serialize, store_target, Slot};
#[doc(hidden)]
pub use capture::{OutputPlan, Returned};
pub(crate) use component::{Registry, StoreSpec};
pub use component::{ServerStore, DEFAULT_TTL};
pub(crate) use list::{decode as decode_list, Item as ListItem};
pub(crate) use local::Held;
pub(crate) use read::{gone as gone_refusal, Loaded};
pub(crate) use settings::StoreSettings;
pub use shared::Shared;

use crate::session::AppSecret;

/// What the app builder keeps: the ids learnt from its layouts, the settings.
#[derive(Debug, Default)]
pub(crate) struct AppStores {
    pub registry: Arc<Registry>,
    pub settings: StoreSettings,
}

/// The signing material of one request's session.
#[derive(Clone)]
pub(crate) struct Binding {
    /// The session id (hex); never sent to the browser.
    pub session: String,
    pub secret: AppSecret,
}

/// A value encoded by a callback, to be written before the answer goes.
#[derive(Debug)]
pub(crate) struct PendingWrite {
    pub store: String,
    pub session: String,
    pub key: String,
    pub bytes: Vec<u8>,
    pub ttl: Duration,
}

/// Why a store's value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadRefusal {
    /// 403: not a reference this server issued to this session.
    Forbidden { store: String, message: String },
    /// 410: the value is gone, and the argument type cannot be `None`.
    Gone { store: String, message: String },
}

/// The app's server stores at run time: the ids, the bounds, the
/// in-process cache of values.
pub(crate) struct ServerStores {
    registry: Arc<Registry>,
    bounds: bounds::Bounds,
    local: local::LocalCache,
    lifetime: Duration,
}

impl ServerStores {
    pub(crate) fn new(
        registry: Arc<Registry>,
        settings: &StoreSettings,
    ) -> Result<Self, crate::Error> {
        let resolved = settings.resolve()?;
        Ok(ServerStores {
            registry,
            bounds: bounds::Bounds {
                per_session: resolved.per_session,
                total: resolved.total,
                active_window_ms: resolved.active_window.as_millis() as u64,
            },
            local: local::LocalCache::new(resolved.memory),
            lifetime: resolved.lifetime,
        })
    }

    /// Shares the ids learnt with the app's other processes (`shared_ids.rs`).
    pub(crate) fn share_through(&self, backend: Arc<dyn CacheBackend>) {
        self.registry.share_through(backend);
    }

    /// The store with this id (the renderer's string form), if it is one.
    pub(crate) fn store(&self, id: &str) -> Option<StoreSpec> {
        self.registry.get(id)
    }

    /// Strips the markers of `ServerStore`s a callback's answer adds to the
    /// page and learns their ids (a cheap text search first: most answers
    /// hold none; none at all in a process that never built a
    /// `ServerStore`).
    pub(crate) fn learn_answer(&self, json: String) -> String {
        if !component::any_built() || !json.contains(component::MARKER) {
            return json;
        }
        match serde_json::from_str::<serde_json::Value>(&json) {
            Ok(mut value) => {
                self.registry.learn_value(&mut value);
                serde_json::to_string(&value).unwrap_or(json)
            }
            Err(_) => json,
        }
    }

    /// The same for a `set_props` value.
    pub(crate) fn learn_value(&self, value: &mut serde_json::Value) {
        self.registry.learn_value(value);
    }

    /// Whether the app has any server store (else nothing is looked up).
    pub(crate) fn is_empty(&self) -> bool {
        self.registry.is_empty()
    }

    /// When a reference made now stops being accepted.
    pub(crate) fn expires_from_now(&self) -> u64 {
        crate::session::now_ms().saturating_add(self.lifetime.as_millis() as u64)
    }

    /// Writes the values a callback returned, after making room within the
    /// bounds; the error is for the server log.
    pub(crate) fn commit(
        &self,
        backend: &dyn CacheBackend,
        writes: Vec<PendingWrite>,
    ) -> Result<(), String> {
        for w in writes {
            self.write_one(backend, w)?;
        }
        Ok(())
    }

    fn write_one(&self, backend: &dyn CacheBackend, w: PendingWrite) -> Result<(), String> {
        let size = w.bytes.len() as u64;
        let now = crate::session::now_ms();
        let fail = |e: dash_cache::CacheError| {
            format!(
                "ServerStore {:?}: the value cannot be stored: {e}",
                dash_protocol::excerpt(&w.store, dash_protocol::ECHO_LIMIT)
            )
        };
        let index = bounds::read_index(backend).map_err(fail)?;
        let evict = bounds::plan_eviction(&index, &w.session, &w.store, size, self.bounds, now)
            .map_err(|r| {
                let (what, needed, bound) = match r {
                    bounds::Refusal::Session { needed, bound } => ("this session", needed, bound),
                    bounds::Refusal::Total { needed, bound } => ("all sessions", needed, bound),
                };
                format!(
                    "ServerStore {:?}: a value of {size} bytes does not fit: {what} would hold {needed} bytes, over the bound of {bound} bytes, and the rest is the live data of active sessions (Dash::server_store_limits)",
                    dash_protocol::excerpt(&w.store, dash_protocol::ECHO_LIMIT)
                )
            })?;
        for (session, key) in evict {
            let vk = bounds::value_key(&session, &key);
            backend.delete(&vk).map_err(fail)?;
            backend
                .delete(&bounds::index_key(&session, &key))
                .map_err(fail)?;
            self.local.remove(&vk);
            tracing::debug!(bytes = size, "server store value evicted to make room");
        }
        let vk = bounds::value_key(&w.session, &w.key);
        backend.set(&vk, &w.bytes, Some(w.ttl)).map_err(fail)?;
        let entry = bounds::IndexEntry {
            store: w.store.clone(),
            size,
            created: now,
            used: now,
        };
        backend
            .set(
                &bounds::index_key(&w.session, &w.key),
                &serde_json::to_vec(&entry).unwrap_or_default(),
                Some(index_ttl(w.ttl)),
            )
            .map_err(fail)?;
        if let Ok(body) = dash_cache::codec::unframe(&w.bytes) {
            self.local.insert(&vk, Arc::new(local::Held::new(body)));
        }
        Ok(())
    }
}

/// Index entries live a little longer than their values, and are written
/// again at most every [`read::INDEX_REFRESH`] while the value is used.
fn index_ttl(ttl: Duration) -> Duration {
    ttl + Duration::from_secs(60)
}
