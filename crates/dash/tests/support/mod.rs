//! What the process-level tests share: the built examples run as real
//! server processes, requests to them, their metrics.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub mod launch;

pub fn example(name: &str) -> PathBuf {
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
        "{} is missing: build the examples first (cargo build --examples -p plotly-dash)",
        dir.display()
    );
    dir
}

/// Serves `router` on a free port with the peer as
/// `ConnectInfo<SocketAddr>`, as `Dash::run` does; the base URL.
pub async fn serve_with_peer(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, service).await.unwrap();
    });
    format!("http://{addr}")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

pub struct Server {
    pub child: Child,
    pub port: u16,
}

impl Server {
    pub async fn start(name: &str, envs: &[(&str, String)], args: &[&str]) -> Server {
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

    pub async fn wait_ready(&self) {
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

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Worker processes of a supervisor (Linux).
    pub fn children(&self) -> Vec<u32> {
        std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", self.pid()))
            .unwrap_or_default()
            .split_whitespace()
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    pub fn terminate(&mut self) {
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

pub fn kill9(pid: u32) {
    let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
}

pub fn signal_body(fruit: &str) -> Value {
    json!({"output": "signal.data", "outputs": {"id": "signal", "property": "data"},
           "inputs": [{"id": "dropdown", "property": "value", "value": fruit}],
           "changedPropIds": ["dropdown.value"], "parsedChangedPropsIds": ["dropdown.value"]})
}

pub fn graph_body(i: u32, fruit: &str) -> Value {
    json!({"output": format!("graph-{i}.figure"), "outputs": {"id": format!("graph-{i}"), "property": "figure"},
           "inputs": [{"id": "signal", "property": "data", "value": fruit}],
           "changedPropIds": ["signal.data"]})
}

pub async fn post(client: &reqwest::Client, server: &Server, body: &Value) -> (u16, Value) {
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
pub async fn total(server: &Server, name: &str) -> u64 {
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

pub fn temp_sqlite(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("dash-mp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}", dir.join("cache.sqlite").display())
}

pub async fn burst(
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

pub async fn futures_join_all<
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

/// Runs a built example that is expected to stop by itself (a start that
/// fails); returns its exit status (None if it still ran after `within`, in
/// which case it is killed) and what it wrote to stderr.
pub fn run_to_exit(
    name: &str,
    envs: &[(&str, String)],
    args: &[&str],
    within: Duration,
) -> (Option<std::process::ExitStatus>, String) {
    let mut cmd = Command::new(example(name));
    cmd.args(args)
        .env("PORT", free_port().to_string())
        .env("HOST", "127.0.0.1")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        text
    });
    let deadline = Instant::now() + within;
    let status = loop {
        if let Ok(Some(s)) = child.try_wait() {
            break Some(s);
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status, reader.join().unwrap_or_default())
}

/// `PRAGMA integrity_check` of a cache URL's SQLite file: "ok" when sound.
pub fn sqlite_integrity(url: &str) -> String {
    let path = url.strip_prefix("sqlite://").expect("a sqlite:// URL");
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
        .unwrap()
}

/// `_dash-health`: status and JSON body.
pub async fn health(server: &Server) -> (u16, Value) {
    let r = reqwest::get(server.url("/_dash-health")).await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

/// Polls `_dash-health` until it answers `want` (at most 30 s).
pub async fn wait_health(server: &Server, want: u16) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = health(server).await;
        if status == want {
            return body;
        }
        assert!(Instant::now() < deadline, "health stayed {status}: {body}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
