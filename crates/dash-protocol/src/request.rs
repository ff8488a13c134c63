//! The body of `POST _dash-update-component`, read without copying values.
//!
//! Values stay borrowed slices of the request body ([`RawValue`]) until a
//! callback argument is deserialized straight from them.

use std::borrow::Cow;

use serde::de::{self, Deserializer};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::{ComponentId, ProtocolError};

mod decode;
pub use decode::{leading_output, Decoded, ValueDecoder};

/// A callback request as the renderer sends it.
///
/// ```
/// use dash_protocol::request::CallbackRequest;
/// let body = br#"{"output":"out.children","outputs":{"id":"out","property":"children"},
///   "inputs":[{"id":"in","property":"value","value":"hi"}],"changedPropIds":["in.value"]}"#;
/// let req = CallbackRequest::parse(body).unwrap();
/// assert_eq!(req.output, "out.children");
/// assert_eq!(req.inputs[0].entries()[0].value.unwrap().get(), r#""hi""#);
/// ```
#[derive(Debug, Deserialize)]
pub struct CallbackRequest<'a> {
    /// The callback key from `_dash-dependencies`, verbatim.
    #[serde(borrow)]
    pub output: Cow<'a, str>,
    /// The concrete outputs; absent for no-output callbacks.
    #[serde(default)]
    pub outputs: Option<OutputSpec>,
    /// One slot per declared Input.
    #[serde(borrow, default)]
    pub inputs: Vec<ArgSlot<'a>>,
    /// One slot per declared State.
    #[serde(borrow, default)]
    pub state: Vec<ArgSlot<'a>>,
    /// `<idstr>.<prop>` of the inputs that triggered this call.
    #[serde(default, rename = "changedPropIds")]
    pub changed_prop_ids: Vec<String>,
}

impl<'a> CallbackRequest<'a> {
    /// Parses a request body.
    pub fn parse(body: &'a [u8]) -> Result<Self, ProtocolError> {
        serde_json::from_slice(body).map_err(|e| ProtocolError::MalformedRequest(bounded(&e)))
    }
}

/// serde's message without the values it quotes at full length (an
/// `invalid type: string "…"` can hold a whole megabyte), with its position.
pub(crate) fn bounded(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let position = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&position).unwrap_or(&text);
    let mut out = crate::excerpt(message, 2 * crate::ECHO_LIMIT).into_owned();
    if e.line() > 0 {
        out.push_str(&position);
    }
    out
}

/// One Input or State of a request: a single entry, or for `ALL` and
/// `ALLSMALLER` wildcards a list of entries.
#[derive(Debug)]
pub enum ArgSlot<'a> {
    /// A plain or `MATCH` dependency.
    One(ArgEntry<'a>),
    /// An `ALL`/`ALLSMALLER` dependency: every matching component.
    Many(Vec<ArgEntry<'a>>),
}

impl<'a> ArgSlot<'a> {
    /// The entries of this slot (one, or every wildcard match).
    pub fn entries(&self) -> &[ArgEntry<'a>] {
        match self {
            ArgSlot::One(e) => std::slice::from_ref(e),
            ArgSlot::Many(v) => v,
        }
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for ArgSlot<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SlotVisitor<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> de::Visitor<'de> for SlotVisitor<'a> {
            type Value = ArgSlot<'a>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an {id, property, value} object or a list of them")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<ArgSlot<'a>, A::Error> {
                ArgEntry::deserialize(de::value::MapAccessDeserializer::new(map)).map(ArgSlot::One)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<ArgSlot<'a>, A::Error> {
                Vec::<ArgEntry<'a>>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(ArgSlot::Many)
            }
        }
        // One pass over the body: a large value is scanned once here (as a
        // borrowed slice) and parsed once more into the argument type.
        d.deserialize_any(SlotVisitor(std::marker::PhantomData))
    }
}

/// One component prop sent with a request.
#[derive(Debug, Deserialize)]
pub struct ArgEntry<'a> {
    /// The concrete id.
    pub id: ComponentId,
    /// The prop name.
    #[serde(borrow)]
    pub property: Cow<'a, str>,
    /// The value; `None` when the prop is undefined in the browser, or
    /// when it was [`decoded`](ArgEntry::decoded) as the request was read.
    #[serde(borrow, default)]
    pub value: Option<&'a RawValue>,
    /// The value as a [`ValueDecoder`] decoded it
    /// ([`CallbackRequest::parse_decoding`]).
    #[serde(skip)]
    pub decoded: Option<Decoded>,
}

/// A concrete output the renderer expects to be answered.
#[derive(Debug, Clone, Deserialize)]
pub struct OutputTarget {
    /// The concrete id.
    pub id: ComponentId,
    /// The prop name, possibly with an `@suffix`.
    pub property: String,
}

impl OutputTarget {
    /// The prop name without any `@suffix` of `allow_duplicate`.
    pub fn clean_property(&self) -> &str {
        self.property.split('@').next().unwrap_or(&self.property)
    }
}

/// The `outputs` field: one object for a single-output callback, a list for
/// several; an `ALL` output is itself a list.
#[derive(Debug, Clone)]
pub enum OutputSpec {
    /// A single output.
    One(OutputTarget),
    /// Several outputs, in declared order.
    Many(Vec<OutputSlot>),
}

/// One declared output of a multi-output callback.
#[derive(Debug, Clone)]
pub enum OutputSlot {
    /// A plain or `MATCH` output.
    One(OutputTarget),
    /// An `ALL` output: every matching component.
    Many(Vec<OutputTarget>),
}

impl<'de> Deserialize<'de> for OutputSlot {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SlotVisitor;
        impl<'de> de::Visitor<'de> for SlotVisitor {
            type Value = OutputSlot;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an {id, property} object or a list of them")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<OutputSlot, A::Error> {
                OutputTarget::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(OutputSlot::One)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<OutputSlot, A::Error> {
                Vec::<OutputTarget>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(OutputSlot::Many)
            }
        }
        d.deserialize_any(SlotVisitor)
    }
}

impl<'de> Deserialize<'de> for OutputSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SpecVisitor;
        impl<'de> de::Visitor<'de> for SpecVisitor {
            type Value = OutputSpec;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an {id, property} object or a list of output slots")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<OutputSpec, A::Error> {
                OutputTarget::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(OutputSpec::One)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<OutputSpec, A::Error> {
                Vec::<OutputSlot>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(OutputSpec::Many)
            }
        }
        d.deserialize_any(SpecVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_request_shapes() {
        let body =
            br#"{"output":"..{\"kind\":\"card\",\"n\":[\"ALL\"]}.children...total.children..",
 "outputs": [[{"id": {"kind": "card", "n": 1}, "property": "children"},
              {"id": {"kind": "card", "n": 2}, "property": "children"}],
             {"id": "total", "property": "children"}],
 "inputs": [[{"id": {"kind": "btn", "n": 1}, "property": "n_clicks", "value": 3},
             {"id": {"kind": "btn", "n": 2}, "property": "n_clicks"}]],
 "state": [{"id": "store", "property": "data", "value": {"seen": [1]}}],
 "changedPropIds": ["{\"kind\":\"btn\",\"n\":1}.n_clicks"],
 "parsedChangedPropsIds": [{"kind": "btn", "n": 1}]}"#;
        let req = CallbackRequest::parse(body).unwrap();
        let ArgSlot::Many(entries) = &req.inputs[0] else {
            panic!("expected many")
        };
        assert_eq!(entries.len(), 2);
        assert!(entries[1].value.is_none());
        assert_eq!(
            req.state[0].entries()[0].value.unwrap().get(),
            r#"{"seen": [1]}"#
        );
        let Some(OutputSpec::Many(outs)) = &req.outputs else {
            panic!("expected many outputs")
        };
        assert!(matches!(&outs[0], OutputSlot::Many(v) if v.len() == 2));
        assert!(matches!(&outs[1], OutputSlot::One(t) if t.property == "children"));
    }

    #[test]
    fn missing_state_and_outputs() {
        let body = br#"{"output":"abc","inputs":[{"id":"x","property":"n_submit","value":1}],"changedPropIds":[]}"#;
        let req = CallbackRequest::parse(body).unwrap();
        assert!(req.outputs.is_none());
        assert!(req.state.is_empty());
    }

    #[test]
    fn malformed_bodies_are_errors() {
        assert!(CallbackRequest::parse(b"{").is_err());
        assert!(CallbackRequest::parse(b"[]").is_err());
        assert!(CallbackRequest::parse(br#"{"inputs":[]}"#).is_err());
    }

    #[test]
    fn suffix_is_stripped() {
        let t = OutputTarget {
            id: "s".into(),
            property: "data@abc".into(),
        };
        assert_eq!(t.clean_property(), "data");
    }
}
