//! What happens when a callback fails (Python's `on_error`): a handler per
//! callback, or one for the whole app, gets the error and the call's
//! context. What it returns becomes the outputs' values (`None`: no
//! output changes); it may also `set_props`. The answer is then a 200, as
//! in Python; without a handler a failure answers 500.

use std::sync::Arc;

use serde_json::Value;

use super::context::CallbackContext;
use super::error::CallbackError;
use super::output::NO_UPDATE_JSON;

type HandlerFn = dyn Fn(&CallbackError, &CallbackContext) -> Option<Value> + Send + Sync;

/// A failure handler; see the module doc.
#[derive(Clone)]
pub struct ErrorHandler(Arc<HandlerFn>);

impl std::fmt::Debug for ErrorHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ErrorHandler")
    }
}

impl ErrorHandler {
    pub(crate) fn new(
        f: impl Fn(&CallbackError, &CallbackContext) -> Option<Value> + Send + Sync + 'static,
    ) -> Self {
        ErrorHandler(Arc::new(f))
    }

    /// The outputs' JSON for a failed call: the handler's value, or "no
    /// update"; an error if that value cannot be written.
    pub(crate) fn outputs_for(
        &self,
        error: &CallbackError,
        context: &CallbackContext,
    ) -> Result<String, String> {
        match (self.0)(error, context) {
            None => Ok(NO_UPDATE_JSON.to_owned()),
            Some(v) => serde_json::to_string(&v)
                .map_err(|e| format!("the on_error handler's value cannot be JSON: {e}")),
        }
    }
}

impl super::Callback {
    /// Handles this callback's failures (Python's `on_error=`); see the
    /// module doc. It takes precedence over [`Dash::on_error`](crate::Dash::on_error).
    ///
    /// ```
    /// use dash::{Callback, CallbackContext};
    /// use serde_json::json;
    /// let cb = Callback::new()
    ///     .output(("output", "children"))
    ///     .input(("start", "n_clicks"))
    ///     .on_error(|err, ctx: &CallbackContext| {
    ///         ctx.set_props("error-message", json!({"children": format!("message: {err}")}));
    ///         Some(json!(format!("callback: {err}")))
    ///     });
    /// # let _ = cb;
    /// ```
    pub fn on_error(
        mut self,
        handler: impl Fn(&CallbackError, &CallbackContext) -> Option<Value> + Send + Sync + 'static,
    ) -> Self {
        self.on_error = Some(ErrorHandler::new(handler));
        self
    }
}

impl crate::Dash {
    /// Handles the failures of every callback without a handler of its own
    /// (Python's `Dash(on_error=...)`); see the module doc.
    pub fn on_error(
        mut self,
        handler: impl Fn(&CallbackError, &CallbackContext) -> Option<Value> + Send + Sync + 'static,
    ) -> Self {
        self.callbacks.default_on_error = Some(ErrorHandler::new(handler));
        self
    }
}
