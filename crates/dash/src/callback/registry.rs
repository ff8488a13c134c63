//! The app's callbacks, checked as Python Dash checks them at registration.

use std::collections::HashMap;
use std::sync::Arc;

use dash_protocol::{Dependency, Wildcard};
use serde_json::{json, Value};

use super::handler::ErasedHandler;
use super::placement::CostEstimate;
use super::spec::{Callback, InitialCall};
use crate::Error;

/// One callback ready to be called.
pub(crate) struct RegisteredCallback {
    pub(crate) spec: Callback,
    pub(crate) key: String,
    pub(crate) handler: ErasedHandler,
    /// Its recent cost, which decides where calls run.
    pub(crate) cost: CostEstimate,
}

/// Every callback of an app, in registration order, with the problems found
/// while registering them.
#[derive(Default)]
pub(crate) struct CallbackRegistry {
    list: Vec<Arc<RegisteredCallback>>,
    by_key: HashMap<String, usize>,
    problems: Vec<Error>,
    /// `Dash::on_error`: for callbacks without a handler of their own.
    pub(crate) default_on_error: Option<super::on_error::ErrorHandler>,
    /// The scripts that define inline clientside functions, in order.
    inline_scripts: Vec<String>,
    has_background: bool,
}

impl CallbackRegistry {
    pub(crate) fn register(&mut self, spec: Callback, slots: usize, handler: ErasedHandler) {
        let key = spec.key();
        if let Err(e) = self.check(&spec, &key, slots) {
            self.problems.push(e);
            return;
        }
        self.by_key.insert(key.clone(), self.list.len());
        self.has_background |= spec.is_background();
        self.list.push(Arc::new(RegisteredCallback {
            spec,
            key,
            handler,
            cost: CostEstimate::default(),
        }));
    }

    /// Registers a clientside callback (its function and, for inline code,
    /// the script that defines it).
    pub(crate) fn register_clientside(
        &mut self,
        mut spec: Callback,
        function: super::clientside::ClientsideFunction,
        script: Option<String>,
    ) {
        let slots = spec.inputs.len() + spec.states.len();
        spec.clientside = Some(function);
        let before = self.list.len();
        self.register(spec, slots, ErasedHandler::Clientside);
        if self.list.len() > before {
            if let Some(s) = script {
                if !self.inline_scripts.contains(&s) {
                    self.inline_scripts.push(s);
                }
            }
        }
    }

    /// The scripts defining inline clientside functions.
    pub(crate) fn inline_scripts(&self) -> &[String] {
        &self.inline_scripts
    }

    fn check(&self, spec: &Callback, key: &str, slots: usize) -> Result<(), Error> {
        let fail = |reason: String| {
            Err(Error::InvalidCallback {
                callback: key.to_owned(),
                reason,
            })
        };
        for dep in spec.outputs.iter().chain(&spec.inputs).chain(&spec.states) {
            if let Err(e) = dep.validate() {
                return fail(e.to_string());
            }
        }
        crate::background::check_spec(spec).map_err(|reason| Error::InvalidCallback {
            callback: key.to_owned(),
            reason,
        })?;
        let declared = spec.inputs.len() + spec.states.len();
        if slots != declared {
            return fail(format!(
                "the function takes {slots} Input/State argument(s) but the callback declares {} Input(s) and {} State(s)",
                spec.inputs.len(),
                spec.states.len()
            ));
        }
        for (i, out) in spec.outputs.iter().enumerate() {
            if spec.outputs[..i].iter().any(|o| same_prop(o, out)) {
                return fail(format!(
                    "output {} is declared twice in this callback",
                    out.key()
                ));
            }
            if out
                .id
                .wildcards()
                .iter()
                .any(|(_, w)| *w == Wildcard::AllSmaller)
            {
                return fail(format!(
                    "output {} uses ALLSMALLER, which only Inputs and States may use",
                    out.key()
                ));
            }
            // An Input that is also the Output (a value that corrects
            // itself) is allowed, as in Python Dash since 1.19.
            if !out.allow_duplicate {
                let clash = self.list.iter().find(|cb| {
                    cb.spec
                        .outputs
                        .iter()
                        .any(|o| !o.allow_duplicate && same_prop(o, out))
                });
                if let Some(other) = clash {
                    return fail(format!(
                        "duplicate callback output {}: already written by callback {}; use Output::allow_duplicate() on both",
                        out.key(),
                        other.key
                    ));
                }
            }
        }
        if self.by_key.contains_key(key) {
            return fail("another callback has the same key (same outputs, or no outputs and the same inputs)".to_owned());
        }
        Ok(())
    }

    pub(crate) fn get(&self, key: &str) -> Option<&Arc<RegisteredCallback>> {
        self.by_key.get(key).map(|&i| &self.list[i])
    }

    /// Every callback, in registration order.
    pub(crate) fn callbacks(&self) -> impl Iterator<Item = &Arc<RegisteredCallback>> {
        self.list.iter()
    }

    /// Whether any callback is a background one.
    pub(crate) fn has_background(&self) -> bool {
        self.has_background
    }

    pub(crate) fn problems(&self) -> &[Error] {
        &self.problems
    }

    /// Problems that depend on the app's settings: `allow_duplicate`
    /// outputs need the initial call prevented, or `initial_duplicate`.
    pub(crate) fn app_problems(&self, app_default: InitialCall) -> Vec<Error> {
        self.list
            .iter()
            .filter(|cb| cb.spec.initial_call.unwrap_or(app_default) == InitialCall::Run)
            .filter_map(|cb| {
                let out = cb.spec.outputs.iter().find(|o| o.allow_duplicate)?;
                Some(Error::InvalidCallback {
                    callback: cb.key.clone(),
                    reason: format!(
                        "output {} has allow_duplicate, which needs prevent_initial_call(true) (the order of the initial calls is not fixed); to run it on page load anyway use initial_duplicate(), or Dash::prevent_initial_callbacks",
                        out.key()
                    ),
                })
            })
            .collect()
    }

    /// The `_dash-dependencies` list.
    pub(crate) fn dependencies_json(&self, app_default: InitialCall) -> Value {
        Value::Array(
            self.list
                .iter()
                .map(|cb| dependency_entry(cb, app_default))
                .collect(),
        )
    }
}

fn same_prop(a: &Dependency, b: &Dependency) -> bool {
    a.id == b.id && a.property == b.property
}

fn dependency_entry(cb: &RegisteredCallback, app_default: InitialCall) -> Value {
    let spec = &cb.spec;
    let mut entry = json!({
        "output": cb.key,
        "inputs": spec.inputs,
        "state": spec.states,
        "clientside_function": spec.clientside,
        "prevent_initial_call": spec.prevents_initial_call(app_default),
        "background": spec.background.dependencies_entry(),
        // Python registers clientside callbacks with `dynamic_creator`
        // False, server callbacks with None.
        "dynamic_creator": if spec.clientside.is_some() { json!(false) } else { Value::Null },
        "no_output": spec.outputs.is_empty(),
        "optional": false,
        "hidden": spec.background.hidden_entry(spec.hidden),
        "websocket": false,
        "persistent": false,
    });
    if !spec.running.is_empty() {
        let mut on = serde_json::Map::new();
        let mut off = serde_json::Map::new();
        for (dep, v_on, v_off) in &spec.running {
            on.insert(dep.key(), v_on.clone());
            off.insert(dep.key(), v_off.clone());
        }
        entry["running"] = json!({"running": on, "runningOff": off});
    }
    entry
}
