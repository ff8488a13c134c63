//! `Dash`: the app builder.

use std::path::PathBuf;
use std::sync::Arc;

use axum::body::Bytes;
use dash_protocol::Component;

use crate::callback::{AsyncCallback, Callback, CallbackRegistry, SyncCallback};
use crate::layout::{validate_ids, LayoutContext, LayoutSource};
use crate::services::ServiceSettings;
use crate::settings::{ExternalResource, Settings};
use crate::Error;

/// A Dash app: settings, a layout and callbacks.
///
/// ```no_run
/// use dash::prelude::*;
///
/// fn main() -> Result<(), dash::Error> {
///     let mut app = Dash::new().title("Echo");
///     app.layout(html::Div::new().children((
///         dcc::Input::new().id("in").value("hello"),
///         html::Div::new().id("out"),
///     )));
///     app.callback(
///         Callback::new().output(("out", "children")).input(("in", "value")),
///         |value: Option<String>| format!("You typed: {}", value.unwrap_or_default()),
///     );
///     app.run()
/// }
/// ```
pub struct Dash {
    pub(crate) settings: Settings,
    pub(crate) layout: Option<LayoutSource>,
    pub(crate) layout_problem: Option<Error>,
    pub(crate) callbacks: CallbackRegistry,
    pub(crate) services: ServiceSettings,
    pub(crate) server_stores: crate::server_store::AppStores,
    pub(crate) custom_routes: crate::custom_routes::AppRoutes,
    pub(crate) pages: crate::pages::PagesSetup,
    pub(crate) auth: Option<crate::auth::Auth>,
}

impl Default for Dash {
    fn default() -> Self {
        Self::new()
    }
}

impl Dash {
    /// An app with Python Dash's default settings.
    pub fn new() -> Self {
        Dash {
            settings: Settings::default(),
            layout: None,
            layout_problem: None,
            callbacks: CallbackRegistry::default(),
            services: ServiceSettings::default(),
            server_stores: Default::default(),
            custom_routes: Default::default(),
            pages: Default::default(),
            auth: None,
        }
    }

    /// The page title (default `Dash`).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.settings.title = title.into();
        self
    }

    /// The title shown while callbacks run (default `Updating...`); `None`
    /// keeps the title unchanged.
    pub fn update_title(mut self, title: Option<&str>) -> Self {
        self.settings.update_title = title.map(str::to_owned);
        self
    }

    /// Allows callbacks on components that are not in the initial layout.
    pub fn suppress_callback_exceptions(mut self, yes: bool) -> Self {
        self.settings.suppress_callback_exceptions = yes;
        self
    }

    /// Serves the app under `prefix` (sets both prefixes below).
    pub fn url_base_pathname(mut self, prefix: impl Into<String>) -> Self {
        self.settings.url_base_pathname = Some(prefix.into());
        self
    }

    /// Where the server listens (P).
    pub fn routes_pathname_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.settings.routes_pathname_prefix = Some(prefix.into());
        self
    }

    /// The prefix the browser uses (R), e.g. behind a path-rewriting proxy.
    pub fn requests_pathname_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.settings.requests_pathname_prefix = Some(prefix.into());
        self
    }

    /// The folder whose `.css` and `.js` files are put on the page and
    /// served under `/assets/` (default `assets`).
    pub fn assets_folder(mut self, folder: impl Into<PathBuf>) -> Self {
        self.settings.assets_folder = folder.into();
        self
    }

    /// The URL part assets are served under (default `assets`).
    pub fn assets_url_path(mut self, path: impl Into<String>) -> Self {
        self.settings.assets_url_path = path.into().trim_matches('/').to_owned();
        self
    }

    /// A regular expression; matching asset files are served but not put on
    /// the page.
    pub fn assets_ignore(mut self, pattern: impl Into<String>) -> Self {
        self.settings.assets_ignore = Some(pattern.into());
        self
    }

    /// Adds a script from outside the app.
    pub fn external_script(mut self, script: impl Into<ExternalResource>) -> Self {
        self.settings.external_scripts.push(script.into());
        self
    }

    /// Adds a stylesheet from outside the app.
    pub fn external_stylesheet(mut self, sheet: impl Into<ExternalResource>) -> Self {
        self.settings.external_stylesheets.push(sheet.into());
        self
    }

    /// Adds a `<meta>` tag with these attributes.
    pub fn meta_tag<K: Into<String>, V: Into<String>>(
        mut self,
        attributes: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.settings.meta_tags.push(
            attributes
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Debug mode: the dev-tools UI with callback errors, and hot reload.
    /// Unset, it comes from `--debug` or `DASH_DEBUG`.
    pub fn debug(mut self, yes: bool) -> Self {
        self.settings.debug = Some(yes);
        self
    }

    /// Compresses HTML and JSON answers when the browser accepts it
    /// (default on).
    pub fn compress(mut self, yes: bool) -> Self {
        self.settings.compress = yes;
        self
    }

    /// Sets a fixed layout, serialized once.
    pub fn layout(&mut self, layout: impl Into<Component>) -> &mut Self {
        let mut component = layout.into();
        self.server_stores.registry.learn_component(&mut component);
        match serde_json::to_value(&component) {
            Ok(value) => {
                if let Err(e) = validate_ids(&value) {
                    self.layout_problem = Some(e);
                }
                let bytes = serde_json::to_vec(&value).unwrap_or_default();
                self.layout = Some(LayoutSource::Fixed(Bytes::from(bytes)));
            }
            Err(e) => self.layout_problem = Some(Error::InvalidLayout(e.to_string())),
        }
        self
    }

    /// Sets a layout function, called on every page load.
    pub fn layout_fn<C, F>(&mut self, layout: F) -> &mut Self
    where
        C: Into<Component>,
        F: Fn() -> C + Send + Sync + 'static,
    {
        self.layout_fn_with(move |_: &LayoutContext| layout())
    }

    /// Sets a layout function that is told about the page load (the
    /// session's public handle, see [`LayoutContext::session_handle`]),
    /// called on every page load.
    pub fn layout_fn_with<C, F>(&mut self, layout: F) -> &mut Self
    where
        C: Into<Component>,
        F: Fn(&LayoutContext) -> C + Send + Sync + 'static,
    {
        let registry = self.server_stores.registry.clone();
        let mut first: Component = layout(&LayoutContext::default()).into();
        registry.learn_component(&mut first);
        if let Ok(value) = serde_json::to_value(first) {
            if let Err(e) = validate_ids(&value) {
                self.layout_problem = Some(e);
            }
        }
        self.layout = Some(LayoutSource::Function(Arc::new(
            move |ctx: &LayoutContext| {
                let mut c: Component = layout(ctx).into();
                registry.learn_component(&mut c);
                c
            },
        )));
        self
    }

    /// The server-side cache: `sqlite://PATH`, `redis://HOST:PORT/DB` or
    /// `memory://`. Unset, `DASH_CACHE_URL` decides, else
    /// `sqlite://.dash-cache/cache.sqlite`.
    pub fn cache_url(mut self, url: impl Into<String>) -> Self {
        self.services.cache_url = Some(url.into());
        self
    }

    /// Starts even when the cache cannot be opened or does not answer
    /// (default: no, the start fails with an error naming the URL and the
    /// cause). Degraded, callbacks compute without the cache while it is
    /// tried again with back-off, and `_dash-health` answers 503. Unset, it
    /// comes from `DASH_ALLOW_DEGRADED_START`.
    pub fn allow_degraded_start(mut self, yes: bool) -> Self {
        self.services.allow_degraded_start = Some(yes);
        self
    }

    /// Bounds the cache (SQLite and memory backends; for Redis set the
    /// server's `maxmemory` with an LRU policy); least recently used
    /// entries are evicted first.
    pub fn cache_limits(mut self, max_entries: Option<u64>, max_bytes: Option<u64>) -> Self {
        self.services.cache_limits = dash_cache::Limits {
            max_entries,
            max_bytes,
        };
        self
    }

    /// The single-flight lease: a computation whose process stops renewing
    /// it for this long (it died, or lost the backend) is handed to a
    /// waiter (default 10 s; unset, `DASH_CACHE_LEASE_MS` may set it).
    pub fn single_flight_lease(mut self, lease: std::time::Duration) -> Self {
        self.services.flight.lease = lease;
        self.services.lease_from_app = true;
        self
    }

    /// Serves cache metrics at `_dash-metrics` in Prometheus text (also
    /// `DASH_METRICS=1`).
    pub fn metrics(mut self, yes: bool) -> Self {
        self.services.metrics = yes;
        self
    }

    /// Registers a callback whose function runs on a blocking thread.
    /// Problems (duplicate outputs, wrong argument count, bad ids) are
    /// reported by [`Dash::run`] and [`Dash::into_router`], naming the callback.
    pub fn callback<M>(&mut self, callback: Callback, function: impl SyncCallback<M>) -> &mut Self {
        let slots = function.slots();
        self.callbacks
            .register(callback, slots, function.into_erased().0);
        self
    }

    /// Registers an async callback.
    pub fn callback_async<M>(
        &mut self,
        callback: Callback,
        function: impl AsyncCallback<M>,
    ) -> &mut Self {
        let slots = function.slots();
        self.callbacks
            .register(callback, slots, function.into_erased().0);
        self
    }

    /// The full paths of the `api_endpoint` callbacks.
    pub(crate) fn api_endpoint_paths(&self, prefix: &str) -> Vec<String> {
        self.callbacks
            .callbacks()
            .filter_map(|cb| cb.spec.api_endpoint.as_deref())
            .map(|path| format!("{prefix}{}", path.trim_start_matches('/')))
            .collect()
    }

    /// Every problem found while the app was declared.
    pub fn validate(&self) -> Result<(), Error> {
        let mut problems: Vec<Error> = Vec::new();
        if self.layout.is_none() && !self.pages.any() {
            problems.push(Error::InvalidLayout(
                "the app has no layout; call Dash::layout".into(),
            ));
        }
        if let Some(Error::InvalidLayout(m)) = &self.layout_problem {
            problems.push(Error::InvalidLayout(m.clone()));
        }
        problems.extend(self.pages_problems());
        problems.extend(
            self.callbacks
                .app_problems(self.settings.prevent_initial_callbacks),
        );
        problems.extend(crate::callback::api_endpoint::problems(
            &self.callbacks,
            &self.settings.assets_url_path,
        ));
        if let Ok(prefixes) = self.settings.prefixes() {
            problems.extend(self.custom_routes.problems(
                &prefixes.routes,
                &self.settings.assets_url_path,
                self.api_endpoint_paths(&prefixes.routes),
            ));
        }
        for p in self.callbacks.problems() {
            if let Error::InvalidCallback { callback, reason } = p {
                problems.push(Error::InvalidCallback {
                    callback: callback.clone(),
                    reason: reason.clone(),
                });
            }
        }
        match problems.len() {
            0 => Ok(()),
            1 => Err(problems.remove(0)),
            _ => Err(Error::Several(problems)),
        }
    }
}
