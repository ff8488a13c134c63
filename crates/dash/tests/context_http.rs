//! The callback context over HTTP: headers and cookies from
//! `ctx.response()` on a 200 answer only, and `args_grouping` of a
//! pattern-matching (`ALL`) Input.

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

async fn post(base: &str, body: Value) -> reqwest::Response {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .post(format!("{base}/_dash-update-component"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

fn item(id: Value) -> ComponentId {
    serde_json::from_value(id).unwrap()
}

#[tokio::test]
async fn response_headers_on_a_200_only_and_grouping_of_all() {
    let mut app = Dash::new();
    app.layout(html::Div::new().id("page"));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("in", "value")),
        |ctx: CallbackContext, v: Option<String>| -> Result<String, CallbackError> {
            ctx.response()
                .set_cookie(dash::cookie::Cookie::new("seen", "1"))?;
            ctx.response().set_header("X-Callback", "out")?;
            match v {
                Some(v) => Ok(v),
                None => Err(PreventUpdate.into()),
            }
        },
    );
    app.callback(
        Callback::new()
            .output(("total", "children"))
            .input(Input::new(
                ComponentId::object([("type", "b".into()), ("index", Wildcard::All.into())]),
                "n_clicks",
            )),
        |ctx: CallbackContext, _: Vec<Option<u32>>| {
            serde_json::to_value(ctx.args_grouping()).unwrap()
        },
    );
    let base = start(app).await;
    let body = |v: Value| {
        json!({"output": "out.children", "outputs": {"id": "out", "property": "children"},
               "inputs": [{"id": "in", "property": "value", "value": v}], "changedPropIds": ["in.value"]})
    };
    let ok = post(&base, body(json!("a"))).await;
    assert_eq!(ok.status(), 200);
    let cookies: Vec<&str> = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    assert!(cookies.contains(&"seen=1"), "{cookies:?}");
    assert_eq!(ok.headers()["x-callback"], "out");
    let prevented = post(&base, body(Value::Null)).await;
    assert_eq!(prevented.status(), 204);
    assert!(prevented.headers().get("x-callback").is_none());
    assert!(!prevented
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("seen=")));

    let b = |i: u32| json!({"index": i, "type": "b"});
    let answer: Value = post(
        &base,
        json!({"output": "total.children", "outputs": {"id": "total", "property": "children"},
               "inputs": [[{"id": b(1), "property": "n_clicks", "value": 2}, {"id": b(2), "property": "n_clicks"}]],
               "changedPropIds": [format!("{}.n_clicks", item(b(2)))]}),
    )
    .await
    .json()
    .await
    .unwrap();
    let grouping = &answer["response"]["total"]["children"];
    assert_eq!(
        grouping,
        &json!([[
            {"id": b(1), "property": "n_clicks", "value": 2, "str_id": "{\"index\":1,\"type\":\"b\"}", "triggered": false},
            {"id": b(2), "property": "n_clicks", "value": null, "str_id": "{\"index\":2,\"type\":\"b\"}", "triggered": true},
        ]])
    );
}
