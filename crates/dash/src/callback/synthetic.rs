//! A `_dash-update-component` body made from given values, for calls that
//! do not come from the renderer (`dash::testing`, API endpoints).

use dash_protocol::{ComponentId, Dependency, IdValue, Wildcard};
use serde_json::{json, Map, Value};

use super::RegisteredCallback;

/// The body of a call of `callback` with these Input/State values (absent
/// ones as for a component the page lacks) and triggered `<id>.<prop>`s.
///
/// A pattern-matching dependency takes the given values whose id it
/// matches (`ComponentId::matches`), as the renderer would send them: the
/// one match of a `MATCH` dependency, every match (in the order given) of
/// an `ALL` or `ALLSMALLER` one. A `MATCH` output is the pattern with the
/// `MATCH` values of the matched inputs; an `ALL` output lists the ids of
/// `components` it matches (the components on the page).
pub(crate) fn request_body(
    callback: &RegisteredCallback,
    values: &[(Dependency, Value)],
    triggered: &[String],
    components: &[ComponentId],
) -> Result<Value, String> {
    let spec = &callback.spec;
    let candidates = |d: &Dependency| -> Vec<&(Dependency, Value)> {
        values
            .iter()
            .filter(|(k, _)| {
                k.property == d.property && !k.id.has_wildcard() && d.id.matches(&k.id)
            })
            .collect()
    };
    // The component the MATCH dependencies stand for: the one match, or the
    // triggered one among several (as the renderer calls it).
    let mut matched: Option<ComponentId> = None;
    for d in spec.inputs.iter().chain(&spec.states) {
        if !d.id.has_wildcard() || is_list(&d.id) {
            continue;
        }
        let mut found = candidates(d);
        if let Some(m) = &matched {
            found.retain(|(k, _)| agrees(&d.id, &k.id, m));
        }
        if found.len() > 1 {
            let fired: Vec<_> = found
                .iter()
                .copied()
                .filter(|(k, _)| triggered.contains(&format!("{}.{}", k.id, k.property)))
                .collect();
            if !fired.is_empty() {
                found = fired;
            }
        }
        match found.as_slice() {
            [one] => {
                matched.get_or_insert_with(|| one.0.id.clone());
            }
            [] => {
                return Err(format!(
                    "{}.{}: give the value of one component this MATCH dependency matches",
                    d.id, d.property
                ))
            }
            _ => {
                return Err(format!(
                    "{}.{}: {} given values match this MATCH dependency and none triggered the call; give one, or say which triggered it",
                    d.id,
                    d.property,
                    found.len()
                ))
            }
        }
    }
    let slot = |d: &Dependency| -> Value {
        if !d.id.has_wildcard() {
            let mut item = json!({"id": d.id, "property": d.property});
            if let Some((_, v)) = values.iter().find(|(k, _)| same(k, d)) {
                item["value"] = v.clone();
            }
            return item;
        }
        let mut found = candidates(d);
        if let Some(m) = &matched {
            found.retain(|(k, _)| agrees(&d.id, &k.id, m) && smaller(&d.id, &k.id, m));
        }
        let item =
            |(k, v): &&(Dependency, Value)| json!({"id": k.id, "property": k.property, "value": v});
        if is_list(&d.id) {
            Value::Array(found.iter().map(item).collect())
        } else {
            found.first().map(item).unwrap_or(Value::Null)
        }
    };
    let inputs: Vec<Value> = spec.inputs.iter().map(slot).collect();
    let states: Vec<Value> = spec.states.iter().map(slot).collect();
    let output = |o: &Dependency| -> Result<Value, String> {
        if !o.id.has_wildcard() {
            return Ok(json!({"id": o.id, "property": o.property}));
        }
        if is_list(&o.id) {
            return Ok(Value::Array(
                components
                    .iter()
                    .filter(|c| o.id.matches(c))
                    .map(|c| json!({"id": c, "property": o.property}))
                    .collect(),
            ));
        }
        let source = matched.as_ref().ok_or_else(|| {
            format!(
                "{}.{}: a MATCH output needs a MATCH input with a given value",
                o.id, o.property
            )
        })?;
        Ok(json!({"id": with_match_values(&o.id, source), "property": o.property}))
    };
    let outputs: Vec<Value> = spec.outputs.iter().map(output).collect::<Result<_, _>>()?;
    let mut body = Map::new();
    body.insert("output".into(), callback.key.clone().into());
    if !spec.outputs.is_empty() {
        let outputs = if spec.is_multi_output() {
            Value::Array(outputs)
        } else {
            outputs.into_iter().next().unwrap_or(Value::Null)
        };
        body.insert("outputs".into(), outputs);
    }
    body.insert("inputs".into(), Value::Array(inputs));
    if !spec.states.is_empty() {
        body.insert("state".into(), Value::Array(states));
    }
    body.insert("changedPropIds".into(), json!(triggered));
    Ok(Value::Object(body))
}

/// An `ALL` or `ALLSMALLER` dependency: a list in the request.
fn is_list(id: &ComponentId) -> bool {
    id.wildcards()
        .iter()
        .any(|(_, w)| matches!(w, Wildcard::All | Wildcard::AllSmaller))
}

/// True if `concrete`, matched by `pattern`, has the same values as
/// `matched` (the component the first MATCH dependency matched) at the
/// pattern's MATCH keys.
fn agrees(pattern: &ComponentId, concrete: &ComponentId, matched: &ComponentId) -> bool {
    at_wildcards(pattern, concrete, matched, Wildcard::Match, |a, b| a == b)
}

/// True unless `concrete`'s value at one of the pattern's ALLSMALLER keys is
/// not smaller than `matched`'s (numbers by value, strings in order).
fn smaller(pattern: &ComponentId, concrete: &ComponentId, matched: &ComponentId) -> bool {
    at_wildcards(
        pattern,
        concrete,
        matched,
        Wildcard::AllSmaller,
        |a, b| match (a, b) {
            (IdValue::Number(a), IdValue::Number(b)) => {
                a.as_f64().unwrap_or(f64::NAN) < b.as_f64().unwrap_or(f64::NAN)
            }
            (IdValue::String(a), IdValue::String(b)) => a < b,
            _ => true,
        },
    )
}

/// `holds` for the values of `concrete` and `matched` at each key where
/// `pattern` has `wildcard` (true where either lacks the key).
fn at_wildcards(
    pattern: &ComponentId,
    concrete: &ComponentId,
    matched: &ComponentId,
    wildcard: Wildcard,
    holds: impl Fn(&IdValue, &IdValue) -> bool,
) -> bool {
    let (ComponentId::Object(c), ComponentId::Object(m)) = (concrete, matched) else {
        return true;
    };
    pattern
        .wildcards()
        .iter()
        .filter(|(_, w)| *w == wildcard)
        .all(|(k, _)| match (c.get(*k), m.get(*k)) {
            (Some(a), Some(b)) => holds(a, b),
            _ => true,
        })
}

/// `pattern` with each MATCH value taken from `source`.
fn with_match_values(pattern: &ComponentId, source: &ComponentId) -> ComponentId {
    match (pattern, source) {
        (ComponentId::Object(p), ComponentId::Object(s)) => ComponentId::Object(
            p.iter()
                .map(|(k, v)| {
                    let v = match v {
                        IdValue::Wildcard(Wildcard::Match) => {
                            s.get(k).cloned().unwrap_or_else(|| v.clone())
                        }
                        other => other.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        _ => pattern.clone(),
    }
}

/// Same component and prop.
pub(crate) fn same(a: &Dependency, b: &Dependency) -> bool {
    a.id == b.id && a.property == b.property
}

/// The values an answer wrote, as the function returned them: one value,
/// or a list with one per output (`null` for an output left unchanged).
pub(crate) fn returned_values(callback: &RegisteredCallback, answer: &Value) -> Value {
    let spec = &callback.spec;
    let value = |d: &Dependency| answer["response"][d.id.to_string()][d.property.as_str()].clone();
    if spec.is_multi_output() {
        Value::Array(spec.outputs.iter().map(value).collect())
    } else {
        spec.outputs.first().map(value).unwrap_or(Value::Null)
    }
}
