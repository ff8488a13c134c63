//! The layout the renderer checks callbacks against (Python's
//! `app.validation_layout`): every component any page or callback can put
//! on the page, so that callbacks on components that are not in the first
//! layout are not reported as missing in debug mode. Without one, a layout
//! function's first result is used, as in Python (unless callback
//! exceptions are suppressed).

use dash_protocol::Component;

impl crate::Dash {
    /// Sets the validation layout (see the module doc). Its ids must be
    /// valid and unique, as in a layout.
    ///
    /// ```
    /// use dash::prelude::*;
    /// let mut app = Dash::new().validation_layout(html::Div::new().children((
    ///     html::Div::new().id("page-1-output"),
    ///     html::Div::new().id("page-2-output"),
    /// )));
    /// app.layout(html::Div::new().id("content"));
    /// assert!(app.validate().is_ok());
    /// ```
    pub fn validation_layout(mut self, layout: impl Into<Component>) -> Self {
        match serde_json::to_value(layout.into()) {
            Ok(value) => {
                if let Err(e) = crate::layout::validate_ids(&value) {
                    self.layout_problem = Some(match e {
                        crate::Error::InvalidLayout(m) => {
                            crate::Error::InvalidLayout(format!("validation_layout: {m}"))
                        }
                        other => other,
                    });
                }
                self.settings.validation_layout = Some(value);
            }
            Err(e) => {
                self.layout_problem = Some(crate::Error::InvalidLayout(format!(
                    "validation_layout: {e}"
                )))
            }
        }
        self
    }

    /// The validation layout the page's config carries: the app's, or a
    /// layout function's first result; none for a fixed layout or when
    /// callback exceptions are suppressed.
    pub(crate) fn resolved_validation_layout(&self) -> Option<serde_json::Value> {
        if let Some(v) = &self.settings.validation_layout {
            return Some(v.clone());
        }
        if self.settings.suppress_callback_exceptions {
            return None;
        }
        match &self.layout {
            Some(crate::layout::LayoutSource::Function(_)) => self
                .layout
                .as_ref()?
                .render(&crate::LayoutContext::default())
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    #[test]
    fn a_layout_function_is_its_own_validation_layout_unless_exceptions_are_suppressed() {
        let mut app = Dash::new();
        app.layout_fn(|| html::Div::new().id("from-the-function"));
        let v = app
            .resolved_validation_layout()
            .expect("a validation layout");
        assert_eq!(v["props"]["id"], "from-the-function");

        let mut fixed = Dash::new();
        fixed.layout(html::Div::new().id("fixed"));
        assert!(fixed.resolved_validation_layout().is_none());

        let mut quiet = Dash::new().suppress_callback_exceptions(true);
        quiet.layout_fn(|| html::Div::new().id("x"));
        assert!(quiet.resolved_validation_layout().is_none());

        let mut explicit = Dash::new().validation_layout(html::Div::new().id("all-pages"));
        explicit.layout(html::Div::new().id("fixed"));
        assert_eq!(
            explicit.resolved_validation_layout().unwrap()["props"]["id"],
            "all-pages"
        );
        let dup = Dash::new().validation_layout(
            html::Div::new().children((html::Div::new().id("a"), html::Div::new().id("a"))),
        );
        assert!(dup
            .validate()
            .unwrap_err()
            .to_string()
            .contains("validation_layout"));
    }
}
