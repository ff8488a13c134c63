//! Dash 4's `api_endpoint`: a callback also served as a JSON route, called
//! without the renderer. `POST <prefix><path>` with a JSON object of the
//! callback's Inputs and States (keyed `<id>.<prop>`, or by the id alone
//! when one prop of that component is used) or a JSON array of them in
//! order; the answer is what the function returned (one value, or a list
//! with one per output). Python passes the object as keyword arguments, so
//! its keys are the function's parameter names; a Rust function has none,
//! hence the ids.

use dash_protocol::Dependency;
use serde_json::Value;

use super::{Callback, CallbackRegistry};
use crate::Error;

impl Callback {
    /// Also serves the callback at `POST <prefix><path>` (`path` starts
    /// with `/`), as Python Dash's `api_endpoint`.
    ///
    /// ```
    /// use dash::prelude::*;
    /// let mut app = Dash::new();
    /// app.callback(
    ///     Callback::new()
    ///         .output(("total", "children"))
    ///         .input(("a", "value"))
    ///         .input(("b", "value"))
    ///         .api_endpoint("/api/total"),
    ///     |a: f64, b: f64| a + b,
    /// );
    /// // curl -d '{"a": 1, "b": 2}' http://127.0.0.1:8050/api/total  ->  3.0
    /// ```
    pub fn api_endpoint(mut self, path: impl Into<String>) -> Self {
        self.api_endpoint = Some(path.into());
        self
    }
}

/// Paths the server serves itself.
const RESERVED: &[&str] = &["_dash-", "_reload-hash", "_favicon.ico"];

/// What is wrong with the app's API endpoints.
pub(crate) fn problems(registry: &CallbackRegistry, assets_url_path: &str) -> Vec<Error> {
    let mut seen = Vec::new();
    let mut out = Vec::new();
    for cb in registry.callbacks() {
        let Some(path) = &cb.spec.api_endpoint else {
            continue;
        };
        let fail = |reason: String| Error::InvalidCallback {
            callback: cb.key.clone(),
            reason,
        };
        let rest = path.strip_prefix('/').unwrap_or("");
        let assets = format!("{}/", assets_url_path.trim_matches('/'));
        if !path.starts_with('/') || rest.is_empty() {
            out.push(fail(format!(
                "api_endpoint {path:?} must start with / and name a path"
            )));
        } else if !rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_-.".contains(c))
        {
            out.push(fail(format!(
                "api_endpoint {path:?} may hold only letters, digits, /, _, - and ."
            )));
        } else if RESERVED.iter().any(|r| rest.starts_with(r)) || rest.starts_with(&assets) {
            out.push(fail(format!(
                "api_endpoint {path:?} is a path the server serves itself"
            )));
        } else if seen.contains(path) {
            out.push(fail(format!("api_endpoint {path:?} is used twice")));
        } else if cb.spec.clientside.is_some() || cb.spec.is_background() {
            out.push(fail(
                "api_endpoint needs a server callback that answers at once (not clientside, not background)"
                    .into(),
            ));
        } else if cb
            .spec
            .inputs
            .iter()
            .chain(&cb.spec.states)
            .chain(&cb.spec.outputs)
            .any(|d| d.id.has_wildcard())
        {
            out.push(fail(
                "api_endpoint cannot serve a callback with pattern-matching ids".into(),
            ));
        }
        seen.push(path.clone());
    }
    out
}

/// The values of a JSON request: an object by `<id>.<prop>` (or the id
/// alone), an array in order, or nothing.
pub(crate) fn values(
    deps: &[&Dependency],
    body: &[u8],
) -> Result<Vec<(Dependency, Value)>, String> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Vec::new());
    }
    let json: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    match json {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => {
            if items.len() > deps.len() {
                return Err(format!(
                    "the callback takes {} Input(s) and State(s); the body has {} values",
                    deps.len(),
                    items.len()
                ));
            }
            Ok(deps.iter().map(|d| (*d).clone()).zip(items).collect())
        }
        Value::Object(map) => map
            .into_iter()
            .map(|(key, v)| {
                let full = deps
                    .iter()
                    .find(|d| format!("{}.{}", d.id, d.property) == key);
                let by_id: Vec<&&Dependency> =
                    deps.iter().filter(|d| d.id.to_string() == key).collect();
                let full = full.or(match by_id.as_slice() {
                    [d] => Some(*d),
                    _ => None,
                });
                match (full, by_id.as_slice()) {
                    (Some(d), _) => Ok(((**d).clone(), v)),
                    (None, []) => Err(format!(
                        "{key:?} is not an Input or State of the callback (use <id>.<prop>)"
                    )),
                    (None, _) => Err(format!(
                        "{key:?} names several props of the callback: use <id>.<prop>"
                    )),
                }
            })
            .collect(),
        _ => Err(
            "the body must be a JSON object or array of the callback's Inputs and States".into(),
        ),
    }
}
