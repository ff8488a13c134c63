//! Reading a server store's value for an Input or State: the reference is
//! verified against the request's own session (a key from the browser is
//! never used to reach another session's data: the backend key is built
//! from the session id of the verified cookie), then the value is taken from
//! the in-process cache or the backend. Every read extends its time to live.

use std::sync::Arc;
use std::time::Duration;

use dash_cache::CacheBackend;
use dash_protocol::{excerpt, ECHO_LIMIT};

use super::bounds::{self, IndexEntry};
use super::local::Held;
use super::reference::{self, Refused};
use super::{index_ttl, Binding, ReadRefusal, ServerStores, StoreSpec};

/// A process writes a value's index entry (its last use, for the bounds) at
/// most this often (or a quarter of the active window, if shorter).
pub(crate) const INDEX_REFRESH: Duration = Duration::from_secs(10);

/// What the browser's data of a store led to.
pub(crate) enum Loaded {
    /// The value, checked and decompressed.
    Body(Arc<Held>),
    /// No data yet (`null`): the store was never written, or cleared.
    Empty,
    /// A valid reference whose value is no longer on the server.
    Gone,
}

impl ServerStores {
    /// Verifies the data `raw` (JSON text) of store `store` and loads its
    /// value. `backend` is `None` when the cache cannot be opened.
    pub(crate) fn load(
        &self,
        backend: Option<&dyn CacheBackend>,
        binding: Option<&Binding>,
        store: &str,
        spec: StoreSpec,
        raw: Option<&str>,
    ) -> Result<Loaded, ReadRefusal> {
        let raw = raw.map(str::trim).unwrap_or("null");
        if raw == "null" {
            return Ok(Loaded::Empty);
        }
        let shown = excerpt(store, ECHO_LIMIT);
        let forbidden = |why: &str| ReadRefusal::Forbidden {
            store: shown.to_string(),
            message: format!("ServerStore {shown:?}: {why}"),
        };
        let Some(binding) = binding else {
            return Err(forbidden("the reference was sent without a session"));
        };
        let verified = reference::verify(&binding.secret, store, &binding.session, raw).map_err(
            |r| match r {
                Refused::Shape => forbidden("the store's data is not a reference this server issued"),
                Refused::Signature => forbidden(
                    "the reference is not valid for this session (altered, made up, or issued to another session)",
                ),
            },
        )?;
        if verified.expires <= crate::session::now_ms() {
            return Ok(Loaded::Gone);
        }
        let Some(backend) = backend else {
            return Ok(Loaded::Gone);
        };
        let vk = bounds::value_key(&binding.session, &verified.key);
        let ttl = spec.ttl();
        if let Some((body, indexed)) = self.local.get(&vk) {
            return match backend.touch(&vk, ttl) {
                Ok(true) => {
                    let every =
                        INDEX_REFRESH.min(Duration::from_millis(self.bounds.active_window_ms / 4));
                    if indexed.elapsed() >= every {
                        self.refresh_index(backend, binding, store, &verified, ttl);
                        self.local.indexed(&vk);
                    }
                    Ok(Loaded::Body(body))
                }
                Ok(false) => {
                    self.local.remove(&vk);
                    Ok(Loaded::Gone)
                }
                Err(e) => {
                    // Values never change: the copy held here is still right.
                    tracing::warn!(error = %e, "cache backend failed while extending a server store value; using this process's copy");
                    Ok(Loaded::Body(body))
                }
            };
        }
        match backend.get(&vk) {
            Ok(Some(bytes)) => match dash_cache::codec::unframe(&bytes) {
                Ok(body) => {
                    let body = Arc::new(Held::new(body));
                    self.local.insert(&vk, body.clone());
                    let _ = backend.touch(&vk, ttl);
                    self.refresh_index(backend, binding, store, &verified, ttl);
                    Ok(Loaded::Body(body))
                }
                Err(e) => {
                    tracing::warn!(error = %e, "damaged server store value read as gone");
                    Ok(Loaded::Gone)
                }
            },
            Ok(None) => Ok(Loaded::Gone),
            Err(e) => {
                tracing::warn!(error = %e, "cache backend failed while reading a server store value");
                Ok(Loaded::Gone)
            }
        }
    }

    /// Records the use in the value's index entry (for the bounds' LRU).
    fn refresh_index(
        &self,
        backend: &dyn CacheBackend,
        binding: &Binding,
        store: &str,
        verified: &reference::Verified,
        ttl: Duration,
    ) {
        let ik = bounds::index_key(&binding.session, &verified.key);
        let now = crate::session::now_ms();
        let created = backend
            .get(&ik)
            .ok()
            .flatten()
            .and_then(|b| serde_json::from_slice::<IndexEntry>(&b).ok())
            .map_or(now, |e| e.created);
        let entry = IndexEntry {
            store: store.to_owned(),
            size: verified.size,
            created,
            used: now,
        };
        if let Err(e) = backend.set(
            &ik,
            &serde_json::to_vec(&entry).unwrap_or_default(),
            Some(index_ttl(ttl)),
        ) {
            tracing::debug!(error = %e, "cannot record a server store value's use");
        }
    }
}

/// The message of a gone value for an argument that cannot be `None`.
pub(crate) fn gone(store: &str, expected: &str) -> ReadRefusal {
    let shown = excerpt(store, ECHO_LIMIT);
    ReadRefusal::Gone {
        store: shown.to_string(),
        message: format!(
            "ServerStore {shown:?}: its value is no longer on the server (expired, evicted or cleared); take Option<{expected}> in the callback to get None instead"
        ),
    }
}
