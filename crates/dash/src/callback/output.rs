//! Turning a callback's return value into output values.

use serde::{Serialize, Serializer};

use super::error::CallbackError;

/// Leaves one output unchanged (Python's `dash.no_update`).
///
/// ```
/// use dash::NoUpdate;
/// // A two-output callback that only writes the second output:
/// fn cb(v: String) -> (NoUpdate, String) { (NoUpdate, v) }
/// # let _ = cb("x".into());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NoUpdate;

/// The JSON text a [`NoUpdate`] serializes to; never sent to the browser.
pub(crate) const NO_UPDATE_JSON: &str = "\"\\u0000dash-rs:no_update\"";

impl Serialize for NoUpdate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("\u{0}dash-rs:no_update")
    }
}

/// A value for one output, or no update, decided at run time.
///
/// ```
/// use dash::Update;
/// fn cb(v: Option<String>) -> Update<String> {
///     match v { Some(v) => Update::Value(v), None => Update::NoUpdate }
/// }
/// # let _ = cb(None);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum Update<T> {
    /// Write this value.
    Value(T),
    /// Leave the output unchanged.
    NoUpdate,
}

impl<T: Serialize> Serialize for Update<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Update::Value(v) => v.serialize(s),
            Update::NoUpdate => NoUpdate.serialize(s),
        }
    }
}

impl<T> From<T> for Update<T> {
    fn from(v: T) -> Self {
        Update::Value(v)
    }
}

/// Marker for callbacks returning a plain value.
#[doc(hidden)]
pub enum Plain {}
/// Marker for callbacks returning a `Result`.
#[doc(hidden)]
pub enum Fallible {}

/// What a callback may return: any `Serialize` value (one output, or a tuple
/// with one element per output), or a `Result` of one whose error converts
/// into [`CallbackError`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be returned from a Dash callback",
    note = "return a serde `Serialize` value (a tuple for several outputs), or `Result<T, E>` where `E` converts into `dash::CallbackError`"
)]
pub trait IntoCallbackResult<M>: Send + 'static {
    /// Serializes the value to JSON text, or gives the error.
    fn into_callback_result(self) -> Result<String, ReturnError>;
}

/// Why a return value gave no output.
#[doc(hidden)]
pub enum ReturnError {
    /// The callback's own error.
    Callback(CallbackError),
    /// The value could not be serialized.
    Serialize(serde_json::Error),
}

impl<T: Serialize + Send + 'static> IntoCallbackResult<Plain> for T {
    fn into_callback_result(self) -> Result<String, ReturnError> {
        serde_json::to_string(&self).map_err(ReturnError::Serialize)
    }
}

impl<T, E> IntoCallbackResult<Fallible> for Result<T, E>
where
    T: Serialize + Send + 'static,
    E: Into<CallbackError> + Send + 'static,
{
    fn into_callback_result(self) -> Result<String, ReturnError> {
        match self {
            Ok(v) => serde_json::to_string(&v).map_err(ReturnError::Serialize),
            Err(e) => Err(ReturnError::Callback(e.into())),
        }
    }
}
