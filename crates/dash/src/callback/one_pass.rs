//! Large requests read once: each typed argument decoded as the body is read.
//!
//! A request is otherwise parsed to borrowed slices (to find the callback)
//! and each argument decoded from its slice afterwards, so a 10 MB
//! `dcc.Store` value is read twice. The renderer sends the `output` key
//! first; from it the callback, and so its argument types, are known before
//! `inputs` is reached, and its function's [`OnePass`] parses the body with
//! a decoder for exactly those types (`ValueDecoder`, monomorphized per
//! callback: no dynamic dispatch per value).
//!
//! Only a complete success is used. On anything else (another key first, a
//! value of the wrong type, a malformed body, a panicking `Deserialize`)
//! the request takes the two-pass path, whose answers (the 400 messages
//! naming the argument and type) are the reference, unchanged.

use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use dash_protocol::request::{leading_output, ArgSlot, CallbackRequest, Decoded, ValueDecoder};
use dash_protocol::ProtocolError;

use super::registry::{CallbackRegistry, RegisteredCallback};
use crate::server_store::ServerStores;

/// Bodies from this size are read in one pass; below it the second read is
/// too small to be worth a decoder's setup.
pub(crate) const ONE_PASS_MIN_BODY: usize = 64 * 1024;

/// A callback's one-pass parser (built for its argument types).
pub(crate) type OnePass =
    Arc<dyn for<'b> Fn(&'b [u8], &DecodePlan) -> OnePassResult<'b> + Send + Sync>;

type OnePassResult<'b> = Result<CallbackRequest<'b>, ProtocolError>;

/// Which slots of one request are decoded with it.
pub(crate) struct DecodePlan {
    pub(super) inputs: usize,
    pub(super) takes: Vec<bool>,
}

impl DecodePlan {
    /// Every slot but wildcard ones (a list, or an id known only from the
    /// request) and the `data` of server stores (a reference, loaded by
    /// `server_store_arg`).
    fn for_callback(callback: &RegisteredCallback, stores: Option<&ServerStores>) -> Self {
        let spec = &callback.spec;
        let stores = stores.filter(|s| !s.is_empty());
        let takes = spec
            .inputs
            .iter()
            .chain(&spec.states)
            .map(|dep| {
                let store = stores.is_some_and(|s| {
                    dep.property == "data" && s.store(&dep.id.to_string()).is_some()
                });
                !dep.id.has_wildcard() && !store
            })
            .collect();
        DecodePlan {
            inputs: spec.inputs.len(),
            takes,
        }
    }
}

/// The one-pass parser of a function taking `Args`.
pub(crate) fn one_pass_for<Args: 'static>() -> OnePass
where
    for<'p> TupleDecoder<'p, Args>: ValueDecoder,
{
    Arc::new(parse_with::<Args>)
}

fn parse_with<'b, Args>(body: &'b [u8], plan: &DecodePlan) -> OnePassResult<'b>
where
    for<'p> TupleDecoder<'p, Args>: ValueDecoder,
{
    let decoder = TupleDecoder {
        plan,
        args: PhantomData,
    };
    CallbackRequest::parse_decoding(body, &decoder)
}

/// The request and its callback, read in one pass; `None` when this body
/// takes the two-pass path (see the module's doc).
pub(crate) fn parse_in_one_pass<'b>(
    registry: &CallbackRegistry,
    body: &'b [u8],
    user: Option<&crate::auth::User>,
    stores: Option<&ServerStores>,
) -> Option<(CallbackRequest<'b>, Arc<RegisteredCallback>)> {
    if body.len() < ONE_PASS_MIN_BODY {
        return None;
    }
    let output = leading_output(body)?;
    let callback = registry.get(&output)?.clone();
    crate::auth::check_callback_access(&callback.spec, &callback.key, user).ok()?;
    let parse = callback.handler.one_pass()?;
    let plan = DecodePlan::for_callback(&callback, stores);
    if !plan.takes.contains(&true) {
        return None;
    }
    let request = catch_unwind(AssertUnwindSafe(|| parse(body, &plan)))
        .ok()?
        .ok()?;
    Some((request, callback))
}

/// Moves the decoded values out of `request`, by slot, for `ArgSource`
/// (empty when there are none).
pub(crate) fn take_decoded(request: &mut CallbackRequest<'_>) -> Vec<Mutex<Option<Decoded>>> {
    let mut any = false;
    let decoded: Vec<_> = request
        .inputs
        .iter_mut()
        .chain(request.state.iter_mut())
        .map(|slot| {
            let value = match slot {
                ArgSlot::One(entry) => entry.decoded.take(),
                ArgSlot::Many(_) => None,
            };
            any |= value.is_some();
            Mutex::new(value)
        })
        .collect();
    if any {
        decoded
    } else {
        Vec::new()
    }
}

/// Decodes the slots a [`DecodePlan`] takes as the types of `Args`, a
/// function's argument tuple.
pub(crate) struct TupleDecoder<'p, Args> {
    pub(super) plan: &'p DecodePlan,
    args: PhantomData<fn() -> Args>,
}

macro_rules! impl_tuple_decoder {
    ($($a:ident),*) => {
        impl<$($a: $crate::callback::CallbackArg,)*> ::dash_protocol::request::ValueDecoder
            for $crate::callback::one_pass::TupleDecoder<'_, ($($a,)*)>
        {
            fn inputs(&self) -> usize {
                self.plan.inputs
            }

            fn takes(&self, position: usize) -> bool {
                self.plan.takes.get(position).copied().unwrap_or(false)
            }

            #[allow(unused_assignments, unused_mut, unused_variables)]
            fn decode<'de, D: ::serde::Deserializer<'de>>(
                &self,
                position: usize,
                value: D,
            ) -> Result<::dash_protocol::request::Decoded, D::Error> {
                let mut first = 0usize;
                $(
                    if $a::SLOTS == 1 && position == first {
                        return <$a as $crate::callback::CallbackArg>::decode_value(value);
                    }
                    first += $a::SLOTS;
                )*
                Err(<D::Error as ::serde::de::Error>::custom("no argument takes this slot"))
            }
        }
    };
}

// Implemented for each arity by `handler.rs`'s `impl_handlers!`.
pub(crate) use impl_tuple_decoder;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::callback::{Callback, CallbackContext, SyncCallback};
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Deserialize)]
    struct Row {
        x: f64,
        label: String,
    }

    fn rows_json(n: usize) -> String {
        let rows: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"x":{i}.5,"label":"row-{i:06}"}}"#))
            .collect();
        format!("[{}]", rows.join(","))
    }

    fn registry() -> CallbackRegistry {
        let mut registry = CallbackRegistry::default();
        let spec = Callback::new()
            .output(("out", "children"))
            .input(("unit", "value"))
            .input(("rows", "data"))
            .state(("note", "data"));
        let f = |_unit: Option<String>,
                 _ctx: CallbackContext,
                 rows: Vec<Row>,
                 note: Option<String>| { format!("{} {note:?}", rows.len()) };
        registry.register(spec, f.slots(), f.into_erased().0);
        registry
    }

    fn body(first: &str, rows: &str) -> String {
        let rest = format!(
            r#""inputs":[{{"id":"unit","property":"value","value":"c"}},
              {{"id":"rows","property":"data","value":{rows}}}],
              "state":[{{"id":"note","property":"data"}}],"changedPropIds":["unit.value"]"#
        );
        match first {
            "output" => format!(r#"{{"output":"out.children",{rest}}}"#),
            _ => format!(r#"{{{rest},"output":"out.children"}}"#),
        }
    }

    #[test]
    fn a_large_body_is_read_once_into_the_argument_types() {
        let registry = registry();
        let text = body("output", &rows_json(5000));
        assert!(text.len() >= ONE_PASS_MIN_BODY);
        let (mut request, callback) =
            parse_in_one_pass(&registry, text.as_bytes(), None, None).expect("one pass");
        assert_eq!(callback.key, "out.children");
        let decoded = take_decoded(&mut request);
        assert_eq!(decoded.len(), 3);
        // The unit was decoded as `Option<String>`, the rows as `Vec<Row>`
        // (the context takes no slot); the note has no value to decode.
        let unit = decoded[0].lock().unwrap().take().unwrap();
        assert_eq!(
            *unit.downcast::<Option<String>>().unwrap(),
            Some("c".into())
        );
        let rows = decoded[1].lock().unwrap().take().unwrap();
        let rows = rows.downcast::<Vec<Row>>().unwrap();
        assert_eq!(rows.len(), 5000);
        assert_eq!(
            rows[4999],
            Row {
                x: 4999.5,
                label: "row-004999".into()
            }
        );
        assert!(decoded[2].lock().unwrap().is_none());
        assert!(request.inputs[1].entries()[0].value.is_none());
    }

    #[test]
    fn other_bodies_take_the_two_pass_path() {
        let registry = registry();
        let big = rows_json(5000);
        // Small, `output` not first, a value of the wrong type, truncated.
        let small = body("output", &rows_json(3));
        let reordered = body("inputs", &big);
        let wrong = body("output", &big.replace(r#""x":7.5"#, r#""x":"seven""#));
        let whole = body("output", &big);
        let truncated = &whole[..whole.len() - 10];
        for text in [small.as_str(), &reordered, &wrong, truncated] {
            assert!(parse_in_one_pass(&registry, text.as_bytes(), None, None).is_none());
        }
        let unknown = whole.replace("out.children", "other.children");
        assert!(parse_in_one_pass(&registry, unknown.as_bytes(), None, None).is_none());
    }
}
