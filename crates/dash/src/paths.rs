//! URLs that keep working behind a path prefix: Python Dash's
//! `get_asset_url`, `get_relative_path` and `strip_relative_path`
//! (`dash/_get_paths.py`), with the app's requests prefix.

use std::fmt;

/// The app's URL prefixes, for building and reading paths; from
/// [`Dash::paths`](crate::Dash::paths). Cheap to clone: capture one in the
/// callbacks that need it.
///
/// ```
/// let app = dash::Dash::new().requests_pathname_prefix("/my-dash-app/");
/// let paths = app.paths().unwrap();
/// assert_eq!(paths.relative_path("/page-2").unwrap(), "/my-dash-app/page-2");
/// assert_eq!(paths.strip_relative_path("/my-dash-app/page-2/").unwrap(), "page-2");
/// assert_eq!(paths.asset_url("logo.png"), "/my-dash-app/assets/logo.png");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPaths {
    requests_prefix: String,
    assets_url_path: String,
}

/// A path these functions do not take (Python's `UnsupportedRelativePath`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsupportedRelativePath {
    path: String,
    requests_prefix: String,
}

impl fmt::Display for UnsupportedRelativePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the path {:?} is not supported: it must start with '/' (and, to be stripped, with the requests prefix {:?})",
            self.path, self.requests_prefix
        )
    }
}

impl std::error::Error for UnsupportedRelativePath {}

impl AppPaths {
    pub(crate) fn new(requests_prefix: &str, assets_url_path: &str) -> Self {
        AppPaths {
            requests_prefix: requests_prefix.to_owned(),
            assets_url_path: assets_url_path.to_owned(),
        }
    }

    fn unsupported(&self, path: &str) -> UnsupportedRelativePath {
        UnsupportedRelativePath {
            path: path.to_owned(),
            requests_prefix: self.requests_prefix.clone(),
        }
    }

    /// The URL of a file in the assets folder (Python's `get_asset_url`).
    pub fn asset_url(&self, path: &str) -> String {
        format!(
            "{}/{}/{}",
            self.requests_prefix.trim_end_matches('/'),
            self.assets_url_path.trim_start_matches('/'),
            path
        )
    }

    /// `path` (starting with `/`, or empty for the app's root) under the
    /// requests prefix (Python's `get_relative_path`), for `dcc.Link`
    /// hrefs that work wherever the app is mounted.
    pub fn relative_path(&self, path: &str) -> Result<String, UnsupportedRelativePath> {
        if path.is_empty() {
            return Ok(self.requests_prefix.clone());
        }
        if !path.starts_with('/') {
            return Err(self.unsupported(path));
        }
        Ok(format!(
            "{}/{}",
            self.requests_prefix.trim_end_matches('/'),
            path.trim_start_matches('/')
        ))
    }

    /// A `dcc.Location` pathname without the requests prefix and without
    /// leading and trailing slashes (Python's `strip_relative_path`):
    /// `/my-dash-app/page-1/` gives `page-1`.
    pub fn strip_relative_path(&self, path: &str) -> Result<String, UnsupportedRelativePath> {
        let prefix = self.requests_prefix.trim_end_matches('/');
        let rest = if self.requests_prefix == "/" {
            if !path.starts_with('/') {
                return Err(self.unsupported(path));
            }
            path
        } else {
            path.strip_prefix(prefix)
                .ok_or_else(|| self.unsupported(path))?
        };
        Ok(rest.trim_matches('/').to_owned())
    }
}

impl crate::Dash {
    /// The app's URL prefixes as they will be served (from the settings and
    /// the `DASH_*_PATHNAME*` environment variables), for building links
    /// and reading `dcc.Location` pathnames; see [`AppPaths`].
    pub fn paths(&self) -> Result<AppPaths, crate::Error> {
        let prefixes = self.settings.prefixes()?;
        Ok(AppPaths::new(
            &prefixes.requests,
            &self.settings.assets_url_path,
        ))
    }
}

#[cfg(test)]
mod tests {
    //! Python Dash's own cases (`tests/unit/test_configs.py`).
    use super::*;

    fn paths(prefix: &str) -> AppPaths {
        AppPaths::new(prefix, "assets")
    }

    #[test]
    fn test_pathname_prefix_relative_url() {
        for (prefix, partial, expected) in [
            ("/", "", "/"),
            ("/my-dash-app/", "", "/my-dash-app/"),
            ("/", "/", "/"),
            ("/my-dash-app/", "/", "/my-dash-app/"),
            ("/", "/page-1", "/page-1"),
            ("/my-dash-app/", "/page-1", "/my-dash-app/page-1"),
            ("/", "/page-1/", "/page-1/"),
            ("/my-dash-app/", "/page-1/", "/my-dash-app/page-1/"),
            ("/", "/page-1/sub-page-1", "/page-1/sub-page-1"),
            (
                "/my-dash-app/",
                "/page-1/sub-page-1",
                "/my-dash-app/page-1/sub-page-1",
            ),
        ] {
            assert_eq!(paths(prefix).relative_path(partial).unwrap(), expected);
        }
    }

    #[test]
    fn test_invalid_get_relative_path() {
        for (prefix, partial) in [
            ("/", "relative-page-1"),
            ("/my-dash-app/", "relative-page-1"),
        ] {
            assert!(paths(prefix).relative_path(partial).is_err());
        }
    }

    #[test]
    fn test_strip_relative_path() {
        for (prefix, partial, expected) in [
            ("/", "/", ""),
            ("/my-dash-app/", "/my-dash-app", ""),
            ("/my-dash-app/", "/my-dash-app/", ""),
            ("/", "/page-1", "page-1"),
            ("/my-dash-app/", "/my-dash-app/page-1", "page-1"),
            ("/", "/page-1/", "page-1"),
            ("/my-dash-app/", "/my-dash-app/page-1/", "page-1"),
            ("/", "/page-1/sub-page-1", "page-1/sub-page-1"),
            (
                "/my-dash-app/",
                "/my-dash-app/page-1/sub-page-1",
                "page-1/sub-page-1",
            ),
            ("/", "/page-1/sub-page-1/", "page-1/sub-page-1"),
            (
                "/my-dash-app/",
                "/my-dash-app/page-1/sub-page-1/",
                "page-1/sub-page-1",
            ),
            ("/my-dash-app/", "/my-dash-app/my-dash-app/", "my-dash-app"),
            (
                "/my-dash-app/",
                "/my-dash-app/something-else/my-dash-app/",
                "something-else/my-dash-app",
            ),
        ] {
            assert_eq!(
                paths(prefix).strip_relative_path(partial).unwrap(),
                expected,
                "{prefix} {partial}"
            );
        }
    }

    #[test]
    fn test_invalid_strip_relative_path() {
        for (prefix, partial) in [
            ("/", "relative-page-1"),
            ("/my-dash-app", "relative-page-1"),
            ("/my-dash-app", "/some-other-path"),
        ] {
            assert!(
                paths(prefix).strip_relative_path(partial).is_err(),
                "{prefix} {partial}"
            );
        }
    }

    #[test]
    fn asset_urls_follow_the_prefix() {
        assert_eq!(paths("/").asset_url("a/b.css"), "/assets/a/b.css");
        assert_eq!(
            AppPaths::new("/x/", "static").asset_url("c.js"),
            "/x/static/c.js"
        );
    }
}
