//! Project tasks.
//!
//! `cargo run -p xtask -- codegen [--check]` generates the typed component
//! builders of `dash-components` from the `metadata.json` files of the
//! pinned `dash` wheel and of the third-party suites pinned in
//! `dash_fetch::suites` (their Python classes where a wheel ships no
//! `metadata.json`); with `--check` it writes nothing and fails if the
//! committed files differ.

mod codegen;
mod docs;
mod kinds;
mod metadata;
mod naming;
mod nodes;
mod python_classes;
mod render;
mod rustfmt;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo run -p xtask -- codegen [--check]";

/// The workspace root: the parent of this crate's directory.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives inside the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let check = match args.as_slice() {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match codegen::run(&workspace_root(), check) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: codegen: {e}");
            ExitCode::FAILURE
        }
    }
}
