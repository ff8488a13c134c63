//! A wildcard (`ALL`, `ALLSMALLER`) Input or State over server stores: the
//! argument is a list (`Vec<T>`, `Vec<Option<T>>`) whose elements are read
//! one by one, each from its own store's value (verified, by the caller,
//! against that store's own id and the request's session), from the JSON
//! the browser sent for a component that is not a server store, or as
//! `null` for a store with no value.

use std::sync::Arc;

use serde::de::value::{Error, UnitDeserializer};
use serde::de::{self, DeserializeOwned, DeserializeSeed, SeqAccess, Visitor};

use super::local::Held;

/// One component's value, in the list's order.
pub(crate) enum Item<'a> {
    /// A server store's value, checked and decompressed.
    Stored(Arc<Held>),
    /// Another component's value, as the browser sent it.
    Json(&'a str),
    /// No value (never written, cleared, or gone).
    Null,
}

/// Reads the items as the argument type `T` (a list of them); the error
/// names the element that does not fit.
pub(crate) fn decode<T: DeserializeOwned>(items: &[Item<'_>]) -> Result<T, String> {
    T::deserialize(List { items }).map_err(|e| e.to_string())
}

struct List<'de> {
    items: &'de [Item<'de>],
}

impl<'de> de::Deserializer<'de> for List<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        visitor.visit_seq(Elements {
            items: self.items,
            index: 0,
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct Elements<'de> {
    items: &'de [Item<'de>],
    index: usize,
}

impl<'de> SeqAccess<'de> for Elements<'de> {
    type Error = Error;

    fn next_element_seed<S: DeserializeSeed<'de>>(
        &mut self,
        seed: S,
    ) -> Result<Option<S::Value>, Error> {
        let Some(item) = self.items.get(self.index) else {
            return Ok(None);
        };
        let at = self.index;
        self.index += 1;
        let element = |e: &dyn std::fmt::Display| -> Error {
            de::Error::custom(format!("element {at} of the list: {e}"))
        };
        match item {
            Item::Stored(held) => held.body().decode_seed(seed).map_err(|e| element(&e)),
            Item::Json(text) => {
                let mut json = serde_json::Deserializer::from_str(text);
                let value = seed.deserialize(&mut json).map_err(|e| element(&e))?;
                json.end().map_err(|e| element(&e))?;
                Ok(value)
            }
            Item::Null => seed
                .deserialize(UnitDeserializer::<Error>::new())
                .map_err(|e| element(&e)),
        }
        .map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len() - self.index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored<T: serde::Serialize>(v: &T) -> Item<'static> {
        let bytes = dash_cache::codec::encode(v).unwrap();
        Item::Stored(Arc::new(Held::new(
            dash_cache::codec::unframe(&bytes).unwrap(),
        )))
    }

    #[test]
    fn elements_come_from_their_own_values() {
        let items = [stored(&vec![1.5f64, 2.0]), Item::Null, Item::Json("[3]")];
        let got: Vec<Option<Vec<f64>>> = decode(&items).unwrap();
        assert_eq!(got, vec![Some(vec![1.5, 2.0]), None, Some(vec![3.0])]);
        let err = decode::<Vec<Vec<f64>>>(&items).unwrap_err();
        assert!(err.contains("element 1"), "{err}");
        let err = decode::<Vec<String>>(&[stored(&7u8)]).unwrap_err();
        assert!(err.contains("element 0"), "{err}");
        assert!(decode::<Vec<u8>>(&[]).unwrap().is_empty());
    }
}
