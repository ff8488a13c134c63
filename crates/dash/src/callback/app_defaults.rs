//! App-wide defaults of callbacks (Python's
//! `Dash(prevent_initial_callbacks=...)`).

use super::spec::InitialCall;

impl From<bool> for InitialCall {
    fn from(prevent: bool) -> Self {
        if prevent {
            InitialCall::Prevent
        } else {
            InitialCall::Run
        }
    }
}

impl crate::Dash {
    /// What callbacks that do not say otherwise do on page load: `true`
    /// skips their initial call, [`InitialCall::InitialDuplicate`] runs it
    /// even with `allow_duplicate` outputs (default: they run).
    ///
    /// ```
    /// use dash::prelude::*;
    /// let mut app = Dash::new().prevent_initial_callbacks(true);
    /// app.layout(html::Div::new().children((html::Button::new().id("b"), html::Div::new().id("o"))));
    /// app.callback(
    ///     Callback::new().output(Output::new("o", "children").allow_duplicate()).input(("b", "n_clicks")),
    ///     |n: Option<u32>| n.unwrap_or(0),
    /// );
    /// assert!(app.validate().is_ok(), "the app's default prevents the initial call");
    /// ```
    pub fn prevent_initial_callbacks(mut self, default: impl Into<InitialCall>) -> Self {
        self.settings.prevent_initial_callbacks = default.into();
        self
    }
}
