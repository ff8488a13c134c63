//! The app's layout: a value serialized once, or a function called on every
//! page load.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use dash_protocol::Component;
use serde_json::Value;

use crate::Error;

/// Where `_dash-layout` comes from.
#[derive(Clone)]
pub(crate) enum LayoutSource {
    /// Serialized once at start-up.
    Fixed(Bytes),
    /// Called for every `GET _dash-layout`.
    Function(Arc<dyn Fn(&LayoutContext) -> Component + Send + Sync>),
}

/// What a layout function may know about the page load.
#[derive(Debug, Clone, Default)]
pub struct LayoutContext {
    session: Option<crate::session::RequestSession>,
    user: Option<crate::auth::User>,
}

impl LayoutContext {
    pub(crate) fn new(session: Option<crate::session::RequestSession>) -> Self {
        LayoutContext {
            session,
            user: None,
        }
    }

    pub(crate) fn with_user(mut self, user: Option<crate::auth::User>) -> Self {
        self.user = user;
        self
    }

    pub(crate) fn user_ref(&self) -> Option<&crate::auth::User> {
        self.user.as_ref()
    }

    /// The public handle of this browser's session: safe to put on the page
    /// (e.g. in a `dcc.Store`) for callbacks to compare with
    /// [`CallbackContext::session_handle`](crate::CallbackContext::session_handle).
    /// It is not the session cookie and the cookie cannot be rebuilt from
    /// it. A browser without a valid session gets a new one with this
    /// answer. `None` outside a page load (the check at declaration).
    pub fn session_handle(&self) -> Option<String> {
        self.session.as_ref().map(|s| s.handle())
    }
}

impl LayoutSource {
    /// The layout JSON for one request.
    pub(crate) fn render(&self, context: &LayoutContext) -> Result<Bytes, String> {
        match self {
            LayoutSource::Fixed(b) => Ok(b.clone()),
            LayoutSource::Function(f) => {
                let component =
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(context)))
                        .map_err(|_| "the layout function panicked".to_owned())?;
                serde_json::to_vec(&component)
                    .map(Bytes::from)
                    .map_err(|e| format!("the layout cannot be encoded: {e}"))
            }
        }
    }
}

/// Checks that ids in a layout tree are valid and unique, as Python Dash
/// checks the initial layout.
pub(crate) fn validate_ids(layout: &Value) -> Result<(), Error> {
    let mut seen = HashSet::new();
    walk(layout, &mut seen)
}

fn walk(node: &Value, seen: &mut HashSet<String>) -> Result<(), Error> {
    match node {
        Value::Array(items) => items.iter().try_for_each(|i| walk(i, seen)),
        Value::Object(map) if map.contains_key("namespace") && map.contains_key("props") => {
            let props = &map["props"];
            if let Some(id) = props.get("id") {
                let parsed: dash_protocol::ComponentId = serde_json::from_value(id.clone())
                    .map_err(|e| {
                        Error::InvalidLayout(format!("component id {id} is not valid: {e}"))
                    })?;
                parsed
                    .validate()
                    .map_err(|e| Error::InvalidLayout(e.to_string()))?;
                if !seen.insert(parsed.to_string()) {
                    return Err(Error::InvalidLayout(format!(
                        "duplicate component id {parsed} in the layout; ids must be unique"
                    )));
                }
            }
            if let Value::Object(props) = props {
                for v in props.values() {
                    walk(v, seen)?;
                }
            }
            Ok(())
        }
        Value::Object(map) => map.values().try_for_each(|v| walk(v, seen)),
        _ => Ok(()),
    }
}
