//! The `ServerStore` component and the registry of the ids that are one.
//!
//! In the page a `ServerStore` is a `dcc.Store` whose data is a small signed
//! reference. The builder marks its props with [`MARKER`] (its settings);
//! the app strips the marker from every layout it serves and remembers the
//! id, so callbacks that write or read the store's `data` go through the
//! server-side store instead of the browser.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use super::shared_ids::SharedIds;

use dash_protocol::{Children, Component, ComponentId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The prop that marks a `ServerStore` until the layout is served.
pub(crate) const MARKER: &str = "__dash_rs_server_store";

/// How long a value lives after its last use when the store sets nothing.
pub const DEFAULT_TTL: Duration = Duration::from_secs(30 * 60);

/// Ids remembered at most (layouts that make new ids on every load cannot
/// grow the registry without bound).
const MAX_STORES: usize = 10_000;

/// A store whose value stays on the server: the browser holds a small
/// signed reference (`{"ref": "<key>.<signature>", "size": N, "expires": T}`),
/// the value lives in the app's cache backend (SQLite, Redis or memory),
/// bound to the browser's session.
///
/// It reads like `dcc::Store` in the layout and in callbacks: a callback
/// with `Output("x", "data")` returns the typed value, one with
/// `Input("x", "data")` or `State("x", "data")` takes it (`Option<T>`: `None`
/// before the first write, or once the value has expired). Switching an app
/// between the two is the one word `dcc::Store` → `ServerStore`.
///
/// Pattern-matching ids work as for `dcc::Store`: an `ALL` output returns a
/// `Vec`, one value per matched store, each stored with its own reference;
/// an `ALL` Input or State takes `Vec<Option<T>>`, each reference verified
/// against its own store. `ctx.set_props(id, json!({"data": value}))` stores
/// the value too, and the page gets the reference.
///
/// ```
/// use dash::prelude::*;
/// use std::time::Duration;
///
/// let mut app = Dash::new();
/// app.layout(html::Div::new().children((
///     dcc::Dropdown::new().id("fruit").options(["apples", "figs"]).value("apples"),
///     ServerStore::new().id("dataset").ttl(Duration::from_secs(600)),
///     html::Div::new().id("summary"),
/// )));
/// app.callback(
///     Callback::new().output(("dataset", "data")).input(("fruit", "value")),
///     |fruit: String| vec![fruit.len() as f64; 100_000],     // stays on the server
/// );
/// app.callback(
///     Callback::new().output(("summary", "children")).input(("dataset", "data")),
///     |data: Option<Vec<f64>>| format!("{} values", data.map_or(0, |d| d.len())),
/// );
/// ```
#[derive(Debug, Clone, Default)]
pub struct ServerStore {
    id: Option<ComponentId>,
    storage_type: Option<String>,
    ttl: Option<Duration>,
}

/// What the marker carries to the registry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StoreSpec {
    /// Milliseconds a value lives after its last use.
    pub ttl_ms: u64,
}

/// The marker's value: the spec and this process's token. Only a marker
/// made by the builder in this process is learnt, so a component tree the
/// browser sent and a callback echoes back cannot turn an id into a server
/// store (the registry is shared by every session of the process).
#[derive(Debug, Serialize, Deserialize)]
struct Marked {
    #[serde(flatten)]
    spec: StoreSpec,
    token: String,
}

static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// True once this process built a `ServerStore` component: before, no
/// answer can hold a marker that counts, and none is looked for.
pub(crate) fn any_built() -> bool {
    TOKEN.get().is_some()
}

/// 128 random bits, made once per process.
fn process_token() -> &'static str {
    TOKEN.get_or_init(|| {
        let bits: u128 = rand::random();
        format!("{bits:032x}")
    })
}

impl StoreSpec {
    pub(crate) fn ttl(&self) -> Duration {
        Duration::from_millis(self.ttl_ms.max(1))
    }
}

impl ServerStore {
    /// A store with no id yet.
    pub fn new() -> Self {
        ServerStore::default()
    }

    /// The id callbacks use (`Output(id, "data")`, `Input(id, "data")`).
    pub fn id(mut self, id: impl Into<ComponentId>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Where the browser keeps the reference: `memory` (default), `session`
    /// or `local`, as `dcc::Store`. A kept reference still works only for
    /// the same session and while its value lives.
    pub fn storage_type(mut self, kind: impl Into<String>) -> Self {
        self.storage_type = Some(kind.into());
        self
    }

    /// How long a value lives on the server after its last read or write
    /// (default 30 minutes); every read extends it.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    /// The `dcc.Store` the renderer sees, with the marker the app strips.
    pub fn into_component(self) -> Component {
        let mut c = Component::new("dash_core_components", "Store");
        if let Some(id) = &self.id {
            c.set_prop("id", id);
        }
        c.set_prop(
            "storage_type",
            self.storage_type.as_deref().unwrap_or("memory"),
        );
        let spec = StoreSpec {
            ttl_ms: self.ttl.unwrap_or(DEFAULT_TTL).as_millis().max(1) as u64,
        };
        c.set_prop(
            MARKER,
            Marked {
                spec,
                token: process_token().to_owned(),
            },
        );
        c
    }
}

impl From<ServerStore> for Component {
    fn from(s: ServerStore) -> Self {
        s.into_component()
    }
}

impl From<ServerStore> for Children {
    fn from(s: ServerStore) -> Self {
        Children::from(s.into_component())
    }
}

/// The ids of the app's server stores, learnt from its layouts and answers,
/// and from the other processes through the backend (`shared_ids.rs`).
#[derive(Debug, Default)]
pub(crate) struct Registry {
    stores: RwLock<HashMap<String, StoreSpec>>,
    shared: OnceLock<SharedIds>,
}

impl Registry {
    /// Removes the markers from a layout and remembers their stores.
    pub(crate) fn learn_component(&self, component: &mut Component) {
        let mut found = Vec::new();
        strip_props(component.props_mut(), &mut found);
        self.remember(found);
    }

    /// The same for a JSON value that may hold components (a callback's
    /// answer or `set_props` value that adds a `ServerStore` to the page).
    pub(crate) fn learn_value(&self, value: &mut Value) {
        let mut found = Vec::new();
        strip_value(value, &mut found);
        self.remember(found);
    }

    /// Shares the ids learnt, from now on and so far, with the app's other
    /// processes through `backend` (once; the server does it at start).
    pub(crate) fn share_through(&self, backend: Arc<dyn dash_cache::CacheBackend>) {
        if self.shared.set(SharedIds::new(backend)).is_ok() {
            let known: Vec<(String, StoreSpec)> = {
                let stores = self.stores.read().unwrap_or_else(|p| p.into_inner());
                stores
                    .iter()
                    .map(|(id, spec)| (id.clone(), *spec))
                    .collect()
            };
            if let (false, Some(shared)) = (known.is_empty(), self.shared.get()) {
                shared.publish(&known);
            }
        }
    }

    fn remember(&self, found: Vec<(String, StoreSpec)>) {
        if found.is_empty() {
            return;
        }
        self.remember_here(&found);
        if let Some(shared) = self.shared.get() {
            shared.publish(&found);
        }
    }

    fn remember_here(&self, found: &[(String, StoreSpec)]) {
        let mut stores = self.stores.write().unwrap_or_else(|p| p.into_inner());
        for (id, spec) in found {
            if stores.len() < MAX_STORES || stores.contains_key(id) {
                stores.insert(id.clone(), *spec);
            }
        }
    }

    /// The store with this id (the renderer's string form), if it is one:
    /// known here, or learnt by another process of the app.
    pub(crate) fn get(&self, id: &str) -> Option<StoreSpec> {
        let local = {
            let stores = self.stores.read().unwrap_or_else(|p| p.into_inner());
            stores.get(id).copied()
        };
        if local.is_some() {
            return local;
        }
        let spec = self.shared.get()?.lookup(id)?;
        self.remember_here(&[(id.to_owned(), spec)]);
        Some(spec)
    }

    /// Whether the app has no server store, here or in another process.
    pub(crate) fn is_empty(&self) -> bool {
        let here = self
            .stores
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_empty();
        here && self.shared.get().is_none_or(|s| !s.any())
    }
}

fn strip_props(props: &mut serde_json::Map<String, Value>, found: &mut Vec<(String, StoreSpec)>) {
    if let Some(marker) = props.remove(MARKER) {
        let id = props
            .get("id")
            .and_then(|v| serde_json::from_value::<ComponentId>(v.clone()).ok());
        if let (Some(id), Ok(marked)) = (id, serde_json::from_value::<Marked>(marker)) {
            if marked.token == process_token() {
                found.push((id.to_string(), marked.spec));
            }
        }
    }
    for v in props.values_mut() {
        strip_value(v, found);
    }
}

fn strip_value(v: &mut Value, found: &mut Vec<(String, StoreSpec)>) {
    match v {
        Value::Array(items) => items.iter_mut().for_each(|i| strip_value(i, found)),
        Value::Object(map) => {
            if map.contains_key("namespace") {
                if let Some(Value::Object(props)) = map.get_mut("props") {
                    strip_props(props, found);
                    return;
                }
            }
            map.values_mut().for_each(|i| strip_value(i, found));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dash_components::html;

    #[test]
    fn markers_are_stripped_and_ids_learnt() {
        let mut layout: Component = html::Div::new()
            .children((
                ServerStore::new().id("a").ttl(Duration::from_secs(5)),
                html::Div::new().children(ServerStore::new().id("b").storage_type("local")),
            ))
            .into();
        let registry = Registry::default();
        registry.learn_component(&mut layout);
        let text = serde_json::to_string(&layout).unwrap();
        assert!(!text.contains(MARKER), "{text}");
        assert!(text.contains(r#""type":"Store""#) && text.contains(r#""storage_type":"local""#));
        assert_eq!(registry.get("a"), Some(StoreSpec { ttl_ms: 5000 }));
        assert_eq!(registry.get("b").map(|s| s.ttl()), Some(DEFAULT_TTL));
        assert_eq!(registry.get("c"), None);

        // A callback's answer adding a store with a pattern id.
        let id = ComponentId::object([("type", "s".into()), ("i", 3i64.into())]);
        let mut answer =
            serde_json::json!(["text", Component::from(ServerStore::new().id(id.clone()))]);
        registry.learn_value(&mut answer);
        assert!(!answer.to_string().contains(MARKER), "{answer}");
        assert_eq!(
            registry.get(&id.to_string()).map(|s| s.ttl()),
            Some(DEFAULT_TTL)
        );

        // A marker the browser made up (sent in a component tree that a
        // callback echoes back) is stripped and not learnt.
        let mut forged = serde_json::json!({"namespace": "dash_core_components", "type": "Store",
            "props": {"id": "forged", MARKER: {"ttl_ms": 1000, "token": "0".repeat(32)}}});
        registry.learn_value(&mut forged);
        assert!(!forged.to_string().contains(MARKER), "{forged}");
        assert_eq!(registry.get("forged"), None);
        let mut old_form = serde_json::json!({"namespace": "dash_core_components", "type": "Store",
            "props": {"id": "old", MARKER: {"ttl_ms": 1000}}});
        registry.learn_value(&mut old_form);
        assert_eq!(registry.get("old"), None);
    }
}
