//! The body of a successful `_dash-update-component` answer.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::ComponentId;

/// `{"multi": true, "response": {idstr: {prop: value}}, "sideUpdate": ...}`.
///
/// ```
/// use dash_protocol::response::CallbackResponse;
/// use serde_json::value::RawValue;
/// let mut r = CallbackResponse::default();
/// r.set(&"out".into(), "children", RawValue::from_string("\"hi\"".into()).unwrap());
/// assert_eq!(serde_json::to_string(&r).unwrap(), r#"{"multi":true,"response":{"out":{"children":"hi"}}}"#);
/// ```
#[derive(Debug, Default, Serialize)]
pub struct CallbackResponse {
    multi: Multi,
    response: BTreeMap<String, BTreeMap<String, Box<RawValue>>>,
    #[serde(rename = "sideUpdate", skip_serializing_if = "BTreeMap::is_empty")]
    side_update: BTreeMap<String, BTreeMap<String, Box<RawValue>>>,
}

#[derive(Debug, Default)]
struct Multi;

impl Serialize for Multi {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(true)
    }
}

impl CallbackResponse {
    /// Sets one output value.
    pub fn set(&mut self, id: &ComponentId, property: &str, value: Box<RawValue>) {
        self.response
            .entry(id.to_string())
            .or_default()
            .insert(property.to_owned(), value);
    }

    /// Adds a `set_props` update of another component.
    pub fn side_update(&mut self, id: &ComponentId, property: &str, value: Box<RawValue>) {
        self.side_update
            .entry(id.to_string())
            .or_default()
            .insert(property.to_owned(), value);
    }

    /// Every output value set: `(idstr, prop, value)`.
    pub fn outputs(&self) -> impl Iterator<Item = (&str, &str, &RawValue)> {
        self.response.iter().flat_map(|(id, props)| {
            props
                .iter()
                .map(move |(p, v)| (id.as_str(), p.as_str(), &**v))
        })
    }

    /// True when no output and no side update is set.
    pub fn is_empty(&self) -> bool {
        self.response.is_empty() && self.side_update.is_empty()
    }
}
