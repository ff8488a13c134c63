//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/`) through the
//! same entry points the cargo-fuzz targets call, on stable: every input
//! the fuzzers kept, and every crash they found, must pass.

use std::path::{Path, PathBuf};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus {} cannot be read: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("a directory entry").path();
            let bytes = std::fs::read(&path).expect("a corpus file");
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(
        files.len() >= 10,
        "the corpus of {target} has only {} inputs",
        files.len()
    );
    files
}

fn replay(target: &str, entry: fn(&[u8])) {
    let files = corpus(target);
    for (path, bytes) in &files {
        let outcome = std::panic::catch_unwind(|| entry(bytes));
        assert!(
            outcome.is_ok(),
            "{target}: the input {} panics",
            path.display()
        );
    }
    println!("{target}: {} corpus inputs replayed", files.len());
}

#[test]
fn asset_path_corpus() {
    replay("asset_path", dash_assets::fuzzing::asset_path);
}
