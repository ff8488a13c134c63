//! Project tasks.
//!
//! `cargo run -p xtask -- codegen [--check]`: generates the typed component
//! builders of `dash-components` from the pinned `metadata.json` files of
//! the `dash` wheel; with `--check`, fails if the committed files differ.

mod codegen;
mod metadata;
mod naming;

use std::path::PathBuf;
use std::process::ExitCode;

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("codegen") => {
            let check = args.iter().any(|a| a == "--check");
            match codegen::run(&workspace_root(), check) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("codegen: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        _ => {
            eprintln!("usage: cargo run -p xtask -- codegen [--check]");
            ExitCode::FAILURE
        }
    }
}
