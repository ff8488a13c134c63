//! Declaring a background callback: the builder methods on [`Callback`] and
//! the checks made when it is registered.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use dash_protocol::{ComponentId, Dependency};
use serde::Serialize;
use serde_json::{json, Value};

use crate::callback::{Callback, CallbackContext, Input, Output};

/// A part of the result cache's key, computed per call.
pub(crate) type CacheByFn = Arc<dyn Fn(&CallbackContext) -> Value + Send + Sync>;

/// The poll interval when none is given: Python Dash's default.
pub(crate) const DEFAULT_INTERVAL_MS: u64 = 1000;

/// What makes a callback a background one (all empty for a plain callback).
#[derive(Clone, Default)]
pub(crate) struct BackgroundSpec {
    pub(crate) enabled: bool,
    pub(crate) progress: Vec<Dependency>,
    pub(crate) progress_default: Option<Value>,
    pub(crate) cancel: Vec<Dependency>,
    pub(crate) interval_ms: Option<u64>,
    pub(crate) cache_by: Vec<CacheByFn>,
    pub(crate) expire: Option<Duration>,
    pub(crate) cancel_previous: Option<bool>,
    /// One of the hidden callbacks of the cancel inputs (`cancel_inputs.rs`).
    pub(crate) cancel_callback: bool,
}

impl fmt::Debug for BackgroundSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BackgroundSpec")
            .field("enabled", &self.enabled)
            .field("progress", &self.progress)
            .field("progress_default", &self.progress_default)
            .field("cancel", &self.cancel)
            .field("interval_ms", &self.interval_ms)
            .field("cache_by", &self.cache_by.len())
            .field("expire", &self.expire)
            .field("cancel_previous", &self.cancel_previous)
            .finish()
    }
}

impl BackgroundSpec {
    /// The poll interval the renderer is told.
    pub(crate) fn interval_ms(&self) -> u64 {
        self.interval_ms.unwrap_or(DEFAULT_INTERVAL_MS)
    }

    /// Whether a new run cancels the run it supersedes (`oldJob`).
    pub(crate) fn cancels_previous(&self) -> bool {
        self.cancel_previous.unwrap_or(true)
    }

    /// `"<id>.<prop>"` of each progress output, the keys of `progress`.
    pub(crate) fn progress_keys(&self) -> Vec<String> {
        self.progress.iter().map(Dependency::key).collect()
    }

    /// `progressDefault` of the first answer: one value per progress output.
    pub(crate) fn progress_default_map(&self) -> Option<serde_json::Map<String, Value>> {
        let values = self.progress_default.as_ref()?;
        let values = spread(values, self.progress.len())?;
        Some(self.progress_keys().into_iter().zip(values).collect())
    }

    /// The `hidden` field of `_dash-dependencies`: Python registers the
    /// cancel callbacks after it settles `hidden`, so theirs is `null`.
    pub(crate) fn hidden_entry(&self, hidden: bool) -> Value {
        if self.cancel_callback {
            Value::Null
        } else {
            Value::Bool(hidden)
        }
    }

    /// The `background` field of `_dash-dependencies`.
    pub(crate) fn dependencies_entry(&self) -> Value {
        if self.enabled {
            json!({"interval": self.interval_ms()})
        } else {
            Value::Null
        }
    }

    /// Whether any background option was set.
    fn any_option(&self) -> bool {
        !self.progress.is_empty()
            || self.progress_default.is_some()
            || !self.cancel.is_empty()
            || self.interval_ms.is_some()
            || !self.cache_by.is_empty()
            || self.expire.is_some()
            || self.cancel_previous.is_some()
    }
}

/// One value per output: a single output takes the value itself, several
/// take a list (or tuple) of that many values.
pub(crate) fn spread(value: &Value, outputs: usize) -> Option<Vec<Value>> {
    match (outputs, value) {
        (1, v) => Some(vec![v.clone()]),
        (n, Value::Array(items)) if items.len() == n => Some(items.clone()),
        _ => None,
    }
}

/// The checks Python Dash makes when a background callback is declared,
/// and ours: options without `background()`, pattern ids in progress or
/// cancel, a `progress_default` of the wrong length.
pub(crate) fn check(callback: &Callback) -> Result<(), String> {
    let spec = &callback.background;
    if !spec.enabled {
        if spec.any_option() {
            return Err("progress, progress_default, cancel, interval, cache_by, expire and cancel_previous need Callback::background()".into());
        }
        return Ok(());
    }
    for (what, deps) in [("progress", &spec.progress), ("cancel", &spec.cancel)] {
        for dep in deps {
            dep.validate().map_err(|e| e.to_string())?;
            if !matches!(dep.id, ComponentId::String(_)) {
                return Err(format!(
                    "{what} {} uses a pattern-matching id, which background callbacks do not support there",
                    dep.key()
                ));
            }
        }
    }
    if let Some(default) = &spec.progress_default {
        let n = spec.progress.len();
        if n == 0 {
            return Err("progress_default needs progress outputs (Callback::progress)".into());
        }
        if spread(default, n).is_none() {
            return Err(format!(
                "progress_default needs one value per progress output: a list of {n} values"
            ));
        }
    }
    if spec.interval_ms == Some(0) {
        return Err("the poll interval must be at least 1 ms".into());
    }
    Ok(())
}

impl Callback {
    /// Runs the callback as a background job: the request that fires it
    /// answers at once, the function runs on the app's job pool, and the
    /// renderer polls for its progress, its `set_props` updates and its
    /// result (protocol notes §7). Any worker process answers any poll: the
    /// job's state lives in the cache backend.
    ///
    /// The function may take a [`Progress`](crate::background::Progress)
    /// argument (it uses no Input slot) to report progress and to see a
    /// cancel; `CallbackContext::set_props` streams updates to the page,
    /// each one delivered in order.
    ///
    /// ```
    /// use dash::{Callback, background::Progress};
    /// let mut app = dash::Dash::new();
    /// app.callback(
    ///     Callback::new()
    ///         .output(("result", "children"))
    ///         .input(("run", "n_clicks"))
    ///         .prevent_initial_call(true)
    ///         .background()
    ///         .progress(("bar", "value"))
    ///         .progress(("bar", "max"))
    ///         .cancel(("stop", "n_clicks"))
    ///         .running(("run", "disabled"), true, false)
    ///         .interval(250),
    ///     |progress: Progress, _clicks: Option<u64>| {
    ///         for i in 1..=3 {
    ///             progress.set((i, 3));
    ///         }
    ///         "done"
    ///     },
    /// );
    /// ```
    pub fn background(mut self) -> Self {
        self.background.enabled = true;
        self
    }

    /// Adds a progress output, set by [`Progress::set`](crate::background::Progress::set)
    /// while the job runs (call again for more; with several, `set` takes a
    /// tuple with one value per output).
    pub fn progress(mut self, output: impl Into<Output>) -> Self {
        self.background.progress.push(output.into().0);
        self
    }

    /// The values of the progress outputs when no job runs: applied when a
    /// job ends or is cancelled (one value, or a tuple/list with one per
    /// progress output).
    pub fn progress_default(mut self, values: impl Serialize) -> Self {
        self.background.progress_default =
            Some(serde_json::to_value(values).unwrap_or(Value::Null));
        self
    }

    /// Adds an input whose change cancels the running job (a "Cancel"
    /// button's `n_clicks`).
    pub fn cancel(mut self, input: impl Into<Input>) -> Self {
        self.background.cancel.push(input.into().0);
        self
    }

    /// Milliseconds between the renderer's polls (default 1000, as Python).
    pub fn interval(mut self, ms: u64) -> Self {
        self.background.interval_ms = Some(ms);
        self
    }

    /// Keeps results and reuses them: a later call with the same inputs,
    /// outputs and `key` values answers at once with the stored result, for
    /// any session (give the session id as a key part to keep them apart).
    /// Several calls add several key parts. Without `cache_by` a result is
    /// removed once the page that asked for it has it.
    ///
    /// ```
    /// use dash::{Callback, CallbackContext};
    /// let data_version = || 3u32;
    /// let cb = Callback::new()
    ///     .output(("out", "children"))
    ///     .input(("in", "value"))
    ///     .background()
    ///     .cache_by(move |_ctx: &CallbackContext| data_version())
    ///     .expire(std::time::Duration::from_secs(600));
    /// # let _ = cb;
    /// ```
    pub fn cache_by<T, F>(mut self, key: F) -> Self
    where
        T: Serialize,
        F: Fn(&CallbackContext) -> T + Send + Sync + 'static,
    {
        self.background.cache_by.push(Arc::new(move |ctx| {
            serde_json::to_value(key(ctx)).unwrap_or(Value::Null)
        }));
        self
    }

    /// How long a result is kept: with [`cache_by`](Self::cache_by), after
    /// its last use (default: until the cache evicts it); without it, while
    /// it waits for the page to poll (default one hour).
    pub fn expire(mut self, after: Duration) -> Self {
        self.background.expire = Some(after);
        self
    }

    /// Whether a new run of this callback for the same outputs cancels the
    /// run still going (default true, as Python). With `false` both run to
    /// the end; the renderer only shows the newer one's result (MATCH
    /// callbacks of different components never cancel each other either
    /// way).
    pub fn cancel_previous(mut self, yes: bool) -> Self {
        self.background.cancel_previous = Some(yes);
        self
    }

    /// True for a callback declared with [`background`](Self::background).
    pub fn is_background(&self) -> bool {
        self.background.enabled
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use dash_protocol::Wildcard;

    fn bg() -> Callback {
        Callback::new()
            .output(("out", "children"))
            .input(("go", "n_clicks"))
            .background()
    }

    #[test]
    fn options_need_background_and_string_ids() {
        let plain = Callback::new()
            .output(("out", "children"))
            .input(("go", "n_clicks"))
            .progress(("bar", "value"));
        assert!(check(&plain).unwrap_err().contains("background()"));
        let pattern = bg().cancel(Input::new(
            ComponentId::object([("i", Wildcard::Match.into())]),
            "n_clicks",
        ));
        assert!(check(&pattern).unwrap_err().contains("pattern-matching"));
        assert!(check(&bg().interval(0)).is_err());
        assert!(
            check(&bg().progress_default(0)).is_err(),
            "no progress outputs"
        );
        let two = bg().progress(("bar", "value")).progress(("bar", "max"));
        assert!(check(&two.clone().progress_default(0)).is_err());
        assert!(check(&two.clone().progress_default((0, 10))).is_ok());
        let map = two
            .progress_default((0, 10))
            .background
            .progress_default_map();
        assert_eq!(
            Value::Object(map.unwrap()),
            json!({"bar.value": 0, "bar.max": 10})
        );
    }

    #[test]
    fn the_dependencies_entry_carries_the_interval() {
        assert_eq!(
            bg().background.dependencies_entry(),
            json!({"interval": 1000})
        );
        assert_eq!(
            bg().interval(250).background.dependencies_entry(),
            json!({"interval": 250})
        );
        assert_eq!(Callback::new().background.dependencies_entry(), Value::Null);
    }
}
