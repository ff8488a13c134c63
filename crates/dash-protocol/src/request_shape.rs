//! Does a parsed request fit the callback it names? Checked before the
//! callback runs, so a wrong `outputs` list is the client's error (400), not
//! a failure of the callback (500).

use crate::request::{ArgSlot, CallbackRequest, OutputSlot, OutputSpec, OutputTarget};
use crate::{excerpt, Dependency, ProtocolError, Wildcard, ECHO_LIMIT};

/// What a callback declares, as far as the shape of its requests goes.
///
/// ```
/// use dash_protocol::request::CallbackRequest;
/// use dash_protocol::{CallbackShape, Dependency};
///
/// let outputs = [Dependency::new("out", "children")];
/// let inputs = [Dependency::new("in", "value")];
/// let shape = CallbackShape { outputs: &outputs, multi_output: false, inputs: &inputs, states: &[] };
/// let good = br#"{"output":"out.children","outputs":{"id":"out","property":"children"},
///   "inputs":[{"id":"in","property":"value","value":1}]}"#;
/// assert!(CallbackRequest::parse(good).unwrap().check_shape(&shape).is_ok());
/// let two = br#"{"output":"out.children","outputs":[{"id":"out","property":"children"},
///   {"id":"x","property":"children"}],"inputs":[{"id":"in","property":"value","value":1}]}"#;
/// let err = CallbackRequest::parse(two).unwrap().check_shape(&shape).unwrap_err();
/// assert!(err.to_string().contains("a list of 2"), "{err}");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct CallbackShape<'a> {
    /// The declared Outputs, in order.
    pub outputs: &'a [Dependency],
    /// True when the renderer sends `outputs` as a list (two or more
    /// outputs, or one declared as a list).
    pub multi_output: bool,
    /// The declared Inputs, in order.
    pub inputs: &'a [Dependency],
    /// The declared States, in order.
    pub states: &'a [Dependency],
}

/// True for a dependency the renderer sends as a list: a wildcard `ALL` or
/// `ALLSMALLER` in its id (the renderer's `isMultiValued`).
pub(crate) fn is_multi_valued(dep: &Dependency) -> bool {
    dep.id
        .wildcards()
        .iter()
        .any(|(_, w)| matches!(w, Wildcard::All | Wildcard::AllSmaller))
}

fn mismatch(
    field: String,
    dep: Option<&Dependency>,
    expected: impl Into<String>,
    found: impl Into<String>,
) -> ProtocolError {
    ProtocolError::RequestShape {
        field,
        dependency: dep.map(|d| excerpt(&d.key(), ECHO_LIMIT).into_owned()),
        expected: expected.into(),
        found: found.into(),
    }
}

fn describe_target(t: &OutputTarget) -> String {
    let key = format!("{}.{}", t.id, t.property);
    format!("{{id, property}} for {}", excerpt(&key, ECHO_LIMIT))
}

fn check_target(field: String, dep: &Dependency, t: &OutputTarget) -> Result<(), ProtocolError> {
    if dep.id.matches(&t.id) && t.clean_property() == dep.property {
        Ok(())
    } else {
        Err(mismatch(
            field,
            Some(dep),
            "an output of this callback",
            describe_target(t),
        ))
    }
}

fn check_targets(
    field: &str,
    dep: &Dependency,
    targets: &[OutputTarget],
) -> Result<(), ProtocolError> {
    targets
        .iter()
        .enumerate()
        .try_for_each(|(i, t)| check_target(format!("{field}[{i}]"), dep, t))
}

fn list_of(n: usize) -> String {
    format!("a list of {n}")
}

fn check_output_slot(
    field: String,
    dep: &Dependency,
    slot: &OutputSlot,
) -> Result<(), ProtocolError> {
    match (is_multi_valued(dep), slot) {
        (false, OutputSlot::One(t)) => check_target(field, dep, t),
        (true, OutputSlot::Many(ts)) => check_targets(&field, dep, ts),
        (false, OutputSlot::Many(ts)) => Err(mismatch(
            field,
            Some(dep),
            "one {id, property} object",
            list_of(ts.len()),
        )),
        (true, OutputSlot::One(t)) => Err(mismatch(
            field,
            Some(dep),
            "a list of {id, property} objects (an ALL output)",
            describe_target(t),
        )),
    }
}

fn check_outputs(
    shape: &CallbackShape<'_>,
    outputs: Option<&OutputSpec>,
) -> Result<(), ProtocolError> {
    let field = || "outputs".to_owned();
    let Some(outputs) = outputs else {
        if shape.outputs.is_empty() {
            return Ok(());
        }
        return Err(mismatch(
            field(),
            None,
            "the outputs of the callback",
            "none",
        ));
    };
    if shape.outputs.is_empty() {
        return Err(mismatch(
            field(),
            None,
            "no \"outputs\" (the callback has none)",
            "outputs",
        ));
    }
    if shape.multi_output {
        let OutputSpec::Many(slots) = outputs else {
            return Err(mismatch(
                field(),
                None,
                format!("a list of {} outputs", shape.outputs.len()),
                "one {id, property} object",
            ));
        };
        if slots.len() != shape.outputs.len() {
            return Err(mismatch(
                field(),
                None,
                format!("a list of {} outputs", shape.outputs.len()),
                list_of(slots.len()),
            ));
        }
        return shape
            .outputs
            .iter()
            .zip(slots)
            .enumerate()
            .try_for_each(|(i, (dep, slot))| {
                check_output_slot(format!("outputs[{i}]"), dep, slot)
            });
    }
    let dep = &shape.outputs[0];
    match (is_multi_valued(dep), outputs) {
        (false, OutputSpec::One(t)) => check_target(field(), dep, t),
        (false, OutputSpec::Many(slots)) => Err(mismatch(
            field(),
            Some(dep),
            "one {id, property} object (the callback has one output)",
            list_of(slots.len()),
        )),
        (true, OutputSpec::One(t)) => Err(mismatch(
            field(),
            Some(dep),
            "a list of {id, property} objects (an ALL output)",
            describe_target(t),
        )),
        (true, OutputSpec::Many(slots)) => slots.iter().enumerate().try_for_each(|(i, slot)| {
            let field = format!("outputs[{i}]");
            match slot {
                OutputSlot::One(t) => check_target(field, dep, t),
                OutputSlot::Many(ts) => Err(mismatch(
                    field,
                    Some(dep),
                    "one {id, property} object",
                    list_of(ts.len()),
                )),
            }
        }),
    }
}

fn check_args(
    name: &str,
    declared: &[Dependency],
    sent: &[ArgSlot<'_>],
) -> Result<(), ProtocolError> {
    if declared.len() != sent.len() {
        return Err(mismatch(
            name.to_owned(),
            None,
            format!("{} entries, one per declared {name}", declared.len()),
            format!("{}", sent.len()),
        ));
    }
    for (i, (dep, slot)) in declared.iter().zip(sent).enumerate() {
        let field = || format!("{name}[{i}]");
        match (is_multi_valued(dep), slot) {
            (true, ArgSlot::One(_)) => {
                return Err(mismatch(
                    field(),
                    Some(dep),
                    "a list of {id, property, value} objects (an ALL or ALLSMALLER dependency)",
                    "one object",
                ))
            }
            (false, ArgSlot::Many(v)) => {
                return Err(mismatch(
                    field(),
                    Some(dep),
                    "one {id, property, value} object",
                    list_of(v.len()),
                ))
            }
            _ => {}
        }
        if let Some(e) = slot.entries().iter().find(|e| e.property != dep.property) {
            return Err(mismatch(
                field(),
                Some(dep),
                format!("the property {:?}", excerpt(&dep.property, ECHO_LIMIT)),
                format!("{:?}", excerpt(&e.property, ECHO_LIMIT)),
            ));
        }
    }
    Ok(())
}

impl CallbackRequest<'_> {
    /// Checks that the request has the shape the callback's declaration
    /// calls for: one entry per Input and State (a list for `ALL` and
    /// `ALLSMALLER`), and `outputs` with one object per plain or `MATCH`
    /// output, a list per `ALL` output, each naming an output of this
    /// callback. Ids in errors are cut to a bounded length.
    pub fn check_shape(&self, shape: &CallbackShape<'_>) -> Result<(), ProtocolError> {
        check_args("inputs", shape.inputs, &self.inputs)?;
        check_args("state", shape.states, &self.state)?;
        check_outputs(shape, self.outputs.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ComponentId;
    use serde_json::{json, Value};

    /// An id as the renderer would send it for a dependency, for tests.
    fn concrete(dep: &Dependency, n: i64) -> ComponentId {
        match &dep.id {
            ComponentId::String(s) => ComponentId::String(s.clone()),
            ComponentId::Object(m) => ComponentId::Object(
                m.iter()
                    .map(|(k, v)| match v {
                        crate::IdValue::Wildcard(_) => (k.clone(), n.into()),
                        v => (k.clone(), v.clone()),
                    })
                    .collect(),
            ),
        }
    }

    fn all(kind: &str) -> ComponentId {
        ComponentId::object([("kind", kind.into()), ("n", Wildcard::All.into())])
    }

    fn target(dep: &Dependency, n: i64) -> Value {
        json!({"id": concrete(dep, n), "property": dep.property})
    }

    fn check(shape: &CallbackShape<'_>, outputs: Value) -> Result<(), String> {
        let inputs: Vec<Value> = shape
            .inputs
            .iter()
            .map(|d| json!({"id": concrete(d, 1), "property": d.property, "value": 1}))
            .collect();
        let mut body = json!({"output": "k", "inputs": inputs});
        if !outputs.is_null() {
            body["outputs"] = outputs;
        }
        let text = body.to_string();
        let request = CallbackRequest::parse(text.as_bytes()).unwrap();
        request.check_shape(shape).map_err(|e| e.to_string())
    }

    #[test]
    fn single_output_wants_one_object_naming_it() {
        let outs = [Dependency::new("out", "children")];
        let ins = [Dependency::new("in", "value")];
        let shape = CallbackShape {
            outputs: &outs,
            multi_output: false,
            inputs: &ins,
            states: &[],
        };
        let t = target(&outs[0], 0);
        assert_eq!(check(&shape, t.clone()), Ok(()));
        let dup = json!({"id": "out", "property": "children@abc"});
        assert_eq!(check(&shape, dup), Ok(()));
        let e = check(&shape, json!([t.clone(), t.clone()])).unwrap_err();
        assert!(
            e.contains("expected one {id, property} object") && e.contains("a list of 2"),
            "{e}"
        );
        let e = check(&shape, json!([[t.clone()]])).unwrap_err();
        assert!(e.contains("a list of 1"), "{e}");
        let e = check(&shape, json!({"id": "other", "property": "children"})).unwrap_err();
        assert!(
            e.contains("an output of this callback") && e.contains("other.children"),
            "{e}"
        );
        let e = check(&shape, json!({"id": "out", "property": "title"})).unwrap_err();
        assert!(e.contains("out.title"), "{e}");
        let e = check(&shape, Value::Null).unwrap_err();
        assert!(e.contains("found none"), "{e}");
    }

    #[test]
    fn four_outputs_want_four_slots() {
        let outs = [
            Dependency::new("a", "children"),
            Dependency::new(all("card"), "children"),
            Dependency::new(
                ComponentId::object([("kind", "res".into()), ("n", Wildcard::Match.into())]),
                "children",
            ),
            Dependency::new("d", "data"),
        ];
        let ins = [Dependency::new(all("btn"), "n_clicks")];
        let shape = CallbackShape {
            outputs: &outs,
            multi_output: true,
            inputs: &ins,
            states: &[],
        };
        let good = json!([
            target(&outs[0], 0),
            [target(&outs[1], 1), target(&outs[1], 2)],
            target(&outs[2], 7),
            target(&outs[3], 0)
        ]);
        let inputs = json!([[{"id": {"kind": "btn", "n": 1}, "property": "n_clicks"}]]);
        let body = json!({"output": "k", "outputs": good, "inputs": inputs}).to_string();
        let req = CallbackRequest::parse(body.as_bytes()).unwrap();
        assert!(
            req.check_shape(&shape).is_ok(),
            "{:?}",
            req.check_shape(&shape)
        );
        for n in [2, 5] {
            let slots: Vec<Value> = (0..n).map(|_| target(&outs[0], 0)).collect();
            let body = json!({"output": "k", "outputs": slots, "inputs": inputs}).to_string();
            let e = CallbackRequest::parse(body.as_bytes())
                .unwrap()
                .check_shape(&shape)
                .unwrap_err();
            assert!(
                e.to_string().contains(&format!(
                    "expected a list of 4 outputs, found a list of {n}"
                )),
                "{e}"
            );
        }
        let one =
            json!({"output": "k", "outputs": target(&outs[0], 0), "inputs": inputs}).to_string();
        assert!(CallbackRequest::parse(one.as_bytes())
            .unwrap()
            .check_shape(&shape)
            .is_err());
        // An ALL slot given as one object, a plain slot given as a list.
        let mut bad = good.clone();
        bad[1] = target(&outs[1], 1);
        let body = json!({"output": "k", "outputs": bad, "inputs": inputs}).to_string();
        let e = CallbackRequest::parse(body.as_bytes())
            .unwrap()
            .check_shape(&shape)
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("outputs[1] (for {\"kind\":\"card\""),
            "{e}"
        );
        let mut bad = good;
        bad[2] = json!([target(&outs[2], 7)]);
        let body = json!({"output": "k", "outputs": bad, "inputs": inputs}).to_string();
        assert!(CallbackRequest::parse(body.as_bytes())
            .unwrap()
            .check_shape(&shape)
            .is_err());
    }

    #[test]
    fn inputs_and_states_follow_their_wildcards() {
        let ins = [Dependency::new(all("btn"), "n_clicks")];
        let shape = CallbackShape {
            outputs: &[],
            multi_output: false,
            inputs: &ins,
            states: &[],
        };
        let ok = br#"{"output":"k","inputs":[[]]}"#;
        assert!(CallbackRequest::parse(ok)
            .unwrap()
            .check_shape(&shape)
            .is_ok());
        let one = br#"{"output":"k","inputs":[{"id":{"kind":"btn","n":1},"property":"n_clicks"}]}"#;
        assert!(CallbackRequest::parse(one)
            .unwrap()
            .check_shape(&shape)
            .is_err());
        let prop = br#"{"output":"k","inputs":[[{"id":{"kind":"btn","n":1},"property":"value"}]]}"#;
        assert!(CallbackRequest::parse(prop)
            .unwrap()
            .check_shape(&shape)
            .is_err());
        let outputs = br#"{"output":"k","inputs":[[]],"outputs":{"id":"x","property":"y"}}"#;
        let e = CallbackRequest::parse(outputs)
            .unwrap()
            .check_shape(&shape)
            .unwrap_err();
        assert!(e.to_string().contains("the callback has none"), "{e}");
        let extra = br#"{"output":"k","inputs":[[],[]]}"#;
        assert!(CallbackRequest::parse(extra)
            .unwrap()
            .check_shape(&shape)
            .is_err());
    }

    #[test]
    fn echoed_ids_are_cut() {
        let outs = [Dependency::new("out", "children")];
        let shape = CallbackShape {
            outputs: &outs,
            multi_output: false,
            inputs: &[],
            states: &[],
        };
        let huge = "z".repeat(1_000_000);
        let e = check(&shape, json!({"id": huge, "property": "children"})).unwrap_err();
        assert!(e.len() < 600, "{} bytes", e.len());
        assert!(e.contains("bytes in all"), "{e}");
    }
}
