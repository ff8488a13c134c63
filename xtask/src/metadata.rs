//! Reads the component metadata (react-docgen output) of the pinned wheels.

use std::path::Path;

use dash_fetch::{MetadataSource, Suite};
use serde_json::{Map, Value};

/// One package of a wheel and where its files are.
#[derive(Clone, Copy)]
pub struct PackageSpec {
    /// Rust module name (`dcc`).
    pub module: &'static str,
    /// JS namespace the bundle registers (`dash_core_components`).
    pub namespace: &'static str,
    /// Directory of the package inside the wheel.
    pub dir: &'static str,
    /// The wheel it comes from, for the header (`dash 4.4.1`).
    pub wheel: &'static str,
    /// Its version.
    pub version: &'static str,
    /// A third-party suite (its own `children_props` table and module
    /// docs), not a package of the dash wheel.
    pub suite: bool,
}

/// The packages whose builders we generate.
pub const PACKAGES: [PackageSpec; 3] = [
    PackageSpec {
        module: "html",
        namespace: "dash_html_components",
        dir: "dash/html",
        wheel: "dash",
        version: "4.4.1",
        suite: false,
    },
    PackageSpec {
        module: "dcc",
        namespace: "dash_core_components",
        dir: "dash/dcc",
        wheel: "dash",
        version: "4.4.1",
        suite: false,
    },
    PackageSpec {
        module: "dash_table",
        namespace: "dash_table",
        dir: "dash/dash_table",
        wheel: "dash",
        version: "4.4.1",
        suite: false,
    },
];

/// One prop, in metadata order.
pub struct Prop {
    /// The JS name (metadata key).
    pub name: String,
    /// The react-docgen `type` object (`Value::Null` when absent).
    pub type_: Value,
    /// Description, possibly empty.
    pub description: String,
}

/// One component.
pub struct ComponentMeta {
    /// Type name in the layout JSON and Rust struct name (the source file
    /// stem, which is also the Python class name and the `_type`).
    pub name: String,
    /// Description, possibly empty.
    pub description: String,
    /// Props in metadata order.
    pub props: Vec<Prop>,
    /// The `_children_props` of the Python class, when the metadata came
    /// from one (Python Dash sends exactly these to the renderer).
    pub python_children_props: Option<Vec<String>>,
}

impl ComponentMeta {
    /// Whether the component accepts `<prefix>-*` attributes.
    pub fn has_wildcard(&self, prefix: &str) -> bool {
        let key = format!("{prefix}-*");
        self.props.iter().any(|p| p.name == key)
    }
}

/// One package with its components sorted by name.
pub struct Package {
    /// Where it came from.
    pub spec: PackageSpec,
    /// Components sorted by name.
    pub components: Vec<ComponentMeta>,
}

/// Reads every package of [`PACKAGES`] from the wheel at `wheel`.
pub fn read(wheel: &Path) -> Result<Vec<Package>, String> {
    let wanted = |n: &str| {
        PACKAGES.iter().any(|p| {
            n == format!("{}/metadata.json", p.dir) || n == format!("{}/_imports_.py", p.dir)
        })
    };
    let files = dash_fetch::read_wheel(wheel, wanted).map_err(|e| e.to_string())?;
    let file = |path: String| -> Result<&[u8], String> {
        files
            .iter()
            .find(|(n, _)| *n == path)
            .map(|(_, b)| b.as_slice())
            .ok_or_else(|| format!("{path} is not in the wheel"))
    };
    PACKAGES
        .iter()
        .map(|spec| {
            let meta_path = format!("{}/metadata.json", spec.dir);
            let imports_path = format!("{}/_imports_.py", spec.dir);
            let classes = python_classes(&String::from_utf8_lossy(file(imports_path.clone())?));
            let mut components = parse(file(meta_path.clone())?).map_err(|e| format!("{meta_path}: {e}"))?;
            components.sort_by(|a, b| a.name.cmp(&b.name));
            let names: Vec<&str> = components.iter().map(|c| c.name.as_str()).collect();
            let mut sorted_classes: Vec<&str> = classes.iter().map(String::as_str).collect();
            sorted_classes.sort_unstable();
            if names != sorted_classes {
                return Err(format!(
                    "{meta_path} components {names:?} differ from the Python classes of {imports_path} {sorted_classes:?}"
                ));
            }
            Ok(Package {
                spec: *spec,
                components,
            })
        })
        .collect()
}

/// Reads the components of a third-party suite from its wheel.
pub fn read_suite(suite: &'static Suite, wheel: &Path) -> Result<Package, String> {
    let spec = PackageSpec {
        module: suite.feature,
        namespace: suite.namespace,
        dir: suite.package,
        wheel: suite.wheel.name,
        version: suite.wheel.version,
        suite: true,
    };
    let mut components = match suite.metadata {
        MetadataSource::Json(path) => {
            let files = dash_fetch::read_wheel(wheel, |n| n == path).map_err(|e| e.to_string())?;
            let (_, bytes) = files
                .first()
                .ok_or_else(|| format!("{path} is not in {}", suite.wheel.file_name))?;
            parse(bytes).map_err(|e| format!("{path}: {e}"))?
        }
        MetadataSource::PythonClasses(imports) => {
            crate::python_classes::read(wheel, imports, suite.namespace)?
        }
    };
    components.sort_by(|a, b| a.name.cmp(&b.name));
    if components.is_empty() {
        return Err(format!("{}: no components", suite.wheel.name));
    }
    Ok(Package { spec, components })
}

/// Parses one `metadata.json`.
fn parse(bytes: &[u8]) -> Result<Vec<ComponentMeta>, String> {
    let raw: Map<String, Value> = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    raw.into_iter()
        .map(|(path, v)| {
            let name = file_stem(&path).ok_or_else(|| format!("bad component path {path:?}"))?;
            let description = v["description"].as_str().unwrap_or("").to_owned();
            let props = v["props"]
                .as_object()
                .ok_or_else(|| format!("{path}: no props"))?
                .iter()
                .map(|(name, p)| Prop {
                    name: name.clone(),
                    type_: p.get("type").cloned().unwrap_or(Value::Null),
                    description: p["description"].as_str().unwrap_or("").to_owned(),
                })
                .collect();
            Ok(ComponentMeta {
                name,
                description,
                props,
                python_children_props: None,
            })
        })
        .collect()
}

/// `src/components/Graph.react.js` -> `Graph`. Python Dash takes the type
/// name from the file, not from `displayName` (which is `PlotlyGraph` there).
fn file_stem(path: &str) -> Option<String> {
    let file = path.rsplit('/').next()?;
    let stem = file.split('.').next()?;
    (!stem.is_empty()).then(|| stem.to_owned())
}

/// Class names from `from .X import Y` lines.
pub fn python_classes(imports: &str) -> Vec<String> {
    imports
        .lines()
        .filter_map(|l| l.trim().strip_prefix("from ."))
        .filter_map(|l| l.split_once(" import "))
        .map(|(_, class)| class.trim().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stems_and_classes() {
        assert_eq!(
            file_stem("src/components/Graph.react.js").as_deref(),
            Some("Graph")
        );
        assert_eq!(
            file_stem("src/components/Input.tsx").as_deref(),
            Some("Input")
        );
        assert_eq!(
            python_classes("from .A import A\nfrom .Abbr import Abbr\n\n__all__ = [\"A\"]\n"),
            ["A", "Abbr"]
        );
    }

    #[test]
    fn parse_keeps_prop_order() {
        let json = br#"{"src/X.react.js": {"displayName": "Y", "description": "d",
            "props": {"z": {"type": {"name": "string"}, "description": "zz"}, "a": {"description": ""}}}}"#;
        let c = parse(json).unwrap();
        assert_eq!(c[0].name, "X");
        let names: Vec<&str> = c[0].props.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["z", "a"]);
        assert!(c[0].props[1].type_.is_null());
    }
}
