//! Computing aggregations upfront: the expensive callback reads the raw data
//! once and keeps only small per-category aggregates in a dcc.Store; three
//! graphs each read their own part of the store. The browser carries a few
//! hundred bytes instead of the raw rows.
//!
//! `cargo run --release --example aggregations_upfront`

use std::collections::BTreeMap;
use std::time::Duration;

use dash::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

const REGIONS: [&str; 4] = ["north", "south", "east", "west"];
const PRODUCTS: [&str; 3] = ["apples", "oranges", "figs"];

/// The per-category totals kept in the browser.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Aggregates {
    year: u32,
    by_month: BTreeMap<u32, f64>,
    by_region: BTreeMap<String, f64>,
    by_product: BTreeMap<String, f64>,
}

fn expensive_ms() -> u64 {
    std::env::var("EXPENSIVE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

/// The slow part: scan 100,000 deterministic sales rows of one year.
fn aggregate(year: u32) -> Aggregates {
    std::thread::sleep(Duration::from_millis(expensive_ms()));
    let mut agg = Aggregates {
        year,
        ..Aggregates::default()
    };
    let mut state = u64::from(year).wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for _ in 0..100_000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let month = (state % 12) as u32 + 1;
        let region = REGIONS[(state >> 8) as usize % REGIONS.len()];
        let product = PRODUCTS[(state >> 16) as usize % PRODUCTS.len()];
        let amount = ((state >> 24) % 10_000) as f64 / 100.0;
        *agg.by_month.entry(month).or_default() += amount;
        *agg.by_region.entry(region.to_owned()).or_default() += amount;
        *agg.by_product.entry(product.to_owned()).or_default() += amount;
    }
    agg
}

fn bar<K: ToString>(title: String, parts: &BTreeMap<K, f64>) -> Value {
    let x: Vec<String> = parts.keys().map(ToString::to_string).collect();
    let y: Vec<f64> = parts
        .values()
        .map(|v| (v * 100.0).round() / 100.0)
        .collect();
    json!({"data": [{"type": "bar", "x": x, "y": y}], "layout": {"title": {"text": title}}})
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("Aggregations upfront");
    app.layout(
        html::Div::new().children((
            html::H2::new().children("Aggregations computed upfront"),
            dcc::Dropdown::new()
                .id("year")
                .options([2023, 2024, 2025])
                .value(2025)
                .clearable(false),
            dcc::Store::new().id("aggregates"),
            dcc::Graph::new().id("graph-month"),
            dcc::Graph::new().id("graph-region"),
            dcc::Graph::new().id("graph-product"),
        )),
    );
    app.callback(
        Callback::new()
            .output(("aggregates", "data"))
            .input(("year", "value")),
        |year: Option<u32>| -> Result<Aggregates, CallbackError> {
            Ok(aggregate(year.ok_or(PreventUpdate)?))
        },
    );
    app.callback(
        Callback::new()
            .output(("graph-month", "figure"))
            .input(("aggregates", "data")),
        |a: Option<Aggregates>| -> Result<Value, CallbackError> {
            let a = a.ok_or(PreventUpdate)?;
            Ok(bar(format!("{}: sales by month", a.year), &a.by_month))
        },
    );
    app.callback(
        Callback::new()
            .output(("graph-region", "figure"))
            .input(("aggregates", "data")),
        |a: Option<Aggregates>| -> Result<Value, CallbackError> {
            let a = a.ok_or(PreventUpdate)?;
            Ok(bar(format!("{}: sales by region", a.year), &a.by_region))
        },
    );
    app.callback(
        Callback::new()
            .output(("graph-product", "figure"))
            .input(("aggregates", "data")),
        |a: Option<Aggregates>| -> Result<Value, CallbackError> {
            let a = a.ok_or(PreventUpdate)?;
            Ok(bar(format!("{}: sales by product", a.year), &a.by_product))
        },
    );
    app.run()
}
