//! Reading a callback request and its large values in one pass.
//!
//! [`CallbackRequest::parse`] keeps every value as a borrowed slice that a
//! callback argument is decoded from afterwards, so a large `dcc.Store`
//! value is read twice: scanned, then decoded. When the callback is known
//! before its body is read (the renderer sends `output` first:
//! [`leading_output`]), [`CallbackRequest::parse_decoding`] hands the values
//! of chosen Inputs and States to a [`ValueDecoder`] as the parser reaches
//! them, and each byte is read once.

use std::any::Any;
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::{ArgEntry, ArgSlot, CallbackRequest, OutputSpec};
use crate::{ComponentId, ProtocolError};

/// A value decoded by a [`ValueDecoder`], typed as the decoder chose.
pub type Decoded = Box<dyn Any + Send>;

/// Decodes the values of chosen Inputs and States while the request is read.
///
/// Positions count the Inputs, then the States, as declared: the first
/// State's position is [`inputs`](ValueDecoder::inputs).
///
/// ```
/// use dash_protocol::request::{leading_output, CallbackRequest, Decoded, ValueDecoder};
/// use serde::{Deserialize, Deserializer};
///
/// /// Decodes Input 1 as a list of numbers.
/// struct Numbers;
/// impl ValueDecoder for Numbers {
///     fn inputs(&self) -> usize { 2 }
///     fn takes(&self, position: usize) -> bool { position == 1 }
///     fn decode<'de, D: Deserializer<'de>>(&self, _: usize, value: D) -> Result<Decoded, D::Error> {
///         Ok(Box::new(Vec::<f64>::deserialize(value)?))
///     }
/// }
///
/// let body = br#"{"output":"out.children","inputs":[{"id":"unit","property":"value","value":"c"},
///   {"id":"store","property":"data","value":[1.5,2.5]}],"changedPropIds":["unit.value"]}"#;
/// assert_eq!(leading_output(body).as_deref(), Some("out.children"));
/// let mut request = CallbackRequest::parse_decoding(body, &Numbers).unwrap();
/// let store = match &mut request.inputs[1] {
///     dash_protocol::request::ArgSlot::One(entry) => entry,
///     _ => unreachable!(),
/// };
/// assert!(store.value.is_none());
/// let numbers = store.decoded.take().unwrap().downcast::<Vec<f64>>().unwrap();
/// assert_eq!(*numbers, [1.5, 2.5]);
/// ```
pub trait ValueDecoder {
    /// How many Inputs the callback declares.
    fn inputs(&self) -> usize;
    /// Whether the value at `position` is decoded here (else it is kept as
    /// a borrowed slice, as [`CallbackRequest::parse`] keeps it).
    fn takes(&self, position: usize) -> bool;
    /// Decodes the value at `position` (one [`takes`](ValueDecoder::takes)).
    fn decode<'de, D: Deserializer<'de>>(
        &self,
        position: usize,
        value: D,
    ) -> Result<Decoded, D::Error>;
}

/// The `output` key of a request, when it is the body's first key (the
/// renderer's order); reads nothing past it.
///
/// ```
/// use dash_protocol::request::leading_output;
/// assert_eq!(leading_output(br#"{"output":"a.b","inputs":[]}"#).as_deref(), Some("a.b"));
/// assert_eq!(leading_output(br#"{"inputs":[],"output":"a.b"}"#), None);
/// assert_eq!(leading_output(b"not json"), None);
/// ```
pub fn leading_output(body: &[u8]) -> Option<String> {
    struct FirstKey<'s>(&'s mut Option<String>);
    impl<'de> Visitor<'de> for FirstKey<'_> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a request object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            if let Some(Field::Output) = map.next_key::<Field>()? {
                *self.0 = Some(map.next_value()?);
            }
            // The rest of the body is not read here.
            Err(de::Error::custom("stopped after the first key"))
        }
    }
    let mut found = None;
    let mut reader = serde_json::Deserializer::from_slice(body);
    let _stopped = reader.deserialize_map(FirstKey(&mut found));
    found
}

impl<'a> CallbackRequest<'a> {
    /// Parses a request body, handing the values `decoder` takes to it; the
    /// entries of those values have `decoded` set and no `value`. Any error
    /// (in the body or from the decoder) is returned as from
    /// [`parse`](CallbackRequest::parse), whose messages are the reference:
    /// a caller that wants them exact parses again with it.
    pub fn parse_decoding(
        body: &'a [u8],
        decoder: &impl ValueDecoder,
    ) -> Result<Self, ProtocolError> {
        // Checked as UTF-8 once here, the body's strings are not checked one
        // by one as they are read (a tenth of the instructions of a body of
        // many short strings).
        let text = std::str::from_utf8(body)
            .map_err(|e| ProtocolError::MalformedRequest(format!("the body is not UTF-8: {e}")))?;
        let mut reader = serde_json::Deserializer::from_str(text);
        let request = RequestSeed { decoder }
            .deserialize(&mut reader)
            .and_then(|request| reader.end().map(|()| request));
        request.map_err(|e| ProtocolError::MalformedRequest(super::bounded(&e)))
    }
}

/// The top-level keys a request is read by.
#[derive(Deserialize, PartialEq, Eq)]
#[serde(field_identifier)]
enum Field {
    #[serde(rename = "output")]
    Output,
    #[serde(rename = "outputs")]
    Outputs,
    #[serde(rename = "inputs")]
    Inputs,
    #[serde(rename = "state")]
    State,
    #[serde(rename = "changedPropIds")]
    ChangedPropIds,
    #[serde(other)]
    Other,
}

/// A string borrowed from the body where it has no escapes.
#[derive(Deserialize)]
struct BorrowedStr<'a>(#[serde(borrow)] Cow<'a, str>);

struct RequestSeed<'d, V> {
    decoder: &'d V,
}

impl<'de, V: ValueDecoder> DeserializeSeed<'de> for RequestSeed<'_, V> {
    type Value = CallbackRequest<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, V: ValueDecoder> Visitor<'de> for RequestSeed<'_, V> {
    type Value = CallbackRequest<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a callback request object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut output, mut outputs, mut inputs, mut state, mut changed) =
            (None, None, None, None, None);
        fn once<T, E: de::Error>(slot: &Option<T>, name: &'static str) -> Result<(), E> {
            match slot {
                Some(_) => Err(E::duplicate_field(name)),
                None => Ok(()),
            }
        }
        while let Some(field) = map.next_key::<Field>()? {
            match field {
                Field::Output => {
                    once(&output, "output")?;
                    output = Some(map.next_value::<BorrowedStr<'de>>()?.0);
                }
                Field::Outputs => {
                    once(&outputs, "outputs")?;
                    outputs = Some(map.next_value::<Option<OutputSpec>>()?);
                }
                Field::Inputs => {
                    once(&inputs, "inputs")?;
                    inputs = Some(map.next_value_seed(SlotsSeed {
                        decoder: self.decoder,
                        first: 0,
                    })?);
                }
                Field::State => {
                    once(&state, "state")?;
                    state = Some(map.next_value_seed(SlotsSeed {
                        decoder: self.decoder,
                        first: self.decoder.inputs(),
                    })?);
                }
                Field::ChangedPropIds => {
                    once(&changed, "changedPropIds")?;
                    changed = Some(map.next_value::<Vec<String>>()?);
                }
                Field::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(CallbackRequest {
            output: output.ok_or_else(|| de::Error::missing_field("output"))?,
            outputs: outputs.flatten(),
            inputs: inputs.unwrap_or_default(),
            state: state.unwrap_or_default(),
            changed_prop_ids: changed.unwrap_or_default(),
        })
    }
}

/// The `inputs` or `state` list; `first` is the position of its first slot.
struct SlotsSeed<'d, V> {
    decoder: &'d V,
    first: usize,
}

impl<'de, V: ValueDecoder> DeserializeSeed<'de> for SlotsSeed<'_, V> {
    type Value = Vec<ArgSlot<'de>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, V: ValueDecoder> Visitor<'de> for SlotsSeed<'_, V> {
    type Value = Vec<ArgSlot<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of Input or State slots")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut slots = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        let mut position = self.first;
        loop {
            let slot = if self.decoder.takes(position) {
                let seed = EntrySeed {
                    decoder: self.decoder,
                    position,
                };
                seq.next_element_seed(seed)?.map(ArgSlot::One)
            } else {
                seq.next_element::<ArgSlot<'de>>()?
            };
            match slot {
                Some(slot) => slots.push(slot),
                None => return Ok(slots),
            }
            position += 1;
        }
    }
}

/// One `{id, property, value}` entry whose value the decoder takes.
struct EntrySeed<'d, V> {
    decoder: &'d V,
    position: usize,
}

/// The keys of an entry.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum EntryField {
    Id,
    Property,
    Value,
    #[serde(other)]
    Other,
}

impl<'de, V: ValueDecoder> DeserializeSeed<'de> for EntrySeed<'_, V> {
    type Value = ArgEntry<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, V: ValueDecoder> Visitor<'de> for EntrySeed<'_, V> {
    type Value = ArgEntry<'de>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an {id, property, value} object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let (mut id, mut property, mut decoded) = (None::<ComponentId>, None, None);
        while let Some(field) = map.next_key::<EntryField>()? {
            match field {
                EntryField::Id if id.is_none() => id = Some(map.next_value()?),
                EntryField::Property if property.is_none() => {
                    property = Some(map.next_value::<BorrowedStr<'de>>()?.0)
                }
                EntryField::Value if decoded.is_none() => {
                    decoded = Some(map.next_value_seed(DecodeSeed {
                        decoder: self.decoder,
                        position: self.position,
                    })?)
                }
                EntryField::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
                _ => return Err(de::Error::custom("duplicate field in an entry")),
            }
        }
        Ok(ArgEntry {
            id: id.ok_or_else(|| de::Error::missing_field("id"))?,
            property: property.ok_or_else(|| de::Error::missing_field("property"))?,
            value: None,
            decoded,
        })
    }
}

struct DecodeSeed<'d, V> {
    decoder: &'d V,
    position: usize,
}

impl<'de, V: ValueDecoder> DeserializeSeed<'de> for DecodeSeed<'_, V> {
    type Value = Decoded;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Decoded, D::Error> {
        self.decoder.decode(self.position, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes every value at the given positions as a `serde_json::Value`.
    struct AsValues(usize, Vec<usize>);
    impl ValueDecoder for AsValues {
        fn inputs(&self) -> usize {
            self.0
        }
        fn takes(&self, position: usize) -> bool {
            self.1.contains(&position)
        }
        fn decode<'de, D: Deserializer<'de>>(
            &self,
            position: usize,
            value: D,
        ) -> Result<Decoded, D::Error> {
            let v = serde_json::Value::deserialize(value)?;
            Ok(Box::new((position, v)))
        }
    }

    fn decoded(slot: &mut ArgSlot<'_>) -> (usize, serde_json::Value) {
        let ArgSlot::One(entry) = slot else {
            panic!("one entry expected")
        };
        *entry
            .decoded
            .take()
            .expect("decoded")
            .downcast::<(usize, serde_json::Value)>()
            .expect("type")
    }

    const BODY: &[u8] = br#"{"output":"out.children","outputs":{"id":"out","property":"children"},
      "inputs":[{"id":"unit","property":"value","value":"f"},
                {"id":"big","property":"data","value":{"rows":[1,2,3]}}],
      "changedPropIds":["unit.value"],"parsedChangedPropsIds":["unit.value"],
      "state":[{"property":"data","value":[true],"id":{"k":"s"}}]}"#;

    #[test]
    fn chosen_values_are_decoded_and_the_rest_kept_as_slices() {
        let mut one = CallbackRequest::parse_decoding(BODY, &AsValues(2, vec![1, 2])).unwrap();
        let two = CallbackRequest::parse(BODY).unwrap();
        assert_eq!(one.output, two.output);
        assert_eq!(one.changed_prop_ids, two.changed_prop_ids);
        assert_eq!(
            one.inputs[0].entries()[0].value.unwrap().get(),
            two.inputs[0].entries()[0].value.unwrap().get()
        );
        assert_eq!(
            decoded(&mut one.inputs[1]),
            (1, serde_json::json!({"rows": [1, 2, 3]}))
        );
        assert_eq!(decoded(&mut one.state[0]), (2, serde_json::json!([true])));
        assert_eq!(one.state[0].entries()[0].id, two.state[0].entries()[0].id);
        assert!(one.outputs.is_some());
    }

    #[test]
    fn an_entry_without_a_value_decodes_nothing() {
        let body = br#"{"output":"o.c","inputs":[{"id":"a","property":"data"}]}"#;
        let one = CallbackRequest::parse_decoding(body, &AsValues(1, vec![0])).unwrap();
        let entry = &one.inputs[0].entries()[0];
        assert!(entry.value.is_none() && entry.decoded.is_none());
    }

    #[test]
    fn what_parse_refuses_this_refuses_too() {
        let decoder = AsValues(1, vec![0]);
        for body in [
            &b"{"[..],
            b"[]",
            br#"{"inputs":[]}"#,
            br#"{"output":"a","output":"b"}"#,
            br#"{"output":"a","inputs":[{"id":"x","property":"p","value":1,"value":2}]}"#,
            br#"{"output":"a","inputs":[{"property":"p","value":1}]}"#,
            br#"{"output":"a","inputs":null}"#,
            br#"{"output":"a"} trailing"#,
        ] {
            let text = String::from_utf8_lossy(body);
            assert!(CallbackRequest::parse(body).is_err(), "{text}");
            assert!(
                CallbackRequest::parse_decoding(body, &decoder).is_err(),
                "{text}"
            );
        }
    }

    #[test]
    fn a_list_where_one_entry_is_taken_is_an_error() {
        // parse reads it as a wildcard's list; a decoder takes single
        // entries only, so the caller falls back to parse.
        let body = br#"{"output":"a","inputs":[[{"id":"x","property":"p","value":1}]]}"#;
        assert!(CallbackRequest::parse(body).is_ok());
        assert!(CallbackRequest::parse_decoding(body, &AsValues(1, vec![0])).is_err());
        assert!(CallbackRequest::parse_decoding(body, &AsValues(1, vec![])).is_ok());
    }

    #[test]
    fn the_first_key_is_all_that_leading_output_reads() {
        assert_eq!(leading_output(BODY).as_deref(), Some("out.children"));
        assert_eq!(
            leading_output(br#"{"output":"a\"b", "inputs": [oops"#).as_deref(),
            Some("a\"b")
        );
        assert_eq!(leading_output(br#"{"outputs":{},"output":"a"}"#), None);
        assert_eq!(leading_output(br#"{"output":1}"#), None);
        assert_eq!(leading_output(b""), None);
    }
}
