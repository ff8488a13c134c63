//! Serializing a callback's return value when some outputs are server
//! stores: one pass over the value, in which each store output is encoded
//! with the cache codec (straight from the Rust value, never through JSON)
//! and replaced in the JSON answer by its signed reference; the other
//! outputs are written as JSON as usual.

use std::fmt::Display;

use serde::ser::{self, Impossible, Serialize, SerializeSeq, SerializeTuple, SerializeTupleStruct};
use serde_json::Error;

use super::{reference, Binding, PendingWrite, StoreSpec};
use crate::callback::NO_UPDATE_JSON;

/// Which outputs of one call are server stores, and how to sign for them.
#[doc(hidden)]
pub struct OutputPlan {
    /// Per declared output: the store's id and settings, if it is one.
    pub(crate) positions: Vec<Option<(String, StoreSpec)>>,
    /// The callback has several outputs (its value is a tuple or list).
    pub(crate) multi: bool,
    pub(crate) binding: Binding,
    pub(crate) expires: u64,
}

/// A callback's answer: its JSON text and the values to write first.
#[doc(hidden)]
pub struct Returned {
    pub(crate) json: String,
    pub(crate) writes: Vec<PendingWrite>,
}

impl Returned {
    pub(crate) fn plain(json: String) -> Self {
        Returned {
            json,
            writes: Vec::new(),
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
    let json = if plan.multi {
        value.serialize(Top {
            plan,
            writes: &mut writes,
        })?
    } else {
        match plan.positions.first() {
            Some(Some(target)) => store_one(value, target, plan, &mut writes)?,
            _ => serde_json::to_string(value)?,
        }
    };
    Ok(Returned { json, writes })
}

/// Encodes one store output; returns the JSON that goes to the browser.
fn store_one<T: Serialize + ?Sized>(
    value: &T,
    (store, spec): &(String, StoreSpec),
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
        store: store.clone(),
        session: plan.binding.session.clone(),
        key,
        bytes,
        ttl: spec.ttl(),
    });
    serde_json::to_string(&r)
}

/// The top of a several-output value: a tuple, list or array.
struct Top<'a> {
    plan: &'a OutputPlan,
    writes: &'a mut Vec<PendingWrite>,
}

/// Its elements, one JSON text each.
struct Elements<'a> {
    plan: &'a OutputPlan,
    writes: &'a mut Vec<PendingWrite>,
    index: usize,
    out: String,
}

impl Elements<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let text = match self.plan.positions.get(self.index) {
            Some(Some(target)) => store_one(value, target, self.plan, self.writes)?,
            _ => serde_json::to_string(value)?,
        };
        if self.index > 0 {
            self.out.push(',');
        }
        self.out.push_str(&text);
        self.index += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<String, Error> {
        self.out.push(']');
        Ok(self.out)
    }
}

impl SerializeSeq for Elements<'_> {
    type Ok = String;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<String, Error> {
        self.finish()
    }
}

impl SerializeTuple for Elements<'_> {
    type Ok = String;
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<String, Error> {
        self.finish()
    }
}

impl SerializeTupleStruct for Elements<'_> {
    type Ok = String;
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.element(value)
    }
    fn end(self) -> Result<String, Error> {
        self.finish()
    }
}

fn not_a_list<T>() -> Result<T, Error> {
    Err(ser::Error::custom(
        "a callback with several outputs returns a tuple or list, one value per output",
    ))
}

macro_rules! as_json {
    ($($method:ident($t:ty)),*) => {$(
        fn $method(self, v: $t) -> Result<String, Error> {
            serde_json::to_string(&v)
        }
    )*};
}

impl<'a> ser::Serializer for Top<'a> {
    type Ok = String;
    type Error = Error;
    type SerializeSeq = Elements<'a>;
    type SerializeTuple = Elements<'a>;
    type SerializeTupleStruct = Elements<'a>;
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
        serialize_str(&str),
        serialize_bytes(&[u8])
    );

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
        not_a_list()
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Elements<'a>, Error> {
        let _ = len;
        Ok(Elements {
            plan: self.plan,
            writes: self.writes,
            index: 0,
            out: String::from("["),
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Elements<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _: &'static str, len: usize) -> Result<Elements<'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        not_a_list()
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        not_a_list()
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        not_a_list()
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        not_a_list()
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
            positions: positions
                .into_iter()
                .map(|p| p.then(|| ("s".to_owned(), StoreSpec { ttl_ms: 1000 })))
                .collect(),
            multi,
            binding: Binding {
                session: "sess".into(),
                secret: AppSecret::new("0123456789abcdef0123456789abcdef").unwrap(),
            },
            expires: 1,
        }
    }

    #[test]
    fn store_outputs_become_references_and_the_rest_json() {
        let big = vec![1.5f64; 10_000];
        let r = serialize(
            &("text", big.clone(), 3),
            &plan(vec![false, true, false], true),
        )
        .unwrap();
        assert_eq!(r.writes.len(), 1);
        assert!(r.json.starts_with(r#"["text",{"ref":""#), "{}", r.json);
        assert!(r.json.ends_with(",3]") && r.json.len() < 200, "{}", r.json);
        let back: Vec<f64> = dash_cache::codec::decode(&r.writes[0].bytes).unwrap();
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
