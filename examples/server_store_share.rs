//! The browser_session_share app with its dataset on the server
//! (`ServerStore`): the one word `dcc::Store` became `ServerStore`.
//!
//! The expensive step (`EXPENSIVE_MS`, default 3000 ms) builds `READINGS`
//! (default 100,000) temperature readings once per fruit; the value stays in
//! the cache backend (`DASH_CACHE_URL`, SQLite by default) and the browser's
//! store holds only a signed reference, bound to its session. The cheap
//! follow-on (unit conversion) receives the typed dataset, loaded on the
//! server, so a unit change sends a few hundred bytes, not the dataset. Any
//! worker (`DASH_WORKERS`) or host sharing the backend answers any request;
//! each browser's data is only its own.
//!
//! `cargo run --release --example server_store_share`, then open
//! http://127.0.0.1:8050/.

use std::time::Duration;

use dash::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// What the expensive step leaves on the server.
#[derive(Debug, Serialize, Deserialize)]
struct Dataset {
    fruit: String,
    computation_id: String,
    /// Temperatures in degrees Celsius.
    readings: Vec<f64>,
}

const FRUITS: [&str; 4] = ["apples", "oranges", "figs", "pineapples"];
/// Readings shown in the graph.
const GRAPHED: usize = 1000;

fn readings() -> usize {
    std::env::var("READINGS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000)
}

fn expensive_ms() -> u64 {
    std::env::var("EXPENSIVE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000)
}

/// A deterministic pseudo-random sequence seeded by the fruit's name.
fn readings_for(fruit: &str, count: usize) -> Vec<f64> {
    let mut state = fruit.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let mut next = move || {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let base = 5.0 + 20.0 * next();
    (0..count)
        .map(|i| {
            let season = 8.0 * (i as f64 / count as f64 * std::f64::consts::TAU).sin();
            ((base + season + 4.0 * (next() - 0.5)) * 100.0).round() / 100.0
        })
        .collect()
}

fn expensive(fruit: String) -> Dataset {
    std::thread::sleep(Duration::from_millis(expensive_ms()));
    Dataset {
        readings: readings_for(&fruit, readings()),
        computation_id: uuid::Uuid::new_v4().to_string(),
        fruit,
    }
}

fn convert(celsius: f64, unit: &str) -> f64 {
    if unit == "fahrenheit" {
        celsius * 9.0 / 5.0 + 32.0
    } else {
        celsius
    }
}

fn symbol(unit: &str) -> &'static str {
    if unit == "fahrenheit" {
        "°F"
    } else {
        "°C"
    }
}

fn table(values: &[f64], unit: &str) -> Vec<html::Tr> {
    let mut rows = vec![html::Tr::new().children((
        html::Th::new().children("#"),
        html::Th::new().children(format!("temperature ({})", symbol(unit))),
    ))];
    rows.extend(values.iter().take(5).enumerate().map(|(i, v)| {
        html::Tr::new().children((
            html::Td::new().children(i + 1),
            html::Td::new().children(format!("{v:.2}")),
        ))
    }));
    rows
}

fn follow_on(
    data: Option<Dataset>,
    unit: Option<String>,
) -> Result<(String, Value, Vec<html::Tr>), CallbackError> {
    let data = data.ok_or(PreventUpdate)?;
    let unit = unit.unwrap_or_else(|| "celsius".into());
    let values: Vec<f64> = data.readings.iter().map(|c| convert(*c, &unit)).collect();
    let mean = values.iter().sum::<f64>() / values.len().max(1) as f64;
    let summary = format!(
        "{}: {} readings, mean {:.1} {}, computation {}",
        data.fruit,
        values.len(),
        mean,
        symbol(&unit),
        data.computation_id
    );
    let figure = json!({
        "data": [{"type": "scatter", "mode": "lines", "y": &values[..values.len().min(GRAPHED)], "name": data.fruit}],
        "layout": {"title": {"text": format!("{} ({})", data.fruit, unit)},
                   "yaxis": {"title": {"text": symbol(&unit)}}, "margin": {"t": 50}}
    });
    Ok((summary, figure, table(&values, &unit)))
}

fn main() -> Result<(), dash::Error> {
    let mut app = Dash::new().title("Sharing data on the server");
    app.layout(
        html::Div::new().children((
            html::H2::new().children("Sharing data between callbacks on the server"),
            dcc::Dropdown::new()
                .id("dropdown")
                .options(FRUITS)
                .value("apples")
                .clearable(false),
            dcc::RadioItems::new()
                .id("unit")
                .options(["celsius", "fahrenheit"])
                .value("celsius")
                .inline(true),
            ServerStore::new()
                .id("intermediate-value")
                .storage_type("memory"),
            html::Div::new().id("summary"),
            dcc::Graph::new().id("graph"),
            html::Table::new().id("table"),
        )),
    );
    app.callback(
        Callback::new()
            .output(("intermediate-value", "data"))
            .input(("dropdown", "value")),
        |fruit: Option<String>| -> Result<Dataset, CallbackError> {
            Ok(expensive(fruit.ok_or(PreventUpdate)?))
        },
    );
    app.callback(
        Callback::new()
            .output(("summary", "children"))
            .output(("graph", "figure"))
            .output(("table", "children"))
            .input(("intermediate-value", "data"))
            .input(("unit", "value")),
        follow_on,
    );
    app.run()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readings_are_deterministic_per_fruit() {
        assert_eq!(readings_for("figs", 500), readings_for("figs", 500));
        assert_ne!(readings_for("figs", 500), readings_for("apples", 500));
        assert_eq!(readings_for("apples", 1234).len(), 1234);
    }
}
