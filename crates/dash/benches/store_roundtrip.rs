//! Big dcc.Store values through a callback: decode, encode and whole round
//! trip at 100 KB, 1 MB and 10 MB. Prints a table.
//!
//! `cargo bench -p plotly-dash --bench store_roundtrip` (set `BENCH_SMOKE=1` for a
//! quick run).

use std::hint::black_box;
use std::time::{Duration, Instant};

use dash::prelude::*;
use dash_protocol::request::CallbackRequest;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Record {
    x: f64,
    y: f64,
    label: String,
}

fn records(bytes: usize) -> Vec<Record> {
    (0..bytes / 44)
        .map(|i| Record {
            x: i as f64 * 0.5,
            y: (i % 97) as f64,
            label: format!("item-{i:07}"),
        })
        .collect()
}

fn app() -> Dash {
    let mut app = Dash::new();
    app.layout(Component::new("dash_html_components", "Div").with_prop("id", "root"));
    app.callback(
        Callback::new()
            .output(("agg", "children"))
            .input(("n", "value"))
            .state(("store", "data")),
        |_n: Option<String>, rows: Vec<Record>| {
            let sum: f64 = rows.iter().map(|r| r.x).sum();
            format!("count={} sum_x={sum}", rows.len())
        },
    );
    app.callback(
        Callback::new()
            .output(("copy", "data"))
            .input(("store", "data")),
        |rows: Vec<Record>| rows,
    );
    app
}

/// Runs `f` repeatedly for about `budget`, returns the median seconds per run.
fn time(budget: Duration, mut f: impl FnMut()) -> f64 {
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 3 || (start.elapsed() < budget && samples.len() < 200) {
        let t = Instant::now();
        f();
        samples.push(t.elapsed().as_secs_f64());
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; under `cargo test` run a short smoke pass.
    let smoke =
        std::env::var_os("BENCH_SMOKE").is_some() || !std::env::args().any(|a| a == "--bench");
    let budget = Duration::from_millis(if smoke { 50 } else { 3000 });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let base = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let router = app().into_router().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        format!("http://{addr}")
    });
    let client = reqwest::Client::builder()
        .no_gzip()
        .no_brotli()
        .build()
        .unwrap();

    println!("store size | payload | decode typed | decode Value | encode | round trip in->summary | round trip store->store (br)");
    println!("---|---|---|---|---|---|---");
    for size in [100_000usize, 1_000_000, 10_000_000] {
        let rows = records(size);
        let body = serde_json::to_vec(&json!({
            "output": "agg.children", "outputs": {"id": "agg", "property": "children"},
            "inputs": [{"id": "n", "property": "value", "value": "1"}],
            "state": [{"id": "store", "property": "data", "value": rows}],
            "changedPropIds": ["n.value"]}))
        .unwrap();
        let copy_body = serde_json::to_vec(&json!({
            "output": "copy.data", "outputs": {"id": "copy", "property": "data"},
            "inputs": [{"id": "store", "property": "data", "value": rows}],
            "changedPropIds": ["store.data"]}))
        .unwrap();

        let decode = time(budget, || {
            let req = CallbackRequest::parse(&body).unwrap();
            let raw = req.state[0].entries()[0].value.unwrap();
            let rows: Vec<Record> = serde_json::from_str(raw.get()).unwrap();
            black_box(rows);
        });
        let decode_value = time(budget, || {
            let v: Value = serde_json::from_slice(&body).unwrap();
            black_box(v);
        });
        let encode = time(budget, || {
            black_box(serde_json::to_string(&rows).unwrap());
        });
        let round_trip = time(budget, || {
            runtime.block_on(async {
                let r = client
                    .post(format!("{base}/_dash-update-component"))
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                black_box(r.bytes().await.unwrap());
            })
        });
        let mut compressed = 0;
        let store_trip = time(budget, || {
            runtime.block_on(async {
                let r = client
                    .post(format!("{base}/_dash-update-component"))
                    .header("content-type", "application/json")
                    .header("accept-encoding", "br")
                    .body(copy_body.clone())
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                compressed = r.bytes().await.unwrap().len();
            })
        });
        let mb = body.len() as f64 / 1e6;
        println!(
            "{} | {:.2} MB | {:.2} ms ({:.0} MB/s) | {:.2} ms | {:.2} ms | {:.2} ms | {:.2} ms ({:.2} MB answer)",
            human(size),
            mb,
            decode * 1e3,
            mb / decode,
            decode_value * 1e3,
            encode * 1e3,
            round_trip * 1e3,
            store_trip * 1e3,
            compressed as f64 / 1e6
        );
    }
}

fn human(n: usize) -> String {
    if n >= 1_000_000 {
        format!("{} MB", n / 1_000_000)
    } else {
        format!("{} KB", n / 1000)
    }
}
