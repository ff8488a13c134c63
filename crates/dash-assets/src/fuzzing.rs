//! Entry point for the `asset_path` fuzz target in `fuzz/` and for the
//! replay of its corpus in `tests/fuzz_corpus.rs`: the same function runs in
//! both.

use std::path::{Component, Path};

use crate::request_path::relative_parts;

/// The asset path rules: `data` (UTF-8, lossily) is a requested path, or
/// `namespace\npath` for the component suites. A path the assets route
/// accepts stays inside its folder; the component-suites lookup returns only
/// the file asked for.
pub fn asset_path(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let folder = Path::new("/srv/app/assets");
    if let Some(parts) = relative_parts(&text) {
        let mut path = folder.to_path_buf();
        for part in &parts {
            assert!(
                !part.is_empty() && *part != "." && *part != "..",
                "{part:?}"
            );
            assert!(!part.contains(['/', '\\', '\0', ':']), "{part:?}");
            path.push(part);
        }
        assert!(path.starts_with(folder), "{path:?} left the folder");
        let inside = path.strip_prefix(folder).expect("under the folder");
        assert!(
            inside
                .components()
                .all(|c| matches!(c, Component::Normal(_))),
            "{inside:?} has a component other than a name"
        );
    }
    let (namespace, requested) = text.split_once('\n').unwrap_or(("dash", &text));
    let (clean, fingerprinted) = crate::strip_fingerprint(requested);
    assert!(clean.len() <= requested.len(), "stripping only removes");
    if !fingerprinted {
        assert_eq!(clean, requested);
    }
    if let Some(asset) = crate::get(namespace, &clean) {
        assert_eq!((asset.namespace, asset.path), (namespace, clean.as_str()));
    }
}
