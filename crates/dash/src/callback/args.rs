//! Turning request values into a callback's typed arguments.

use dash_protocol::request::ArgSlot;
use dash_protocol::Dependency;
use serde::de::DeserializeOwned;

use super::context::CallbackContext;

/// The values of one request, in argument order (inputs, then states).
pub struct ArgSource<'a> {
    pub(crate) callback: &'a str,
    pub(crate) slots: Vec<(&'a Dependency, &'a ArgSlot<'a>)>,
    pub(crate) context: &'a CallbackContext,
}

/// An argument that could not be built from the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgError {
    /// The callback's key.
    pub callback: String,
    /// `<id>.<prop>` of the Input or State.
    pub property: String,
    /// The Rust type the function takes.
    pub expected: String,
    /// What serde said.
    pub message: String,
}

/// A type a callback can take as an argument: anything serde can
/// deserialize (one Input or State each, in order), or [`CallbackContext`]
/// (uses no slot).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be an argument of a Dash callback",
    note = "arguments must implement `serde::Deserialize` (one per Input, then one per State), or be `dash::CallbackContext`"
)]
pub trait CallbackArg: Sized + Send + 'static {
    /// How many Input/State slots this argument consumes.
    const SLOTS: usize;

    /// Builds the argument from slot `*next`, advancing it.
    fn extract(source: &ArgSource<'_>, next: &mut usize) -> Result<Self, ArgError>;
}

impl<T: DeserializeOwned + Send + 'static> CallbackArg for T {
    const SLOTS: usize = 1;

    fn extract(source: &ArgSource<'_>, next: &mut usize) -> Result<Self, ArgError> {
        let (dep, slot) = source.slots[*next];
        *next += 1;
        let parsed = match slot {
            ArgSlot::One(entry) => {
                serde_json::from_str(entry.value.map(|v| v.get()).unwrap_or("null"))
            }
            ArgSlot::Many(entries) => {
                let len: usize = entries
                    .iter()
                    .map(|e| e.value.map_or(4, |v| v.get().len()) + 1)
                    .sum();
                let mut text = String::with_capacity(len + 2);
                text.push('[');
                for (i, e) in entries.iter().enumerate() {
                    if i > 0 {
                        text.push(',');
                    }
                    text.push_str(e.value.map(|v| v.get()).unwrap_or("null"));
                }
                text.push(']');
                serde_json::from_str(&text)
            }
        };
        parsed.map_err(|e| ArgError {
            callback: source.callback.to_owned(),
            property: dep.key(),
            expected: std::any::type_name::<T>().to_owned(),
            message: e.to_string(),
        })
    }
}

impl CallbackArg for CallbackContext {
    const SLOTS: usize = 0;

    fn extract(source: &ArgSource<'_>, _next: &mut usize) -> Result<Self, ArgError> {
        Ok(source.context.clone())
    }
}
