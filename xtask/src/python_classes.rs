//! Component metadata of wheels that ship no `metadata.json`
//! (dash-bootstrap-components, dash-mantine-components): the Python
//! classes `dash-generate-components` wrote from it, read back by
//! `python_classes.py` with Python's own parser (`ast`; nothing is
//! imported or run) into react-docgen's form, so the rest of the generator
//! treats them like any `metadata.json`.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::metadata::{ComponentMeta, Prop};

const SCRIPT: &str = include_str!("python_classes.py");

/// What the script prints for one class.
#[derive(Deserialize)]
struct PythonClass {
    #[serde(rename = "type")]
    type_: String,
    namespace: String,
    description: String,
    /// `[name, react-docgen type or null, description]`, in `_prop_names` order.
    props: Vec<(String, Value, String)>,
    children_props: Vec<String>,
}

/// `(module, class)` from the `from .X import Y` lines, first occurrence
/// of each class kept (dash-mantine-components lists some twice).
fn imports(text: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.trim().strip_prefix("from .") else {
            continue;
        };
        let Some((module, class)) = rest.split_once(" import ") else {
            continue;
        };
        let class = class.trim().to_owned();
        if !out.iter().any(|(_, c)| *c == class) {
            out.push((module.trim().to_owned(), class));
        }
    }
    out
}

/// Reads every class listed in `imports_path` (a path in the wheel).
pub fn read(
    wheel: &Path,
    imports_path: &str,
    namespace: &str,
) -> Result<Vec<ComponentMeta>, String> {
    let dir = imports_path
        .rsplit_once('/')
        .map(|(d, _)| d)
        .ok_or_else(|| format!("{imports_path}: no folder"))?;
    let files = dash_fetch::read_wheel(wheel, |n| {
        n.strip_prefix(dir)
            .and_then(|r| r.strip_prefix('/'))
            .is_some_and(|r| r.ends_with(".py") && !r.contains('/'))
    })
    .map_err(|e| e.to_string())?;
    let text = |path: &str| -> Result<String, String> {
        files
            .iter()
            .find(|(n, _)| n == path)
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
            .ok_or_else(|| format!("{path} is not in the wheel"))
    };
    let mut sources = Map::new();
    for (module, class) in imports(&text(imports_path)?) {
        let source = text(&format!("{dir}/{module}.py"))?;
        sources.insert(class, Value::String(source));
    }
    if sources.is_empty() {
        return Err(format!("{imports_path} imports no component"));
    }
    let classes = run_script(&Value::Object(sources).to_string())?;
    classes
        .into_iter()
        .map(|(class, c)| {
            if c.type_ != class || c.namespace != namespace {
                return Err(format!(
                    "{class}: _type {:?} and _namespace {:?}, expected {class:?} and {namespace:?}",
                    c.type_, c.namespace
                ));
            }
            Ok(ComponentMeta {
                name: class,
                description: c.description,
                props: c
                    .props
                    .into_iter()
                    .map(|(name, type_, description)| Prop {
                        name,
                        type_,
                        description,
                    })
                    .collect(),
                python_children_props: Some(c.children_props),
            })
        })
        .collect()
}

fn run_script(input: &str) -> Result<Vec<(String, PythonClass)>, String> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_owned());
    let mut child = Command::new(&python)
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = input.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{python}: {e}"))?;
    writer
        .join()
        .map_err(|_| "writer panicked".to_owned())?
        .map_err(|e| format!("writing to {python}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "reading the Python component classes failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let map: serde_json::Map<String, Value> =
        serde_json::from_slice(&out.stdout).map_err(|e| format!("script output: {e}"))?;
    map.into_iter()
        .map(|(k, v)| {
            serde_json::from_value(v)
                .map(|c| (k.clone(), c))
                .map_err(|e| format!("{k}: {e}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_keep_the_first_of_each_class() {
        let text = "from .A import A\nfrom .B import B\nfrom .A import A\n\n__all__ = []\n";
        assert_eq!(
            imports(text),
            [
                ("A".to_owned(), "A".to_owned()),
                ("B".to_owned(), "B".to_owned())
            ]
        );
    }

    #[test]
    fn the_script_reads_a_generated_class() {
        let source = r#"
import typing
from typing_extensions import TypedDict, NotRequired, Literal
from dash.development.base_component import Component, _explicitize_args

ComponentType = typing.Union[str, Component]

class Thing(Component):
    """A Thing component.
Shows a thing.

Keyword arguments:

- children (a list of or a singular dash component, string or number; optional):
    What is inside.

- id (string; optional):
    The ID.

- marks (list of dicts; optional):
    Marks on the track.

    `marks` is a list of dicts with keys:

    - value (number; required)

    - label (a list of or a singular dash component, string or number; optional)

- size (a value equal to: 'sm', 'lg', -1; optional):
    How big."""
    _children_props: typing.List[str] = ['marks[].label']
    _base_nodes = ['children']
    _namespace = 'things'
    _type = 'Thing'
    Marks = TypedDict(
        "Marks",
            {
            "value": NumberType,
            "label": NotRequired[ComponentType]
        }
    )

    def __init__(
        self,
        children: typing.Optional[ComponentType] = None,
        id: typing.Optional[typing.Union[str, dict]] = None,
        marks: typing.Optional[typing.Sequence["Marks"]] = None,
        size: typing.Optional[Literal["sm", "lg", -1]] = None,
        on: typing.Optional[bool] = None,
        **kwargs
    ):
        self._prop_names = ['children', 'id', 'marks', 'size', 'on', 'data-*']
"#;
        let input = serde_json::json!({ "Thing": source }).to_string();
        let out = run_script(&input).unwrap();
        let (name, c) = &out[0];
        assert_eq!((name.as_str(), c.type_.as_str()), ("Thing", "Thing"));
        assert_eq!(c.description, "Shows a thing.");
        assert_eq!(c.children_props, ["marks[].label"]);
        let names: Vec<&str> = c.props.iter().map(|p| p.0.as_str()).collect();
        assert_eq!(names, ["children", "id", "marks", "size", "on", "data-*"]);
        assert_eq!(c.props[0].1, serde_json::json!({"name": "node"}));
        assert_eq!(c.props[0].2, "What is inside.");
        assert_eq!(c.props[2].2, "Marks on the track.");
        assert_eq!(
            c.props[2].1,
            serde_json::json!({"name": "arrayOf", "value": {"name": "exact", "value": {
                "value": {"name": "number", "required": true},
                "label": {"name": "node", "required": false}
            }}})
        );
        assert_eq!(
            c.props[3].1["value"],
            serde_json::json!([
                {"value": "\"sm\"", "computed": false},
                {"value": "\"lg\"", "computed": false},
                {"value": "-1", "computed": false}
            ])
        );
        assert_eq!(c.props[4].1, serde_json::json!({"name": "bool"}));
        assert!(c.props[5].1.is_null());
    }
}
