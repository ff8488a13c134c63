//! Clientside callbacks: JavaScript the renderer runs in the browser,
//! without a request (Python's `app.clientside_callback`). Inline code is
//! put on the page as Python puts it: in the namespace
//! `_dashprivate_clientside_funcs` under the SHA-256 of its text (as Python Dash 4.4.1); a
//! [`ClientsideFunction`] names a function an assets script defines under
//! `window.dash_clientside.<namespace>.<name>`. The renderer gives the
//! function the Inputs' and States' values and applies what it returns;
//! `window.dash_clientside.no_update`, `PreventUpdate`, `set_props` and
//! `callback_context` work as in Python Dash.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Where the renderer finds a clientside function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClientsideFunction {
    /// `window.dash_clientside.<namespace>`.
    pub namespace: String,
    /// The function's name in it.
    pub function_name: String,
}

impl ClientsideFunction {
    /// A function defined by an assets script (Python's
    /// `ClientsideFunction(namespace, function_name)`).
    pub fn new(namespace: impl Into<String>, function_name: impl Into<String>) -> Self {
        ClientsideFunction {
            namespace: namespace.into(),
            function_name: function_name.into(),
        }
    }
}

/// The code of a clientside callback: inline JavaScript (a function
/// expression, as text) or a named function from the assets folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClientsideCode {
    /// `"function(a, b) { return a + b; }"` or an arrow function.
    Inline(String),
    /// A function from the assets folder.
    Named(ClientsideFunction),
}

impl From<&str> for ClientsideCode {
    fn from(code: &str) -> Self {
        ClientsideCode::Inline(code.to_owned())
    }
}
impl From<String> for ClientsideCode {
    fn from(code: String) -> Self {
        ClientsideCode::Inline(code)
    }
}
impl From<ClientsideFunction> for ClientsideCode {
    fn from(f: ClientsideFunction) -> Self {
        ClientsideCode::Named(f)
    }
}

const INLINE_NAMESPACE: &str = "_dashprivate_clientside_funcs";

impl ClientsideCode {
    /// The function to reference, and the script that defines it (inline
    /// code only), as Python writes it.
    pub(crate) fn resolve(self) -> (ClientsideFunction, Option<String>) {
        match self {
            ClientsideCode::Named(f) => (f, None),
            ClientsideCode::Inline(code) => {
                // Python Dash 4.4.1: hashlib.sha256(code).hexdigest(), and
                // its `_inline_clientside_template`.
                let name = hex::encode(Sha256::digest(code.as_bytes()));
                let script = format!(
                    "\n(function() {{\n    var clientside = window.dash_clientside = window.dash_clientside || {{}};\n    var ns = clientside[\"{INLINE_NAMESPACE}\"] = clientside[\"{INLINE_NAMESPACE}\"] || {{}};\n    ns[\"{name}\"] = {code};\n}})();\n"
                );
                (
                    ClientsideFunction::new(INLINE_NAMESPACE, name),
                    Some(script),
                )
            }
        }
    }
}

impl crate::Dash {
    /// Registers a clientside callback; the same checks as
    /// [`Dash::callback`](crate::Dash::callback) apply.
    ///
    /// ```
    /// use dash::prelude::*;
    /// use dash::callback::ClientsideFunction;
    /// let mut app = Dash::new();
    /// app.layout(html::Div::new().children((dcc::Input::new().id("in").value("a"), html::Div::new().id("out"))));
    /// app.clientside_callback(
    ///     Callback::new().output(("out", "children")).input(("in", "value")),
    ///     "function(value) { return value.toUpperCase(); }",
    /// );
    /// app.clientside_callback(
    ///     Callback::new().output(("out", "title")).input(("in", "value")),
    ///     ClientsideFunction::new("tour", "title_of"),
    /// );
    /// assert!(app.validate().is_ok());
    /// ```
    pub fn clientside_callback(
        &mut self,
        callback: super::Callback,
        code: impl Into<ClientsideCode>,
    ) -> &mut Self {
        let (function, script) = code.into().resolve();
        self.callbacks
            .register_clientside(callback, function, script);
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_code_is_named_by_its_sha256_as_in_python() {
        let (f, script) = ClientsideCode::from("function(a) { return a; }").resolve();
        assert_eq!(f.namespace, "_dashprivate_clientside_funcs");
        // hashlib.sha256(b"function(a) { return a; }").hexdigest()
        assert_eq!(
            f.function_name,
            "cbcbb4459ad457e7b977e2f897d72e80a8c474bbfb9387c5bd0329168585cb95"
        );
        let script = script.unwrap();
        assert!(script.contains(&format!(
            "ns[\"{}\"] = function(a) {{ return a; }};",
            f.function_name
        )));
        let (named, none) = ClientsideCode::from(ClientsideFunction::new("ns", "f")).resolve();
        assert_eq!(
            (named.namespace.as_str(), named.function_name.as_str(), none),
            ("ns", "f", None)
        );
    }
}
