//! The benchmark app (issue: benchmarks side by side with Python Dash).
//! Ids: `in` -> `out` (echo); `in` -> `m1`..`m4` (four outputs); `store`
//! (State) and `n` -> `agg` (a list of records); `key` -> `cached` (a
//! memoized 1 MB list of records from the server-side cache); `nrec` ->
//! `sstore` (a ServerStore of that many records) and `unit` + `sstore` ->
//! `sunit`, `unit` + `bstore` (a dcc.Store) -> `bunit`: the unit change with
//! the dataset on the server or in the browser.
//!
//! `cargo run --release --example bench_app -- --workers 2`

use std::time::Duration;

use dash::prelude::*;
use dash::server_store::Shared;
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

/// The records of the store rows (the same formula as the benchmark's).
fn dataset(count: usize) -> Vec<Record> {
    (0..count as u64)
        .map(|i| Record {
            x: ((i * 7919) % 100_000) as f64 / 100.0 + 0.125,
            y: (i % 97) as f64,
            label: format!("row-{i:07}"),
        })
        .collect()
}

fn aggregate(rows: Option<&[Record]>) -> String {
    let rows = rows.unwrap_or_default();
    let sum: f64 = rows.iter().map(|r| r.x).sum();
    format!("count={} sum_x={sum}", rows.len())
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
        dcc::Input::new().id("nrec"),
        dcc::Input::new().id("unit"),
        ServerStore::new().id("sstore"),
        dcc::Store::new().id("bstore"),
        html::Div::new().id("sunit"),
        html::Div::new().id("bunit"),
    )));
    app.callback(
        Callback::new()
            .output(("sstore", "data"))
            .input(("nrec", "value")),
        |n: Option<usize>| dataset(n.unwrap_or(0)),
    );
    // The dataset on the server: decoded once per process and shared.
    app.callback(
        Callback::new()
            .output(("sunit", "children"))
            .input(("unit", "value"))
            .input(("sstore", "data")),
        |_unit: Option<String>, rows: Shared<Option<Vec<Record>>>| aggregate(rows.as_deref()),
    );
    // The dataset in the browser: parsed from every request.
    app.callback(
        Callback::new()
            .output(("bunit", "children"))
            .input(("unit", "value"))
            .input(("bstore", "data")),
        |_unit: Option<String>, rows: Option<Vec<Record>>| aggregate(rows.as_deref()),
    );
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
