//! The hidden callbacks that make cancel inputs work: the renderer adds
//! `cancelJob=` only to a request of a callback whose Inputs include the
//! job's cancel input, so, as Python Dash does, each distinct cancel input
//! gets a callback `Output(<its id>, "id")` from that Input, fired only by
//! a change (`prevent_initial_call`), that changes nothing. The cancel
//! itself happens before any callback runs (`protocol.rs`).

use dash_protocol::Dependency;
use serde_json::Value;

use crate::callback::{Callback, CallbackRegistry, Input, NoUpdate, Output, SyncCallback};

/// Registers one hidden callback per distinct cancel input, after every
/// other callback (the order Python's `_dash-dependencies` lists them in).
pub(crate) fn register(registry: &mut CallbackRegistry) {
    let mut inputs: Vec<Dependency> = Vec::new();
    for dep in registry
        .callbacks()
        .flat_map(|cb| cb.spec.background.cancel.iter())
    {
        if !inputs.contains(dep) {
            inputs.push(dep.clone());
        }
    }
    for input in inputs {
        let mut spec = Callback::new()
            .output(Output::new(input.id.clone(), "id"))
            .input(Input(input))
            .prevent_initial_call(true);
        spec.background.cancel_callback = true;
        let handler = |_: Value| NoUpdate;
        registry.register(spec, handler.slots(), handler.into_erased().0);
    }
}
