//! HTTP-level tests: a real listener on an ephemeral port, requests shaped as
//! the renderer sends them (protocol notes §5.1), answers checked against §5.2–5.3.

use std::time::Duration;

use dash::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

fn div(id: &str) -> Component {
    Component::new("dash_html_components", "Div").with_prop("id", id)
}

fn input(id: &str, value: Value) -> Component {
    Component::new("dash_core_components", "Input")
        .with_prop("id", id)
        .with_prop("value", value)
}

async fn start(app: Dash) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.into_router().expect("valid app");
    tokio::spawn(async move {
        axum_serve(listener, router).await;
    });
    format!("http://{addr}")
}

async fn axum_serve(listener: tokio::net::TcpListener, router: axum::Router) {
    axum::serve(listener, router).await.unwrap();
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

async fn post(base: &str, body: Value) -> (u16, Value) {
    let r = client()
        .post(format!("{base}/_dash-update-component"))
        .json(&body)
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

fn echo_app() -> Dash {
    let mut app = Dash::new();
    app.layout(Component::new("dash_html_components", "Div").with_prop(
        "children",
        Children::from((input("in", json!("hi")), div("out"), div("n"), div("m"))),
    ));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("in", "value")),
        |v: Option<String>| format!("echo {}", v.unwrap_or_default()),
    );
    app.callback(
        Callback::new()
            .output(("n", "children"))
            .output(("m", "children"))
            .input(("in", "n_submit")),
        |n: Option<u32>| -> Result<(NoUpdate, String), CallbackError> {
            let n = n.ok_or(PreventUpdate)?;
            if n == 99 {
                return Err(CallbackError::msg("ninety-nine is refused"));
            }
            if n == 13 {
                panic!("unlucky");
            }
            Ok((NoUpdate, format!("submitted {n}")))
        },
    );
    app
}

fn single(output: &str, id: &str, prop: &str, inputs: Value) -> Value {
    json!({"output": output, "outputs": {"id": id, "property": prop}, "inputs": inputs,
           "changedPropIds": [], "parsedChangedPropsIds": []})
}

#[tokio::test]
async fn index_layout_and_dependencies() {
    let base = start(echo_app()).await;
    let r = client()
        .get(format!("{base}/any/page"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    let html = r.text().await.unwrap();
    for needle in [
        "id=\"react-entry-point\"",
        "id=\"_dash-config\"",
        "dash_renderer",
        "id=\"_dash-renderer\"",
        "new DashRenderer()",
    ] {
        assert!(html.contains(needle), "index lacks {needle}");
    }
    assert!(
        html.contains("\"requests_pathname_prefix\":\"\\u002f\""),
        "config must be HTML-safe"
    );

    let r = client()
        .get(format!("{base}/_dash-layout"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let layout: Value = r.json().await.unwrap();
    assert_eq!(layout["props"]["children"][1]["props"]["id"], "out");

    let r = client()
        .get(format!("{base}/_dash-dependencies"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/json");
    let deps: Value = r.json().await.unwrap();
    assert_eq!(
        deps[0],
        json!({"output": "out.children", "inputs": [{"id": "in", "property": "value"}], "state": [],
               "clientside_function": null, "prevent_initial_call": false, "background": null,
               "dynamic_creator": null, "no_output": false, "optional": false, "hidden": false,
               "websocket": false, "persistent": false})
    );
    assert_eq!(deps[1]["output"], "..n.children...m.children..");
}

#[tokio::test]
async fn single_and_multi_outputs() {
    let base = start(echo_app()).await;
    let (s, body) = post(
        &base,
        single(
            "out.children",
            "out",
            "children",
            json!([{"id": "in", "property": "value", "value": "abc"}]),
        ),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(
        body,
        json!({"multi": true, "response": {"out": {"children": "echo abc"}}})
    );

    // value absent = undefined in the browser = null
    let (s, body) = post(
        &base,
        single(
            "out.children",
            "out",
            "children",
            json!([{"id": "in", "property": "value"}]),
        ),
    )
    .await;
    assert_eq!(
        (s, &body["response"]["out"]["children"]),
        (200, &json!("echo "))
    );

    let multi = |n: Value| {
        json!({"output": "..n.children...m.children..",
        "outputs": [{"id": "n", "property": "children"}, {"id": "m", "property": "children"}],
        "inputs": [{"id": "in", "property": "n_submit", "value": n}], "changedPropIds": ["in.n_submit"]})
    };
    let (s, body) = post(&base, multi(json!(2))).await;
    assert_eq!(s, 200);
    assert_eq!(
        body,
        json!({"multi": true, "response": {"m": {"children": "submitted 2"}}})
    );

    let (s, _) = post(&base, multi(Value::Null)).await;
    assert_eq!(s, 204, "PreventUpdate answers 204");
}

#[tokio::test]
async fn errors_are_clear_and_the_server_goes_on() {
    let base = start(echo_app()).await;
    let (s, body) = post(
        &base,
        single(
            "out.children",
            "out",
            "children",
            json!([{"id": "in", "property": "value", "value": 5}]),
        ),
    )
    .await;
    assert_eq!(s, 400);
    assert_eq!(body["callback"], "out.children");
    assert_eq!(body["property"], "in.value");
    assert!(
        body["expected"]
            .as_str()
            .unwrap()
            .contains("Option<alloc::string::String>"),
        "{body}"
    );

    let r = client()
        .post(format!("{base}/_dash-update-component"))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("malformed"),
        "{body}"
    );

    let (s, body) = post(
        &base,
        single("nope.children", "nope", "children", json!([])),
    )
    .await;
    assert_eq!(s, 400);
    assert!(body["message"].as_str().unwrap().contains("nope.children"));

    let (s, body) = post(&base, single("out.children", "out", "children", json!([]))).await;
    assert_eq!(s, 400, "{body}");

    let multi = |n: u32| {
        json!({"output": "..n.children...m.children..",
        "outputs": [{"id": "n", "property": "children"}, {"id": "m", "property": "children"}],
        "inputs": [{"id": "in", "property": "n_submit", "value": n}], "changedPropIds": ["in.n_submit"]})
    };
    let (s, body) = post(&base, multi(99)).await;
    assert_eq!(s, 500);
    assert_eq!(body["callback"], "..n.children...m.children..");
    let (s, _) = post(&base, multi(13)).await;
    assert_eq!(s, 500, "a panic answers 500");
    let (s, _) = post(&base, multi(3)).await;
    assert_eq!(s, 200, "the server goes on after a panic");
}

#[tokio::test]
async fn body_limit_answers_413_with_json() {
    let mut app = echo_app();
    app = app.max_body_bytes(1000);
    let base = start(app).await;
    let big = "x".repeat(5000);
    let (s, body) = post(
        &base,
        single(
            "out.children",
            "out",
            "children",
            json!([{"id": "in", "property": "value", "value": big}]),
        ),
    )
    .await;
    assert_eq!(s, 413);
    assert!(
        body["message"].as_str().unwrap().contains("1000 bytes"),
        "{body}"
    );
}

#[tokio::test]
async fn debug_mode_sends_an_html_error_fragment() {
    let base = start(echo_app().debug(true)).await;
    let r = client()
        .post(format!("{base}/_dash-update-component"))
        .json(&json!({"output": "..n.children...m.children..",
            "outputs": [{"id": "n", "property": "children"}, {"id": "m", "property": "children"}],
            "inputs": [{"id": "in", "property": "n_submit", "value": 99}], "changedPropIds": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    let text = r.text().await.unwrap();
    assert!(
        text.starts_with('<') && text.contains("ninety-nine is refused"),
        "{text}"
    );
}

#[derive(Debug, Serialize, Deserialize)]
struct Reading {
    x: f64,
    label: String,
}

#[tokio::test]
async fn context_typed_args_async_and_set_props() {
    let mut app = Dash::new();
    app.layout(Component::new("dash_html_components", "Div").with_prop(
        "children",
        Children::from((div("a"), div("b"), div("out"), div("side"), div("sum"))),
    ));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("a", "n_clicks"))
            .input(("b", "n_clicks")),
        |ctx: CallbackContext, _a: Option<u32>, _b: Option<u32>| {
            ctx.set_props("side", json!({"children": "set"}));
            format!(
                "{:?} {}",
                ctx.triggered_id().map(|i| i.to_string()),
                ctx.header("x-probe").unwrap_or("-")
            )
        },
    );
    app.callback_async(
        Callback::new()
            .output(("sum", "children"))
            .input(("a", "data")),
        |rows: Vec<Reading>| async move {
            tokio::time::sleep(Duration::from_millis(5)).await;
            let total: f64 = rows.iter().map(|r| r.x).sum();
            format!("{} rows, sum {total}", rows.len())
        },
    );
    let base = start(app).await;
    let r = client()
        .post(format!("{base}/_dash-update-component"))
        .header("x-probe", "yes")
        .json(&json!({"output": "out.children", "outputs": {"id": "out", "property": "children"},
            "inputs": [{"id": "a", "property": "n_clicks"}, {"id": "b", "property": "n_clicks", "value": 1}],
            "changedPropIds": ["b.n_clicks"]}))
        .send()
        .await
        .unwrap();
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["response"]["out"]["children"], "Some(\"b\") yes");
    assert_eq!(body["sideUpdate"], json!({"side": {"children": "set"}}));

    let (s, body) = post(&base, single("sum.children", "sum", "children",
        json!([{"id": "a", "property": "data", "value": [{"x": 1.5, "label": "p"}, {"x": 2, "label": "q"}]}]))).await;
    assert_eq!(s, 200);
    assert_eq!(body["response"]["sum"]["children"], "2 rows, sum 3.5");
}

#[tokio::test]
async fn pattern_matching_all_inputs_and_outputs() {
    let card = |n: i64| ComponentId::object([("kind", "card".into()), ("n", n.into())]);
    let btn = |n: i64| ComponentId::object([("kind", "btn".into()), ("n", n.into())]);
    let all =
        |kind: &str| ComponentId::object([("kind", kind.into()), ("n", Wildcard::All.into())]);
    let mut app = Dash::new();
    app.layout(Component::new("dash_html_components", "Div").with_prop(
        "children",
        Children::from(vec![
            Component::new("dash_html_components", "Button").with_prop("id", btn(1)),
            Component::new("dash_html_components", "Button").with_prop("id", btn(2)),
            Component::new("dash_html_components", "Div").with_prop("id", card(1)),
            Component::new("dash_html_components", "Div").with_prop("id", card(2)),
            div("total"),
        ]),
    ));
    app.callback(
        Callback::new()
            .output(Output::new(all("card"), "children"))
            .output(("total", "children"))
            .input(Input::new(all("btn"), "n_clicks")),
        |clicks: Vec<Option<u32>>| {
            let each: Vec<String> = clicks
                .iter()
                .map(|c| format!("n={}", c.unwrap_or(0)))
                .collect();
            let total: u32 = clicks.iter().flatten().sum();
            (each, total.to_string())
        },
    );
    let base = start(app).await;
    let deps: Value = client()
        .get(format!("{base}/_dash-dependencies"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = deps[0]["output"].as_str().unwrap().to_owned();
    assert_eq!(
        key,
        "..{\"kind\":\"card\",\"n\":[\"ALL\"]}.children...total.children.."
    );
    assert_eq!(
        deps[0]["inputs"][0]["id"],
        "{\"kind\":\"btn\",\"n\":[\"ALL\"]}"
    );
    let (s, body) = post(&base, json!({"output": key,
        "outputs": [[{"id": {"kind": "card", "n": 1}, "property": "children"}, {"id": {"kind": "card", "n": 2}, "property": "children"}],
                    {"id": "total", "property": "children"}],
        "inputs": [[{"id": {"kind": "btn", "n": 1}, "property": "n_clicks", "value": 3},
                    {"id": {"kind": "btn", "n": 2}, "property": "n_clicks"}]],
        "changedPropIds": ["{\"kind\":\"btn\",\"n\":1}.n_clicks"]})).await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        body,
        json!({"multi": true, "response": {
        "{\"kind\":\"card\",\"n\":1}": {"children": "n=3"},
        "{\"kind\":\"card\",\"n\":2}": {"children": "n=0"},
        "total": {"children": "3"}}})
    );
}

#[tokio::test]
async fn large_json_answers_are_compressed() {
    let mut app = Dash::new();
    app.layout(div("root"));
    app.callback(
        Callback::new()
            .output(("root", "children"))
            .input(("root", "title")),
        |_t: Option<String>| "y".repeat(100_000),
    );
    let base = start(app).await;
    let raw = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();
    let r = raw
        .post(format!("{base}/_dash-update-component"))
        .header("accept-encoding", "gzip")
        .json(&single(
            "root.children",
            "root",
            "children",
            json!([{"id": "root", "property": "title"}]),
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let len = r.bytes().await.unwrap().len();
    assert!(len < 10_000, "compressed body is {len} bytes");
}

#[test]
fn registration_problems_name_the_callback() {
    let mut app = Dash::new();
    app.layout(div("x"));
    app.callback(
        Callback::new()
            .output(("x", "children"))
            .input(("i", "value")),
        |_: String| "a",
    );
    app.callback(
        Callback::new()
            .output(("x", "children"))
            .input(("j", "value")),
        |_: String| "b",
    );
    app.callback(
        Callback::new()
            .output(("y", "children"))
            .input(("i", "value")),
        |_: String, _: String| "c",
    );
    app.callback(
        Callback::new()
            .output(("bad.id", "children"))
            .input(("i", "value")),
        |_: String| "d",
    );
    app.callback(
        Callback::new()
            .output(Output::new("z", "children").allow_duplicate())
            .input(("i", "value")),
        |_: String| "e",
    );
    let err = app.validate().unwrap_err().to_string();
    assert!(
        err.contains("duplicate callback output x.children"),
        "{err}"
    );
    assert!(
        err.contains("invalid callback y.children: the function takes 2"),
        "{err}"
    );
    assert!(err.contains("must not contain '.'"), "{err}");
    assert!(err.contains("needs prevent_initial_call"), "{err}");
}

/// A callback that was cheap runs inline on an async worker; when one of its
/// calls turns slow, other requests are still answered at once, and the
/// callback goes back to the blocking pool.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cheap_callback_turning_slow_does_not_stop_other_requests() {
    let mut app = Dash::new();
    app.layout(Component::new("dash_html_components", "Div").with_prop(
        "children",
        Children::from((input("in", json!("hi")), div("n"))),
    ));
    app.callback(
        Callback::new()
            .output(("n", "children"))
            .input(("in", "n_submit")),
        |n: Option<u32>| {
            if n == Some(99) {
                std::thread::sleep(Duration::from_millis(1500));
            }
            n.unwrap_or(0)
        },
    );
    let base = start(app).await;
    let call = |n: u32| {
        json!({"output": "n.children", "outputs": {"id": "n", "property": "children"},
               "inputs": [{"id": "in", "property": "n_submit", "value": n}], "changedPropIds": ["in.n_submit"]})
    };
    // Enough cheap calls for the cost estimate to settle (it starts unknown
    // and falls by an eighth of the difference per call).
    for i in 0..80 {
        assert_eq!(post(&base, call(i)).await.0, 200);
    }
    let slow = tokio::spawn({
        let base = base.clone();
        async move { post(&base, call(99)).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let (s, _) = post(&base, call(1)).await;
        assert_eq!(s, 200);
        let r = client()
            .get(format!("{base}/_dash-layout"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            t.elapsed() < Duration::from_millis(700),
            "answered after {:?} while a slow call ran",
            t.elapsed()
        );
    }
    let (s, body) = slow.await.unwrap();
    assert_eq!((s, &body["response"]["n"]["children"]), (200, &json!(99)));
}

/// An `outputs` list that does not fit the callback is the client's error:
/// 400 naming the problem, decided before the callback runs (it used to be
/// a 500 from the callback's answer, logged as an ERROR).
#[tokio::test]
async fn outputs_that_do_not_fit_answer_400_before_the_callback_runs() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;
    let calls = Arc::new(AtomicUsize::new(0));
    let mut app = Dash::new();
    app.layout(div("root"));
    let c = calls.clone();
    app.callback(
        Callback::new()
            .output(("one", "children"))
            .input(("in", "value")),
        move |_: Option<String>| {
            c.fetch_add(1, Ordering::SeqCst);
            "x"
        },
    );
    let c = calls.clone();
    app.callback(
        Callback::new()
            .output(("a", "children"))
            .output(("b", "children"))
            .output(("c", "children"))
            .output(("d", "children"))
            .input(("in", "n_submit")),
        move |_: Option<u32>| {
            c.fetch_add(1, Ordering::SeqCst);
            ("a", "b", "c", "d")
        },
    );
    let base = start(app).await;
    let target = |id: &str| json!({"id": id, "property": "children"});
    let one = |outputs: Value| {
        json!({"output": "one.children", "outputs": outputs,
               "inputs": [{"id": "in", "property": "value", "value": "v"}], "changedPropIds": []})
    };
    let four = |outputs: Value| {
        json!({"output": "..a.children...b.children...c.children...d.children..", "outputs": outputs,
               "inputs": [{"id": "in", "property": "n_submit", "value": 1}], "changedPropIds": []})
    };
    let cases = [
        (
            one(json!([target("one"), target("one")])),
            "found a list of 2",
        ),
        (one(json!([[target("one")]])), "found a list of 1"),
        (one(target("elsewhere")), "elsewhere.children"),
        (
            four(json!([target("a"), target("b")])),
            "expected a list of 4 outputs, found a list of 2",
        ),
        (
            four(json!([
                target("a"),
                target("b"),
                target("c"),
                target("d"),
                target("d")
            ])),
            "found a list of 5",
        ),
        (
            four(json!([
                target("a"),
                target("b"),
                [target("c")],
                target("d")
            ])),
            "outputs[2]",
        ),
    ];
    for (body, needle) in cases {
        let (s, answer) = post(&base, body).await;
        assert_eq!(s, 400, "{answer}");
        assert_eq!(answer["error"], "bad_request");
        let message = answer["message"].as_str().unwrap();
        assert!(message.contains(needle), "{message}");
        assert!(answer["callback"].is_string(), "{answer}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0, "no callback ran");
    let (s, _) = post(
        &base,
        four(json!([target("a"), target("b"), target("c"), target("d")])),
    )
    .await;
    assert_eq!(s, 200);

    // A megabyte of unknown key is not echoed back at full length.
    let huge = "k".repeat(1 << 20);
    let r = client()
        .post(format!("{base}/_dash-update-component"))
        .json(&json!({"output": huge, "outputs": target(&huge), "inputs": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let text = r.text().await.unwrap();
    assert!(text.len() < 1024, "answer of {} bytes", text.len());
    let answer: Value = serde_json::from_str(&text).unwrap();
    let message = answer["message"].as_str().unwrap();
    assert!(
        message.contains("no callback has the output key")
            && message.contains("1048576 bytes in all"),
        "{message}"
    );
}
