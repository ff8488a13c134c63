//! App settings, with Python Dash's defaults and environment variables.

use std::path::PathBuf;

use crate::Error;

/// A script or stylesheet from outside the app: a URL, or a URL with
/// attributes such as `integrity` and `crossorigin`.
///
/// ```
/// use dash::ExternalResource;
/// let plain = ExternalResource::from("https://example.com/style.css");
/// let pinned = ExternalResource::new("https://example.com/lib.js").attr("crossorigin", "anonymous");
/// # let _ = (plain, pinned);
/// ```
///
/// A [`SuiteFile`](crate::SuiteFile) (such as `dbc::themes::BOOTSTRAP`)
/// becomes the app's own fingerprinted URL for that embedded file.
#[derive(Debug, Clone, PartialEq)]
pub struct ExternalResource {
    pub(crate) url: String,
    pub(crate) attrs: Vec<(String, String)>,
    /// An embedded file: the URL is made with the requests prefix.
    pub(crate) local: Option<dash_components::SuiteFile>,
}

impl ExternalResource {
    /// A resource at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        ExternalResource {
            url: url.into(),
            attrs: Vec::new(),
            local: None,
        }
    }

    /// Adds an HTML attribute to the tag.
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attrs.push((name.into(), value.into()));
        self
    }
}

impl From<&str> for ExternalResource {
    fn from(url: &str) -> Self {
        ExternalResource::new(url)
    }
}
impl From<dash_components::SuiteFile> for ExternalResource {
    fn from(file: dash_components::SuiteFile) -> Self {
        ExternalResource {
            url: String::new(),
            attrs: Vec::new(),
            local: Some(file),
        }
    }
}
impl From<String> for ExternalResource {
    fn from(url: String) -> Self {
        ExternalResource::new(url)
    }
}

/// Every setting of an app.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub title: String,
    pub update_title: Option<String>,
    pub suppress_callback_exceptions: bool,
    pub url_base_pathname: Option<String>,
    pub routes_pathname_prefix: Option<String>,
    pub requests_pathname_prefix: Option<String>,
    pub assets_folder: PathBuf,
    pub assets_url_path: String,
    pub assets_ignore: Option<String>,
    pub external_scripts: Vec<ExternalResource>,
    pub external_stylesheets: Vec<ExternalResource>,
    pub meta_tags: Vec<Vec<(String, String)>>,
    pub debug: Option<bool>,
    pub compress: bool,
    pub serve: crate::serve::ServeSettings,
    /// `Dash::store_size_warning`; unset, `DASH_STORE_WARNING_BYTES` decides.
    pub store_warning_bytes: Option<usize>,
    /// `Dash::index_string`: the page template (`None`: Python's default).
    pub index_string: Option<String>,
    /// `Dash::prevent_initial_callbacks`.
    pub prevent_initial_callbacks: crate::callback::InitialCall,
    /// `Dash::validation_layout` (JSON).
    pub validation_layout: Option<serde_json::Value>,
    /// The `dev_tools_*` switches.
    pub dev_tools: crate::dev_tools::DevToolsSettings,
    /// Scripts put on the page after the front end (inline clientside
    /// functions), filled when the app is built.
    pub inline_scripts: Vec<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            title: "Dash".into(),
            update_title: Some("Updating...".into()),
            suppress_callback_exceptions: false,
            url_base_pathname: None,
            routes_pathname_prefix: None,
            requests_pathname_prefix: None,
            assets_folder: PathBuf::from("assets"),
            assets_url_path: "assets".into(),
            assets_ignore: None,
            external_scripts: Vec::new(),
            external_stylesheets: Vec::new(),
            meta_tags: Vec::new(),
            debug: None,
            compress: true,
            serve: crate::serve::ServeSettings::default(),
            store_warning_bytes: None,
            index_string: None,
            prevent_initial_callbacks: Default::default(),
            validation_layout: None,
            dev_tools: Default::default(),
            inline_scripts: Vec::new(),
        }
    }
}

/// The two URL prefixes, resolved as Python Dash resolves them
/// (`dash/_configs.py` `pathname_configs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Prefixes {
    /// Where the server listens (P).
    pub routes: String,
    /// What the browser uses (R).
    pub requests: String,
    /// `url_base_pathname` as sent in the config (`null` unless set).
    pub url_base: Option<String>,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl Settings {
    pub(crate) fn prefixes(&self) -> Result<Prefixes, Error> {
        let url_base = self
            .url_base_pathname
            .clone()
            .or_else(|| env("DASH_URL_BASE_PATHNAME"));
        let routes = self
            .routes_pathname_prefix
            .clone()
            .or_else(|| env("DASH_ROUTES_PATHNAME_PREFIX"));
        let requests = self
            .requests_pathname_prefix
            .clone()
            .or_else(|| env("DASH_REQUESTS_PATHNAME_PREFIX"));
        let bad = |name: &str, reason: &str| Error::InvalidSetting {
            name: name.into(),
            reason: reason.into(),
        };
        if url_base.is_some() && (routes.is_some() || requests.is_some()) {
            return Err(bad(
                "url_base_pathname",
                "set either url_base_pathname or routes/requests_pathname_prefix, not both",
            ));
        }
        let routes = routes
            .or_else(|| url_base.clone())
            .unwrap_or_else(|| "/".into());
        if !routes.starts_with('/') || !routes.ends_with('/') {
            return Err(bad("routes_pathname_prefix", "must start and end with '/'"));
        }
        let requests = match requests.or_else(|| url_base.clone()) {
            Some(r) => r,
            None => match env("DASH_APP_NAME") {
                Some(name) => format!("/{name}{routes}"),
                None => routes.clone(),
            },
        };
        if !requests.starts_with('/') {
            return Err(bad("requests_pathname_prefix", "must start with '/'"));
        }
        if let Some(u) = &url_base {
            if !u.starts_with('/') || !u.ends_with('/') {
                return Err(bad("url_base_pathname", "must start and end with '/'"));
            }
        }
        Ok(Prefixes {
            routes,
            requests,
            url_base,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_default_and_proxy() {
        let s = Settings::default();
        let p = s.prefixes().unwrap();
        assert_eq!((p.routes.as_str(), p.requests.as_str()), ("/", "/"));
        let s = Settings {
            requests_pathname_prefix: Some("/team/app/".into()),
            ..Settings::default()
        };
        let p = s.prefixes().unwrap();
        assert_eq!(
            (p.routes.as_str(), p.requests.as_str()),
            ("/", "/team/app/")
        );
        let s = Settings {
            url_base_pathname: Some("/x/".into()),
            ..Settings::default()
        };
        let p = s.prefixes().unwrap();
        assert_eq!(p.url_base.as_deref(), Some("/x/"));
        assert_eq!(p.routes, "/x/");
        let s = Settings {
            routes_pathname_prefix: Some("nope".into()),
            ..Settings::default()
        };
        assert!(s.prefixes().is_err());
    }
}
