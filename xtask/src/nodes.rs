//! The `children_props` of a component: paths of props, other than
//! `children`, that may hold components. A port of Python Dash's
//! `dash/development/_collect_nodes.py`, quirks included, so both back ends
//! send the renderer the same config.

use serde_json::Value;

use crate::metadata::ComponentMeta;

fn is_node(name: &str) -> bool {
    matches!(name, "node" | "element")
}

fn is_shape(name: &str) -> bool {
    matches!(name, "shape" | "exact")
}

fn name_of(t: &Value) -> &str {
    t.get("name").and_then(Value::as_str).unwrap_or("")
}

/// Node paths of `c`: `name` for a node prop, `name[]`, `name{}` and
/// `name.field` inside arrays, objects and shapes.
pub fn node_paths(c: &ComponentMeta) -> Vec<String> {
    let mut nodes = Vec::new();
    for p in c.props.iter().filter(|p| p.name != "children") {
        collect_prop(&p.name, &p.type_, &mut nodes);
    }
    nodes
}

/// `collect_nodes` for one entry: `t` is a prop's type, or a shape field
/// (which carries its type directly, or under `type`).
fn collect_prop(key: &str, t: &Value, nodes: &mut Vec<String>) {
    let t = t.get("type").unwrap_or(t);
    match name_of(t) {
        n if is_node(n) => nodes.push(key.to_owned()),
        "arrayOf" => collect_array(t.get("value").unwrap_or(t), key, nodes),
        n if is_shape(n) => collect_shape(&t["value"], key, nodes),
        "union" => collect_union(&t["value"], key, nodes),
        "objectOf" => collect_object(&t["value"], key, nodes),
        _ => {}
    }
}

fn collect_shape(fields: &Value, base: &str, nodes: &mut Vec<String>) {
    for (field, t) in fields.as_object().into_iter().flatten() {
        collect_prop(&format!("{base}.{field}"), t, nodes);
    }
}

fn collect_array(a: &Value, base: &str, nodes: &mut Vec<String>) {
    let key = format!("{base}[]");
    match name_of(a) {
        // An array of nodes is listed under the prop itself.
        n if is_node(n) => nodes.push(base.to_owned()),
        n if is_shape(n) => collect_shape(&a["value"], &key, nodes),
        "union" => collect_union(&a["value"], &key, nodes),
        "objectOf" => collect_object(&a["value"], &key, nodes),
        _ => {}
    }
}

fn collect_union(types: &Value, base: &str, nodes: &mut Vec<String>) {
    for t in types.as_array().into_iter().flatten() {
        match name_of(t) {
            n if is_node(n) => nodes.push(base.to_owned()),
            n if is_shape(n) => collect_shape(&t["value"], base, nodes),
            "arrayOf" => collect_array(&t["value"], base, nodes),
            "objectOf" => collect_object(&t["value"], base, nodes),
            _ => {}
        }
    }
}

fn collect_object(o: &Value, base: &str, nodes: &mut Vec<String>) {
    let key = format!("{base}{{}}");
    match name_of(o) {
        n if is_node(n) => nodes.push(key),
        n if is_shape(n) => collect_shape(o.get("value").unwrap_or(&Value::Null), &key, nodes),
        "union" => collect_union(&o["value"], &key, nodes),
        // Python passes the arrayOf type itself here, so nothing below it
        // is found; kept for parity.
        "arrayOf" => collect_array(o, &key, nodes),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Prop;
    use serde_json::json;

    fn component(props: Value) -> ComponentMeta {
        ComponentMeta {
            name: "X".into(),
            description: String::new(),
            props: props
                .as_object()
                .unwrap()
                .iter()
                .map(|(n, t)| Prop {
                    name: n.clone(),
                    type_: t.clone(),
                    description: String::new(),
                })
                .collect(),
            python_children_props: None,
        }
    }

    #[test]
    fn paths() {
        let c = component(json!({
            "children": {"name": "node"},
            "label": {"name": "node"},
            "icons": {"name": "arrayOf", "value": {"name": "node"}},
            "options": {"name": "arrayOf", "value": {"name": "exact", "value": {
                "label": {"name": "union", "value": [{"name": "string"}, {"name": "node"}]},
                "value": {"name": "string"}
            }}},
            "slots": {"name": "objectOf", "value": {"name": "element"}},
            "nested": {"name": "shape", "value": {"inner": {"type": {"name": "node"}}}},
            "text": {"name": "string"}
        }));
        assert_eq!(
            node_paths(&c),
            [
                "label",
                "icons",
                "options[].label",
                "slots{}",
                "nested.inner"
            ]
        );
    }
}
