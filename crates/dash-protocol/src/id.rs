//! Component ids: plain strings or pattern-matching objects.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use crate::ProtocolError;

/// A pattern-matching wildcard inside an object id of a dependency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Wildcard {
    /// Matches every component whose other keys match.
    All,
    /// Matches the component with the same value as the triggering one.
    Match,
    /// Matches every component whose value is smaller than the triggering one.
    AllSmaller,
}

impl Wildcard {
    /// The wire name, as the renderer writes it (`"ALL"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Wildcard::All => "ALL",
            Wildcard::Match => "MATCH",
            Wildcard::AllSmaller => "ALLSMALLER",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "ALL" => Some(Wildcard::All),
            "MATCH" => Some(Wildcard::Match),
            "ALLSMALLER" => Some(Wildcard::AllSmaller),
            _ => None,
        }
    }
}

/// One value of an object id: a string, a number, a boolean, or (in
/// dependencies only) a wildcard.
#[derive(Debug, Clone, PartialEq)]
pub enum IdValue {
    /// A string value.
    String(String),
    /// A numeric value.
    Number(serde_json::Number),
    /// A boolean value.
    Bool(bool),
    /// A wildcard, only meaningful inside a callback dependency.
    Wildcard(Wildcard),
}

impl IdValue {
    fn write_js(&self, out: &mut String) {
        match self {
            IdValue::String(s) => out.push_str(&serde_json::to_string(s).expect("string")),
            IdValue::Number(n) => out.push_str(&crate::json::js_number(n)),
            IdValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            IdValue::Wildcard(w) => {
                out.push_str("[\"");
                out.push_str(w.as_str());
                out.push_str("\"]");
            }
        }
    }
}

impl From<&str> for IdValue {
    fn from(v: &str) -> Self {
        IdValue::String(v.to_owned())
    }
}
impl From<String> for IdValue {
    fn from(v: String) -> Self {
        IdValue::String(v)
    }
}
impl From<bool> for IdValue {
    fn from(v: bool) -> Self {
        IdValue::Bool(v)
    }
}
impl From<Wildcard> for IdValue {
    fn from(v: Wildcard) -> Self {
        IdValue::Wildcard(v)
    }
}
macro_rules! id_value_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for IdValue {
            fn from(v: $t) -> Self { IdValue::Number(v.into()) }
        }
    )*};
}
id_value_from_int!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl From<f64> for IdValue {
    fn from(v: f64) -> Self {
        match serde_json::Number::from_f64(v) {
            Some(n) => IdValue::Number(n),
            None => IdValue::String(v.to_string()),
        }
    }
}

/// The id of a component: a string, or an object used by pattern-matching
/// callbacks.
///
/// ```
/// use dash_protocol::{ComponentId, Wildcard};
///
/// let plain = ComponentId::from("city");
/// assert_eq!(plain.to_string(), "city");
///
/// let card = ComponentId::object([("n", 1.into()), ("kind", "card".into())]);
/// assert_eq!(card.to_string(), r#"{"kind":"card","n":1}"#);
///
/// let all = ComponentId::object([("n", Wildcard::All.into()), ("kind", "card".into())]);
/// assert_eq!(all.to_string(), r#"{"kind":"card","n":["ALL"]}"#);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ComponentId {
    /// A plain string id.
    String(String),
    /// An object id; keys are kept sorted, as the renderer sorts them.
    Object(BTreeMap<String, IdValue>),
}

impl ComponentId {
    /// Builds an object id from key/value pairs.
    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, IdValue)>) -> Self {
        ComponentId::Object(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// True if any value is a wildcard.
    pub fn has_wildcard(&self) -> bool {
        match self {
            ComponentId::String(_) => false,
            ComponentId::Object(map) => map.values().any(|v| matches!(v, IdValue::Wildcard(_))),
        }
    }

    /// The wildcards in this id, with their keys.
    pub fn wildcards(&self) -> Vec<(&str, Wildcard)> {
        match self {
            ComponentId::String(_) => Vec::new(),
            ComponentId::Object(map) => map
                .iter()
                .filter_map(|(k, v)| match v {
                    IdValue::Wildcard(w) => Some((k.as_str(), *w)),
                    _ => None,
                })
                .collect(),
        }
    }

    /// Checks the rules Dash applies to ids: string ids are non-empty and
    /// contain no `.` (the renderer splits `id.prop` at dots) and do not
    /// start with `{`; object ids have at least one key and no dot in any
    /// string value.
    pub fn validate(&self) -> Result<(), ProtocolError> {
        let fail = |reason: &str| {
            Err(ProtocolError::InvalidId {
                id: crate::excerpt(&self.to_string(), crate::ECHO_LIMIT).into_owned(),
                reason: reason.to_owned(),
            })
        };
        match self {
            ComponentId::String(s) => {
                if s.is_empty() {
                    return fail("an id must not be empty");
                }
                if s.contains('.') {
                    return fail("a string id must not contain '.'");
                }
                if s.starts_with('{') {
                    return fail("a string id must not start with '{'");
                }
            }
            ComponentId::Object(map) => {
                if map.is_empty() {
                    return fail("an object id needs at least one key");
                }
                for (k, v) in map {
                    if k.contains('.') {
                        return fail("object id keys must not contain '.'");
                    }
                    if let IdValue::String(s) = v {
                        if s.contains('.') {
                            return fail("object id values must not contain '.'");
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// True if `concrete`, an id of a component on the page, is one this id
    /// stands for: the same id for a plain one; for a pattern, the same keys
    /// with equal values, and any string, number or boolean where the
    /// pattern has a wildcard. Numbers compare as the renderer writes them
    /// (`2` and `2.0` are equal).
    ///
    /// ```
    /// use dash_protocol::{ComponentId, Wildcard};
    /// let pattern = ComponentId::object([("kind", "card".into()), ("n", Wildcard::All.into())]);
    /// let card = ComponentId::object([("kind", "card".into()), ("n", 3.into())]);
    /// let button = ComponentId::object([("kind", "btn".into()), ("n", 3.into())]);
    /// assert!(pattern.matches(&card));
    /// assert!(!pattern.matches(&button));
    /// assert!(ComponentId::from("a").matches(&"a".into()));
    /// ```
    pub fn matches(&self, concrete: &ComponentId) -> bool {
        match (self, concrete) {
            (ComponentId::String(a), ComponentId::String(b)) => a == b,
            (ComponentId::Object(pattern), ComponentId::Object(values)) => {
                pattern.len() == values.len()
                    && pattern
                        .iter()
                        .zip(values)
                        .all(|((pk, pv), (vk, vv))| pk == vk && value_matches(pv, vv))
            }
            _ => false,
        }
    }

    /// Parses the renderer's string form back into an id: a string starting
    /// with `{` is read as an object id.
    pub fn parse(s: &str) -> Result<Self, ProtocolError> {
        if s.starts_with('{') {
            serde_json::from_str(s).map_err(|e| ProtocolError::InvalidId {
                id: crate::excerpt(s, crate::ECHO_LIMIT).into_owned(),
                reason: format!("not a valid object id: {e}"),
            })
        } else {
            Ok(ComponentId::String(s.to_owned()))
        }
    }
}

/// One value of a pattern against one value of a concrete id.
fn value_matches(pattern: &IdValue, value: &IdValue) -> bool {
    match (pattern, value) {
        (_, IdValue::Wildcard(_)) => false,
        (IdValue::Wildcard(_), _) => true,
        (IdValue::Number(a), IdValue::Number(b)) => {
            a == b || crate::json::js_number(a) == crate::json::js_number(b)
        }
        (a, b) => a == b,
    }
}

impl fmt::Display for ComponentId {
    /// The renderer's `stringifyId` form: strings as they are, objects with
    /// sorted keys, no spaces, wildcards as one-element arrays.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComponentId::String(s) => f.write_str(s),
            ComponentId::Object(map) => {
                let mut out = String::with_capacity(16 * map.len());
                out.push('{');
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&serde_json::to_string(k).expect("string"));
                    out.push(':');
                    v.write_js(&mut out);
                }
                out.push('}');
                f.write_str(&out)
            }
        }
    }
}

impl From<&str> for ComponentId {
    fn from(v: &str) -> Self {
        ComponentId::String(v.to_owned())
    }
}
impl From<String> for ComponentId {
    fn from(v: String) -> Self {
        ComponentId::String(v)
    }
}
impl From<&String> for ComponentId {
    fn from(v: &String) -> Self {
        ComponentId::String(v.clone())
    }
}
impl From<&ComponentId> for ComponentId {
    fn from(v: &ComponentId) -> Self {
        v.clone()
    }
}

impl Serialize for IdValue {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            IdValue::String(v) => s.serialize_str(v),
            IdValue::Number(n) => n.serialize(s),
            IdValue::Bool(b) => s.serialize_bool(*b),
            IdValue::Wildcard(w) => [w.as_str()].serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for IdValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = serde_json::Value::deserialize(d)?;
        match v {
            serde_json::Value::String(s) => Ok(IdValue::String(s)),
            serde_json::Value::Number(n) => Ok(IdValue::Number(n)),
            serde_json::Value::Bool(b) => Ok(IdValue::Bool(b)),
            serde_json::Value::Array(a) if a.len() == 1 => a[0]
                .as_str()
                .and_then(Wildcard::parse)
                .map(IdValue::Wildcard)
                .ok_or_else(|| {
                    de::Error::custom(
                        "an id value array must be [\"ALL\"], [\"MATCH\"] or [\"ALLSMALLER\"]",
                    )
                }),
            other => Err(de::Error::custom(format!(
                "an id value must be a string, number or boolean, not {other}"
            ))),
        }
    }
}

impl Serialize for ComponentId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ComponentId::String(v) => s.serialize_str(v),
            ComponentId::Object(map) => {
                let mut m = s.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for ComponentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl<'de> serde::de::Visitor<'de> for IdVisitor {
            type Value = ComponentId;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a component id: a string or an object")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<ComponentId, E> {
                Ok(ComponentId::String(v.to_owned()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<ComponentId, E> {
                Ok(ComponentId::String(v))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<ComponentId, A::Error> {
                BTreeMap::<String, IdValue>::deserialize(
                    serde::de::value::MapAccessDeserializer::new(map),
                )
                .map(ComponentId::Object)
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stringify_matches_renderer_form() {
        let id = ComponentId::object([
            ("type", "filter-dropdown".into()),
            ("index", 2.into()),
            ("on", true.into()),
        ]);
        assert_eq!(
            id.to_string(),
            r#"{"index":2,"on":true,"type":"filter-dropdown"}"#
        );
        let wild = ComponentId::object([("n", Wildcard::AllSmaller.into())]);
        assert_eq!(wild.to_string(), r#"{"n":["ALLSMALLER"]}"#);
        assert_eq!(ComponentId::from(r#"a"b"#).to_string(), r#"a"b"#);
        let float = ComponentId::object([("x", 2.0f64.into()), ("y", 0.5f64.into())]);
        assert_eq!(float.to_string(), r#"{"x":2,"y":0.5}"#);
    }

    #[test]
    fn parse_round_trips() {
        let text = r#"{"kind":"card","n":["MATCH"]}"#;
        let id = ComponentId::parse(text).unwrap();
        assert_eq!(id.to_string(), text);
        assert!(id.has_wildcard());
        assert_eq!(
            ComponentId::parse("plain").unwrap(),
            ComponentId::from("plain")
        );
        assert!(ComponentId::parse("{broken").is_err());
    }

    #[test]
    fn large_numbers_print_and_read_back_the_same() {
        let id = ComponentId::parse(r#"{"n":12345678903214567890123}"#).unwrap();
        let printed = id.to_string();
        assert_eq!(ComponentId::parse(&printed).unwrap().to_string(), printed);
        assert!(id.matches(&ComponentId::parse(&printed).unwrap()));
    }

    #[test]
    fn validate_refuses_dots_and_empty() {
        assert!(ComponentId::from("a.b").validate().is_err());
        assert!(ComponentId::from("").validate().is_err());
        assert!(ComponentId::object([("k", "v.w".into())])
            .validate()
            .is_err());
        assert!(ComponentId::from("ok-id_1").validate().is_ok());
    }
}
