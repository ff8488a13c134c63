//! Turning request values into a callback's typed arguments.

use std::sync::Arc;

use dash_protocol::request::{ArgEntry, ArgSlot};
use dash_protocol::Dependency;
use serde::de::DeserializeOwned;

use super::context::CallbackContext;
use crate::server_store::{Loaded, OutputPlan, ReadRefusal};

/// The values of one request, in argument order (inputs, then states).
pub struct ArgSource<'a> {
    pub(crate) callback: &'a str,
    pub(crate) slots: Vec<(&'a Dependency, &'a ArgSlot<'a>)>,
    pub(crate) context: &'a CallbackContext,
    /// Which outputs are server stores (`None`: none is).
    pub(crate) output_plan: Option<Arc<OutputPlan>>,
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
    /// A server store refused the value (403) or no longer has it (410).
    pub(crate) refusal: Option<Box<ReadRefusal>>,
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
        if let Some(result) = server_store_arg(
            source,
            dep,
            slot,
            std::any::type_name::<T>(),
            |held| held.decode::<T>(),
            || serde_json::from_str("null"),
        ) {
            return result;
        }
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
        parsed.map_err(|e| arg_error(source, dep, std::any::type_name::<T>(), e.to_string()))
    }
}

fn arg_error(
    source: &ArgSource<'_>,
    dep: &Dependency,
    expected: &str,
    message: String,
) -> ArgError {
    ArgError {
        callback: source.callback.to_owned(),
        property: dep.key(),
        expected: expected.to_owned(),
        message,
        refusal: None,
    }
}

/// The argument, if `dep` is the `data` of a server store: its value loaded
/// from the server by `from_body`, or `on_null` when there is none or it is
/// gone (`None` for an `Option`; for another type a gone value is a 410).
pub(crate) fn server_store_arg<R>(
    source: &ArgSource<'_>,
    dep: &Dependency,
    slot: &ArgSlot<'_>,
    expected: &str,
    from_body: impl FnOnce(&crate::server_store::Held) -> Result<R, dash_cache::CacheError>,
    on_null: impl Fn() -> Result<R, serde_json::Error>,
) -> Option<Result<R, ArgError>> {
    let stores = source.context.server_stores()?;
    if dep.property != "data" || stores.is_empty() {
        return None;
    }
    let store_of = |e: &ArgEntry<'_>| {
        let id = e.id.to_string();
        stores.store(&id).map(|spec| (id, spec))
    };
    let entry = match slot {
        ArgSlot::One(entry) => entry,
        ArgSlot::Many(entries) => {
            let (id, _) = entries.iter().find_map(store_of)?;
            return Some(Err(arg_error(
                source,
                dep,
                expected,
                format!("ServerStore {id:?} cannot be read through a wildcard (ALL) dependency"),
            )));
        }
    };
    let (id, spec) = store_of(entry)?;
    let binding = source.context.store_binding();
    let backend = source.context.store_backend();
    let loaded = source.context.blocking(|| {
        stores.load(
            backend.as_deref(),
            binding.as_ref(),
            &id,
            spec,
            entry.value.map(|v| v.get()),
        )
    });
    let refused = |r: ReadRefusal| ArgError {
        refusal: Some(Box::new(r)),
        ..arg_error(source, dep, expected, String::new())
    };
    Some(match loaded {
        Ok(Loaded::Body(body)) => {
            from_body(&body).map_err(|e| arg_error(source, dep, expected, e.to_string()))
        }
        Ok(Loaded::Empty) => on_null().map_err(|e| arg_error(source, dep, expected, e.to_string())),
        Ok(Loaded::Gone) => {
            on_null().map_err(|_| refused(crate::server_store::gone_refusal(&id, expected)))
        }
        Err(r) => Err(refused(r)),
    })
}

impl CallbackArg for CallbackContext {
    const SLOTS: usize = 0;

    fn extract(source: &ArgSource<'_>, _next: &mut usize) -> Result<Self, ArgError> {
        Ok(source.context.clone())
    }
}
