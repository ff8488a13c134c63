//! Declaring a callback: its Outputs, Inputs and States and its options.

use dash_protocol::{ComponentId, Dependency};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// A prop a callback writes.
///
/// ```
/// use dash::Output;
/// let o = Output::new("graph", "figure");
/// let dup = Output::new("store", "data").allow_duplicate();
/// # let _ = (o, dup);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Output(pub(crate) Dependency);

/// A prop whose changes fire a callback; its value is an argument.
#[derive(Debug, Clone, PartialEq)]
pub struct Input(pub(crate) Dependency);

/// A prop read when a callback fires, without firing it.
#[derive(Debug, Clone, PartialEq)]
pub struct State(pub(crate) Dependency);

macro_rules! dependency_type {
    ($t:ident) => {
        impl $t {
            /// The prop `property` of the component `id` (a string or a
            /// pattern-matching id).
            pub fn new(id: impl Into<ComponentId>, property: impl Into<String>) -> Self {
                $t(Dependency::new(id, property))
            }

            /// The underlying dependency.
            pub fn dependency(&self) -> &Dependency {
                &self.0
            }
        }

        impl<I: Into<ComponentId>, P: Into<String>> From<(I, P)> for $t {
            fn from((id, property): (I, P)) -> Self {
                $t::new(id, property)
            }
        }
    };
}
dependency_type!(Output);
dependency_type!(Input);
dependency_type!(State);

impl Output {
    /// Lets other callbacks write the same prop (needs
    /// `prevent_initial_call`, as in Python Dash).
    pub fn allow_duplicate(mut self) -> Self {
        self.0.allow_duplicate = true;
        self
    }
}

impl Input {
    /// A missing component gives `null` instead of an error.
    pub fn allow_optional(mut self) -> Self {
        self.0.allow_optional = true;
        self
    }
}

impl State {
    /// A missing component gives `null` instead of an error.
    pub fn allow_optional(mut self) -> Self {
        self.0.allow_optional = true;
        self
    }
}

/// What happens to a callback when the page loads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InitialCall {
    /// The renderer calls it (Python's `prevent_initial_call=False`).
    #[default]
    Run,
    /// It is not called (`prevent_initial_call=True`).
    Prevent,
    /// It is called, even with `allow_duplicate` outputs
    /// (`prevent_initial_call="initial_duplicate"`).
    InitialDuplicate,
}

/// The declaration of one callback: what it reads and writes, and its
/// options. The function itself is given to `Dash::callback`.
///
/// ```
/// use dash::{Callback, Input, Output, State};
/// let cb = Callback::new()
///     .output(Output::new("out", "children"))
///     .input(Input::new("in", "value"))
///     .state(State::new("store", "data"))
///     .prevent_initial_call(true);
/// assert_eq!(cb.key(), "out.children");
/// ```
#[derive(Debug, Clone, Default)]
pub struct Callback {
    pub(crate) outputs: Vec<Dependency>,
    pub(crate) inputs: Vec<Dependency>,
    pub(crate) states: Vec<Dependency>,
    /// `None`: the app's default (`Dash::prevent_initial_callbacks`).
    pub(crate) initial_call: Option<InitialCall>,
    pub(crate) outputs_as_list: bool,
    pub(crate) running: Vec<(Dependency, Value, Value)>,
    pub(crate) hidden: bool,
    /// Python's `on_error`.
    pub(crate) on_error: Option<super::on_error::ErrorHandler>,
    /// Set for a clientside callback: the function the renderer runs.
    pub(crate) clientside: Option<super::clientside::ClientsideFunction>,
    /// Set by `background()` and its options (`background/spec.rs`).
    pub(crate) background: crate::background::BackgroundSpec,
    /// Dash 4's `api_endpoint` (`api_endpoint.rs`).
    pub(crate) api_endpoint: Option<String>,
    /// Who may call it (`auth/callback_access.rs`).
    pub(crate) access: Option<crate::auth::Access>,
}

impl Callback {
    /// An empty declaration.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an output. With two or more outputs the function returns a
    /// tuple (or array) with one element per output.
    pub fn output(mut self, output: impl Into<Output>) -> Self {
        self.outputs.push(output.into().0);
        self
    }

    /// Adds an input; its value is the next argument of the function.
    pub fn input(mut self, input: impl Into<Input>) -> Self {
        self.inputs.push(input.into().0);
        self
    }

    /// Adds a state; states come after all inputs in the arguments.
    pub fn state(mut self, state: impl Into<State>) -> Self {
        self.states.push(state.into().0);
        self
    }

    /// Skips the call the renderer makes when the page loads (unset: the
    /// app's `Dash::prevent_initial_callbacks`, by default no).
    pub fn prevent_initial_call(mut self, yes: bool) -> Self {
        self.initial_call = Some(if yes {
            InitialCall::Prevent
        } else {
            InitialCall::Run
        });
        self
    }

    /// Runs on page load even with `allow_duplicate` outputs (Python's
    /// `prevent_initial_call="initial_duplicate"`): the order of the
    /// duplicate callbacks' initial calls is then not fixed.
    ///
    /// ```
    /// use dash::{Callback, Output};
    /// let cb = Callback::new()
    ///     .output(Output::new("out", "children").allow_duplicate())
    ///     .input(("in", "value"))
    ///     .initial_duplicate();
    /// # let _ = cb;
    /// ```
    pub fn initial_duplicate(mut self) -> Self {
        self.initial_call = Some(InitialCall::InitialDuplicate);
        self
    }

    /// Whether the renderer skips the initial call, given the app's default.
    pub(crate) fn prevents_initial_call(&self, app_default: InitialCall) -> bool {
        self.initial_call.unwrap_or(app_default) == InitialCall::Prevent
    }

    /// Treats a single output as a list of one: the function returns a
    /// one-element tuple, as `output=[Output(...)]` does in Python.
    pub fn outputs_as_list(mut self, yes: bool) -> Self {
        self.outputs_as_list = yes;
        self
    }

    /// Sets `prop` of `id` to `on` while the callback runs and to `off`
    /// when it is done (Python's `running=[(Output, on, off)]`).
    pub fn running(
        mut self,
        output: impl Into<Output>,
        on: impl serde::Serialize,
        off: impl serde::Serialize,
    ) -> Self {
        let to_value = |v: &dyn erased::Ser| v.to_value();
        self.running
            .push((output.into().0, to_value(&on), to_value(&off)));
        self
    }

    /// Hides the callback from the dev-tools callback graph.
    pub fn hidden(mut self, yes: bool) -> Self {
        self.hidden = yes;
        self
    }

    /// True when the function returns one value per output in a tuple.
    pub(crate) fn is_multi_output(&self) -> bool {
        self.outputs.len() > 1 || self.outputs_as_list
    }

    /// The callback key the renderer sends back in every request, built as
    /// Python Dash builds it.
    pub fn key(&self) -> String {
        let inputs_hash = || {
            let joined: Vec<String> = self.inputs.iter().map(Dependency::key).collect();
            hex::encode(Sha256::digest(joined.join(".").as_bytes()))
        };
        if self.outputs.is_empty() {
            return inputs_hash();
        }
        let one = |d: &Dependency| {
            let mut s = d.key();
            if d.allow_duplicate {
                s.push('@');
                s.push_str(&inputs_hash());
            }
            s
        };
        if self.is_multi_output() {
            let items: Vec<String> = self.outputs.iter().map(one).collect();
            format!("..{}..", items.join("..."))
        } else {
            one(&self.outputs[0])
        }
    }
}

mod erased {
    /// Serializes any value to JSON without a generic method on `Callback`.
    pub trait Ser {
        fn to_value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Ser for T {
        fn to_value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_python_dash() {
        let multi = Callback::new()
            .output(("temp", "children"))
            .output(("unit", "children"))
            .input(("city", "value"));
        assert_eq!(multi.key(), "..temp.children...unit.children..");
        let dup = Callback::new()
            .output(Output::new("store", "data").allow_duplicate())
            .input(("btn", "n_clicks"));
        let expected = hex::encode(Sha256::digest(b"btn.n_clicks"));
        assert_eq!(dup.key(), format!("store.data@{expected}"));
        let none = Callback::new().input(("a", "value")).input(("b", "value"));
        assert_eq!(none.key(), hex::encode(Sha256::digest(b"a.value.b.value")));
    }
}
