//! ServerStore across processes and hosts: the built `server_store_share`
//! example (`cargo build --examples -p plotly-dash` first) with two workers on one
//! SQLite file, and two servers (two "hosts") sharing a real redis-server. A
//! reference written through one process is resolved by every other; with
//! another session's cookie it is refused everywhere.

mod support;
use support::*;

use dash::dash_cache_testing::RedisServer;
use serde_json::{json, Value};

async fn post(
    client: &reqwest::Client,
    url: &str,
    body: &Value,
    cookie: Option<&str>,
) -> (u16, Option<String>, Value) {
    let mut req = client.post(url).json(body);
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let cookie = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(str::to_owned);
    (status, cookie, r.json().await.unwrap_or(Value::Null))
}

fn expensive(fruit: &str) -> Value {
    json!({
        "output": "intermediate-value.data",
        "outputs": {"id": "intermediate-value", "property": "data"},
        "inputs": [{"id": "dropdown", "property": "value", "value": fruit}],
        "changedPropIds": ["dropdown.value"],
    })
}

fn unit_change(reference: &Value, unit: &str) -> Value {
    json!({
        "output": "..summary.children...graph.figure...table.children..",
        "outputs": [{"id": "summary", "property": "children"}, {"id": "graph", "property": "figure"},
                    {"id": "table", "property": "children"}],
        "inputs": [{"id": "intermediate-value", "property": "data", "value": reference},
                   {"id": "unit", "property": "value", "value": unit}],
        "changedPropIds": ["unit.value"],
    })
}

/// Writes through `writer`, then reads 12 times through `readers` in turn.
async fn resolved_everywhere(writer: &Server, readers: &[&Server]) {
    // No pooled connections: each request may reach either worker.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let url = |s: &Server| s.url("/_dash-update-component");
    let (status, cookie, answer) = post(&client, &url(writer), &expensive("figs"), None).await;
    assert_eq!(status, 200, "{answer}");
    let cookie = cookie.expect("a new session");
    let reference = answer["response"]["intermediate-value"]["data"].clone();
    let body = unit_change(&reference, "fahrenheit");
    assert!(serde_json::to_vec(&body).unwrap().len() < 1024);
    let mut summaries = Vec::new();
    for i in 0..12 {
        let s = readers[i % readers.len()];
        let (status, _, answer) = post(&client, &url(s), &body, Some(&cookie)).await;
        assert_eq!(status, 200, "read {i}: {answer}");
        summaries.push(
            answer["response"]["summary"]["children"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    assert!(
        summaries[0].starts_with("figs: 2000 readings, mean ") && summaries[0].contains("°F"),
        "{}",
        summaries[0]
    );
    assert!(summaries.windows(2).all(|w| w[0] == w[1]), "{summaries:?}");
    // Another session, on every process: 403.
    let (_, other, _) = post(&client, &url(writer), &expensive("apples"), None).await;
    for s in readers {
        let (status, _, answer) = post(&client, &url(s), &body, other.as_deref()).await;
        assert_eq!(status, 403, "{answer}");
        assert_eq!(answer["store"], "intermediate-value");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_workers_on_sqlite_resolve_each_others_references() {
    let dir = std::env::temp_dir().join(format!("dash-sstore-workers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let envs = [
        (
            "DASH_CACHE_URL",
            format!("sqlite://{}", dir.join("cache.sqlite").display()),
        ),
        ("EXPENSIVE_MS", "10".into()),
        ("READINGS", "2000".into()),
    ];
    let server = Server::start("server_store_share", &envs, &["--workers", "2"]).await;
    assert_eq!(server.children().len(), 2, "two workers");
    resolved_everywhere(&server, &[&server]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_sharing_redis_resolve_each_others_references() {
    let redis = RedisServer::start();
    let envs = [
        ("DASH_CACHE_URL", redis.url()),
        ("EXPENSIVE_MS", "10".into()),
        ("READINGS", "2000".into()),
    ];
    let a = Server::start("server_store_share", &envs, &[]).await;
    let b = Server::start("server_store_share", &envs, &[]).await;
    resolved_everywhere(&a, &[&b, &a]).await;
    resolved_everywhere(&b, &[&a]).await;
}
