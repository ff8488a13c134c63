//! Replays the committed corpus of the `session_cookie` fuzz target
//! (`fuzz/corpus/session_cookie/`) through the entry point the target
//! calls, on stable: no input may panic.

use std::path::Path;

#[test]
fn session_cookie_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/session_cookie");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("the corpus {} cannot be read: {e}", dir.display()))
        .map(|e| e.expect("a directory entry").path())
        .collect();
    files.sort();
    assert!(files.len() >= 10, "only {} inputs", files.len());
    for path in &files {
        let bytes = std::fs::read(path).expect("a corpus file");
        let outcome = std::panic::catch_unwind(|| dash::session::fuzzing::session_cookie(&bytes));
        assert!(outcome.is_ok(), "the input {} panics", path.display());
    }
    println!("session_cookie: {} corpus inputs replayed", files.len());
}
