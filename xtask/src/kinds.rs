//! Which Rust parameter type a prop's setter takes.

use serde_json::Value;

/// The parameter type of a setter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `impl Into<ComponentId>` (the `id` prop).
    Id,
    /// `impl Into<Children>` (`node`, `element`).
    Node,
    /// `impl Into<String>` (`string`).
    Text,
    /// `bool` (`bool`).
    Flag,
    /// `impl Into<Number>` (`number`).
    Number,
    /// `impl serde::Serialize` (everything else).
    Any,
}

impl Kind {
    /// The parameter type as Rust source.
    pub fn param(self) -> &'static str {
        match self {
            Kind::Id => "impl Into<ComponentId>",
            Kind::Node => "impl Into<Children>",
            Kind::Text => "impl Into<String>",
            Kind::Flag => "bool",
            Kind::Number => "impl Into<Number>",
            Kind::Any => "impl Serialize",
        }
    }

    /// The expression turning `value` into a `serde_json::Value`.
    pub fn to_value(self) -> &'static str {
        match self {
            Kind::Id => "to_value(&value.into())",
            Kind::Node => "value.into().into_value()",
            Kind::Text => "Value::String(value.into())",
            Kind::Flag => "Value::Bool(value)",
            Kind::Number => "value.into().0",
            Kind::Any => "to_value(&value)",
        }
    }
}

/// Types Python Dash cannot pass either: such props get no setter.
fn is_unsettable(name: &str) -> bool {
    matches!(name, "func" | "symbol" | "instanceOf")
}

fn simple(name: &str) -> Option<Kind> {
    match name {
        "node" | "element" => Some(Kind::Node),
        "string" => Some(Kind::Text),
        "bool" => Some(Kind::Flag),
        "number" => Some(Kind::Number),
        _ => None,
    }
}

/// The kind of the prop `name` with react-docgen type `t`, or `None` when it
/// gets no setter (`setProps`, functions, wildcard attributes, no type).
///
/// A union whose members all have the same simple kind (TypeScript's
/// `string | undefined` comes out as a one-member union) takes that kind.
pub fn kind(name: &str, t: &Value) -> Option<Kind> {
    if name == "setProps" || name.ends_with("-*") {
        return None;
    }
    let type_name = t.get("name")?.as_str()?;
    if is_unsettable(type_name) {
        return None;
    }
    if name == "id" {
        return Some(Kind::Id);
    }
    if let Some(k) = simple(type_name) {
        return Some(k);
    }
    if type_name == "union" {
        let members: Vec<Option<Kind>> = t["value"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| m["name"].as_str().and_then(simple))
            .collect();
        if let Some(&Some(first)) = members.first() {
            if members.iter().all(|m| *m == Some(first)) {
                return Some(first);
            }
        }
    }
    Some(Kind::Any)
}

/// The prop type in a compact TypeScript-like notation for the docs of
/// `impl Serialize` setters, e.g. `"local" | "session" | "memory"` or
/// `{label: node, value: string, disabled?: boolean}[]`. Nested shapes
/// are abbreviated until the text fits in `max_len` characters.
pub fn describe(t: &Value, max_len: usize) -> String {
    let mut text = String::new();
    for depth in (0..=4).rev() {
        text = describe_at(t, depth);
        if text.len() <= max_len {
            break;
        }
    }
    text
}

fn describe_at(t: &Value, depth: usize) -> String {
    let name = t.get("name").and_then(Value::as_str).unwrap_or("any");
    let value = &t["value"];
    match name {
        "bool" => "boolean".to_owned(),
        "string" | "number" | "node" | "element" | "object" | "array" | "any" => name.to_owned(),
        "enum" => {
            let values: Vec<String> = value
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|v| v.get("value"))
                .map(|v| match v {
                    Value::String(s) => js_literal(s),
                    other => other.to_string(),
                })
                .collect();
            if values.is_empty() {
                "any".to_owned()
            } else {
                values.join(" | ")
            }
        }
        "literal" => match value {
            Value::String(s) => format!("{s:?}"),
            other => other.to_string(),
        },
        "union" => {
            let mut members: Vec<String> = Vec::new();
            for m in value.as_array().into_iter().flatten() {
                let d = describe_at(m, depth);
                if !members.contains(&d) {
                    members.push(d);
                }
            }
            if members.is_empty() {
                "any".to_owned()
            } else {
                members.join(" | ")
            }
        }
        "arrayOf" => {
            let inner = describe_at(value, depth);
            let alternatives = matches!(value["name"].as_str(), Some("union" | "enum"));
            if alternatives && inner.contains(" | ") {
                format!("({inner})[]")
            } else {
                format!("{inner}[]")
            }
        }
        "objectOf" => format!("{{[key: string]: {}}}", describe_at(value, depth)),
        "shape" | "exact" => {
            if depth == 0 {
                return "object".to_owned();
            }
            let fields: Vec<String> = value
                .as_object()
                .into_iter()
                .flatten()
                .map(|(field, f)| {
                    let optional = if f["required"].as_bool() == Some(true) {
                        ""
                    } else {
                        "?"
                    };
                    let ft = f.get("type").unwrap_or(f);
                    format!("{field}{optional}: {}", describe_at(ft, depth - 1))
                })
                .collect();
            format!("{{{}}}", fields.join(", "))
        }
        _ => "any".to_owned(),
    }
}

/// A JS literal from the metadata (`'local'`, `"x"`, `true`, `3`) as JSON.
fn js_literal(s: &str) -> String {
    let quoted = s.len() >= 2
        && ((s.starts_with('\'') && s.ends_with('\'')) || (s.starts_with('"') && s.ends_with('"')));
    if quoted {
        format!("{:?}", &s[1..s.len() - 1])
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn kinds() {
        assert_eq!(kind("id", &json!({"name": "union"})), Some(Kind::Id));
        assert_eq!(kind("setProps", &json!({"name": "func"})), None);
        assert_eq!(kind("onClick", &json!({"name": "func"})), None);
        assert_eq!(kind("data-*", &json!({"name": "string"})), None);
        assert_eq!(kind("x", &Value::Null), None);
        assert_eq!(kind("x", &json!({"name": "element"})), Some(Kind::Node));
        assert_eq!(kind("x", &json!({"name": "enum"})), Some(Kind::Any));
        let one = json!({"name": "union", "value": [{"name": "string"}]});
        assert_eq!(kind("x", &one), Some(Kind::Text));
        let two = json!({"name": "union", "value": [{"name": "string"}, {"name": "number"}]});
        assert_eq!(kind("x", &two), Some(Kind::Any));
        assert_eq!(
            kind("x", &json!({"name": "union", "value": []})),
            Some(Kind::Any)
        );
    }

    #[test]
    fn descriptions() {
        let e = json!({"name": "enum", "value": [{"computed": false}, {"value": "'local'"}, {"value": "3"}]});
        assert_eq!(describe(&e, 100), r#""local" | 3"#);
        let a = json!({"name": "arrayOf", "value": {"name": "exact", "value": {
            "label": {"name": "union", "value": [{"name": "string"}, {"name": "node"}], "required": true},
            "disabled": {"name": "bool"}
        }}});
        assert_eq!(
            describe(&a, 100),
            "{label: string | node, disabled?: boolean}[]"
        );
        assert_eq!(describe(&a, 10), "object[]");
        let o = json!({"name": "objectOf", "value": {"name": "literal", "value": "x"}});
        assert_eq!(describe(&o, 100), r#"{[key: string]: "x"}"#);
    }
}
