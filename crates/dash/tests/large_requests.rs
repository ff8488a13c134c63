//! Large requests are read in one pass when `output` comes first (the
//! renderer's order, `callback/one_pass.rs`): every answer must be the one
//! the two-pass reading gives. Each body is sent as the renderer orders it
//! and with `output` last (always two passes); status and JSON must match.

use std::time::Duration;

use dash::prelude::*;
use dash::server_store::Shared;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

#[path = "server_store/common.rs"]
mod common;
use common::start;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Row {
    x: f64,
    label: String,
}

/// A type whose decoding panics on the label "boom".
#[derive(Debug)]
struct Fragile(Vec<Row>);

impl<'de> Deserialize<'de> for Fragile {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let rows = Vec::<Row>::deserialize(d)?;
        assert!(rows.iter().all(|r| r.label != "boom"), "boom");
        Ok(Fragile(rows))
    }
}

fn rows(n: usize) -> Value {
    (0..n)
        .map(|i| json!({"x": i as f64 + 0.5, "label": format!("row-{i:06}")}))
        .collect()
}

fn summary(rows: &[Row]) -> String {
    let sum: f64 = rows.iter().map(|r| r.x).sum();
    format!("{} rows, sum {sum}", rows.len())
}

fn app() -> Dash {
    let mut app = Dash::new();
    app.layout(html::Div::new().children((
        dcc::Input::new().id("unit"),
        dcc::Store::new().id("rows"),
        dcc::Store::new().id("more"),
        html::Div::new().id("plain"),
        html::Div::new().id("shared"),
        html::Div::new().id("fragile"),
        html::Div::new().id("all"),
    )));
    app.callback(
        Callback::new()
            .output(("plain", "children"))
            .input(("unit", "value"))
            .input(("rows", "data"))
            .state(("more", "data")),
        |unit: Option<String>, ctx: CallbackContext, rows: Vec<Row>, more: Option<Vec<Row>>| {
            format!(
                "{} {} + {} ({})",
                unit.unwrap_or_default(),
                summary(&rows),
                more.map_or("none".into(), |m| summary(&m)),
                ctx.triggered_prop_ids().join(",")
            )
        },
    );
    app.callback(
        Callback::new()
            .output(("shared", "children"))
            .input(("rows", "data")),
        |rows: Shared<Option<Vec<Row>>>| summary(rows.as_deref().unwrap_or_default()),
    );
    app.callback(
        Callback::new()
            .output(("fragile", "children"))
            .input(("rows", "data")),
        |rows: Fragile| summary(&rows.0),
    );
    app.callback(
        Callback::new().output(("all", "children")).input((
            ComponentId::object([("kind", "part".into()), ("n", Wildcard::All.into())]),
            "data",
        )),
        |parts: Vec<Option<Vec<Row>>>| {
            parts
                .iter()
                .map(|p| p.as_deref().map_or("none".into(), summary))
                .collect::<Vec<_>>()
                .join("; ")
        },
    );
    app
}

async fn post_text(base: &str, body: String) -> (u16, Value) {
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap()
        .post(format!("{base}/_dash-update-component"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

/// The body with `output` first (as the renderer sends it), and with it last.
fn both_orders(output: &str, rest: &str) -> [String; 2] {
    [
        format!(r#"{{"output":{output:?},{rest}}}"#),
        format!(r#"{{{rest},"output":{output:?}}}"#),
    ]
}

fn entry(id: Value, property: &str, value: Option<Value>) -> Value {
    match value {
        Some(v) => json!({"id": id, "property": property, "value": v}),
        None => json!({"id": id, "property": property}),
    }
}

/// The answer with a position in the body (`at line 1 column N`, which the
/// order of the keys moves) taken out of its message.
fn without_position((status, mut answer): (u16, Value)) -> (u16, Value) {
    if let Some(message) = answer["message"].as_str() {
        let kept = message
            .split(" at line ")
            .next()
            .unwrap_or_default()
            .to_owned();
        answer["message"] = Value::String(kept);
    }
    (status, answer)
}

/// Sends both orders; they must answer alike. Returns the answer (its
/// message without a position).
async fn same_answer(base: &str, output: &str, rest: String) -> (u16, Value) {
    assert!(rest.len() > 64 * 1024, "a large body");
    let [first, last] = both_orders(output, &rest);
    let one = without_position(post_text(base, first).await);
    let two = without_position(post_text(base, last).await);
    assert_eq!(one, two, "the two readings of {output} differ");
    one
}

fn plain_rest(rows_value: Option<Value>, more: Option<Value>) -> String {
    let body = json!({
        "outputs": {"id": "plain", "property": "children"},
        "inputs": [entry(json!("unit"), "value", Some(json!("celsius"))),
                   entry(json!("rows"), "data", rows_value)],
        "state": [entry(json!("more"), "data", more)],
        "changedPropIds": ["unit.value"],
    });
    let text = body.to_string();
    text[1..text.len() - 1].to_owned()
}

fn text_of(answer: &Value, id: &str) -> String {
    answer["response"][id]["children"]
        .as_str()
        .unwrap_or_else(|| panic!("no text for {id} in {answer}"))
        .to_owned()
}

#[tokio::test]
async fn large_values_are_decoded_as_with_two_passes() {
    let base = start(app()).await;
    let (status, answer) = same_answer(
        &base,
        "plain.children",
        plain_rest(Some(rows(4000)), Some(rows(3))),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        text_of(&answer, "plain"),
        "celsius 4000 rows, sum 8000000 + 3 rows, sum 4.5 (unit.value)"
    );
    let (status, answer) =
        same_answer(&base, "plain.children", plain_rest(Some(rows(4000)), None)).await;
    assert_eq!(status, 200, "{answer}");
    assert!(text_of(&answer, "plain").ends_with("+ none (unit.value)"));
    // A Shared argument of a plain dcc.Store.
    let rest = json!({
        "outputs": {"id": "shared", "property": "children"},
        "inputs": [entry(json!("rows"), "data", Some(rows(4000)))],
        "changedPropIds": ["rows.data"],
    })
    .to_string();
    let (status, answer) =
        same_answer(&base, "shared.children", rest[1..rest.len() - 1].into()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(text_of(&answer, "shared"), "4000 rows, sum 8000000");
}

#[tokio::test]
async fn errors_are_the_two_pass_errors() {
    let base = start(app()).await;
    // A value of the wrong type deep in the large value.
    let mut bad = rows(4000);
    bad[3999]["x"] = json!("not a number");
    let (status, answer) = same_answer(&base, "plain.children", plain_rest(Some(bad), None)).await;
    assert_eq!(status, 400, "{answer}");
    let message = answer.to_string();
    assert!(message.contains("rows.data"), "{message}");
    // An undefined value where a list is required (the large value a State).
    let rest = plain_rest(None, Some(rows(4000)));
    let (status, answer) = same_answer(&base, "plain.children", rest).await;
    assert_eq!(status, 400, "{answer}");
    // A body cut short, and one with a stray key repeated.
    let rest = plain_rest(Some(rows(4000)), None);
    let cut = rest[..rest.len() - 40].to_owned();
    let (status, answer) = same_answer(&base, "plain.children", cut).await;
    assert_eq!(status, 400);
    assert_eq!(
        answer["message"],
        "malformed callback request: expected value"
    );
    let twice = format!(r#"{rest},"changedPropIds":["unit.value"]"#);
    let (status, answer) = same_answer(&base, "plain.children", twice).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(
        answer["message"],
        "malformed callback request: duplicate field `changedPropIds`"
    );
    // A Deserialize that panics: that request alone fails, with a 500.
    let mut boom = rows(4000);
    boom[10]["label"] = json!("boom");
    let rest = json!({
        "outputs": {"id": "fragile", "property": "children"},
        "inputs": [entry(json!("rows"), "data", Some(boom))],
        "changedPropIds": ["rows.data"],
    })
    .to_string();
    let (status, answer) =
        same_answer(&base, "fragile.children", rest[1..rest.len() - 1].into()).await;
    assert_eq!(status, 500, "{answer}");
    // The server still answers.
    let (status, _) =
        same_answer(&base, "plain.children", plain_rest(Some(rows(4000)), None)).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn wildcard_lists_of_large_values_are_read_as_before() {
    let base = start(app()).await;
    let part = |n: i64| json!({"kind": "part", "n": n});
    let rest = json!({
        "outputs": {"id": "all", "property": "children"},
        "inputs": [[entry(part(1), "data", Some(rows(3000))),
                    entry(part(2), "data", None),
                    entry(part(3), "data", Some(rows(2)))]],
        "changedPropIds": [],
    })
    .to_string();
    let (status, answer) = same_answer(&base, "all.children", rest[1..rest.len() - 1].into()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(
        text_of(&answer, "all"),
        "3000 rows, sum 4500000; none; 2 rows, sum 2"
    );
}
