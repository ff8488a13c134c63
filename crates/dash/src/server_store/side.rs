//! `ctx.set_props(id, {"data": value})` on a server store: the value is
//! encoded and written (before the call returns), and the browser gets the
//! signed reference in its place, exactly as for an output. The same path
//! serves a background job's `set_props`, which streams to the page. A
//! `ServerStore` a `set_props` value adds to the page is learnt here.

use dash_protocol::ComponentId;
use serde_json::{Map, Value};

use super::capture::{serialize, OutputPlan, Slot};
use crate::callback::CallbackContext;

impl CallbackContext {
    /// Replaces `props["data"]` of a server store by its reference, having
    /// written the value. If it cannot be written, the prop is dropped (the
    /// value never reaches the browser) and the failure is logged.
    pub(crate) fn capture_store_props(&self, id: &ComponentId, props: &mut Map<String, Value>) {
        let Some(stores) = self.server_stores() else {
            return;
        };
        // Stores this update adds to the page.
        props.values_mut().for_each(|v| stores.learn_value(v));
        if stores.is_empty() || !props.contains_key("data") {
            return;
        }
        let store = id.to_string();
        let Some(spec) = stores.store(&store) else {
            return;
        };
        let data = props.remove("data").unwrap_or(Value::Null);
        match self.store_side_value(&store, spec, &data) {
            Ok(reference) => {
                props.insert("data".to_owned(), reference);
            }
            Err(why) => tracing::warn!(
                store = %dash_protocol::excerpt(&store, dash_protocol::ECHO_LIMIT),
                "set_props on a ServerStore dropped: {why}"
            ),
        }
    }

    fn store_side_value(
        &self,
        store: &str,
        spec: super::StoreSpec,
        data: &Value,
    ) -> Result<Value, String> {
        let stores = self
            .server_stores()
            .ok_or("this call has no server stores")?;
        let binding = self
            .store_binding()
            .ok_or("a ServerStore value needs the request's session")?;
        let plan = OutputPlan {
            slots: vec![Slot::Store(store.to_owned(), spec)],
            multi: false,
            binding,
            expires: stores.expires_from_now(),
        };
        let mut returned = serialize(data, &plan).map_err(|e| e.to_string())?;
        let writes = returned.take_writes()?;
        if !writes.is_empty() {
            let backend = self
                .store_backend()
                .ok_or("the value cannot be stored: the cache cannot be opened")?;
            self.blocking(|| stores.commit(&*backend, writes))?;
        }
        serde_json::from_str(&returned.json).map_err(|e| e.to_string())
    }
}
