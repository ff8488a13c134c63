//! Serializing a callback's return value when some outputs are server
//! stores: one pass over the value, in which each store output is encoded
//! with the cache codec (straight from the Rust value, never through JSON)
//! and replaced in the JSON answer by its signed reference; the other
//! outputs are written as JSON as usual. A wildcard (`ALL`, `ALLSMALLER`)
//! output's list is taken element by element: each server store among its
//! components gets its own value and its own reference.

use std::fmt::Display;

use serde::ser::{self, Impossible, Serialize, SerializeSeq, SerializeTuple, SerializeTupleStruct};
use serde_json::Error;

use super::{reference, Binding, PendingWrite, StoreSpec};
use crate::callback::NO_UPDATE_JSON;

/// What one declared output is, for the capture.
#[derive(Debug, Clone)]
pub(crate) enum Slot {
    /// Not a server store: written as JSON.
    Plain,
    /// A server store's `data`: its id (string form) and settings.
    Store(String, StoreSpec),
    /// A wildcard output: one slot per matched component, in order.
    All(Vec<Slot>),
}

/// Which outputs of one call are server stores, and how to sign for them.
#[doc(hidden)]
pub struct OutputPlan {
    /// Per declared output (for one wildcard output alone: one `All`).
    pub(crate) slots: Vec<Slot>,
    /// The callback has several outputs (its value is a tuple or list).
    pub(crate) multi: bool,
    pub(crate) binding: Binding,
    pub(crate) expires: u64,
}

/// A callback's answer: its JSON text and the values to write first.
#[doc(hidden)]
pub struct Returned {
    pub(crate) json: String,
    writes: Vec<PendingWrite>,
    /// A wildcard output got a list of another length than the components
    /// it matched: nothing is written, the request is refused (400).
    mismatch: Option<String>,
}

impl Returned {
    pub(crate) fn plain(json: String) -> Self {
        Returned {
            json,
            writes: Vec::new(),
            mismatch: None,
        }
    }

    /// The values to write before the answer goes, or why none may be (a
    /// wildcard output's count that does not fit the request).
    pub(crate) fn take_writes(&mut self) -> Result<Vec<PendingWrite>, String> {
        match self.mismatch.take() {
            Some(why) => {
                self.writes.clear();
                Err(why)
            }
            None => Ok(std::mem::take(&mut self.writes)),
        }
    }
}

/// The store an output target is, if any (`data` of a registered id).
pub(crate) fn store_target(
    stores: &super::ServerStores,
    id: &dash_protocol::ComponentId,
    property: &str,
) -> Option<(String, StoreSpec)> {
    if property != "data" || stores.is_empty() {
        return None;
    }
    let id = id.to_string();
    stores.store(&id).map(|spec| (id, spec))
}

/// Serializes `value` following `plan`.
pub(crate) fn serialize<T: Serialize + ?Sized>(
    value: &T,
    plan: &OutputPlan,
) -> Result<Returned, Error> {
    let mut writes = Vec::new();
    let mut mismatch = None;
    let mut out = Out {
        plan,
        writes: &mut writes,
        mismatch: &mut mismatch,
    };
    let json = if plan.multi {
        value.serialize(Top {
            out: &mut out,
            slots: &plan.slots,
            wildcard: false,
        })?
    } else {
        match plan.slots.first() {
            Some(slot) => out.slot(value, slot)?,
            None => serde_json::to_string(value)?,
        }
    };
    Ok(Returned {
        json,
        writes,
        mismatch,
    })
}

/// Where the capture of one value puts what it finds.
struct Out<'a> {
    plan: &'a OutputPlan,
    writes: &'a mut Vec<PendingWrite>,
    mismatch: &'a mut Option<String>,
}

impl Out<'_> {
    /// The JSON for one declared output (or one wildcard component).
    fn slot<T: Serialize + ?Sized>(&mut self, value: &T, slot: &Slot) -> Result<String, Error> {
        match slot {
            Slot::Plain => serde_json::to_string(value),
            Slot::Store(store, spec) => store_one(value, store, *spec, self.plan, self.writes),
            Slot::All(slots) => value.serialize(Top {
                out: self,
                slots,
                wildcard: true,
            }),
        }
    }
}

/// Encodes one store output; returns the JSON that goes to the browser.
fn store_one<T: Serialize + ?Sized>(
    value: &T,
    store: &str,
    spec: StoreSpec,
    plan: &OutputPlan,
    writes: &mut Vec<PendingWrite>,
) -> Result<String, Error> {
    let bytes = dash_cache::codec::encode(value).map_err(ser::Error::custom)?;
    // `None` clears the store; `NoUpdate` leaves it: neither is stored.
    if bytes.len() < 64 {
        match dash_cache::codec::decode::<Option<String>>(&bytes) {
            Ok(None) => return Ok("null".to_owned()),
            Ok(Some(s)) if s == crate::callback::NO_UPDATE_TEXT => {
                return Ok(NO_UPDATE_JSON.to_owned())
            }
            _ => {}
        }
    }
    let key = reference::new_key();
    let r = reference::sign(
        &plan.binding.secret,
        store,
        &plan.binding.session,
        &key,
        bytes.len() as u64,
        plan.expires,
    );
    writes.push(PendingWrite {
        store: store.to_owned(),
        session: plan.binding.session.clone(),
        key,
        bytes,
        ttl: spec.ttl(),
    });
    serde_json::to_string(&r)
}

/// A list whose elements go to `slots`: the top of a several-output value
/// (a tuple, list or array), or a wildcard output's list.
struct Top<'a, 'b> {
    out: &'a mut Out<'b>,
    slots: &'a [Slot],
    /// A wildcard output's list (`NoUpdate` may stand for all of it).
    wildcard: bool,
}

/// Its elements, one JSON text each.
struct Elements<'a, 'b> {
    out: &'a mut Out<'b>,
    slots: &'a [Slot],
    wildcard: bool,
    index: usize,
    text: String,
}

impl Elements<'_, '_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let text = match self.slots.get(self.index) {
            Some(slot) => self.out.slot(value, slot)?,
            None => serde_json::to_string(value)?,
        };
        if self.index > 0 {
            self.text.push(',');
        }
        self.text.push_str(&text);
        self.index += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<String, Error> {
        if self.wildcard && self.index != self.slots.len() && self.out.mismatch.is_none() {
            *self.out.mismatch = Some(format!(
                "a wildcard ALL output matched {} components but the callback returned {} values",
                self.slots.len(),
                self.index
            ));
        }
        self.text.push(']');
        Ok(self.text)
    }
}

impl SerializeSeq for Elements<'_, '_> {
    type Ok = String;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<String, Error> {
        self.finish()
    }
}

impl SerializeTuple for Elements<'_, '_> {
    type Ok = String;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<String, Error> {
        self.finish()
    }
}

impl SerializeTupleStruct for Elements<'_, '_> {
    type Ok = String;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<String, Error> {
        self.finish()
    }
}

fn not_a_list<T>(wildcard: bool) -> Result<T, Error> {
    Err(ser::Error::custom(if wildcard {
        "a wildcard ALL output takes a list, one value per matched component"
    } else {
        "a callback with several outputs returns a tuple or list, one value per output"
    }))
}

macro_rules! as_json {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<String, Error> {
            serde_json::to_string(&v)
        }
    )*};
}

impl<'a, 'b> ser::Serializer for Top<'a, 'b> {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Elements<'a, 'b>;
    type SerializeTuple = Elements<'a, 'b>;
    type SerializeTupleStruct = Elements<'a, 'b>;
    type SerializeTupleVariant = Impossible<String, Error>;
    type SerializeMap = Impossible<String, Error>;
    type SerializeStruct = Impossible<String, Error>;
    type SerializeStructVariant = Impossible<String, Error>;

    as_json!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8])
    );

    fn serialize_str(self, v: &str) -> Result<String, Error> {
        // `NoUpdate` for a whole wildcard output leaves all its components.
        if self.wildcard && v == crate::callback::NO_UPDATE_TEXT {
            return Ok(NO_UPDATE_JSON.to_owned());
        }
        serde_json::to_string(v)
    }

    fn serialize_none(self) -> Result<String, Error> {
        Ok("null".into())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<String, Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<String, Error> {
        Ok("null".into())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<String, Error> {
        Ok("null".into())
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<String, Error> {
        serde_json::to_string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<String, Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<String, Error> {
        not_a_list(self.wildcard)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Elements<'a, 'b>, Error> {
        let _ = len;
        Ok(Elements {
            out: self.out,
            slots: self.slots,
            wildcard: self.wildcard,
            index: 0,
            text: String::from("["),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Elements<'a, 'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Elements<'a, 'b>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        not_a_list(self.wildcard)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        not_a_list(self.wildcard)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        not_a_list(self.wildcard)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        not_a_list(self.wildcard)
    }
    fn collect_str<T: Display + ?Sized>(self, value: &T) -> Result<String, Error> {
        serde_json::to_string(&value.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::AppSecret;

    fn plan(positions: Vec<bool>, multi: bool) -> OutputPlan {
        OutputPlan {
            slots: positions.into_iter().map(store_if).collect(),
            multi,
            binding: Binding {
                session: "sess".into(),
                secret: AppSecret::new("0123456789abcdef0123456789abcdef").unwrap(),
            },
            expires: 1,
        }
    }

    fn store_if(store: bool) -> Slot {
        if store {
            Slot::Store("s".to_owned(), StoreSpec { ttl_ms: 1000 })
        } else {
            Slot::Plain
        }
    }

    fn wildcard(stores: Vec<bool>, multi: bool) -> OutputPlan {
        let mut p = plan(vec![], multi);
        p.slots = vec![Slot::All(stores.into_iter().map(store_if).collect())];
        if multi {
            p.slots.push(Slot::Plain);
        }
        p
    }

    #[test]
    fn each_wildcard_component_gets_its_own_reference() {
        let values = vec![vec![1u32; 500], vec![2u32; 500]];
        let mut r = serialize(&values, &wildcard(vec![true, true], false)).unwrap();
        let writes = r.take_writes().unwrap();
        assert_eq!(writes.len(), 2);
        assert_ne!(writes[0].key, writes[1].key);
        let back: Vec<u32> = dash_cache::codec::decode(&writes[1].bytes).unwrap();
        assert_eq!(back, values[1]);
        let refs: Vec<serde_json::Value> = serde_json::from_str(&r.json).unwrap();
        assert_eq!(refs.len(), 2);
        assert!(refs.iter().all(|v| v["ref"].is_string()), "{}", r.json);

        // Beside other outputs; `None` and `NoUpdate` per component or for all.
        let mixed = (
            (
                Some(vec![3u8; 100]),
                Option::<Vec<u8>>::None,
                crate::NoUpdate,
            ),
            "x",
        );
        let mut r = serialize(&mixed, &wildcard(vec![true, true, true], true)).unwrap();
        assert_eq!(r.take_writes().unwrap().len(), 1);
        assert!(
            r.json.contains(&format!(",null,{NO_UPDATE_JSON}],\"x\"]")),
            "{}",
            r.json
        );
        let r = serialize(&crate::NoUpdate, &wildcard(vec![true], false)).unwrap();
        assert_eq!(r.json, NO_UPDATE_JSON);

        // Another count than the components matched: nothing may be written.
        let mut r = serialize(&vec![1u8, 2, 3], &wildcard(vec![true, true], false)).unwrap();
        assert!(r
            .take_writes()
            .unwrap_err()
            .contains("matched 2 components"));
        // Not a list: nothing stored (the answer's check refuses it).
        let mut r = serialize(&7u8, &wildcard(vec![true], false)).unwrap();
        assert_eq!(r.take_writes().unwrap().len(), 0);
        assert_eq!(r.json, "7");
    }

    #[test]
    fn store_outputs_become_references_and_the_rest_json() {
        let big = vec![1.5f64; 10_000];
        let r = serialize(
            &("text", big.clone(), 3),
            &plan(vec![false, true, false], true),
        )
        .unwrap();
        let writes = &r.writes;
        assert_eq!(writes.len(), 1);
        assert!(r.json.starts_with(r#"["text",{"ref":""#), "{}", r.json);
        assert!(r.json.ends_with(",3]") && r.json.len() < 200, "{}", r.json);
        let back: Vec<f64> = dash_cache::codec::decode(&writes[0].bytes).unwrap();
        assert_eq!(back, big);

        let one = serialize(&big, &plan(vec![true], false)).unwrap();
        assert_eq!(one.writes.len(), 1);
        // None clears, NoUpdate leaves the store: nothing written.
        let none = serialize(&Option::<Vec<f64>>::None, &plan(vec![true], false)).unwrap();
        assert_eq!((none.json.as_str(), none.writes.len()), ("null", 0));
        let skip = serialize(&crate::NoUpdate, &plan(vec![true], false)).unwrap();
        assert_eq!((skip.json.as_str(), skip.writes.len()), (NO_UPDATE_JSON, 0));
        let both = serialize(
            &(crate::NoUpdate, crate::Update::Value(2u8)),
            &plan(vec![true, false], true),
        )
        .unwrap();
        assert_eq!(both.json, format!("[{NO_UPDATE_JSON},2]"));
        assert!(serialize(&serde_json::json!({"a": 1}), &plan(vec![true], true)).is_err());
    }
}
