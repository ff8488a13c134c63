//! Large dcc.Store values through callbacks: typed decode of 1 MB and 10 MB
//! stores, store data written as an output, compressed answers.

use std::time::Duration;

use dash::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
struct Record {
    x: f64,
    y: f64,
    label: String,
}

fn records(bytes: usize) -> Vec<Record> {
    // One record serializes to about 45 bytes.
    (0..bytes / 44)
        .map(|i| Record {
            x: i as f64 * 0.5,
            y: (i % 97) as f64,
            label: format!("item-{i:07}"),
        })
        .collect()
}

fn app() -> Dash {
    let mut app = Dash::new();
    app.layout(Component::new("dash_html_components", "Div").with_prop(
        "children",
        Children::from(vec![
            Component::new("dash_core_components", "Store").with_prop("id", "store"),
            Component::new("dash_core_components", "Input").with_prop("id", "n"),
            Component::new("dash_html_components", "Div").with_prop("id", "agg"),
            Component::new("dash_core_components", "Store").with_prop("id", "copy"),
        ]),
    ));
    app.callback(
        Callback::new()
            .output(("agg", "children"))
            .input(("n", "value"))
            .state(("store", "data")),
        |_n: Option<String>, rows: Option<Vec<Record>>| -> Result<String, CallbackError> {
            let rows = rows.ok_or(PreventUpdate)?;
            let sum: f64 = rows.iter().map(|r| r.x).sum();
            Ok(format!("count={} sum_x={sum}", rows.len()))
        },
    );
    app.callback(
        Callback::new()
            .output(("copy", "data"))
            .input(("store", "data")),
        |rows: Vec<Record>| rows,
    );
    app
}

async fn start() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app().into_router().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn agg_body(rows: &[Record]) -> Value {
    json!({"output": "agg.children", "outputs": {"id": "agg", "property": "children"},
           "inputs": [{"id": "n", "property": "value", "value": "1"}],
           "state": [{"id": "store", "property": "data", "value": rows}],
           "changedPropIds": ["n.value"], "parsedChangedPropsIds": ["n.value"]})
}

#[tokio::test]
async fn one_and_ten_megabyte_stores_decode_into_typed_records() {
    let base = start().await;
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    for size in [1_000_000usize, 10_000_000] {
        let rows = records(size);
        let body = serde_json::to_vec(&agg_body(&rows)).unwrap();
        assert!(
            body.len() >= size * 9 / 10,
            "payload is {} bytes",
            body.len()
        );
        let r = client
            .post(format!("{base}/_dash-update-component"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        let sum: f64 = rows.iter().map(|r| r.x).sum();
        assert_eq!(
            v["response"]["agg"]["children"],
            format!("count={} sum_x={sum}", rows.len())
        );
    }
}

#[tokio::test]
async fn a_wrong_record_shape_is_a_400_naming_the_store() {
    let base = start().await;
    let client = reqwest::Client::new();
    let body = json!({"output": "agg.children", "outputs": {"id": "agg", "property": "children"},
           "inputs": [{"id": "n", "property": "value", "value": "1"}],
           "state": [{"id": "store", "property": "data", "value": [{"x": "not a number", "y": 1, "label": "a"}]}],
           "changedPropIds": []});
    let r = client
        .post(format!("{base}/_dash-update-component"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["property"], "store.data");
    assert!(v["expected"].as_str().unwrap().contains("Record"), "{v}");
}

#[tokio::test]
async fn store_outputs_are_compressed_as_the_client_accepts() {
    let base = start().await;
    let rows = records(1_000_000);
    let body = json!({"output": "copy.data", "outputs": {"id": "copy", "property": "data"},
           "inputs": [{"id": "store", "property": "data", "value": rows}], "changedPropIds": ["store.data"]});
    let raw = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    for encoding in ["br", "gzip"] {
        let r = raw
            .post(format!("{base}/_dash-update-component"))
            .header("accept-encoding", encoding)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["content-encoding"], encoding);
        let compressed = r.bytes().await.unwrap();
        assert!(
            compressed.len() < 400_000,
            "{encoding}: {} bytes",
            compressed.len()
        );
    }
    // A client that decodes gets the same records back.
    let r = reqwest::Client::new()
        .post(format!("{base}/_dash-update-component"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    let back: Vec<Record> = serde_json::from_value(v["response"]["copy"]["data"].clone()).unwrap();
    assert_eq!(back, rows);
}
