//! Callbacks unit-tested through `dash::testing` (no server, no HTTP): the
//! answer's outputs and `set_props`, `PreventUpdate`, failures, `on_error`,
//! argument types, `ctx.response()`, and the context's lists and maps.

use dash::prelude::*;
use dash::testing::TestApp;
use serde_json::json;

fn app() -> Dash {
    let mut app = Dash::new().on_error(|err, _ctx| Some(json!(format!("handled: {err}"))));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("in", "value"))
            .state(("name", "value")),
        |ctx: CallbackContext, value: Option<String>, name: String| {
            ctx.set_props("status", json!({"children": "ok"}));
            format!("{name}: {}", value.unwrap_or_default())
        },
    );
    app.callback(
        Callback::new()
            .output(("count", "children"))
            .input(("btn", "n_clicks")),
        |n: Option<u32>| -> Result<String, CallbackError> {
            match n {
                None => Err(PreventUpdate.into()),
                Some(13) => Err(CallbackError::msg("unlucky")),
                Some(n) => Ok(format!("{n} clicks")),
            }
        },
    );
    app.callback(
        Callback::new()
            .output(("a", "children"))
            .output(("b", "children"))
            .input(("x", "value"))
            .input(("y", "value"))
            .state(("z", "value")),
        |ctx: CallbackContext, _x: Option<i64>, _y: Option<i64>, _z: Option<i64>| {
            ctx.response().set_header("X-Seen", "yes").unwrap();
            ctx.response()
                .set_cookie(dash::cookie::Cookie::new("last", "x"))
                .unwrap();
            let grouping = serde_json::to_value(ctx.args_grouping()).unwrap();
            (
                json!({
                    "inputs": ctx.inputs_list(),
                    "states": ctx.states_list(),
                    "outputs": ctx.outputs_list(),
                    "map": ctx.triggered_prop_ids_map(),
                }),
                grouping,
            )
        },
    );
    app
}

#[test]
fn outputs_and_set_props() {
    let t = TestApp::new(app()).unwrap();
    let a = t
        .call(("out", "children"))
        .input(("in", "value"), "hi")
        .state(("name", "value"), "Ann")
        .triggered(("in", "value"))
        .run()
        .unwrap();
    assert_eq!(a.output("out", "children"), Some(&json!("Ann: hi")));
    assert_eq!(a.side_update("status", "children"), Some(&json!("ok")));
    assert!(!a.prevented());
}

#[test]
fn prevent_update_failures_and_on_error() {
    let t = TestApp::new(app()).unwrap();
    let call = |n: Option<u32>| {
        let c = t.call(("count", "children"));
        match n {
            Some(n) => c
                .input(("btn", "n_clicks"), n)
                .triggered(("btn", "n_clicks")),
            None => c,
        }
        .run()
    };
    assert!(call(None).unwrap().prevented());
    assert_eq!(
        call(Some(2)).unwrap().output("count", "children"),
        Some(&json!("2 clicks"))
    );
    // The app's on_error handler turns the failure into the output.
    assert_eq!(
        call(Some(13)).unwrap().output("count", "children"),
        Some(&json!("handled: unlucky"))
    );
}

#[test]
fn a_value_of_the_wrong_type_is_a_400() {
    let t = TestApp::new(app()).unwrap();
    let e = t
        .call(("count", "children"))
        .input(("btn", "n_clicks"), "many")
        .run()
        .unwrap_err();
    match e {
        dash::Error::CallFailed { status, message } => {
            assert_eq!(status, 400);
            assert!(message.contains("btn.n_clicks"), "{message}");
        }
        other => panic!("{other}"),
    }
    let missing = t.call(("nowhere", "children")).run().unwrap_err();
    assert!(
        matches!(missing, dash::Error::CallFailed { status: 400, .. }),
        "{missing}"
    );
}

#[test]
fn context_lists_grouping_and_response_headers() {
    let t = TestApp::new(app()).unwrap();
    let a = t
        .call(("b", "children"))
        .input(("x", "value"), 1)
        .input(("y", "value"), 2)
        .state(("z", "value"), 3)
        .triggered(("y", "value"))
        .run()
        .unwrap();
    let seen = a.output("a", "children").unwrap();
    assert_eq!(
        seen["inputs"],
        json!([{"id": "x", "property": "value", "value": 1}, {"id": "y", "property": "value", "value": 2}])
    );
    assert_eq!(
        seen["states"],
        json!([{"id": "z", "property": "value", "value": 3}])
    );
    assert_eq!(
        seen["outputs"],
        json!([{"id": "a", "property": "children"}, {"id": "b", "property": "children"}])
    );
    assert_eq!(seen["map"], json!({"y.value": "y"}));
    assert_eq!(
        a.output("b", "children"),
        Some(&json!([
            {"id": "x", "property": "value", "value": 1, "str_id": "x", "triggered": false},
            {"id": "y", "property": "value", "value": 2, "str_id": "y", "triggered": true},
            {"id": "z", "property": "value", "value": 3, "str_id": "z", "triggered": false},
        ]))
    );
    assert_eq!(
        a.headers(),
        &[
            ("x-seen".to_owned(), "yes".to_owned()),
            ("set-cookie".to_owned(), "last=x".to_owned())
        ]
    );
}

fn item(kind: &str, i: i64) -> dash::ComponentId {
    dash::ComponentId::object([("type", kind.into()), ("i", i.into())])
}

fn pattern(kind: &str, w: dash::Wildcard) -> dash::ComponentId {
    dash::ComponentId::object([("type", kind.into()), ("i", w.into())])
}

#[test]
fn pattern_matching_callbacks_take_the_components_ids() {
    use dash::Wildcard::{All, AllSmaller, Match};
    let mut app = Dash::new();
    // MATCH: the output of the matched component; ALLSMALLER beside it.
    app.callback(
        Callback::new()
            .output((pattern("out", Match), "children"))
            .input((pattern("in", Match), "value"))
            .state((pattern("in", AllSmaller), "value")),
        |ctx: CallbackContext, v: String, before: Vec<String>| {
            format!(
                "{v} after {before:?} ({})",
                ctx.triggered_prop_ids().join(",")
            )
        },
    );
    // ALL in and out: one value per component on the page.
    app.callback(
        Callback::new()
            .output((pattern("echo", All), "children"))
            .input((pattern("in", All), "value")),
        |values: Vec<String>| {
            values
                .into_iter()
                .map(|v| v.to_uppercase())
                .collect::<Vec<_>>()
        },
    );
    let app = TestApp::new(app).unwrap();
    let answer = app
        .call((pattern("out", Match), "children"))
        .input((item("in", 2), "value"), "b")
        .state((item("in", 0), "value"), "x")
        .state((item("in", 1), "value"), "a")
        .triggered((item("in", 2), "value"))
        .run()
        .unwrap();
    let triggered = format!("{}.value", item("in", 2));
    assert_eq!(
        answer.output(item("out", 2), "children"),
        Some(&json!(format!("b after [\"x\", \"a\"] ({triggered})")))
    );
    assert_eq!(answer.output(item("out", 1), "children"), None);

    let answer = app
        .call((pattern("echo", All), "children"))
        .input((item("in", 1), "value"), "a")
        .input((item("in", 2), "value"), "b")
        .component(item("echo", 1))
        .component(item("echo", 2))
        .component(item("other", 1))
        .run()
        .unwrap();
    assert_eq!(
        answer.output(item("echo", 1), "children"),
        Some(&json!("A"))
    );
    assert_eq!(
        answer.output(item("echo", 2), "children"),
        Some(&json!("B"))
    );

    // A MATCH input with no value, or two: a clear error naming it.
    let none = app
        .call((pattern("out", Match), "children"))
        .run()
        .unwrap_err()
        .to_string();
    assert!(none.contains("MATCH"), "{none}");
    let two = app
        .call((pattern("out", Match), "children"))
        .input((item("in", 1), "value"), "a")
        .input((item("in", 2), "value"), "b")
        .run()
        .unwrap_err()
        .to_string();
    assert!(two.contains("2 given values"), "{two}");
}

#[test]
fn a_background_callback_runs_as_a_job_to_its_end() {
    use dash::background::Progress;
    let mut app = Dash::new();
    app.callback(
        Callback::new()
            .output(("result", "children"))
            .input(("go", "n_clicks"))
            .background()
            .progress(("bar", "value"))
            .progress(("bar", "max")),
        |progress: Progress, ctx: CallbackContext, clicks: Option<u64>| {
            for i in 1..=3u32 {
                progress.set((i.to_string(), "3"));
            }
            ctx.set_props("status", json!({"children": "almost"}));
            match clicks {
                Some(n) => Ok(format!("done after {n} clicks")),
                None => Err(CallbackError::msg("no clicks")),
            }
        },
    );
    let app = TestApp::new(app).unwrap();
    let answer = app
        .call(("result", "children"))
        .input(("go", "n_clicks"), 2)
        .triggered(("go", "n_clicks"))
        .run()
        .unwrap();
    assert_eq!(
        answer.output("result", "children"),
        Some(&json!("done after 2 clicks"))
    );
    let steps: Vec<Vec<(String, serde_json::Value)>> = (1..=3)
        .map(|i| {
            vec![
                ("bar.value".to_owned(), json!(i.to_string())),
                ("bar.max".to_owned(), json!("3")),
            ]
        })
        .collect();
    assert_eq!(answer.progress(), steps.as_slice());
    assert_eq!(
        answer.side_update("status", "children"),
        Some(&json!("almost"))
    );
    // A failing job: the error, as the page would get it.
    let failure = app
        .call(("result", "children"))
        .run()
        .unwrap_err()
        .to_string();
    assert!(failure.contains("no clicks"), "{failure}");
}
