//! Turning a callback's return value into output values.

use serde::{Serialize, Serializer};

use super::error::CallbackError;
pub use crate::server_store::{OutputPlan, Returned};

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

/// The string a [`NoUpdate`] serializes as.
pub(crate) const NO_UPDATE_TEXT: &str = "\u{0}dash-rs:no_update";

impl Serialize for NoUpdate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(NO_UPDATE_TEXT)
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
    /// Serializes the value to JSON text (outputs to server stores as
    /// references, following `plan`), or gives the error.
    fn into_callback_result(self, plan: Option<&OutputPlan>) -> Result<Returned, ReturnError>;
}

fn serialize<T: Serialize + ?Sized>(
    value: &T,
    plan: Option<&OutputPlan>,
) -> Result<Returned, ReturnError> {
    match plan {
        None => serde_json::to_string(value).map(Returned::plain),
        Some(plan) => crate::server_store::capture_serialize(value, plan),
    }
    .map_err(ReturnError::Serialize)
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
    fn into_callback_result(self, plan: Option<&OutputPlan>) -> Result<Returned, ReturnError> {
        serialize(&self, plan)
    }
}

impl<T, E> IntoCallbackResult<Fallible> for Result<T, E>
where
    T: Serialize + Send + 'static,
    E: Into<CallbackError> + Send + 'static,
{
    fn into_callback_result(self, plan: Option<&OutputPlan>) -> Result<Returned, ReturnError> {
        match self {
            Ok(v) => serialize(&v, plan),
            Err(e) => Err(ReturnError::Callback(e.into())),
        }
    }
}
