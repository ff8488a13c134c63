//! Formats generated source with the rustfmt binary, as `cargo fmt` would.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// Formats `text` with `rustfmt --edition 2021`, run in `dir` so it picks
/// up the same `rustfmt.toml` as `cargo fmt` (if any). `$RUSTFMT` overrides
/// the binary.
pub fn format(text: &str, dir: &Path) -> Result<String, String> {
    let binary = std::env::var("RUSTFMT").unwrap_or_else(|_| "rustfmt".to_owned());
    let mut child = Command::new(&binary)
        .args(["--edition", "2021"])
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {binary}: {e}"))?;
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let input = text.to_owned();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{binary}: {e}"))?;
    writer
        .join()
        .map_err(|_| "rustfmt writer panicked".to_owned())?
        .map_err(|e| format!("writing to {binary}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{binary} failed on generated code: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    String::from_utf8(out.stdout).map_err(|e| format!("{binary} output: {e}"))
}
