//! The differential-test app: the same app as `tests/differential/app.py`
//! (Python Dash 4.4.1), so layout, dependencies and callback answers can be
//! compared on the wire.

use dash::prelude::*;
use serde_json::{json, Value};

fn pattern(kind: &str, index: impl Into<IdValue>) -> ComponentId {
    ComponentId::object([("type", kind.into()), ("index", index.into())])
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new();
    app.layout(
        html::Div::new().id("page").children((
            html::H1::new().children("Parity"),
            dcc::Input::new().id("in").value("a"),
            html::Div::new().id("out"),
            dcc::Dropdown::new()
                .id("dd")
                .options(json!([{"label": "One", "value": "1"}, {"label": "Two", "value": "2"}]))
                .value("1"),
            dcc::Dropdown::new().id("dd2").options(["x", "y"]),
            dcc::Store::new().id("store").data(json!({"n": 1})),
            html::Button::new().id("btn").children("Go").n_clicks(0),
            html::Div::new().id("multi-a"),
            html::Div::new().id("multi-b"),
            html::Div::new().id("state-out"),
            html::Div::new().id("dup"),
            html::Div::new().id("made"),
            html::Button::new().id(pattern("pbtn", 1)).children("P1"),
            html::Button::new().id(pattern("pbtn", 2)).children("P2"),
            html::Div::new().id(pattern("pout", 1)),
            html::Div::new().id(pattern("pout", 2)),
            html::Div::new().id("pattern-total"),
            dcc::Graph::new().id("graph"),
            html::Button::new().id("bg-run").children("Run"),
            html::Button::new().id("bg-stop").children("Stop"),
            html::Progress::new().id("bg-bar"),
            html::Div::new().id("bg-status"),
            html::Div::new().id("bg-out"),
            html::Div::new().id("cs-out"),
            html::Button::new().id("patch-btn").children("Patch"),
            dcc::Store::new()
                .id("patch-store")
                .data(json!({"a": [1], "c": 1, "d": 0})),
            html::Button::new().id("err-btn").children("Fail"),
            html::Div::new().id("err-out"),
            html::Div::new().id("dup2"),
            dcc::Download::new().id("dl"),
            html::Button::new().id("dl-btn").children("Download"),
        )),
    );
    // The callback toolbox (issue 12): clientside, Patch, on_error,
    // initial_duplicate, a download.
    app.clientside_callback(
        Callback::new()
            .output(("cs-out", "children"))
            .input(("in", "value")),
        "function(v) { return 'cs ' + v; }",
    );
    app.callback(
        Callback::new()
            .output(("patch-store", "data"))
            .input(("patch-btn", "n_clicks"))
            .prevent_initial_call(true),
        |n: u32| {
            let mut p = Patch::new();
            p.at("a").append(n);
            p.at("b").assign("x");
            p.at("c").add(1);
            p.at("d").delete();
            p
        },
    );
    app.callback(
        Callback::new()
            .output(("err-out", "children"))
            .input(("err-btn", "n_clicks"))
            .prevent_initial_call(true)
            .on_error(|e, _ctx| Some(json!(format!("handled: {e}")))),
        |n: u32| -> Result<String, CallbackError> { Err(CallbackError::msg(format!("boom {n}"))) },
    );
    app.callback(
        Callback::new()
            .output(Output::new("dup2", "children").allow_duplicate())
            .input(("in", "value"))
            .initial_duplicate(),
        |v: Option<String>| format!("dup2 {}", v.unwrap_or_else(|| "None".into())),
    );
    app.callback(
        Callback::new()
            .output(("dl", "data"))
            .input(("dl-btn", "n_clicks"))
            .prevent_initial_call(true),
        |_: u32| dash::files::send_string("hello", "hello.txt"),
    );
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("in", "value")),
        |v: Option<String>| format!("echo {}", v.unwrap_or_else(|| "None".into())),
    );
    app.callback(
        Callback::new()
            .output(("multi-a", "children"))
            .output(("multi-b", "children"))
            .input(("dd", "value")),
        |v: Option<String>| -> Result<(NoUpdate, String), CallbackError> {
            let v = v.ok_or(PreventUpdate)?;
            Ok((NoUpdate, format!("dd={v}")))
        },
    );
    app.callback(
        Callback::new()
            .output(("state-out", "children"))
            .input(("btn", "n_clicks"))
            .state(("in", "value"))
            .prevent_initial_call(true),
        |n: u64, v: String| format!("{n}:{v}"),
    );
    app.callback(
        Callback::new()
            .output(Output::new("dup", "children").allow_duplicate())
            .input(("btn", "n_clicks"))
            .prevent_initial_call(true),
        |_n: u64| "from btn",
    );
    app.callback(
        Callback::new()
            .output(Output::new("dup", "children").allow_duplicate())
            .input(("dd2", "value"))
            .prevent_initial_call(true),
        |v: Option<String>| format!("from dd2 {}", v.unwrap_or_else(|| "None".into())),
    );
    app.callback(
        Callback::new()
            .output(("pattern-total", "children"))
            .input(Input::new(pattern("pbtn", Wildcard::All), "n_clicks")),
        |clicks: Vec<Option<u64>>| clicks.iter().flatten().sum::<u64>().to_string(),
    );
    app.callback(
        Callback::new()
            .output(Output::new(pattern("pout", Wildcard::Match), "children"))
            .input(Input::new(pattern("pbtn", Wildcard::Match), "n_clicks")),
        |n: Option<u64>| {
            format!(
                "clicked {}",
                n.map(|n| n.to_string()).unwrap_or_else(|| "None".into())
            )
        },
    );
    app.callback(
        Callback::new()
            .output(("made", "children"))
            .input(("store", "data")),
        |data: Value| {
            html::Span::new()
                .children(format!("n={}", data["n"]))
                .id("made-span")
        },
    );
    app.callback(
        Callback::new().output(("graph", "figure")).input(("dd", "value")),
        |v: Option<String>| {
            json!({"data": [{"type": "bar", "x": ["a"], "y": [1]}],
                   "layout": {"title": {"text": format!("dd {}", v.unwrap_or_else(|| "None".into()))}}})
        },
    );
    app.callback(
        Callback::new()
            .output(("bg-out", "children"))
            .input(("bg-run", "n_clicks"))
            .prevent_initial_call(true)
            .background()
            .progress(("bg-bar", "value"))
            .progress(("bg-bar", "max"))
            .progress_default((0, 3))
            .cancel(("bg-stop", "n_clicks"))
            .running(("bg-run", "disabled"), true, false)
            .interval(200),
        |progress: Progress, ctx: CallbackContext, n: u64| {
            // n >= 50: a slow run, to be cancelled or superseded.
            let pause = std::time::Duration::from_millis(if n >= 50 { 1000 } else { 150 });
            for i in 1..=3 {
                std::thread::sleep(pause);
                progress.set((i, 3));
            }
            ctx.set_props("bg-status", json!({"children": format!("ran {n}")}));
            format!("done {n}")
        },
    );
    app.run()
}
