//! Reading the component metadata of the pinned wheel.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

/// One prop as react-docgen describes it.
#[derive(Debug, Deserialize)]
pub struct Prop {
    #[serde(rename = "type", default)]
    pub type_: Value,
    #[serde(default)]
    pub description: String,
}

/// One component.
#[derive(Debug, Deserialize)]
pub struct ComponentMeta {
    #[serde(rename = "displayName")]
    pub display_name: String,
    #[serde(default)]
    pub description: String,
    pub props: BTreeMap<String, Prop>,
    #[serde(skip)]
    pub prop_order: Vec<String>,
}

/// One package of the wheel.
pub struct Package {
    /// Rust module name.
    pub module: &'static str,
    /// JS namespace.
    pub namespace: &'static str,
    /// Components sorted by name.
    pub components: Vec<ComponentMeta>,
}

const PACKAGES: [(&str, &str, &str); 3] = [
    ("html", "dash_html_components", "dash/html/metadata.json"),
    ("dcc", "dash_core_components", "dash/dcc/metadata.json"),
    ("dash_table", "dash_table", "dash/dash_table/metadata.json"),
];

/// Reads the three packages from the wheel at `wheel`.
pub fn read(wheel: &Path) -> Result<Vec<Package>, String> {
    let files = dash_fetch::read_wheel(wheel, |n| PACKAGES.iter().any(|p| p.2 == n))
        .map_err(|e| e.to_string())?;
    PACKAGES
        .iter()
        .map(|(module, namespace, path)| {
            let bytes = &files
                .iter()
                .find(|(n, _)| n == path)
                .ok_or_else(|| format!("{path} is not in the wheel"))?
                .1;
            // Keep the metadata's prop order (serde_json preserves it).
            let raw: serde_json::Map<String, Value> =
                serde_json::from_slice(bytes).map_err(|e| format!("{path}: {e}"))?;
            let mut components = Vec::new();
            for (source, v) in raw {
                let order: Vec<String> = v["props"]
                    .as_object()
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                let mut c: ComponentMeta =
                    serde_json::from_value(v).map_err(|e| format!("{path}: {e}"))?;
                c.prop_order = order;
                // The JS export (and Python class) is named after the file:
                // `Graph.react.js` exports `Graph` whose displayName is `PlotlyGraph`.
                let file = source.rsplit('/').next().unwrap_or(&source);
                c.display_name = file.split('.').next().unwrap_or(file).to_owned();
                components.push(c);
            }
            components.sort_by(|a, b| a.display_name.cmp(&b.display_name));
            Ok(Package {
                module,
                namespace,
                components,
            })
        })
        .collect()
}

fn is_node(name: &str) -> bool {
    name == "node" || name == "element"
}

fn is_shape(name: &str) -> bool {
    name == "shape" || name == "exact"
}

/// Paths of props that hold components, other than `children` (the rules of
/// Python Dash's `_collect_nodes.py`).
pub fn node_paths(c: &ComponentMeta) -> Vec<String> {
    let mut nodes = Vec::new();
    for name in &c.prop_order {
        let t = &c.props[name].type_;
        collect(name, t, &mut nodes);
    }
    nodes.retain(|n| n != "children");
    nodes
}

fn collect(key: &str, t: &Value, nodes: &mut Vec<String>) {
    let name = t["name"].as_str().unwrap_or("");
    if is_node(name) {
        nodes.push(key.to_owned());
    } else if name == "arrayOf" {
        collect_array(&t["value"], key, nodes);
    } else if is_shape(name) {
        collect_shape(&t["value"], key, nodes);
    } else if name == "union" {
        collect_union(&t["value"], key, nodes);
    } else if name == "objectOf" {
        collect_object(&t["value"], key, nodes);
    }
}

fn collect_shape(fields: &Value, base: &str, nodes: &mut Vec<String>) {
    if let Some(map) = fields.as_object() {
        for (field, v) in map {
            let t = if v.get("type").is_some() {
                &v["type"]
            } else {
                v
            };
            collect(&format!("{base}.{field}"), t, nodes);
        }
    }
}

fn collect_array(a: &Value, base: &str, nodes: &mut Vec<String>) {
    let name = a["name"].as_str().unwrap_or("");
    let key = format!("{base}[]");
    if is_node(name) {
        nodes.push(base.to_owned());
    } else if is_shape(name) {
        collect_shape(&a["value"], &key, nodes);
    } else if name == "union" {
        collect_union(&a["value"], &key, nodes);
    } else if name == "objectOf" {
        collect_object(&a["value"], &key, nodes);
    }
}

fn collect_union(types: &Value, base: &str, nodes: &mut Vec<String>) {
    for t in types.as_array().into_iter().flatten() {
        let name = t["name"].as_str().unwrap_or("");
        if is_node(name) {
            nodes.push(base.to_owned());
        } else if is_shape(name) {
            collect_shape(&t["value"], base, nodes);
        } else if name == "arrayOf" {
            collect_array(&t["value"], base, nodes);
        } else if name == "objectOf" {
            collect_object(&t["value"], base, nodes);
        }
    }
}

fn collect_object(o: &Value, base: &str, nodes: &mut Vec<String>) {
    let name = o["name"].as_str().unwrap_or("");
    let key = format!("{base}{{}}");
    if is_node(name) {
        nodes.push(key);
    } else if is_shape(name) {
        collect_shape(&o["value"], &key, nodes);
    } else if name == "union" {
        collect_union(&o["value"], &key, nodes);
    } else if name == "arrayOf" {
        collect_array(o, &key, nodes);
    }
}
