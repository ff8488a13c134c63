//! `Shared<T>`: a callback argument that shares one decoded value instead
//! of decoding a fresh copy for each call.

use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::callback::{server_store_arg, ArgError, ArgSource, CallbackArg};

/// A read-only value shared between calls. For the `data` of a
/// [`ServerStore`](crate::ServerStore), every callback of a process that
/// takes `Shared<T>` gets the same value, decoded once per process: a
/// follow-on then costs a pointer copy, not a decode. For any other Input or
/// State it is the value parsed from the request. Take `Shared<Option<T>>`
/// where a plain argument would be `Option<T>` (no data yet, or gone).
///
/// ```
/// use dash::server_store::Shared;
/// fn follow_on(data: Shared<Option<Vec<f64>>>, unit: String) -> String {
///     let Some(data) = data.as_ref() else { return "no data yet".into() };
///     format!("{} readings in {unit}", data.len())
/// }
/// ```
pub struct Shared<T>(Arc<T>);

impl<T> Shared<T> {
    /// The shared value.
    pub fn arc(&self) -> &Arc<T> {
        &self.0
    }
}

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(self.0.clone())
    }
}

impl<T> Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<T: DeserializeOwned + Send + Sync + 'static> CallbackArg for Shared<T> {
    const SLOTS: usize = 1;

    fn extract(source: &ArgSource<'_>, next: &mut usize) -> Result<Self, ArgError> {
        let (dep, slot) = source.slots[*next];
        if let Some(r) = server_store_arg(
            source,
            dep,
            slot,
            std::any::type_name::<T>(),
            |held| held.shared::<T>(),
            || serde_json::from_str::<T>("null").map(Arc::new),
        ) {
            *next += 1;
            return r.map(Shared);
        }
        T::extract(source, next).map(|v| Shared(Arc::new(v)))
    }

    /// Not a server store's slot (those are never decoded with the request):
    /// the value as `T` takes it, which `T::extract` takes back.
    fn decode_value<'de, D: serde::Deserializer<'de>>(
        value: D,
    ) -> Result<dash_protocol::request::Decoded, D::Error> {
        <T as CallbackArg>::decode_value(value)
    }
}
