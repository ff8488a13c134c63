//! The benchmark app (issue: benchmarks side by side with Python Dash).
//! Ids: `in` -> `out` (echo); `in` -> `m1`..`m4` (four outputs); `store`
//! (State) and `n` -> `agg` (a list of records); `key` -> `cached` (a
//! memoized 1 MB list of records from the server-side cache).
//!
//! `cargo run --release --example bench_app -- --workers 2`

use std::time::Duration;

use dash::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    x: f64,
    y: f64,
    label: String,
}

/// A deterministic list of about 1 MB of records for `key`.
fn load(key: &str) -> Vec<Record> {
    let seed = key
        .bytes()
        .fold(17u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    (0..23_000u64)
        .map(|i| Record {
            x: ((seed + i) % 1000) as f64 / 10.0,
            y: (i % 97) as f64,
            label: format!("{key}-{i:06}"),
        })
        .collect()
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("dash-rs benchmark app");
    app.layout(html::Div::new().children((
        dcc::Input::new().id("in").value("x"),
        html::Div::new().id("out"),
        html::Div::new().id("m1"),
        html::Div::new().id("m2"),
        html::Div::new().id("m3"),
        html::Div::new().id("m4"),
        dcc::Store::new().id("store"),
        dcc::Input::new().id("n"),
        html::Div::new().id("agg"),
        dcc::Input::new().id("key").value("k"),
        html::Div::new().id("cached"),
    )));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("in", "value")),
        |v: Option<String>| v.unwrap_or_default(),
    );
    app.callback(
        Callback::new()
            .output(("m1", "children"))
            .output(("m2", "children"))
            .output(("m3", "children"))
            .output(("m4", "children"))
            .input(("in", "value")),
        |v: Option<String>| {
            let v = v.unwrap_or_default();
            (
                format!("1:{v}"),
                format!("2:{v}"),
                format!("3:{v}"),
                format!("4:{v}"),
            )
        },
    );
    app.callback(
        Callback::new()
            .output(("agg", "children"))
            .input(("n", "value"))
            .state(("store", "data")),
        |_n: Option<String>, rows: Option<Vec<Record>>| {
            let rows = rows.unwrap_or_default();
            let sum: f64 = rows.iter().map(|r| r.x).sum();
            format!("count={} sum_x={sum}", rows.len())
        },
    );
    app.callback(
        Callback::new()
            .output(("cached", "children"))
            .input(("key", "value")),
        |ctx: CallbackContext, key: Option<String>| -> Result<String, CallbackError> {
            let key = key.unwrap_or_default();
            let rows: Vec<Record> =
                ctx.cache()?
                    .memoize("load", &key, Some(Duration::from_secs(3600)), || load(&key))?;
            Ok(format!(
                "{key}: {} records, first {}",
                rows.len(),
                rows.first().map(|r| r.label.as_str()).unwrap_or("-")
            ))
        },
    );
    app.run()
}
