//! `Patch`: change part of an output's current value in the browser
//! instead of sending it whole (Python's `dash.Patch`): append a point to
//! a figure's trace, a row to a table, set one key of a store. The renderer
//! applies the operations, in order, to the value it holds.
//!
//! ```
//! use dash::Patch;
//! use serde_json::json;
//!
//! let mut p = Patch::new();
//! p.at("data").at(0).at("y").append(7);       // figure["data"][0]["y"].append(7)
//! p.at("layout").at("title").assign("Live");   // figure["layout"]["title"] = "Live"
//! p.at("n").add(1);                            // figure["n"] += 1
//! let wire = serde_json::to_value(&p).unwrap();
//! assert_eq!(wire["__dash_patch_update"], "__dash_patch_update");
//! assert_eq!(wire["operations"][0], json!({"operation": "Append", "location": ["data", 0, "y"], "params": {"value": 7}}));
//! ```

use serde::ser::Error as _;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

/// One step of a location: a key of an object or an index of a list
/// (negative counts from the end, as in Python).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum PatchKey {
    /// An object's key.
    Key(String),
    /// A list's index.
    Index(i64),
}

impl From<&str> for PatchKey {
    fn from(k: &str) -> Self {
        PatchKey::Key(k.to_owned())
    }
}
impl From<String> for PatchKey {
    fn from(k: String) -> Self {
        PatchKey::Key(k)
    }
}
macro_rules! index_keys {
    ($($t:ty),*) => {$(
        impl From<$t> for PatchKey {
            fn from(i: $t) -> Self {
                PatchKey::Index(i as i64)
            }
        }
    )*};
}
index_keys!(i32, i64, u32, usize);

#[derive(Debug, Clone, PartialEq, Serialize)]
struct Operation {
    operation: &'static str,
    location: Vec<PatchKey>,
    params: Map<String, Value>,
}

/// A list of changes to an output's value; return it from a callback (or
/// pass it to `set_props`) in place of the value. See the module doc.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patch {
    operations: Vec<Operation>,
    /// The first value that could not be turned into JSON: the patch then
    /// fails to serialize, and the callback answers 500 naming it.
    invalid: Option<String>,
}

/// A location inside the value a [`Patch`] changes; made by
/// [`Patch::at`] and [`Patch::root`], extended by [`PatchAt::at`].
pub struct PatchAt<'a> {
    patch: &'a mut Patch,
    location: Vec<PatchKey>,
}

impl Patch {
    /// An empty patch (changes nothing).
    pub fn new() -> Self {
        Patch::default()
    }

    /// The value itself (for operations on the whole value: append to a
    /// list output, merge into an object output, add to a number).
    pub fn root(&mut self) -> PatchAt<'_> {
        PatchAt {
            patch: self,
            location: Vec::new(),
        }
    }

    /// The item at `key` of the value.
    pub fn at(&mut self, key: impl Into<PatchKey>) -> PatchAt<'_> {
        PatchAt {
            patch: self,
            location: vec![key.into()],
        }
    }

    /// Whether no operation was added.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    fn push(
        &mut self,
        operation: &'static str,
        location: Vec<PatchKey>,
        params: Map<String, Value>,
    ) {
        self.operations.push(Operation {
            operation,
            location,
            params,
        });
    }
}

impl PatchAt<'_> {
    /// The item at `key` of this location.
    pub fn at(mut self, key: impl Into<PatchKey>) -> Self {
        self.location.push(key.into());
        self
    }

    fn json(&mut self, value: impl Serialize) -> Value {
        match serde_json::to_value(value) {
            Ok(v) => v,
            Err(e) => {
                self.patch.invalid.get_or_insert_with(|| e.to_string());
                Value::Null
            }
        }
    }

    fn op(mut self, operation: &'static str, params: Vec<(&str, Value)>) {
        let params = params.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        let location = std::mem::take(&mut self.location);
        self.patch.push(operation, location, params);
    }

    fn with_value(mut self, operation: &'static str, value: impl Serialize) {
        let value = self.json(value);
        self.op(operation, vec![("value", value)]);
    }

    /// Sets this location to `value` (`p["a"]["b"] = value`).
    pub fn assign(self, value: impl Serialize) {
        self.with_value("Assign", value);
    }

    /// Removes the key or item at this location (`del p["a"]["b"]`).
    pub fn delete(self) {
        self.op("Delete", Vec::new());
    }

    /// Adds `value` at the end of the list here.
    pub fn append(self, value: impl Serialize) {
        self.with_value("Append", value);
    }

    /// Adds `value` at the start of the list here.
    pub fn prepend(self, value: impl Serialize) {
        self.with_value("Prepend", value);
    }

    /// Adds `value` at `index` of the list here (negative: from the end).
    pub fn insert(mut self, index: i64, value: impl Serialize) {
        let value = self.json(value);
        self.op(
            "Insert",
            vec![("value", value), ("index", Value::from(index))],
        );
    }

    /// Adds every item at the end of the list here.
    pub fn extend<T: Serialize>(self, items: impl IntoIterator<Item = T>) {
        let items: Vec<T> = items.into_iter().collect();
        self.with_value("Extend", items);
    }

    /// Removes every item equal to `value` from the list here.
    pub fn remove(self, value: impl Serialize) {
        self.with_value("Remove", value);
    }

    /// Empties the list here.
    pub fn clear(self) {
        self.op("Clear", Vec::new());
    }

    /// Reverses the list here.
    pub fn reverse(self) {
        self.op("Reverse", Vec::new());
    }

    /// Merges the keys of an object into the object here (`p |= {...}`).
    pub fn merge(self, object: impl Serialize) {
        self.with_value("Merge", object);
    }

    /// Adds to the number here (`+=`; on strings and lists the renderer
    /// concatenates, as in Python).
    pub fn add(self, value: impl Serialize) {
        self.with_value("Add", value);
    }

    /// Subtracts from the number here (`-=`).
    pub fn sub(self, value: impl Serialize) {
        self.with_value("Sub", value);
    }

    /// Multiplies the number here (`*=`).
    pub fn mul(self, value: impl Serialize) {
        self.with_value("Mul", value);
    }

    /// Divides the number here (`/=`).
    pub fn div(self, value: impl Serialize) {
        self.with_value("Div", value);
    }
}

impl Serialize for Patch {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if let Some(e) = &self.invalid {
            return Err(S::Error::custom(format!(
                "a Patch value cannot be JSON: {e}"
            )));
        }
        #[derive(Serialize)]
        struct Wire<'a> {
            __dash_patch_update: &'static str,
            operations: &'a [Operation],
        }
        Wire {
            __dash_patch_update: "__dash_patch_update",
            operations: &self.operations,
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(p: &Patch) -> Value {
        serde_json::to_value(p).unwrap()["operations"].clone()
    }

    #[test]
    fn every_operation_has_python_s_wire_form() {
        let mut p = Patch::new();
        p.at("value").assign("v");
        p.at("n_clicks").add(1);
        p.at("array").append("a");
        p.at("array").prepend("p");
        p.at("array").insert(-1, "i");
        p.at("array").extend(["e"]);
        p.at("array").remove("initial");
        p.at("array").at(1).delete();
        p.at("array").clear();
        p.at("array").reverse();
        p.root().merge(json!({"merged": "m"}));
        p.root().sub(1);
        p.root().mul(2);
        p.root().div(2);
        let o = ops(&p);
        let names: Vec<&str> = o
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["operation"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Assign", "Add", "Append", "Prepend", "Insert", "Extend", "Remove", "Delete",
                "Clear", "Reverse", "Merge", "Sub", "Mul", "Div"
            ]
        );
        assert_eq!(
            o[4],
            json!({"operation": "Insert", "location": ["array"], "params": {"value": "i", "index": -1}})
        );
        assert_eq!(o[5]["params"]["value"], json!(["e"]));
        assert_eq!(
            o[7],
            json!({"operation": "Delete", "location": ["array", 1], "params": {}})
        );
        assert_eq!(o[11]["location"], json!([]));
    }

    #[test]
    fn a_value_that_is_not_json_fails_the_whole_patch() {
        let mut p = Patch::new();
        let mut bad = std::collections::HashMap::new();
        bad.insert((1, 2), 3);
        p.at("x").assign(bad);
        let e = serde_json::to_value(&p).unwrap_err().to_string();
        assert!(e.contains("a Patch value cannot be JSON"), "{e}");
    }
}
