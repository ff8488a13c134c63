//! The app's assets folder: CSS and JS put on the page, files served as is.

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// One file of the assets folder.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct AssetFile {
    /// Path relative to the folder, with `/` separators.
    pub relative: String,
    /// Modification time in seconds, for cache busting (`?m=`).
    pub modified: f64,
}

/// Walks the folder in Python Dash's order (`sorted(os.walk(...))`): the
/// folder's own files first, then each subfolder's, folders by path and
/// files by name; files whose name matches `ignore` are left out.
pub(crate) fn walk(folder: &Path, ignore: Option<&regex_lite::Regex>) -> Vec<AssetFile> {
    let mut out = Vec::new();
    walk_into(folder, folder, ignore, &mut out);
    let split = |f: &AssetFile| -> (String, String) {
        match f.relative.rsplit_once('/') {
            Some((dir, name)) => (dir.to_owned(), name.to_owned()),
            None => (String::new(), f.relative.clone()),
        }
    };
    out.sort_by_key(split);
    out
}

impl AssetFile {
    /// The file's own name (without folders).
    pub(crate) fn name(&self) -> &str {
        self.relative.rsplit('/').next().unwrap_or(&self.relative)
    }
}

fn walk_into(
    root: &Path,
    dir: &Path,
    ignore: Option<&regex_lite::Regex>,
    out: &mut Vec<AssetFile>,
) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            walk_into(root, &path, ignore, out);
            continue;
        }
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if ignore.is_some_and(|re| re.is_match(name)) {
            continue;
        }
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let relative = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let modified = std::fs::metadata(&path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
        out.push(AssetFile { relative, modified });
    }
}

/// A safe file path under `folder` for a requested relative path, or `None`
/// when the request tries to leave the folder.
pub(crate) fn resolve(folder: &Path, requested: &str) -> Option<PathBuf> {
    let mut path = folder.to_path_buf();
    path.extend(dash_assets::request_path::relative_parts(requested)?);
    path.is_file().then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_sorts_and_resolve_refuses_escapes() {
        let dir = std::env::temp_dir().join(format!("dash-assets-walk-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("b.css"), "b").unwrap();
        std::fs::write(dir.join("a.js"), "a").unwrap();
        std::fs::write(dir.join("sub/c.css"), "c").unwrap();
        std::fs::write(dir.join("z.css"), "z").unwrap();
        std::fs::create_dir_all(dir.join("sub-2")).unwrap();
        std::fs::write(dir.join("sub-2/d.css"), "d").unwrap();
        std::fs::write(dir.join("skip.js"), "s").unwrap();
        let re = regex_lite::Regex::new("^skip").unwrap();
        let files: Vec<String> = walk(&dir, Some(&re))
            .into_iter()
            .map(|f| f.relative)
            .collect();
        // The root's files first, then the folders by path ("sub" before
        // "sub-2"), as Python's sorted(os.walk()).
        assert_eq!(
            files,
            ["a.js", "b.css", "z.css", "sub/c.css", "sub-2/d.css"]
        );
        assert!(resolve(&dir, "sub/c.css").is_some());
        assert!(resolve(&dir, "../etc/passwd").is_none());
        assert!(resolve(&dir, "missing.css").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
