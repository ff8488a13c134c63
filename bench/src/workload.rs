//! The rows of the benchmark: what each sends and what a right answer is.

use std::sync::Arc;

use serde::Serialize;

/// The server-side cache a row needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheKind {
    /// Ours: SQLite (the default); Python: Flask-Caching's filesystem cache.
    Disk,
    /// Both: Redis.
    Redis,
    /// Server-side stores. Ours: `ServerStore` on SQLite; Python: the
    /// dash-extensions twin (`Serverside` output, its file-system backend).
    Serverside,
}

/// What a row requests.
#[derive(Debug, Clone)]
pub enum Target {
    /// `GET path`.
    Get(&'static str),
    /// `GET` the renderer's main bundle, at the address the page links.
    RendererBundle,
    /// `POST /_dash-update-component` with this body.
    Update {
        /// The JSON body.
        body: Arc<Vec<u8>>,
        /// The check of the answer.
        expect: Expect,
    },
    /// `POST setup` first (a new session writes a server-side store), then
    /// load `POST template` with the store's data from the setup answer put
    /// in as Input 1, and the setup answer's session cookie.
    Chained {
        /// The request that writes the store.
        setup: Arc<Vec<u8>>,
        /// The store's id in the setup answer.
        store: &'static str,
        /// The loaded request, without the store's data.
        template: Arc<serde_json::Value>,
        /// The check of the answer.
        expect: Expect,
    },
}

/// What a right callback answer holds.
#[derive(Debug, Clone)]
pub enum Expect {
    /// `response[id].children` equals each text.
    Texts(Vec<(&'static str, String)>),
    /// `response.<id>.children` is `count=<n> sum_x=<sum>`.
    Aggregate {
        /// The output's id.
        id: &'static str,
        /// Number of records.
        count: usize,
        /// Their sum of `x`.
        sum_x: f64,
    },
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Row {
    /// Its name in the table.
    pub name: String,
    /// The request.
    pub target: Target,
    /// Concurrent connections.
    pub connections: usize,
    /// The bare server runs it too.
    pub with_bare: bool,
    /// The cache backend pair it needs (servers are started with it).
    pub cache: CacheKind,
    /// Size of the store payload, for memory per request.
    pub payload_bytes: Option<usize>,
}

/// A record of the `store` (same shape in both twins).
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    x: f64,
    y: f64,
    label: String,
}

fn single_output(output_id: &str, inputs: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "output": format!("{output_id}.children"),
        "outputs": {"id": output_id, "property": "children"},
        "inputs": inputs,
        "changedPropIds": [],
        "parsedChangedPropsIds": [],
    })
}

fn echo_body() -> Vec<u8> {
    let mut b = single_output(
        "out",
        serde_json::json!([{"id": "in", "property": "value", "value": "hello"}]),
    );
    b["changedPropIds"] = serde_json::json!(["in.value"]);
    b["parsedChangedPropsIds"] = serde_json::json!(["in.value"]);
    serde_json::to_vec(&b).expect("json")
}

fn multi_body() -> Vec<u8> {
    let outputs: Vec<_> = (1..=4)
        .map(|i| serde_json::json!({"id": format!("m{i}"), "property": "children"}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "output": "..m1.children...m2.children...m3.children...m4.children..",
        "outputs": outputs,
        "inputs": [{"id": "in", "property": "value", "value": "hello"}],
        "changedPropIds": ["in.value"],
        "parsedChangedPropsIds": ["in.value"],
    }))
    .expect("json")
}

/// Records whose JSON is about `bytes` long, and the sum of their `x`.
pub fn records(bytes: usize) -> (Vec<Record>, f64) {
    let mut rows = Vec::new();
    let mut size = 2;
    let mut sum = 0.0;
    let mut i: u64 = 0;
    while size < bytes {
        let r = Record {
            x: ((i * 7919) % 100_000) as f64 / 100.0 + 0.125,
            y: (i % 97) as f64,
            label: format!("row-{i:07}"),
        };
        size += serde_json::to_string(&r).expect("json").len() + 1;
        sum += r.x;
        rows.push(r);
        i += 1;
    }
    (rows, sum)
}

fn store_body(rows: &[Record]) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "output": "agg.children",
        "outputs": {"id": "agg", "property": "children"},
        "inputs": [{"id": "n", "property": "value", "value": "1"}],
        "changedPropIds": ["n.value"],
        "parsedChangedPropsIds": ["n.value"],
        "state": [{"id": "store", "property": "data", "value": rows}],
    }))
    .expect("json")
}

/// The unit change: Inputs `unit.value` and `<store>.data` -> `<out>.children`.
fn unit_change(store: &str, out: &str, data: serde_json::Value) -> serde_json::Value {
    serde_json::json!({
        "output": format!("{out}.children"),
        "outputs": {"id": out, "property": "children"},
        "inputs": [{"id": "unit", "property": "value", "value": "fahrenheit"},
                   {"id": store, "property": "data", "value": data}],
        "changedPropIds": ["unit.value"],
        "parsedChangedPropsIds": ["unit.value"],
    })
}

/// The expensive step of the server-side rows: `nrec.value` -> `sstore.data`.
fn write_server_store(count: usize) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "output": "sstore.data",
        "outputs": {"id": "sstore", "property": "data"},
        "inputs": [{"id": "nrec", "property": "value", "value": count}],
        "changedPropIds": ["nrec.value"],
        "parsedChangedPropsIds": ["nrec.value"],
    }))
    .expect("json")
}

fn cached_body() -> Vec<u8> {
    let mut b = single_output(
        "cached",
        serde_json::json!([{"id": "key", "property": "value", "value": "k"}]),
    );
    b["changedPropIds"] = serde_json::json!(["key.value"]);
    b["parsedChangedPropsIds"] = serde_json::json!(["key.value"]);
    serde_json::to_vec(&b).expect("json")
}

/// Every row, in table order.
pub fn rows() -> Vec<Row> {
    let plain = |name: &str, target: Target| Row {
        name: name.to_owned(),
        target,
        connections: 32,
        with_bare: false,
        cache: CacheKind::Disk,
        payload_bytes: None,
    };
    let mut out = vec![
        plain("GET /", Target::Get("/")),
        plain("GET /_dash-layout", Target::Get("/_dash-layout")),
        plain(
            "GET /_dash-dependencies",
            Target::Get("/_dash-dependencies"),
        ),
        plain("GET renderer bundle", Target::RendererBundle),
    ];
    out.push(Row {
        with_bare: true,
        ..plain(
            "echo callback",
            Target::Update {
                body: Arc::new(echo_body()),
                expect: Expect::Texts(vec![("out", "hello".into())]),
            },
        )
    });
    out.push(Row {
        with_bare: true,
        ..plain(
            "4-output callback",
            Target::Update {
                body: Arc::new(multi_body()),
                expect: Expect::Texts(
                    (1..=4)
                        .map(|i| (["m1", "m2", "m3", "m4"][i - 1], format!("{i}:hello")))
                        .collect(),
                ),
            },
        )
    });
    for (label, bytes, connections) in [
        ("100 KB", 100_000, 32),
        ("1 MB", 1_000_000, 16),
        ("10 MB", 10_000_000, 8),
    ] {
        let (records, sum_x) = records(bytes);
        let body = store_body(&records);
        out.push(Row {
            name: format!("store {label} -> typed records"),
            connections,
            with_bare: true,
            payload_bytes: Some(body.len()),
            ..plain(
                "",
                Target::Update {
                    body: Arc::new(body),
                    expect: Expect::Aggregate {
                        id: "agg",
                        count: records.len(),
                        sum_x,
                    },
                },
            )
        });
    }
    for (label, bytes, connections) in [("1 MB", 1_000_000, 16), ("10 MB", 10_000_000, 8)] {
        let (records, sum_x) = records(bytes);
        let browser = unit_change(
            "bstore",
            "bunit",
            serde_json::to_value(&records).expect("json"),
        );
        let body = serde_json::to_vec(&browser).expect("json");
        out.push(Row {
            name: format!("unit change {label}: dataset in a dcc.Store"),
            connections,
            payload_bytes: Some(body.len()),
            ..plain(
                "",
                Target::Update {
                    body: Arc::new(body),
                    expect: Expect::Aggregate {
                        id: "bunit",
                        count: records.len(),
                        sum_x,
                    },
                },
            )
        });
        out.push(Row {
            name: format!("unit change {label}: ServerStore vs dash-extensions Serverside"),
            connections,
            cache: CacheKind::Serverside,
            ..plain(
                "",
                Target::Chained {
                    setup: Arc::new(write_server_store(records.len())),
                    store: "sstore",
                    template: Arc::new(unit_change("sstore", "sunit", serde_json::Value::Null)),
                    expect: Expect::Aggregate {
                        id: "sunit",
                        count: records.len(),
                        sum_x,
                    },
                },
            )
        });
    }
    let cached = Target::Update {
        body: Arc::new(cached_body()),
        expect: Expect::Texts(vec![("cached", "k: 23000 records, first k-000000".into())]),
    };
    out.push(Row {
        connections: 16,
        ..plain("cache hit 1 MB: SQLite vs filesystem", cached.clone())
    });
    out.push(Row {
        connections: 16,
        cache: CacheKind::Redis,
        ..plain("cache hit 1 MB: Redis vs Redis", cached)
    });
    out
}

/// The loaded request of a chained row: the template with the store's data
/// from the setup answer.
pub fn chained_body(template: &serde_json::Value, data: serde_json::Value) -> Vec<u8> {
    let mut body = template.clone();
    body["inputs"][1]["value"] = data;
    serde_json::to_vec(&body).expect("json")
}

/// Checks a callback answer; `Err` says what is wrong.
pub fn check(expect: &Expect, body: &[u8]) -> Result<(), String> {
    let v: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| format!("answer is not JSON ({e}): {}", preview(body)))?;
    let text = |id: &str| -> Result<String, String> {
        v.pointer(&format!("/response/{id}/children"))
            .and_then(|c| c.as_str())
            .map(str::to_owned)
            .ok_or_else(|| format!("no response.{id}.children in {}", preview(body)))
    };
    match expect {
        Expect::Texts(texts) => {
            for (id, want) in texts {
                let got = text(id)?;
                if &got != want {
                    return Err(format!("{id}: expected {want:?}, got {got:?}"));
                }
            }
            Ok(())
        }
        Expect::Aggregate { id, count, sum_x } => {
            let got = text(id)?;
            let parsed = got
                .strip_prefix("count=")
                .and_then(|r| r.split_once(" sum_x="))
                .and_then(|(c, s)| Some((c.parse::<usize>().ok()?, s.parse::<f64>().ok()?)));
            match parsed {
                Some((c, s)) if c == *count && (s - sum_x).abs() <= 1e-6 * sum_x.abs() => Ok(()),
                _ => Err(format!("expected count={count} sum_x={sum_x}, got {got:?}")),
            }
        }
    }
}

fn preview(body: &[u8]) -> String {
    let s = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
    format!("{s:?}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_sizes_and_checks() {
        let rows = rows();
        let sizes: Vec<usize> = rows
            .iter()
            .filter(|r| r.name.starts_with("store "))
            .filter_map(|r| r.payload_bytes)
            .collect();
        assert_eq!(sizes.len(), 3);
        for (size, want) in sizes.iter().zip([100_000, 1_000_000, 10_000_000]) {
            assert!(
                *size >= want && *size < want + want / 20,
                "{size} vs {want}"
            );
        }
        let ok = br#"{"multi":true,"response":{"agg":{"children":"count=3 sum_x=1.5"}}}"#;
        let expect = Expect::Aggregate {
            id: "agg",
            count: 3,
            sum_x: 1.5,
        };
        assert!(check(&expect, ok).is_ok());
        let wrong = br#"{"multi":true,"response":{"agg":{"children":"count=2 sum_x=1.5"}}}"#;
        assert!(check(&expect, wrong).is_err());
        assert!(check(&expect, b"<html>").is_err());
        let texts = Expect::Texts(vec![("out", "hello".into())]);
        assert!(check(&texts, br#"{"response":{"out":{"children":"hello"}}}"#).is_ok());
        assert!(check(&texts, br#"{"response":{"out":{"children":"hell"}}}"#).is_err());
    }
}
