//! Several real processes sharing one cache: worker processes on one port,
//! servers on different ports sharing Redis (two "hosts"), a computing
//! process killed mid-way, a worker killed under load, Redis stopped and
//! restarted. Runs the built `on_disk_share` example: `cargo build
//! --examples -p dash` first (scripts/test.sh does).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use dash::dash_cache_testing::RedisServer;
use serde_json::{json, Value};

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        dir.exists(),
        "{} is missing: build the examples first (cargo build --examples -p dash)",
        dir.display()
    );
    dir
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

struct Server {
    child: Child,
    port: u16,
}

impl Server {
    async fn start(name: &str, envs: &[(&str, String)], args: &[&str]) -> Server {
        let port = free_port();
        let mut cmd = Command::new(example(name));
        cmd.args(args)
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let child = cmd.spawn().unwrap();
        let server = Server { child, port };
        server.wait_ready().await;
        server
    }

    async fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = reqwest::get(self.url("/")).await {
                if r.status().is_success() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server on port {} did not start", self.port);
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Worker processes of a supervisor (Linux).
    fn children(&self) -> Vec<u32> {
        std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", self.pid()))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    fn terminate(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.pid().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(15);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.terminate();
        }
    }
}

fn kill9(pid: u32) {
    let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
}

fn signal_body(fruit: &str) -> Value {
    json!({"output": "signal.data", "outputs": {"id": "signal", "property": "data"},
           "inputs": [{"id": "dropdown", "property": "value", "value": fruit}],
           "changedPropIds": ["dropdown.value"], "parsedChangedPropsIds": ["dropdown.value"]})
}

fn graph_body(i: u32, fruit: &str) -> Value {
    json!({"output": format!("graph-{i}.figure"), "outputs": {"id": format!("graph-{i}"), "property": "figure"},
           "inputs": [{"id": "signal", "property": "data", "value": fruit}],
           "changedPropIds": ["signal.data"]})
}

async fn post(client: &reqwest::Client, server: &Server, body: &Value) -> (u16, Value) {
    let r = client
        .post(server.url("/_dash-update-component"))
        .json(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// `dash_cache_<name>_total{...,scope="all"}` from `_dash-metrics`.
async fn total(server: &Server, name: &str) -> u64 {
    let text = reqwest::get(server.url("/_dash-metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    text.lines()
        .find(|l| {
            l.starts_with(&format!("dash_cache_{name}_total{{")) && l.contains("scope=\"all\"")
        })
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no {name} total in:\n{text}"))
}

fn temp_sqlite(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("dash-mp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}", dir.join("cache.sqlite").display())
}

async fn burst(
    client: &reqwest::Client,
    servers: &[&Server],
    fruit: &str,
    n: usize,
) -> Vec<(u16, Value)> {
    let futures: Vec<_> = (0..n)
        .map(|i| {
            let client = client.clone();
            let body = signal_body(fruit);
            let url = servers[i % servers.len()].url("/_dash-update-component");
            async move {
                let r = client.post(url).json(&body).send().await.unwrap();
                (
                    r.status().as_u16(),
                    r.json::<Value>().await.unwrap_or(Value::Null),
                )
            }
        })
        .collect();
    futures_join_all(futures).await
}

async fn futures_join_all<
    F: std::future::Future<Output = T> + Send + 'static,
    T: Send + 'static,
>(
    fs: Vec<F>,
) -> Vec<T> {
    let handles: Vec<_> = fs.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_over_two_workers_computes_once_on_sqlite() {
    let server = Server::start(
        "on_disk_share",
        &[
            ("DASH_CACHE_URL", temp_sqlite("burst")),
            ("EXPENSIVE_MS", "1500".into()),
            ("DASH_METRICS", "1".into()),
        ],
        &["--workers", "2"],
    )
    .await;
    assert_eq!(server.children().len(), 2, "two worker processes");
    let client = reqwest::Client::new();
    let started = Instant::now();
    let answers = burst(&client, &[&server], "figs", 20).await;
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
        assert_eq!(body["response"]["signal"]["data"], "figs");
    }
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "one computation, not twenty"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(total(&server, "computations").await, 1);
    assert!(total(&server, "single_flight_waits").await >= 1);
    // The four graphs read the same value: one computation id.
    let mut ids = Vec::new();
    for i in 1..=4 {
        let (s, body) = post(&client, &server, &graph_body(i, "figs")).await;
        assert_eq!(s, 200);
        let title = body["response"][format!("graph-{i}")]["figure"]["layout"]["title"]["text"]
            .as_str()
            .unwrap()
            .to_owned();
        ids.push(
            title
                .rsplit("computation ")
                .next()
                .unwrap()
                .trim_end_matches(')')
                .to_owned(),
        );
    }
    assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hosts_sharing_redis_compute_once() {
    let redis = RedisServer::start();
    let envs = [
        ("DASH_CACHE_URL", redis.url()),
        ("EXPENSIVE_MS", "1500".into()),
        ("DASH_METRICS", "1".into()),
    ];
    let a = Server::start("on_disk_share", &envs, &[]).await;
    let b = Server::start("on_disk_share", &envs, &[]).await;
    let client = reqwest::Client::new();
    let answers = burst(&client, &[&a, &b], "oranges", 20).await;
    assert!(answers.iter().all(|(s, _)| *s == 200));
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(total(&a, "computations").await, 1);
    assert_eq!(total(&b, "computations").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_computing_process_leaves_the_work_to_a_waiter() {
    let url = temp_sqlite("killed");
    let envs = [
        ("DASH_CACHE_URL", url),
        ("EXPENSIVE_MS", "4000".into()),
        ("DASH_METRICS", "1".into()),
    ];
    let mut a = Server::start("on_disk_share", &envs, &[]).await;
    let b = Server::start("on_disk_share", &envs, &[]).await;
    let client = reqwest::Client::new();
    let first = {
        let client = client.clone();
        let url = a.url("/_dash-update-component");
        tokio::spawn(async move {
            client
                .post(url)
                .json(&signal_body("pineapples"))
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = {
        let client = client.clone();
        let url = b.url("/_dash-update-component");
        tokio::spawn(async move {
            client
                .post(url)
                .json(&signal_body("pineapples"))
                .send()
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    kill9(a.pid());
    let _ = a.child.wait();
    assert!(
        first.await.unwrap().is_err(),
        "the killed server's request fails"
    );
    let started = Instant::now();
    let r = second.await.unwrap().unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["response"]["signal"]["data"], "pineapples");
    assert!(started.elapsed() < Duration::from_secs(25));
    tokio::time::sleep(Duration::from_millis(1200)).await;
    // b computed it after the lease of a ran out.
    let text = reqwest::get(b.url("/_dash-metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("dash_cache_computations_total{backend=\"sqlite\",scope=\"process\"} 1"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_killed_under_load_is_restarted_and_others_keep_answering() {
    let server = Server::start(
        "on_disk_share",
        &[
            ("DASH_CACHE_URL", temp_sqlite("kill9")),
            ("EXPENSIVE_MS", "10".into()),
        ],
        &["--workers", "2"],
    )
    .await;
    let before = server.children();
    assert_eq!(before.len(), 2);
    let client = reqwest::Client::new();
    let load = {
        let client = client.clone();
        let url = server.url("/_dash-update-component");
        tokio::spawn(async move {
            let (mut ok, mut failed) = (0u32, 0u32);
            let end = Instant::now() + Duration::from_secs(4);
            while Instant::now() < end {
                match client
                    .post(&url)
                    .json(&graph_body(1, "apples"))
                    .send()
                    .await
                {
                    Ok(r) if r.status() == 200 => ok += 1,
                    _ => failed += 1,
                }
            }
            (ok, failed)
        })
    };
    tokio::time::sleep(Duration::from_millis(1000)).await;
    kill9(before[0]);
    let (ok, failed) = load.await.unwrap();
    assert!(ok > 50, "{ok} answers during the test");
    assert!(
        failed <= 5,
        "{failed} failed requests: at most those in flight on the killed worker"
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let now = server.children();
        if now.len() == 2 && !now.contains(&before[0]) {
            break;
        }
        assert!(Instant::now() < deadline, "worker not restarted: {now:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (s, _) = post(&client, &server, &graph_body(2, "apples")).await;
    assert_eq!(s, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_stopped_while_running_then_back() {
    let mut redis = RedisServer::start();
    let port = redis.port();
    let server = Server::start(
        "on_disk_share",
        &[
            ("DASH_CACHE_URL", redis.url()),
            ("EXPENSIVE_MS", "10".into()),
            ("DASH_METRICS", "1".into()),
        ],
        &[],
    )
    .await;
    let client = reqwest::Client::new();
    let (s, _) = post(&client, &server, &graph_body(1, "apples")).await;
    assert_eq!(s, 200);
    redis.stop();
    // Callbacks compute without the cache; the server stays up.
    for i in 1..=4 {
        let (s, body) = post(&client, &server, &graph_body(i, "apples")).await;
        assert_eq!(s, 200, "{body}");
    }
    let text = reqwest::get(server.url("/_dash-metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !text.contains("errors_total{backend=\"redis\",scope=\"process\"} 0"),
        "{text}"
    );
    let restarted = RedisServer::start_on(port);
    restarted.wait_ready();
    let ids = {
        let mut ids = Vec::new();
        for _ in 0..2 {
            let (s, body) = post(&client, &server, &graph_body(1, "oranges")).await;
            assert_eq!(s, 200);
            ids.push(
                body["response"]["graph-1"]["figure"]["layout"]["title"]["text"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
        ids
    };
    assert_eq!(ids[0], ids[1], "cached again once Redis is back");
}
