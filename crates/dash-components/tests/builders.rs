//! The generated builders: registry, JSON shape, setter names, wildcards,
//! and the `children_props` config.

use dash_components::{children_props, dash_table, dcc, html};
use dash_protocol::{Children, Component, ComponentId};
use serde_json::{json, Value};

fn props(c: impl serde::Serialize) -> Value {
    serde_json::to_value(c).unwrap()["props"].clone()
}

#[test]
fn every_component_of_the_wheel_is_generated() {
    assert_eq!(html::COMPONENT_NAMES.len(), 125);
    assert_eq!(dcc::COMPONENT_NAMES.len(), 26);
    assert_eq!(dash_table::COMPONENT_NAMES, ["DataTable"]);
    assert!(html::COMPONENT_NAMES.contains(&"ObjectEl"));
    assert!(html::COMPONENT_NAMES.contains(&"MapEl"));
    // Type names are the Python class names, not the JS displayName.
    assert!(dcc::COMPONENT_NAMES.contains(&"Graph"));
    assert!(dcc::COMPONENT_NAMES.contains(&"Markdown"));
    assert_eq!(html::NAMESPACE, "dash_html_components");
    assert_eq!(dcc::NAMESPACE, "dash_core_components");
    assert_eq!(dash_table::NAMESPACE, "dash_table");
}

#[test]
fn layout_serializes_exactly() {
    let layout = html::Div::new().id("x").class_name("c").children((
        html::Span::new().children("a"),
        1,
        "b",
        dcc::Input::new().id("in").value("hi"),
    ));
    assert_eq!(
        serde_json::to_string(&layout).unwrap(),
        concat!(
            r#"{"type":"Div","namespace":"dash_html_components","props":{"id":"x","className":"c","children":["#,
            r#"{"type":"Span","namespace":"dash_html_components","props":{"children":"a"}},1,"b","#,
            r#"{"type":"Input","namespace":"dash_core_components","props":{"id":"in","value":"hi"}}]}}"#
        )
    );
}

#[test]
fn new_and_default_set_no_props() {
    let empty = r#"{"type":"Graph","namespace":"dash_core_components","props":{}}"#;
    assert_eq!(serde_json::to_string(&dcc::Graph::new()).unwrap(), empty);
    assert_eq!(
        serde_json::to_string(&dcc::Graph::default()).unwrap(),
        empty
    );
    assert_eq!(html::Br::new(), html::Br::default());
    let t = dash_table::DataTable::new().into_component();
    assert_eq!((t.namespace(), t.type_name()), ("dash_table", "DataTable"));
    assert!(t.props().is_empty());
}

#[test]
fn setters_store_js_names_and_typed_values() {
    let i = dcc::Input::new()
        .type_("number")
        .debounce(true)
        .min(0)
        .max(2.5)
        .n_submit(3)
        .placeholder(String::from("n"));
    assert_eq!(
        props(&i),
        json!({"type": "number", "debounce": true, "min": 0, "max": 2.5, "n_submit": 3, "placeholder": "n"})
    );
    let a = html::Audio::new()
        .loop_(true)
        .auto_play(false)
        .n_clicks(f64::NAN);
    assert_eq!(
        props(&a),
        json!({"loop": true, "autoPlay": false, "n_clicks": null})
    );
    let l = html::Label::new()
        .html_for("in")
        .access_key("k")
        .tab_index(2);
    assert_eq!(
        props(&l),
        json!({"htmlFor": "in", "accessKey": "k", "tabIndex": 2})
    );
    assert_eq!(
        props(html::Track::new().default_(true)),
        json!({"default": true})
    );
    assert_eq!(
        props(html::Script::new().async_(true)),
        json!({"async": true})
    );
    let t = dash_table::DataTable::new()
        .data(vec![json!({"a": 1})])
        .page_size(10)
        .style_cell(json!({"color": "red"}));
    assert_eq!(
        props(&t),
        json!({"data": [{"a": 1}], "page_size": 10, "style_cell": {"color": "red"}})
    );
}

#[test]
fn node_props_take_children_and_ids_take_component_ids() {
    let tab = dcc::Tab::new().label(html::B::new().children("bold"));
    assert_eq!(props(&tab)["label"]["type"], "B");
    let loading = dcc::Loading::new().custom_spinner(("wait", html::Br::new()));
    assert_eq!(props(&loading)["custom_spinner"][0], "wait");
    let id = ComponentId::from("pattern");
    assert_eq!(props(html::P::new().id(id)), json!({"id": "pattern"}));
}

#[test]
fn wildcard_attributes() {
    let d = html::Div::new()
        .data("role", "x")
        .aria("label", "Close")
        .data("n", 1);
    assert_eq!(
        props(&d),
        json!({"data-role": "x", "aria-label": "Close", "data-n": 1})
    );
    // ObjectEl has both a `data` prop and `data-*`: the prop setter is `data_`.
    let o = html::ObjectEl::new().data_("movie.swf").data("x", true);
    assert_eq!(props(&o), json!({"data": "movie.swf", "data-x": true}));
    // dcc.Store's `data` is a plain prop.
    assert_eq!(
        props(dcc::Store::new().data(json!([1]))),
        json!({"data": [1]})
    );
}

#[test]
fn escape_hatch_and_conversions() {
    let g = dcc::Graph::new()
        .prop("undocumented", json!({"a": 1}))
        .id("g");
    let c: Component = g.clone().into();
    assert_eq!(c.prop("undocumented"), Some(&json!({"a": 1})));
    assert_eq!(c, g.clone().into_component());
    let ch: Children = g.into();
    assert_eq!(ch.into_value()["props"]["id"], "g");
}

#[test]
fn children_props_match_python_dash() {
    let cp = children_props();
    let expected = json!({
        "Clipboard": ["copied_children"],
        "Loading": ["custom_spinner"],
        "Tab": ["label"],
    });
    let namespaces: Vec<&String> = cp.as_object().unwrap().keys().take(3).collect();
    assert_eq!(
        namespaces,
        ["dash_html_components", "dash_core_components", "dash_table"]
    );
    // The suites compiled in follow (tests/suites.rs).
    let cp = json!({
        "dash_html_components": cp["dash_html_components"],
        "dash_core_components": cp["dash_core_components"],
        "dash_table": cp["dash_table"],
    });
    assert_eq!(cp["dash_html_components"].as_object().unwrap().len(), 125);
    assert_eq!(cp["dash_core_components"].as_object().unwrap().len(), 26);
    assert_eq!(cp["dash_table"], json!({"DataTable": []}));
    assert_eq!(cp["dash_html_components"]["Div"], json!([]));
    for (ns, components) in cp.as_object().unwrap() {
        for (name, paths) in components.as_object().unwrap() {
            let want = if ns == "dash_core_components" {
                expected.get(name).cloned().unwrap_or(json!([]))
            } else {
                json!([])
            };
            assert_eq!(paths, &want, "{ns}.{name}");
        }
    }
}
