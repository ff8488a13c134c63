//! `codegen [--check]`: fetches the wheel, renders, formats, then writes or
//! compares `crates/dash-components/src/generated/*.rs`.

use std::path::Path;

use crate::metadata;
use crate::render;
use crate::rustfmt;

/// Where the generated files live, relative to the workspace root.
const GENERATED_DIR: &str = "crates/dash-components/src/generated";

/// Generates every file; with `check`, only compares them with the files on
/// disk and fails listing the stale ones.
pub fn run(root: &Path, check: bool) -> Result<(), String> {
    let cache = root.join("target").join("dash-downloads");
    let wheel = dash_fetch::fetch(&dash_fetch::DASH_WHEEL, &cache).map_err(|e| e.to_string())?;
    let packages = metadata::read(&wheel)?;
    let dir = root.join(GENERATED_DIR);
    let mut suites = Vec::new();
    for suite in dash_fetch::SUITES {
        let wheel = dash_fetch::fetch(&suite.wheel, &cache).map_err(|e| e.to_string())?;
        suites.push(metadata::read_suite(suite, &wheel)?);
    }

    let mut files = Vec::new();
    for p in &packages {
        files.push((format!("{}.rs", p.spec.module), render::package_file(p)?));
        println!(
            "{}: {} components ({})",
            p.spec.module,
            p.components.len(),
            p.spec.namespace
        );
    }
    files.push((
        "children_props.rs".to_owned(),
        render::children_props_file(&packages),
    ));
    for p in &suites {
        files.push((format!("{}.rs", p.spec.module), render::package_file(p)?));
        println!(
            "{}: {} components ({} {})",
            p.spec.module,
            p.components.len(),
            p.spec.wheel,
            p.spec.version
        );
    }

    let mut stale = Vec::new();
    for (name, text) in files {
        let text = rustfmt::format(&text, &dir)?;
        let path = dir.join(&name);
        let current = std::fs::read_to_string(&path).ok();
        if current.as_deref() == Some(text.as_str()) {
            continue;
        }
        if check {
            stale.push(format!("{GENERATED_DIR}/{name}"));
        } else {
            std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {GENERATED_DIR}/{name}");
        }
    }
    if !stale.is_empty() {
        return Err(format!(
            "generated files differ from the metadata of the pinned wheels: {}\n\
             run `cargo run -p xtask -- codegen` and commit the result",
            stale.join(", ")
        ));
    }
    if check {
        println!("generated components are up to date");
    }
    Ok(())
}
