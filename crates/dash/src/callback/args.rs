//! Turning request values into a callback's typed arguments.

use std::sync::{Arc, Mutex};

use dash_protocol::request::{ArgEntry, ArgSlot, Decoded};
use dash_protocol::Dependency;
use serde::de::{DeserializeOwned, Deserializer};

use super::context::CallbackContext;
use crate::server_store::{Loaded, OutputPlan, ReadRefusal};

/// The values of one request, in argument order (inputs, then states).
pub struct ArgSource<'a> {
    pub(crate) callback: &'a str,
    pub(crate) slots: Vec<(&'a Dependency, &'a ArgSlot<'a>)>,
    pub(crate) context: &'a CallbackContext,
    /// Which outputs are server stores (`None`: none is).
    pub(crate) output_plan: Option<Arc<OutputPlan>>,
    /// Values decoded as the request was read, by slot (`one_pass`); empty
    /// when none was.
    pub(crate) decoded: Vec<Mutex<Option<Decoded>>>,
}

impl ArgSource<'_> {
    /// The value of slot `position` decoded as the request was read, if it
    /// was. A value of another type than `T` is an error, never a silent
    /// `null`: the slot's text was not kept.
    fn take_decoded<T: 'static>(&self, position: usize) -> Option<Result<T, ArgError>> {
        let mut held = self.decoded.get(position)?.lock().ok()?;
        let value = held.take()?;
        Some(value.downcast::<T>().map(|v| *v).map_err(|_| {
            let (dep, _) = self.slots[position];
            arg_error(
                self,
                dep,
                std::any::type_name::<T>(),
                "the value read with the request has another type".into(),
            )
        }))
    }
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

    /// Decodes this argument's value as the request is read, into the type
    /// [`extract`](CallbackArg::extract) takes back from
    /// [`ArgSource`] (`callback/one_pass.rs`). Arguments that use no slot
    /// are never asked.
    #[doc(hidden)]
    fn decode_value<'de, D: Deserializer<'de>>(value: D) -> Result<Decoded, D::Error> {
        let _ = value;
        Err(serde::de::Error::custom(
            "this argument takes no Input or State",
        ))
    }
}

impl<T: DeserializeOwned + Send + 'static> CallbackArg for T {
    const SLOTS: usize = 1;

    fn extract(source: &ArgSource<'_>, next: &mut usize) -> Result<Self, ArgError> {
        let position = *next;
        let (dep, slot) = source.slots[position];
        *next += 1;
        if let Some(decoded) = source.take_decoded::<T>(position) {
            return decoded;
        }
        if let ArgSlot::Many(entries) = slot {
            if let Some(result) = server_store_list::<T>(source, dep, entries) {
                return result;
            }
        }
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

    fn decode_value<'de, D: Deserializer<'de>>(value: D) -> Result<Decoded, D::Error> {
        T::deserialize(value).map(|v| Box::new(v) as Decoded)
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
    // A wildcard's list is read by `server_store_list`.
    let ArgSlot::One(entry) = slot else {
        return None;
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

/// The argument, if `dep` is a wildcard (`ALL`) over the `data` of
/// components among which some are server stores: a list with one element
/// per component, each store's reference verified against its own id and
/// the request's session (any refused: 403 naming that store), its value
/// loaded; an element that is gone is `None` (for a list of `Option`s; else
/// 410 naming the store).
fn server_store_list<T: DeserializeOwned>(
    source: &ArgSource<'_>,
    dep: &Dependency,
    entries: &[ArgEntry<'_>],
) -> Option<Result<T, ArgError>> {
    use crate::server_store::ListItem;
    let stores = source.context.server_stores()?;
    if dep.property != "data" || stores.is_empty() {
        return None;
    }
    let specs: Vec<_> = entries
        .iter()
        .map(|e| {
            let id = e.id.to_string();
            stores.store(&id).map(|spec| (id, spec))
        })
        .collect();
    if specs.iter().all(Option::is_none) {
        return None;
    }
    let expected = std::any::type_name::<T>();
    let binding = source.context.store_binding();
    let backend = source.context.store_backend();
    let mut gone = None;
    let loaded: Result<Vec<ListItem<'_>>, ReadRefusal> = source.context.blocking(|| {
        entries
            .iter()
            .zip(&specs)
            .map(|(entry, spec)| {
                let raw = entry.value.map(|v| v.get());
                let Some((id, spec)) = spec else {
                    return Ok(raw.map_or(ListItem::Null, ListItem::Json));
                };
                Ok(
                    match stores.load(backend.as_deref(), binding.as_ref(), id, *spec, raw)? {
                        Loaded::Body(body) => ListItem::Stored(body),
                        Loaded::Empty => ListItem::Null,
                        Loaded::Gone => {
                            gone.get_or_insert_with(|| id.clone());
                            ListItem::Null
                        }
                    },
                )
            })
            .collect()
    });
    let refused = |r: ReadRefusal| ArgError {
        refusal: Some(Box::new(r)),
        ..arg_error(source, dep, expected, String::new())
    };
    let items = match loaded {
        Ok(items) => items,
        Err(r) => return Some(Err(refused(r))),
    };
    Some(
        crate::server_store::decode_list::<T>(&items).map_err(|message| match &gone {
            Some(id) => refused(crate::server_store::gone_refusal(id, expected)),
            None => arg_error(source, dep, expected, message),
        }),
    )
}

impl CallbackArg for CallbackContext {
    const SLOTS: usize = 0;

    fn extract(source: &ArgSource<'_>, _next: &mut usize) -> Result<Self, ArgError> {
        Ok(source.context.clone())
    }
}
