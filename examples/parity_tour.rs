//! A tour of the callback toolbox beyond plain callbacks, one small section
//! per feature, as a Python Dash app would use them.
//!
//! - Downloads: `dcc.Download` fed by `send_string`, `send_file` and
//!   `send_csv` (Python's `dcc.send_string`, `send_file`,
//!   `send_data_frame(df.to_csv)`).
//! - Uploads: a `dcc.Upload`'s data URL decoded into bytes and a name.
//! - Patch: parts of a store, a list of children and pattern-matched
//!   outputs changed in the browser without sending the whole value
//!   (Python's `dash.Patch`; the sections of its tests `test_pch001` to
//!   `test_pch006`).
//! - Callback options: an Input that is also the Output (Python's
//!   `test_cbsc015`), `initial_duplicate` (a callback with a duplicate
//!   output that still runs on page load).
//! - Failure handlers: one for a callback and one for the app (Python's
//!   `on_error`, its test `test_cber001`).
//! - A page template (`index_string`, Python's `app.index_string`) with a
//!   header and footer of its own, a script after the app, and a renderer
//!   created with request hooks (Python's tests `test_inin008` and
//!   `test_inin014`).
//!
//! - Clientside callbacks: named functions of the assets folder
//!   (`examples/parity_tour_assets/clientside.js`) and inline code,
//!   chained with server callbacks, several outputs, `PreventUpdate`,
//!   `no_update`, `callback_context.triggered` (Python's `test_clsd001` to
//!   `test_clsd009`).
//! - The callback context (`parity_tour_sections/context.rs`): a cookie on
//!   the answer, the triggered inputs, `triggered_prop_ids` and
//!   `triggered_id` with plain and pattern-matching ids, `args_grouping`
//!   (Python's `test_cbcx001`, `test_cbcx002`, `test_cbcx007`,
//!   `test_cbcx008`).
//! - Server stores by pattern (`parity_tour_sections/server_stores.rs`):
//!   a `ServerStore` per card, filled by an `ALL` output, read by `MATCH`
//!   and `ALL` inputs, and cards (with their stores) added by a callback
//!   (dash-extensions' `Serverside` outputs with pattern-matching ids).
//! - Hot reload in debug mode: stylesheets of the assets folder swapped in
//!   place, other files reloading the page (Python's `test_dvhr001`).
//!
//! `cargo run --release --example parity_tour` (`TOUR_FILE` names the file
//! the "Download a file" button sends, default `README.md`; `TOUR_ASSETS`
//! the assets folder, default `examples/parity_tour_assets` of this
//! repository; `--debug` turns hot reload on).

#[path = "parity_tour_sections/context.rs"]
mod context;
#[path = "parity_tour_sections/server_stores.rs"]
mod server_stores;

use dash::files::{send_csv, send_file, send_string, Uploaded};
use dash::prelude::*;
use serde::Serialize;
use serde_json::json;

/// The table of Python's download test (`test_dldf001`).
#[derive(Serialize)]
struct Row {
    a: u32,
    b: u32,
    c: &'static str,
}

fn rows() -> Vec<Row> {
    [(1, 2, "x"), (2, 1, "x"), (3, 5, "y"), (4, 6, "y")]
        .into_iter()
        .map(|(a, b, c)| Row { a, b, c })
        .collect()
}

fn downloads() -> html::Div {
    html::Div::new().children((
        html::H3::new().children("Downloads"),
        html::Button::new().id("dl-text").children("Download text"),
        dcc::Download::new().id("download-text"),
        html::Button::new()
            .id("dl-file")
            .children("Download a file"),
        dcc::Download::new().id("download-file"),
        html::Button::new()
            .id("dl-csv")
            .children("Download a table"),
        dcc::Download::new().id("download-csv"),
    ))
}

fn uploads() -> html::Div {
    html::Div::new().children((
        html::H3::new().children("Uploads"),
        html::Div::new().id("upload-div").children(
            dcc::Upload::new()
                .id("upload")
                .children(html::Div::new().children((
                    "Drag and Drop or ",
                    html::A::new().children("Select a File"),
                )))
                .style(
                    json!({"width": "100%", "height": "60px", "lineHeight": "60px",
                              "borderWidth": "1px", "borderStyle": "dashed",
                              "borderRadius": "5px", "textAlign": "center"}),
                ),
        ),
        html::Div::new().id("upload-output"),
    ))
}

fn labelled_input(input: &str, button: &str, label: &str) -> html::Div {
    html::Div::new().children((
        dcc::Input::new().id(input),
        html::Button::new().id(button).children(label.to_owned()),
    ))
}

fn patches() -> html::Div {
    let pattern = |i: i64| ComponentId::object([("type", "output".into()), ("index", i.into())]);
    let operations = html::Div::new().children((
        labelled_input("set-value", "set-btn", "Set"),
        labelled_input("append-value", "append-btn", "Append"),
        labelled_input("prepend-value", "prepend-btn", "prepend"),
        html::Div::new().children((
            dcc::Input::new().id("insert-value"),
            dcc::Input::new()
                .id("insert-index")
                .type_("number")
                .value(1),
            html::Button::new().id("insert-btn").children("insert"),
        )),
        labelled_input("extend-value", "extend-btn", "extend"),
        labelled_input("merge-value", "merge-btn", "Merge"),
        html::Button::new().id("delete-btn").children("Delete"),
        html::Button::new()
            .id("delete-index")
            .children("Delete index"),
        html::Button::new().id("clear-btn").children("Clear"),
        html::Button::new().id("reverse-btn").children("Reverse"),
        html::Button::new().id("remove-btn").children("Remove"),
    ));
    html::Div::new().children((
        html::H3::new().children("Patch"),
        operations,
        dcc::Store::new().id("store").data(json!({
            "value": "unset", "n_clicks": 0, "array": ["initial"], "delete": "Delete me"
        })),
        html::Div::new().id("store-content"),
        // test_pch002: Patch values for pattern-matched outputs.
        html::Button::new().id("click").children("Click"),
        html::Div::new().id(pattern(0)).class_name("first"),
        html::Div::new().id(pattern(1)).class_name("second"),
        // test_pch003: a Patch of children.
        html::Div::new().children((
            dcc::Input::new().id("children-value").value(""),
            html::Button::new().id("add-children").children("Add"),
        )),
        // A list of children (as Python's `[html.Div(...)]`): appending
        // needs a list.
        html::Div::new()
            .id("output")
            .children((html::Div::new().id("initial").children("init"),)),
        // test_pch006: arithmetic and merge on whole values.
        html::Div::new().children((
            dcc::Store::new().id("number-store").data(2),
            html::Button::new().id("add-one").children("add-one"),
            html::Button::new().id("remove-one").children("remove-one"),
            html::Button::new().id("mul-two").children("mul-two"),
            html::Button::new().id("div-two").children("div-two"),
            html::Button::new().id("merge").children("merge"),
            dcc::Store::new()
                .id("dict-store")
                .data(json!({"initial": "initial"})),
            html::Div::new().id("store-output"),
            html::Div::new().id("dict-store-output"),
        )),
    ))
}

/// The spec of a button's callback that patches a store's `data` (several
/// callbacks patch one store: `allow_duplicate`).
fn on_click(store: &str, button: &str) -> Callback {
    Callback::new()
        .output(Output::new(store, "data").allow_duplicate())
        .input((button, "n_clicks"))
        .prevent_initial_call(true)
}

fn patch_callbacks(app: &mut Dash) {
    type Text = Option<String>;
    app.callback(
        on_click("store", "set-btn").state(("set-value", "value")),
        |_: Option<u32>, value: Text| {
            let mut p = Patch::new();
            p.at("value").assign(value);
            p.at("n_clicks").add(1);
            p
        },
    );
    app.callback(
        on_click("store", "append-btn").state(("append-value", "value")),
        |_: Option<u32>, value: Text| {
            let mut p = Patch::new();
            p.at("array").append(value);
            p.at("n_clicks").add(1);
            p
        },
    );
    app.callback(
        on_click("store", "prepend-btn").state(("prepend-value", "value")),
        |_: Option<u32>, value: Text| {
            let mut p = Patch::new();
            p.at("array").prepend(value);
            p.at("n_clicks").add(1);
            p
        },
    );
    app.callback(
        on_click("store", "extend-btn").state(("extend-value", "value")),
        |_: Option<u32>, value: Text| {
            let mut p = Patch::new();
            p.at("array").extend([value]);
            p.at("n_clicks").add(1);
            p
        },
    );
    app.callback(
        on_click("store", "merge-btn").state(("merge-value", "value")),
        |_: Option<u32>, value: Text| {
            let mut p = Patch::new();
            p.root().merge(json!({ "merged": value }));
            p.at("n_clicks").add(1);
            p
        },
    );
    app.callback(on_click("store", "delete-btn"), |_: Option<u32>| {
        let mut p = Patch::new();
        p.at("delete").delete();
        p
    });
    app.callback(
        on_click("store", "insert-btn")
            .state(("insert-value", "value"))
            .state(("insert-index", "value")),
        |_: Option<u32>, value: Text, index: Option<i64>| {
            let mut p = Patch::new();
            p.at("array").insert(index.unwrap_or(0), value);
            p
        },
    );
    app.callback(on_click("store", "delete-index"), |_: Option<u32>| {
        let mut p = Patch::new();
        p.at("array").at(1).delete();
        p.at("array").at(-2).delete();
        p
    });
    app.callback(on_click("store", "clear-btn"), |_: Option<u32>| {
        let mut p = Patch::new();
        p.at("array").clear();
        p
    });
    app.callback(on_click("store", "reverse-btn"), |_: Option<u32>| {
        let mut p = Patch::new();
        p.at("array").reverse();
        p
    });
    app.callback(on_click("store", "remove-btn"), |_: Option<u32>| {
        let mut p = Patch::new();
        p.at("array").remove("initial");
        p
    });
    for (button, step) in [
        ("add-one", "add"),
        ("remove-one", "sub"),
        ("mul-two", "mul"),
        ("div-two", "div"),
    ] {
        app.callback(on_click("number-store", button), move |_: Option<u32>| {
            let mut p = Patch::new();
            match step {
                "add" => p.root().add(1),
                "sub" => p.root().sub(1),
                "mul" => p.root().mul(2),
                _ => p.root().div(2),
            }
            p
        });
    }
    app.callback(on_click("dict-store", "merge"), |_: Option<u32>| {
        let mut p = Patch::new();
        p.root().merge(json!({"merged": "merged"}));
        p
    });
    // Python's tests show the stores with clientside callbacks
    // (JSON.stringify); here the server writes the same compact JSON.
    for (store, shown) in [
        ("store", "store-content"),
        ("number-store", "store-output"),
        ("dict-store", "dict-store-output"),
    ] {
        app.callback(
            Callback::new()
                .output((shown, "children"))
                .input((store, "data")),
            |data: serde_json::Value| match data {
                serde_json::Value::Number(n) => n.to_string(),
                other => other.to_string(),
            },
        );
    }
    let all = ComponentId::object([("type", "output".into()), ("index", Wildcard::All.into())]);
    app.callback(
        Callback::new()
            .output((all, "children"))
            .input(("click", "n_clicks")),
        |clicks: Option<u32>| -> serde_json::Value {
            if clicks.is_none() {
                return json!(["Foo", "Bar"]);
            }
            let (mut first, mut second) = (Patch::new(), Patch::new());
            first.root().append("Bar");
            second.root().prepend("Foo");
            json!([first, second])
        },
    );
    app.callback(
        Callback::new()
            .output(("output", "children"))
            .input(("add-children", "n_clicks"))
            .state(("children-value", "value"))
            .prevent_initial_call(true),
        |_: Option<u32>, value: Option<String>| {
            let value = value.unwrap_or_default();
            let mut p = Patch::new();
            p.root()
                .append(html::Div::new().id(value.as_str()).children(value.clone()));
            p
        },
    );
}

/// The page around the app: a header, the app, the renderer with hooks on
/// every callback request, a footer and a script run after the app.
const INDEX: &str = r#"<!DOCTYPE html>
<html>
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        <div id="custom-header">My custom header</div>
        <div id="add"></div>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            <script id="_dash-renderer" type="application/javascript">
                const renderer = new DashRenderer({
                    request_pre: () => {
                        var output = document.getElementById('output-pre');
                        if (output) { output.innerHTML = 'request_pre!!!'; }
                    },
                    request_post: () => {
                        var output = document.getElementById('output-post');
                        if (output) { output.innerHTML = 'request_post ran!'; }
                    }
                });
            </script>
        </footer>
        <div id="custom-footer">My custom footer</div>
        <script>
        // The template's own script, with braces the interpolation keeps.
        var elem = document.getElementById('add');
        if (!elem) { throw Error('could not find container to add'); }
        elem.innerHTML = 'Got added';
        </script>
    </body>
</html>"#;

fn options() -> html::Div {
    html::Div::new().children((
        html::H3::new().children("Callback options"),
        html::Div::new().id("circular-text").children("0"),
        dcc::Input::new()
            .id("circular-input")
            .type_("number")
            .value(0),
        html::Button::new()
            .id("dup-btn")
            .children("Write the duplicate output"),
        html::Div::new().id("dup-output"),
    ))
}

fn option_callbacks(app: &mut Dash) {
    // The value corrects itself: every change the user makes is raised by one.
    app.callback(
        Callback::new()
            .output(("circular-input", "value"))
            .input(("circular-input", "value")),
        |ctx: CallbackContext, v: Option<i64>| {
            let v = v.unwrap_or(0);
            if ctx.triggered_prop_ids().is_empty() {
                v
            } else {
                v + 1
            }
        },
    );
    app.callback(
        Callback::new()
            .output(("circular-text", "children"))
            .input(("circular-input", "value")),
        |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default(),
    );
    app.callback(
        Callback::new()
            .output(Output::new("dup-output", "children").allow_duplicate())
            .input(("dup-btn", "id"))
            .initial_duplicate(),
        |_: String| "written on page load",
    );
    app.callback(
        Callback::new()
            .output(Output::new("dup-output", "children").allow_duplicate())
            .input(("dup-btn", "n_clicks"))
            .prevent_initial_call(true),
        |n: Option<u32>| format!("written by click {}", n.unwrap_or(0)),
    );
}

fn failures() -> html::Div {
    html::Div::new().children((
        html::H3::new().children("Failure handlers"),
        html::Button::new().id("start-local").children("start"),
        html::Button::new()
            .id("start-global")
            .children("start-global"),
        html::Div::new().id("error-output"),
        html::Div::new().id("error-output-global"),
        html::Div::new().id("error-message"),
    ))
}

fn failure_callbacks(app: &mut Dash) {
    app.callback(
        Callback::new()
            .output(("error-output", "children"))
            .input(("start-local", "n_clicks"))
            .prevent_initial_call(true)
            .on_error(|err, ctx| {
                ctx.set_props(
                    "error-message",
                    json!({"children": format!("message: {err}")}),
                );
                Some(json!(format!("callback: {err}")))
            }),
        |_: Option<u32>| -> Result<String, CallbackError> {
            Err(CallbackError::msg("local error"))
        },
    );
    app.callback(
        Callback::new()
            .output(("error-output-global", "children"))
            .input(("start-global", "n_clicks"))
            .prevent_initial_call(true),
        |_: Option<u32>| -> Result<String, CallbackError> {
            Err(CallbackError::msg("global error"))
        },
    );
}

fn page_template() -> html::Div {
    html::Div::new().children((
        html::H3::new().children("Page template"),
        dcc::Input::new().id("input").value("initial value"),
        html::Div::new().children(html::Div::new().children((
            html::Div::new().id("output-1"),
            html::Div::new().id("output-pre"),
            html::Div::new().id("output-post"),
        ))),
    ))
}

fn clientside() -> html::Div {
    let btn1 = |i: i64| ComponentId::object([("cs-btn1", i.into())]);
    html::Div::new().children((
        html::H3::new().children("Clientside callbacks"),
        // test_clsd001 and test_clsd008: a named and an inline function
        // beside a server callback.
        html::Div::new().children((
            dcc::Input::new().id("cs-input"),
            html::Div::new().id("cs-output-clientside"),
            html::Div::new().id("cs-output-inline"),
            html::Div::new().id("cs-output-serverside"),
        )),
        // test_clsd002: clientside and server callbacks chained.
        html::Div::new().children((
            dcc::Input::new().id("cs-x").value(3),
            dcc::Input::new().id("cs-y").value(6),
            dcc::Input::new().id("cs-x-plus-y"),
            dcc::Input::new().id("cs-x-plus-y-div-2"),
            dcc::Textarea::new().id("cs-display-all-of-the-values"),
            dcc::Input::new().id("cs-mean-of-all-values"),
        )),
        // test_clsd004: four outputs.
        html::Div::new().children((
            dcc::Input::new().id("cs-four-input").value(1),
            dcc::Input::new().id("cs-output-1"),
            dcc::Input::new().id("cs-output-2"),
            dcc::Input::new().id("cs-output-3"),
            dcc::Input::new().id("cs-output-4"),
        )),
        // test_clsd006 (PreventUpdate) and test_clsd007 (no_update).
        html::Div::new().children((
            dcc::Input::new().id("cs-first").value(1),
            dcc::Input::new().id("cs-second").value(1),
            dcc::Input::new().id("cs-third").value(1),
            dcc::Input::new().id("cs-nu-first").value(1),
            dcc::Input::new().id("cs-nu-second").value(1),
            dcc::Input::new().id("cs-nu-third").value(1),
        )),
        // test_clsd009: callback_context.triggered with pattern ids.
        html::Div::new().children((
            html::Button::new().id("cs-btn0").children("btn0"),
            html::Button::new().id(btn1(0)).children("btn1:0"),
            html::Button::new().id(btn1(1)).children("btn1:1"),
            html::Button::new().id(btn1(2)).children("btn1:2"),
            html::Div::new().id("cs-triggered"),
        )),
    ))
}

fn clientside_callbacks(app: &mut Dash) {
    use dash::callback::ClientsideFunction as Js;
    let tour = |name: &str| Js::new("tour", name);
    app.callback(
        Callback::new()
            .output(("cs-output-serverside", "children"))
            .input(("cs-input", "value")),
        |value: Option<String>| {
            format!("Server says \"{}\"", value.unwrap_or_else(|| "None".into()))
        },
    );
    app.clientside_callback(
        Callback::new()
            .output(("cs-output-clientside", "children"))
            .input(("cs-input", "value")),
        tour("display"),
    );
    app.clientside_callback(
        Callback::new()
            .output(("cs-output-inline", "children"))
            .input(("cs-input", "value")),
        r#"
        function (value) {
            return 'Client says "' + value + '"';
        }
        "#,
    );
    app.clientside_callback(
        Callback::new()
            .output(("cs-x-plus-y", "value"))
            .input(("cs-x", "value"))
            .input(("cs-y", "value")),
        tour("add"),
    );
    app.callback(
        Callback::new()
            .output(("cs-x-plus-y-div-2", "value"))
            .input(("cs-x-plus-y", "value")),
        |value: serde_json::Value| -> Result<f64, CallbackError> {
            let v = match &value {
                serde_json::Value::Number(n) => n.as_f64(),
                serde_json::Value::String(s) => s.parse().ok(),
                _ => None,
            }
            .ok_or(PreventUpdate)?;
            Ok(v / 2.0)
        },
    );
    app.callback(
        Callback::new()
            .output(("cs-display-all-of-the-values", "value"))
            .input(("cs-x", "value"))
            .input(("cs-y", "value"))
            .input(("cs-x-plus-y", "value"))
            .input(("cs-x-plus-y-div-2", "value")),
        |a: serde_json::Value, b: serde_json::Value, c: serde_json::Value, d: serde_json::Value| {
            let show = |v: &serde_json::Value| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => "None".into(),
                other => other.to_string(),
            };
            [a, b, c, d].iter().map(show).collect::<Vec<_>>().join("\n")
        },
    );
    app.clientside_callback(
        Callback::new()
            .output(("cs-mean-of-all-values", "value"))
            .input(("cs-x", "value"))
            .input(("cs-y", "value"))
            .input(("cs-x-plus-y", "value"))
            .input(("cs-x-plus-y-div-2", "value")),
        tour("mean"),
    );
    app.clientside_callback(
        Callback::new()
            .output(("cs-output-1", "value"))
            .output(("cs-output-2", "value"))
            .output(("cs-output-3", "value"))
            .output(("cs-output-4", "value"))
            .input(("cs-four-input", "value")),
        tour("add_to_four_outputs"),
    );
    for (input, output) in [("cs-first", "cs-second"), ("cs-second", "cs-third")] {
        app.clientside_callback(
            Callback::new()
                .output((output, "value"))
                .input((input, "value"))
                .state((output, "value")),
            tour("add1_prevent_at_11"),
        );
    }
    app.clientside_callback(
        Callback::new()
            .output(("cs-nu-second", "value"))
            .output(("cs-nu-third", "value"))
            .input(("cs-nu-first", "value"))
            .state(("cs-nu-second", "value"))
            .state(("cs-nu-third", "value")),
        tour("add1_no_update_at_11"),
    );
    let all = ComponentId::object([("cs-btn1", Wildcard::All.into())]);
    app.clientside_callback(
        Callback::new()
            .output(("cs-triggered", "children"))
            .input(("cs-btn0", "n_clicks"))
            .input((all, "n_clicks")),
        tour("triggered_to_str"),
    );
}

fn hot_reload_section() -> html::Div {
    html::Div::new().id("hot-reload-content").children((
        html::H3::new().id("hr-text").children("Hot reload"),
        html::P::new().children("Edit a stylesheet of the assets folder: it changes in place."),
    ))
}

fn main() -> Result<(), dash::Error> {
    let assets = std::env::var("TOUR_ASSETS").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/parity_tour_assets"
        )
        .into()
    });
    let mut app = Dash::new()
        .title("dash-rs parity tour")
        .assets_folder(assets)
        .index_string(INDEX)
        // For every callback without a handler of its own.
        .on_error(|err, ctx| {
            ctx.set_props(
                "error-output-global",
                json!({"children": format!("global: {err}")}),
            );
            None
        });
    app.layout(html::Div::new().children((
        html::H2::new().children("The callback toolbox"),
        downloads(),
        uploads(),
        patches(),
        options(),
        failures(),
        page_template(),
        clientside(),
        hot_reload_section(),
        context::layout(),
        server_stores::layout(),
    )));
    context::callbacks(&mut app);
    server_stores::callbacks(&mut app);
    clientside_callbacks(&mut app);
    option_callbacks(&mut app);
    failure_callbacks(&mut app);
    app.callback(
        Callback::new()
            .output(("output-1", "children"))
            .input(("input", "value")),
        |value: Option<String>| value.unwrap_or_default(),
    );
    patch_callbacks(&mut app);
    app.callback(
        Callback::new()
            .output(("download-text", "data"))
            .input(("dl-text", "n_clicks"))
            .prevent_initial_call(true),
        |_: Option<u32>| send_string("Hello, world!", "hello.txt"),
    );
    app.callback(
        Callback::new()
            .output(("download-file", "data"))
            .input(("dl-file", "n_clicks"))
            .prevent_initial_call(true),
        |_: Option<u32>| -> Result<_, CallbackError> {
            let path = std::env::var("TOUR_FILE").unwrap_or_else(|_| "README.md".into());
            Ok(send_file(path)?)
        },
    );
    app.callback(
        Callback::new()
            .output(("download-csv", "data"))
            .input(("dl-csv", "n_clicks"))
            .prevent_initial_call(true),
        |_: Option<u32>| -> Result<_, CallbackError> { Ok(send_csv(&rows(), "df.csv")?) },
    );
    app.callback(
        Callback::new()
            .output(("upload-output", "children"))
            .input(("upload", "contents"))
            .state(("upload", "filename")),
        |contents: Option<String>, name: Option<String>| -> Result<html::Div, CallbackError> {
            let contents = contents.ok_or(PreventUpdate)?;
            let file = Uploaded::decode(&contents, name)?;
            Ok(html::Div::new().children((
                html::Div::new().id("upload-summary").children(format!(
                    "{}: {} bytes of {}",
                    file.filename.as_deref().unwrap_or("(no name)"),
                    file.bytes.len(),
                    file.mime_type
                )),
                html::Hr::new(),
                html::Div::new().id("raw-title").children("Raw Content"),
                html::Pre::new().children(String::from_utf8_lossy(&file.bytes).into_owned()),
            )))
        },
    );
    app.run()
}
