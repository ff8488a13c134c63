//! Cache-hit latency and throughput of each backend, through `memoize`.
//!
//! `cargo bench -p plotly-dash-cache --bench cache_hits` (starts its own
//! redis-server; `BENCH_SMOKE=1` for a quick run). Prints a table.

use std::time::{Duration, Instant};

use dash_cache::testing::RedisServer;
use dash_cache::{open_backend, Cache, FlightSettings, Limits};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone)]
struct Record {
    x: f64,
    y: f64,
    label: String,
}

fn value(bytes: usize) -> Vec<Record> {
    (0..bytes / 44)
        .map(|i| Record {
            x: i as f64,
            y: (i % 13) as f64,
            label: format!("item-{i:07}"),
        })
        .collect()
}

fn measure(cache: &Cache, size: usize, budget: Duration) -> (f64, f64, f64) {
    let v = value(size);
    let _: Vec<Record> = cache.memoize("bench", &size, None, || v.clone()).unwrap();
    let mut samples = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || samples.len() < 5 {
        let t = Instant::now();
        let got: Vec<Record> = cache
            .memoize("bench", &size, None, || unreachable!("a hit"))
            .unwrap();
        samples.push(t.elapsed().as_secs_f64());
        assert_eq!(got.len(), v.len());
    }
    let total: f64 = samples.iter().sum();
    samples.sort_by(|a, b| a.total_cmp(b));
    let p = |q: f64| samples[((samples.len() as f64 - 1.0) * q) as usize] * 1e6;
    (p(0.5), p(0.99), samples.len() as f64 / total)
}

fn main() {
    let smoke =
        std::env::var_os("BENCH_SMOKE").is_some() || !std::env::args().any(|a| a == "--bench");
    let budget = Duration::from_millis(if smoke { 50 } else { 3000 });
    let redis = RedisServer::start();
    let dir = std::env::temp_dir().join(format!("dash-cache-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sqlite = format!("sqlite://{}", dir.join("cache.sqlite").display());
    println!("backend | value | hit p50 | hit p99 | hits/s (one thread)");
    println!("---|---|---|---|---");
    for (name, url) in [
        ("sqlite", sqlite.as_str()),
        ("redis", redis.url().as_str()),
        ("memory", "memory://"),
    ] {
        let cache = Cache::new(
            open_backend(url, Limits::default()).unwrap(),
            FlightSettings::default(),
        );
        for size in [1_000usize, 1_000_000] {
            let (p50, p99, rate) = measure(&cache, size, budget);
            let label = if size >= 1_000_000 { "1 MB" } else { "1 KB" };
            println!("{name} | {label} | {p50:.0} µs | {p99:.0} µs | {rate:.0}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
