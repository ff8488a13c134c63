//! The first app: a dcc.Input echoed into an html.Div, a dcc.Dropdown
//! redrawing a dcc.Graph, an html.Button counting clicks.
//!
//! Run with `cargo run --example hello` and open http://127.0.0.1:8050/.

use dash::prelude::*;
use serde_json::{json, Value};

fn figure(city: &str) -> Value {
    let (x, y): (Vec<u32>, Vec<f64>) = match city {
        "Oslo" => (
            (1..=12).collect(),
            vec![
                -4.3, -4.0, -0.2, 4.5, 10.8, 15.2, 16.4, 15.2, 10.8, 6.3, 0.7, -3.1,
            ],
        ),
        "Lima" => (
            (1..=12).collect(),
            vec![
                22.8, 23.6, 23.2, 21.4, 19.6, 18.1, 17.4, 17.1, 17.3, 18.3, 19.5, 21.2,
            ],
        ),
        _ => (
            (1..=12).collect(),
            vec![
                5.2, 5.6, 8.1, 10.9, 14.4, 17.6, 19.8, 19.5, 16.8, 13.0, 8.6, 5.9,
            ],
        ),
    };
    json!({
        "data": [{"type": "scatter", "mode": "lines+markers", "x": x, "y": y, "name": city}],
        "layout": {"title": {"text": format!("Monthly mean temperature in {city}")},
                   "xaxis": {"title": {"text": "month"}}, "yaxis": {"title": {"text": "°C"}}}
    })
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("Hello dash-rs");
    app.layout(
        html::Div::new().id("page").children((
            html::H1::new().children("Hello from Rust"),
            dcc::Input::new()
                .id("text")
                .value("type here")
                .type_("text"),
            html::Div::new().id("echo"),
            html::Hr::new(),
            dcc::Dropdown::new()
                .id("city")
                .options(["London", "Oslo", "Lima"])
                .value("London")
                .clearable(false),
            dcc::Graph::new().id("graph"),
            html::Hr::new(),
            html::Button::new()
                .id("button")
                .children("Click me")
                .n_clicks(0),
            html::Div::new().id("clicks"),
        )),
    );

    app.callback(
        Callback::new()
            .output(("echo", "children"))
            .input(("text", "value")),
        |text: Option<String>| format!("You typed: {}", text.unwrap_or_default()),
    );
    app.callback(
        Callback::new()
            .output(("graph", "figure"))
            .input(("city", "value")),
        |city: Option<String>| figure(city.as_deref().unwrap_or("London")),
    );
    app.callback(
        Callback::new()
            .output(("clicks", "children"))
            .input(("button", "n_clicks")),
        |n: Option<u64>| format!("Button clicked {} times", n.unwrap_or(0)),
    );
    app.run()
}
