//! A fingerprint of a type's serde shape: its struct, field and variant
//! names and the type of every field, traced once per type. Values stored
//! positionally (without field names) carry it, so a changed type reads an
//! old entry as a miss instead of reading it wrongly.

use std::any::TypeId;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{OnceLock, RwLock};

use serde::de::DeserializeOwned;
use serde_reflection::{Tracer, TracerConfig};
use sha2::{Digest, Sha256};

/// Eight bytes of SHA-256 over the traced shape.
pub type Fingerprint = [u8; 8];

/// The fingerprint of `T`, or `None` when its shape cannot be traced
/// completely (self-describing types such as `serde_json::Value`, untagged
/// or flattened serde attributes, enums nested where one pass cannot reach
/// every variant).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct Point { x: f64, y: f64 }
/// #[derive(serde::Deserialize)]
/// struct Swapped { y: f64, x: f64 }
///
/// use dash_cache::schema::fingerprint;
/// assert!(fingerprint::<Vec<Point>>().is_some());
/// assert_ne!(fingerprint::<Point>(), fingerprint::<Swapped>());
/// assert_eq!(fingerprint::<serde_json::Value>(), None);
/// ```
pub fn fingerprint<T: DeserializeOwned + 'static>() -> Option<Fingerprint> {
    static KNOWN: OnceLock<RwLock<HashMap<TypeId, Option<Fingerprint>>>> = OnceLock::new();
    let known = KNOWN.get_or_init(Default::default);
    let id = TypeId::of::<T>();
    if let Some(found) = known.read().unwrap_or_else(|p| p.into_inner()).get(&id) {
        return *found;
    }
    let traced = catch_unwind(AssertUnwindSafe(trace::<T>)).unwrap_or(None);
    known
        .write()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, traced);
    traced
}

fn trace<T: DeserializeOwned>() -> Option<Fingerprint> {
    let mut tracer = Tracer::new(TracerConfig::default());
    let (format, _) = tracer.trace_simple_type::<T>().ok()?;
    let registry = tracer.registry().ok()?;
    let shape = format!("{format:?}\n{registry:?}");
    let digest = Sha256::digest(shape.as_bytes());
    let mut out = [0u8; 8];
    out.copy_from_slice(&digest[..8]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Record {
        x: f64,
        y: f64,
        label: String,
    }

    mod renamed {
        #[derive(serde::Deserialize)]
        #[allow(dead_code)]
        pub struct Record {
            pub x: f64,
            pub y: f64,
            pub name: String,
        }
    }

    #[derive(Deserialize)]
    #[allow(dead_code)]
    struct Retyped {
        x: f64,
        y: f32,
        label: String,
    }

    #[test]
    fn every_change_of_shape_changes_the_fingerprint() {
        let base = fingerprint::<Vec<Record>>().expect("traceable");
        assert_eq!(fingerprint::<Vec<Record>>(), Some(base), "stable");
        assert_ne!(fingerprint::<Vec<renamed::Record>>(), Some(base));
        assert_ne!(fingerprint::<Vec<Retyped>>(), Some(base));
        assert_ne!(fingerprint::<Record>(), Some(base));
        assert_ne!(fingerprint::<Vec<(f64, f64, String)>>(), Some(base));
    }

    #[test]
    fn untraceable_types_have_none() {
        assert_eq!(fingerprint::<serde_json::Value>(), None);
        assert_eq!(fingerprint::<Vec<serde_json::Value>>(), None);
    }
}
