//! Sharing data between callbacks on the server: "caching and signaling".
//!
//! `global_store(fruit)` is memoized in the server-side cache (the SQLite
//! file `.dash-cache/cache.sqlite` by default, or `DASH_CACHE_URL`), so it
//! runs once per fruit for every user, worker process and host. The first
//! callback computes (or finds) it and signals the fruit through a
//! dcc.Store; four graphs read the same cached value.
//!
//! `cargo run --release --example on_disk_share -- --workers 2`

use std::time::Duration;

use dash::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const FRUITS: [&str; 4] = ["apples", "oranges", "figs", "pineapples"];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Dataset {
    fruit: String,
    computation_id: String,
    x: Vec<u32>,
    y: Vec<f64>,
}

fn expensive_ms() -> u64 {
    std::env::var("EXPENSIVE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

/// The expensive step: a slow query, here a sleep and a deterministic series.
fn compute(fruit: &str) -> Dataset {
    std::thread::sleep(Duration::from_millis(expensive_ms()));
    let seed = fruit
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    let x: Vec<u32> = (0..200).collect();
    let y = x
        .iter()
        .map(|&i| {
            let level = (seed % 17) as f64 + f64::from(i) * 0.1;
            let wave = ((f64::from(i) + seed as f64) * 0.3).sin() * 3.0;
            ((level + wave) * 100.0).round() / 100.0
        })
        .collect();
    Dataset {
        fruit: fruit.to_owned(),
        computation_id: uuid::Uuid::new_v4().to_string(),
        x,
        y,
    }
}

/// `global_store(fruit)`, memoized for an hour across users, workers and hosts.
fn global_store(ctx: &CallbackContext, fruit: &str) -> Result<Dataset, CallbackError> {
    Ok(ctx.cache()?.memoize(
        "global_store",
        fruit,
        Some(Duration::from_secs(3600)),
        || compute(fruit),
    )?)
}

fn figure(i: usize, data: &Dataset) -> Value {
    let kinds = ["scatter", "bar", "scatter", "histogram"];
    let trace = match kinds[i - 1] {
        "histogram" => json!({"type": "histogram", "x": data.y}),
        "bar" => json!({"type": "bar", "x": data.x, "y": data.y}),
        _ => {
            json!({"type": "scatter", "mode": if i == 1 { "lines" } else { "markers" }, "x": data.x, "y": data.y})
        }
    };
    json!({
        "data": [trace],
        "layout": {"title": {"text": format!("graph-{i}: {} (computation {})", data.fruit, data.computation_id)},
                   "margin": {"t": 60}}
    })
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("Caching and signaling");
    app.layout(
        html::Div::new().children((
            html::H2::new().children("Sharing data on the server: caching and signaling"),
            dcc::Dropdown::new()
                .id("dropdown")
                .options(FRUITS)
                .value("apples")
                .clearable(false),
            dcc::Store::new().id("signal"),
            html::Div::new()
                .style(json!({"display": "grid", "gridTemplateColumns": "1fr 1fr"}))
                .children((
                    dcc::Graph::new().id("graph-1"),
                    dcc::Graph::new().id("graph-2"),
                    dcc::Graph::new().id("graph-3"),
                    dcc::Graph::new().id("graph-4"),
                )),
        )),
    );
    app.callback(
        Callback::new()
            .output(("signal", "data"))
            .input(("dropdown", "value")),
        |ctx: CallbackContext, fruit: Option<String>| -> Result<String, CallbackError> {
            let fruit = fruit.ok_or(PreventUpdate)?;
            global_store(&ctx, &fruit)?;
            Ok(fruit)
        },
    );
    for i in 1..=4usize {
        app.callback(
            Callback::new()
                .output((format!("graph-{i}"), "figure"))
                .input(("signal", "data")),
            move |ctx: CallbackContext, fruit: Option<String>| -> Result<Value, CallbackError> {
                let fruit = fruit.ok_or(PreventUpdate)?;
                Ok(figure(i, &global_store(&ctx, &fruit)?))
            },
        );
    }
    app.run()
}
