//! Hot reload (debug mode): the page polls `_reload-hash`; this watches the
//! assets folder (a rescan at most every half second, on those polls and
//! on page loads) and answers as Python Dash does: a new hash when anything
//! changed, `hard` with the changed files (a changed stylesheet is swapped
//! in place by the renderer; any other change reloads the page), and both
//! cleared after each answer. The page itself is rendered again when the
//! folder changes, so a new file is on it after the reload.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::assets_folder::{walk, AssetFile};

const RESCAN_EVERY: Duration = Duration::from_millis(500);

type RenderPage = dyn Fn(&[AssetFile]) -> String + Send + Sync;

/// The watcher of one app.
pub(crate) struct HotReload {
    folder: PathBuf,
    ignore: Option<regex_lite::Regex>,
    /// `R` + assets URL path + `/`.
    url_base: String,
    render: Box<RenderPage>,
    state: Mutex<State>,
}

struct State {
    files: BTreeMap<String, f64>,
    /// The start's hash and the number of changes seen since.
    base: String,
    changes: u64,
    hard: bool,
    changed: Vec<Value>,
    page: Arc<String>,
    scanned: Instant,
}

impl HotReload {
    pub(crate) fn new(
        folder: PathBuf,
        ignore: Option<regex_lite::Regex>,
        url_base: String,
        base_hash: String,
        render: impl Fn(&[AssetFile]) -> String + Send + Sync + 'static,
    ) -> Self {
        let assets = walk(&folder, ignore.as_ref());
        let page = Arc::new(render(&assets));
        HotReload {
            folder,
            ignore,
            url_base,
            render: Box::new(render),
            state: Mutex::new(State {
                files: snapshot(&assets),
                base: base_hash,
                changes: 0,
                hard: false,
                changed: Vec::new(),
                page,
                scanned: Instant::now(),
            }),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Looks at the folder again if the last look is old enough.
    fn rescan(&self, s: &mut State) {
        if s.scanned.elapsed() < RESCAN_EVERY {
            return;
        }
        s.scanned = Instant::now();
        let assets = walk(&self.folder, self.ignore.as_ref());
        let now = snapshot(&assets);
        if now == s.files {
            return;
        }
        for (path, modified) in &now {
            if s.files.get(path) != Some(modified) {
                s.changed.push(json!({
                    "url": format!("{}{path}", self.url_base),
                    "modified": *modified as u64,
                    "is_css": path.ends_with(".css"),
                }));
            }
        }
        for path in s.files.keys().filter(|p| !now.contains_key(*p)) {
            // A removed file: not a stylesheet to swap, so the page reloads.
            s.changed
                .push(json!({"url": format!("{}{path}", self.url_base),
                "modified": 0, "is_css": false}));
        }
        s.files = now;
        s.changes += 1;
        s.hard = true;
        s.page = Arc::new((self.render)(&assets));
    }

    /// The `_reload-hash` answer; clears `hard` and the changed files.
    pub(crate) fn answer(&self) -> Value {
        let mut s = self.lock();
        self.rescan(&mut s);
        let body = json!({
            "reloadHash": format!("{}-{}", s.base, s.changes),
            "hard": s.hard,
            "packages": ["dash"],
            "files": std::mem::take(&mut s.changed),
        });
        s.hard = false;
        body
    }

    /// The page as the folder is now.
    pub(crate) fn page(&self) -> Arc<String> {
        let mut s = self.lock();
        self.rescan(&mut s);
        s.page.clone()
    }
}

fn snapshot(assets: &[AssetFile]) -> BTreeMap<String, f64> {
    assets
        .iter()
        .map(|f| (f.relative.clone(), f.modified))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_give_a_new_hash_with_the_files_then_clear() {
        let dir = std::env::temp_dir().join(format!("dash-hot-reload-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("style.css"), "a").unwrap();
        let h = HotReload::new(
            dir.clone(),
            None,
            "/assets/".into(),
            "abc".into(),
            |assets| format!("page with {} files", assets.len()),
        );
        let first = h.answer();
        assert_eq!(first["reloadHash"], "abc-0");
        assert_eq!(first["hard"], false);
        assert_eq!(*h.page(), "page with 1 files");

        std::thread::sleep(RESCAN_EVERY + Duration::from_millis(50));
        std::fs::write(dir.join("app.js"), "b").unwrap();
        let changed = h.answer();
        assert_eq!(changed["reloadHash"], "abc-1");
        assert_eq!(changed["hard"], true);
        assert_eq!(changed["files"][0]["url"], "/assets/app.js");
        assert_eq!(changed["files"][0]["is_css"], false);
        assert_eq!(*h.page(), "page with 2 files", "the page is rendered again");

        let after = h.answer();
        assert_eq!(after["reloadHash"], "abc-1");
        assert_eq!(after["hard"], false);
        assert_eq!(after["files"], json!([]));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
