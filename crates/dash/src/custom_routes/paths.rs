//! Which paths belong to Dash, and the start-up checks of the app's own
//! route paths: malformed (axum would panic), under a Dash route, or in
//! conflict with another of the app's routes. Checked with `matchit`, the
//! router axum uses, so a path that passes here cannot make axum's route
//! insertion panic.

use crate::Error;

/// The Dash-owned paths under the routes prefix `P`: the page itself,
/// every `P_dash-*` route, `P_reload-hash`, `P_favicon.ico`, the assets
/// folder, and exact paths (`api_endpoint`s, the health endpoint).
#[derive(Debug, Clone)]
pub(crate) struct Reserved {
    prefix: String,
    assets: String,
    exact: Vec<String>,
}

impl Reserved {
    /// `prefix` starts and ends with `/`; `exact` are full paths.
    pub(crate) fn new(prefix: &str, assets_url_path: &str, exact: Vec<String>) -> Self {
        Reserved {
            prefix: prefix.to_owned(),
            assets: assets_url_path.trim_matches('/').to_owned(),
            exact,
        }
    }

    /// What Dash serves at `path` (a request path or a route's pattern),
    /// if it is Dash's.
    pub(crate) fn owner(&self, path: &str) -> Option<&'static str> {
        if self.exact.iter().any(|e| e == path) {
            return Some("a Dash route (an api_endpoint or the health endpoint)");
        }
        if path == self.prefix || path == self.prefix.trim_end_matches('/') {
            return Some("the Dash page");
        }
        let rest = path.strip_prefix(&self.prefix)?;
        if rest.starts_with("_dash-") {
            Some("Dash's `_dash-*` routes")
        } else if rest == "_reload-hash" || rest == "_favicon.ico" {
            Some("a Dash route")
        } else if !self.assets.is_empty()
            && (rest == self.assets
                || rest
                    .strip_prefix(&self.assets)
                    .is_some_and(|r| r.starts_with('/')))
        {
            Some("the assets folder")
        } else {
            None
        }
    }
}

fn bad(path: &str, reason: String) -> Error {
    Error::InvalidSetting {
        name: format!("route {path:?}"),
        reason,
    }
}

/// Every problem of the app's own route paths, in order.
pub(crate) fn problems<'a>(
    paths: impl IntoIterator<Item = &'a str>,
    reserved: &Reserved,
) -> Vec<Error> {
    let mut seen = matchit::Router::new();
    let mut problems = Vec::new();
    for path in paths {
        if let Err(reason) = shape(path) {
            problems.push(bad(path, reason));
            continue;
        }
        if let Some(owner) = reserved.owner(path) {
            problems.push(bad(
                path,
                format!("it is under {owner}; choose a path outside them"),
            ));
            continue;
        }
        if let Err(e) = seen.insert(path, ()) {
            problems.push(bad(path, insert_reason(e)));
        }
    }
    problems
}

/// axum's own checks (it panics on these): an absolute path, no
/// axum 0.7 `:param` or `*rest` segments.
fn shape(path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err("a route path is absolute: it starts with `/`".into());
    }
    for segment in path.split('/') {
        if segment.starts_with(':') || segment.starts_with('*') {
            return Err(format!(
                "segment {segment:?}: captures are written `{{name}}` and `{{*rest}}`"
            ));
        }
    }
    Ok(())
}

fn insert_reason(e: matchit::InsertError) -> String {
    match e {
        matchit::InsertError::Conflict { with } => format!(
            "it conflicts with the app's route {with:?} (a path is registered once, with all its methods: get(a).post(b))"
        ),
        other => format!("malformed path: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reserved() -> Reserved {
        Reserved::new("/", "assets", vec!["/api/sum".into()])
    }

    fn reasons(paths: &[&str]) -> Vec<String> {
        problems(paths.iter().copied(), &reserved())
            .into_iter()
            .map(|e| e.to_string())
            .collect()
    }

    #[test]
    fn dash_paths_are_reserved() {
        let r = reserved();
        for p in [
            "/",
            "/_dash-update-component",
            "/_dash-layout",
            "/_dash-component-suites/dash/x.js",
            "/_favicon.ico",
            "/_reload-hash",
            "/assets",
            "/assets/site.css",
            "/api/sum",
        ] {
            assert!(r.owner(p).is_some(), "{p}");
        }
        for p in ["/hello", "/assetsx", "/api/items", "/dash-layout"] {
            assert!(r.owner(p).is_none(), "{p}");
        }
        let under = Reserved::new("/app/", "assets", vec![]);
        assert!(under.owner("/app").is_some());
        assert!(under.owner("/app/_dash-layout").is_some());
        assert!(under.owner("/_dash-layout").is_none(), "outside the prefix");
    }

    #[test]
    fn malformed_reserved_and_conflicting_paths_are_named() {
        assert!(reasons(&["/hello", "/items/{id}", "/files/{*rest}"]).is_empty());
        let r = reasons(&[
            "hello",
            "/items/:id",
            "/_dash-update-component",
            "/assets/x.css",
            "/a/{id}",
            "/a/{name}",
            "/b",
            "/b",
            "/c/{unclosed",
        ]);
        assert_eq!(r.len(), 7, "{r:#?}");
        assert!(
            r[0].contains("\"hello\"") && r[0].contains("absolute"),
            "{}",
            r[0]
        );
        assert!(r[1].contains("{name}"), "{}", r[1]);
        assert!(r[2].contains("_dash-"), "{}", r[2]);
        assert!(r[3].contains("assets"), "{}", r[3]);
        assert!(
            r[4].contains("/a/{name}") && r[4].contains("/a/{id}"),
            "{}",
            r[4]
        );
        assert!(
            r[5].contains("\"/b\"") && r[5].contains("conflicts"),
            "{}",
            r[5]
        );
        assert!(
            r[6].contains("/c/{unclosed") && r[6].contains("malformed"),
            "{}",
            r[6]
        );
    }
}
