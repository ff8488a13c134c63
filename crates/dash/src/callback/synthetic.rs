//! A `_dash-update-component` body made from given values, for calls that
//! do not come from the renderer (`dash::testing`, API endpoints).

use dash_protocol::Dependency;
use serde_json::{json, Map, Value};

use super::RegisteredCallback;

/// The body of a call of `callback` with these Input/State values (absent
/// ones as for a component the page lacks) and triggered `<id>.<prop>`s.
/// Pattern-matching dependencies are refused.
pub(crate) fn request_body(
    callback: &RegisteredCallback,
    values: &[(Dependency, Value)],
    triggered: &[String],
) -> Result<Value, String> {
    let spec = &callback.spec;
    let slot = |d: &Dependency, with_value: bool| -> Result<Value, String> {
        if d.id.has_wildcard() {
            return Err(format!(
                "{}.{}: a pattern-matching dependency needs the renderer's matched ids",
                d.id, d.property
            ));
        }
        let mut item = json!({"id": d.id, "property": d.property});
        if with_value {
            if let Some((_, v)) = values.iter().find(|(k, _)| same(k, d)) {
                item["value"] = v.clone();
            }
        }
        Ok(item)
    };
    let outputs: Vec<Value> = spec
        .outputs
        .iter()
        .map(|o| slot(o, false))
        .collect::<Result<_, _>>()?;
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
    let list = |deps: &[Dependency]| -> Result<Value, String> {
        Ok(Value::Array(
            deps.iter()
                .map(|d| slot(d, true))
                .collect::<Result<_, _>>()?,
        ))
    };
    body.insert("inputs".into(), list(&spec.inputs)?);
    if !spec.states.is_empty() {
        body.insert("state".into(), list(&spec.states)?);
    }
    body.insert("changedPropIds".into(), json!(triggered));
    Ok(Value::Object(body))
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
