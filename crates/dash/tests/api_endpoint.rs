//! Dash 4's `api_endpoint`: a callback also served as a JSON route.

use std::time::Duration;

use dash::prelude::*;
use serde_json::{json, Value};

async fn start(app: Dash) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.into_router().expect("valid app");
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

async fn post(url: String, body: &str) -> (u16, Value) {
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn app() -> Dash {
    let mut app = Dash::new();
    app.layout(html::Div::new().id("page"));
    app.callback(
        Callback::new()
            .output(("total", "children"))
            .input(("a", "value"))
            .input(("b", "value"))
            .state(("scale", "value"))
            .api_endpoint("/api/total"),
        |a: f64, b: f64, scale: Option<f64>| -> Result<f64, CallbackError> {
            if a < 0.0 {
                return Err(PreventUpdate.into());
            }
            Ok((a + b) * scale.unwrap_or(1.0))
        },
    );
    app.callback(
        Callback::new()
            .output(("x", "children"))
            .output(("y", "children"))
            .input(("n", "value"))
            .api_endpoint("/api/pair"),
        |n: u32| (n, format!("n={n}")),
    );
    app
}

#[tokio::test]
async fn a_callback_answers_on_its_route() {
    let base = start(app()).await;
    let total = || format!("{base}/api/total");
    assert_eq!(
        post(total(), r#"{"a.value": 1, "b.value": 2}"#).await,
        (200, json!(3.0))
    );
    assert_eq!(
        post(total(), r#"{"a": 1, "b": 2, "scale": 10}"#).await,
        (200, json!(30.0))
    );
    assert_eq!(post(total(), "[2, 3, 2]").await, (200, json!(10.0)));
    assert_eq!(
        post(format!("{base}/api/pair"), r#"{"n": 4}"#).await,
        (200, json!([4, "n=4"]))
    );
    // PreventUpdate: 204.
    assert_eq!(post(total(), r#"{"a": -1, "b": 2}"#).await.0, 204);
    // Bad input: a 400 naming the problem.
    let (status, body) = post(total(), r#"{"c": 1}"#).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("\"c\""),
        "{body}"
    );
    let (status, body) = post(total(), r#"{"a": "x", "b": 2}"#).await;
    assert_eq!(status, 400);
    assert!(
        body["message"].as_str().unwrap().contains("a.value"),
        "{body}"
    );
    assert_eq!(post(total(), "not json").await.0, 400);
    assert_eq!(post(total(), "[1, 2, 3, 4]").await.0, 400);
    // The renderer's route still runs it.
    let (status, body) = post(
        format!("{base}/_dash-update-component"),
        &json!({"output": "total.children", "outputs": {"id": "total", "property": "children"},
                "inputs": [{"id": "a", "property": "value", "value": 1}, {"id": "b", "property": "value", "value": 1}],
                "state": [{"id": "scale", "property": "value"}], "changedPropIds": ["a.value"]})
        .to_string(),
    )
    .await;
    assert_eq!(
        (status, &body["response"]["total"]["children"]),
        (200, &json!(2.0))
    );
}

#[test]
fn endpoints_are_checked_at_start() {
    for (path, want) in [
        ("api", "must start with /"),
        ("/_dash-layout", "serves itself"),
        ("/assets/x", "serves itself"),
        ("/a b", "may hold only"),
    ] {
        let mut app = Dash::new();
        app.layout(html::Div::new().id("page"));
        app.callback(
            Callback::new()
                .output(("o", "children"))
                .input(("i", "value"))
                .api_endpoint(path),
            |v: Option<String>| v.unwrap_or_default(),
        );
        let e = app.validate().unwrap_err().to_string();
        assert!(e.contains(want), "{path}: {e}");
    }
    let mut app = Dash::new();
    app.layout(html::Div::new().id("page"));
    for o in ["o1", "o2"] {
        app.callback(
            Callback::new()
                .output((o, "children"))
                .input(("i", "value"))
                .api_endpoint("/same"),
            |v: Option<String>| v.unwrap_or_default(),
        );
    }
    assert!(app
        .validate()
        .unwrap_err()
        .to_string()
        .contains("used twice"));
}
