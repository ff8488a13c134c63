//! The parts of the callback context that read the request as a whole:
//! Python's `inputs_list`, `states_list`, `outputs_list`,
//! `triggered_prop_ids` as a map and `args_grouping`, plus the HTTP
//! request's path, query and remote address.

use std::net::SocketAddr;

use dash_protocol::ComponentId;
use serde::Serialize;
use serde_json::{Map, Value};

use super::CallbackContext;

/// What the HTTP request of a call was, besides its headers and body.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestFacts {
    pub(crate) path: String,
    pub(crate) query: Option<String>,
    pub(crate) remote: Option<SocketAddr>,
    /// The signed-in user (`crate::auth`).
    pub(crate) user: Option<crate::auth::User>,
}

/// One Input or State of the call, as Python's `args_grouping` gives it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArgEntry {
    /// The component id (a pattern-matching id is the matched one).
    pub id: ComponentId,
    /// The prop.
    pub property: String,
    /// Its value (`null` when the renderer sent none).
    pub value: Value,
    /// The id as the renderer writes it (`"in"`, or the pattern id's JSON).
    pub str_id: String,
    /// True if this prop triggered the call.
    pub triggered: bool,
}

/// An Input or State slot: one entry, or a list of them for a wildcard
/// (`ALL`, `ALLSMALLER`) dependency.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum ArgGroup {
    /// A plain or `MATCH` dependency.
    One(ArgEntry),
    /// A wildcard dependency: every matched component.
    Many(Vec<ArgEntry>),
}

impl ArgGroup {
    /// Every entry of the slot.
    pub fn entries(&self) -> &[ArgEntry] {
        match self {
            ArgGroup::One(e) => std::slice::from_ref(e),
            ArgGroup::Many(v) => v,
        }
    }
}

impl CallbackContext {
    fn request_json(&self) -> Map<String, Value> {
        match serde_json::from_slice(self.body()) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }

    fn list(&self, field: &str) -> Vec<Value> {
        match self.request_json().remove(field) {
            Some(Value::Array(v)) => v,
            Some(other) => vec![other],
            None => Vec::new(),
        }
    }

    /// Python's `inputs_list`: one item per Input, each
    /// `{"id", "property", "value"}` or, for a wildcard, a list of them.
    pub fn inputs_list(&self) -> Vec<Value> {
        self.list("inputs")
    }

    /// Python's `states_list`, shaped as [`inputs_list`](Self::inputs_list).
    pub fn states_list(&self) -> Vec<Value> {
        self.list("state")
    }

    /// Python's `outputs_list`: `{"id", "property"}` per output (the matched
    /// ids of pattern-matching outputs), a list for a wildcard output; a
    /// single object for a callback with one output, as Python gives it.
    pub fn outputs_list(&self) -> Value {
        self.request_json()
            .remove("outputs")
            .unwrap_or(Value::Array(Vec::new()))
    }

    /// Python's `triggered_prop_ids` dictionary: `<idstr>.<prop>` to the
    /// component id (a string, or the pattern id's object).
    pub fn triggered_prop_ids_map(&self) -> Map<String, Value> {
        self.triggered_prop_ids()
            .iter()
            .filter_map(|p| {
                let (id, _) = p.rsplit_once('.')?;
                let id = ComponentId::parse(id).ok()?;
                Some((p.clone(), serde_json::to_value(id).ok()?))
            })
            .collect()
    }

    /// Python's `args_grouping`: every Input, then every State, with its id,
    /// value and whether it triggered the call.
    pub fn args_grouping(&self) -> Vec<ArgGroup> {
        let triggered = self.triggered_prop_ids();
        let entry = |v: &Value| -> Option<ArgEntry> {
            let id: ComponentId = serde_json::from_value(v.get("id")?.clone()).ok()?;
            let property = v.get("property")?.as_str()?.to_owned();
            let str_id = id.to_string();
            let triggered = triggered
                .iter()
                .any(|t| t.rsplit_once('.') == Some((str_id.as_str(), property.as_str())));
            Some(ArgEntry {
                value: v.get("value").cloned().unwrap_or(Value::Null),
                id,
                property,
                str_id,
                triggered,
            })
        };
        self.inputs_list()
            .iter()
            .chain(self.states_list().iter())
            .filter_map(|slot| match slot {
                Value::Array(items) => {
                    Some(ArgGroup::Many(items.iter().filter_map(entry).collect()))
                }
                one => entry(one).map(ArgGroup::One),
            })
            .collect()
    }

    /// The Input or State `property` of the component `id` (the first match,
    /// wildcard slots included): access by id, as `args_grouping` allows.
    pub fn arg(&self, id: impl Into<ComponentId>, property: &str) -> Option<ArgEntry> {
        let id = id.into();
        self.args_grouping()
            .iter()
            .flat_map(|g| g.entries().iter())
            .find(|e| e.id == id && e.property == property)
            .cloned()
    }

    /// The path of the HTTP request (`/_dash-update-component` under the
    /// app's prefix); empty outside a request.
    pub fn request_path(&self) -> &str {
        &self.facts().path
    }

    /// The query string of the HTTP request, if any.
    pub fn request_query(&self) -> Option<&str> {
        self.facts().query.as_deref()
    }

    /// The address the request came from (the peer of the connection;
    /// behind a trusted proxy, the client it names with
    /// [`Dash::forwarded_headers`](crate::Dash::forwarded_headers) on).
    pub fn remote_addr(&self) -> Option<SocketAddr> {
        self.facts().remote
    }
}
