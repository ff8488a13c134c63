//! Debug mode's switches (Python's `dev_tools_*` arguments of `app.run`):
//! each follows debug mode unless set by the app or by its `DASH_*`
//! environment variable (the app wins, then the environment, as in
//! Python's `get_combined_config`).
//!
//! | switch | environment | what it does |
//! |---|---|---|
//! | `ui` | `DASH_UI` | the dev-tools panel (callback errors, graph) |
//! | `props_check` | `DASH_PROPS_CHECK` | prop-type checks in the browser (development React) |
//! | `serve_dev_bundles` | `DASH_SERVE_DEV_BUNDLES` | development builds of React and the renderer |
//! | `hot_reload` | `DASH_HOT_RELOAD` | the page follows changes of the assets folder (CSS swapped in place, other files reload the page) and server restarts |
//! | `prune_errors` | `DASH_PRUNE_ERRORS` | accepted for Python parity (errors carry no Python frames to prune) |

use std::time::Duration;

use crate::run_options::RunOptions;

/// The switches as the app set them (`None`: follow the environment, then
/// debug mode).
#[derive(Debug, Clone, Default)]
pub(crate) struct DevToolsSettings {
    pub ui: Option<bool>,
    pub props_check: Option<bool>,
    pub serve_dev_bundles: Option<bool>,
    pub hot_reload: Option<bool>,
    pub hot_reload_interval: Option<Duration>,
    pub hot_reload_max_retry: Option<u32>,
    pub prune_errors: Option<bool>,
}

/// The switches in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DevTools {
    pub ui: bool,
    pub props_check: bool,
    pub serve_dev_bundles: bool,
    pub hot_reload: bool,
    pub hot_reload_interval: Duration,
    pub hot_reload_max_retry: u32,
}

fn flag(set: Option<bool>, env: &str, debug: bool) -> bool {
    set.or_else(|| RunOptions::env_flag(env)).unwrap_or(debug)
}

impl DevToolsSettings {
    pub(crate) fn resolve(&self, debug: bool) -> DevTools {
        let hot_reload_interval = self
            .hot_reload_interval
            .or_else(|| {
                std::env::var("DASH_HOT_RELOAD_INTERVAL")
                    .ok()
                    .and_then(|v| v.trim().parse::<f64>().ok())
                    .filter(|s| *s > 0.0)
                    .map(Duration::from_secs_f64)
            })
            .unwrap_or(Duration::from_secs(3));
        let hot_reload_max_retry = self
            .hot_reload_max_retry
            .or_else(|| {
                std::env::var("DASH_HOT_RELOAD_MAX_RETRY")
                    .ok()
                    .and_then(|v| v.trim().parse().ok())
            })
            .unwrap_or(8);
        let _ = flag(self.prune_errors, "DASH_PRUNE_ERRORS", debug);
        DevTools {
            ui: flag(self.ui, "DASH_UI", debug),
            props_check: flag(self.props_check, "DASH_PROPS_CHECK", debug),
            serve_dev_bundles: flag(self.serve_dev_bundles, "DASH_SERVE_DEV_BUNDLES", debug),
            hot_reload: flag(self.hot_reload, "DASH_HOT_RELOAD", debug),
            hot_reload_interval,
            hot_reload_max_retry,
        }
    }
}

macro_rules! switch {
    ($(#[$doc:meta])* $name:ident, $field:ident) => {
        $(#[$doc])*
        pub fn $name(mut self, yes: bool) -> Self {
            self.settings.dev_tools.$field = Some(yes);
            self
        }
    };
}

impl crate::Dash {
    switch!(
        /// The dev-tools panel (Python's `dev_tools_ui`; `DASH_UI`).
        dev_tools_ui,
        ui
    );
    switch!(
        /// Prop-type checks in the browser (Python's `dev_tools_props_check`;
        /// `DASH_PROPS_CHECK`).
        dev_tools_props_check,
        props_check
    );
    switch!(
        /// Development builds of React and the renderer (Python's
        /// `dev_tools_serve_dev_bundles`; `DASH_SERVE_DEV_BUNDLES`).
        dev_tools_serve_dev_bundles,
        serve_dev_bundles
    );
    switch!(
        /// The page follows the assets folder and server restarts (Python's
        /// `dev_tools_hot_reload`; `DASH_HOT_RELOAD`).
        ///
        /// ```
        /// let app = dash::Dash::new().debug(true).dev_tools_hot_reload(false);
        /// # let _ = app;
        /// ```
        dev_tools_hot_reload,
        hot_reload
    );
    switch!(
        /// Accepted for Python parity (`dev_tools_prune_errors`;
        /// `DASH_PRUNE_ERRORS`): errors have no Python frames to prune.
        dev_tools_prune_errors,
        prune_errors
    );

    /// How often the page asks whether to reload (Python's
    /// `dev_tools_hot_reload_interval`, default 3 s;
    /// `DASH_HOT_RELOAD_INTERVAL` in seconds).
    pub fn dev_tools_hot_reload_interval(mut self, every: Duration) -> Self {
        self.settings.dev_tools.hot_reload_interval = Some(every);
        self
    }

    /// Failed reload checks before the page gives up (Python's
    /// `dev_tools_hot_reload_max_retry`, default 8;
    /// `DASH_HOT_RELOAD_MAX_RETRY`).
    pub fn dev_tools_hot_reload_max_retry(mut self, retries: u32) -> Self {
        self.settings.dev_tools.hot_reload_max_retry = Some(retries);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn switches_follow_debug_unless_set() {
        let on = DevToolsSettings::default().resolve(true);
        assert!(on.ui && on.props_check && on.serve_dev_bundles && on.hot_reload);
        assert_eq!(on.hot_reload_interval, Duration::from_secs(3));
        assert_eq!(on.hot_reload_max_retry, 8);
        let off = DevToolsSettings::default().resolve(false);
        assert!(!off.ui && !off.props_check && !off.serve_dev_bundles && !off.hot_reload);
        let mixed = DevToolsSettings {
            hot_reload: Some(false),
            ui: Some(true),
            hot_reload_interval: Some(Duration::from_millis(500)),
            ..Default::default()
        };
        let m = mixed.resolve(true);
        assert!(m.ui && !m.hot_reload && m.props_check);
        assert_eq!(m.hot_reload_interval, Duration::from_millis(500));
        assert!(
            mixed.resolve(false).ui,
            "the app's switch wins over debug mode"
        );
    }
}
