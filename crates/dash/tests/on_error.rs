//! Failure handlers (Python's `on_error`) at the HTTP level: a callback's
//! own handler, the app's, a panic, an async callback, a handler that
//! changes nothing, and `PreventUpdate`, which is not a failure.

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

async fn post(base: &str, output: &str, input: &str) -> (u16, Value) {
    let body = json!({"output": format!("{output}.children"),
        "outputs": {"id": output, "property": "children"},
        "inputs": [{"id": input, "property": "n_clicks", "value": 1}],
        "changedPropIds": [format!("{input}.n_clicks")]});
    let r = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
        .post(format!("{base}/_dash-update-component"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn app() -> Dash {
    let mut app = Dash::new().on_error(|err, ctx| {
        ctx.set_props("global", json!({"children": format!("global: {err}")}));
        None
    });
    let ids = [
        "a", "b", "c", "d", "e", "out-a", "out-b", "out-c", "out-d", "out-e", "global",
    ];
    app.layout(
        html::Div::new().children(
            ids.iter()
                .map(|id| Component::from(html::Div::new().id(*id)))
                .collect::<Vec<_>>(),
        ),
    );
    let spec = |out: &str, input: &str| {
        Callback::new()
            .output((out, "children"))
            .input((input, "n_clicks"))
            .prevent_initial_call(true)
    };
    app.callback(
        spec("out-a", "a").on_error(|err, _| Some(json!(format!("own: {err}")))),
        |_: Option<u32>| -> Result<String, CallbackError> { Err(CallbackError::msg("boom")) },
    );
    app.callback(
        spec("out-b", "b"),
        |_: Option<u32>| -> Result<String, CallbackError> {
            Err(CallbackError::msg("no handler of its own"))
        },
    );
    app.callback(
        spec("out-c", "c").on_error(|err, _| Some(json!(err.to_string()))),
        |_: Option<u32>| -> String { panic!("it panicked") },
    );
    app.callback_async(
        spec("out-d", "d").on_error(|err, _| Some(json!(format!("async: {err}")))),
        |_: Option<u32>| async move { Err::<String, _>(CallbackError::msg("later")) },
    );
    app.callback(
        spec("out-e", "e").on_error(|_, _| Some(json!("not for PreventUpdate"))),
        |_: Option<u32>| -> Result<String, CallbackError> { Err(PreventUpdate.into()) },
    );
    app
}

#[tokio::test]
async fn failures_are_answered_by_their_handlers() {
    let base = start(app()).await;
    let (s, b) = post(&base, "out-a", "a").await;
    assert_eq!(
        (s, &b["response"]["out-a"]["children"]),
        (200, &json!("own: boom"))
    );

    let (s, b) = post(&base, "out-b", "b").await;
    assert_eq!(s, 200, "{b}");
    assert_eq!(
        b["sideUpdate"]["global"]["children"],
        "global: no handler of its own"
    );
    assert!(
        b["response"].get("out-b").is_none(),
        "None changes no output: {b}"
    );

    let (s, b) = post(&base, "out-c", "c").await;
    assert_eq!(s, 200, "{b}");
    assert!(
        b["response"]["out-c"]["children"]
            .as_str()
            .unwrap()
            .contains("it panicked"),
        "{b}"
    );

    let (s, b) = post(&base, "out-d", "d").await;
    assert_eq!(
        (s, &b["response"]["out-d"]["children"]),
        (200, &json!("async: later"))
    );

    let (s, _) = post(&base, "out-e", "e").await;
    assert_eq!(s, 204, "PreventUpdate is not a failure");
}

#[tokio::test]
async fn without_handlers_a_failure_is_a_500() {
    let mut app = Dash::new();
    app.layout(html::Div::new().children((html::Div::new().id("a"), html::Div::new().id("out-a"))));
    app.callback(
        Callback::new()
            .output(("out-a", "children"))
            .input(("a", "n_clicks")),
        |_: Option<u32>| -> Result<String, CallbackError> { Err(CallbackError::msg("boom")) },
    );
    let base = start(app).await;
    assert_eq!(post(&base, "out-a", "a").await.0, 500);
}
