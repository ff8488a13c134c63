//! The built `session_cache` example as real processes: the stored secret
//! shared by two workers and by two servers on one SQLite file, kept across
//! a restart; and no log line with a secret or a session id.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let path = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    assert!(
        path.exists(),
        "{} is missing: build the examples first (cargo build --examples -p plotly-dash)",
        path.display()
    );
    path
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
    async fn start(envs: &[(&str, String)], args: &[&str], log: Option<&PathBuf>) -> Server {
        let port = free_port();
        let mut cmd = Command::new(example("session_cache"));
        cmd.args(args)
            .env("PORT", port.to_string())
            .env("HOST", "127.0.0.1")
            .env("RUST_LOG", "warn")
            .env("EXPENSIVE_MS", "20")
            .env_remove("DASH_SECRET_KEY")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        if let Some(path) = log {
            // tracing's fmt layer writes to stdout.
            let file = std::fs::File::create(path).unwrap();
            cmd.stdout(file.try_clone().unwrap()).stderr(file);
        }
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let server = Server {
            child: cmd.spawn().unwrap(),
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if let Ok(r) = reqwest::get(server.url("/_dash-dependencies")).await {
                if r.status().is_success() {
                    return server;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("server on port {port} did not start");
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn workers(&self) -> usize {
        let pid = self.child.id();
        std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
            .unwrap_or_default()
            .split_whitespace()
            .count()
    }

    fn stop(&mut self) {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(self.child.id().to_string())
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
            self.stop();
        }
    }
}

/// A client that opens a new connection for every request, so requests
/// to a port with several workers spread over them.
fn fresh_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| cookie::Cookie::parse(v.to_str().ok()?.to_owned()).ok())
        .find(|c| c.name() == "dash_session")
        .map(|c| c.value().to_owned())
}

/// A page load: the new cookie and the handle the layout gave the page.
async fn open_page(server: &Server) -> (String, String) {
    let c = fresh_client();
    let r = c.get(server.url("/")).send().await.unwrap();
    let cookie = session_cookie(&r).expect("the page starts a session");
    let layout: Value = c
        .get(server.url("/_dash-layout"))
        .header("cookie", format!("dash_session={cookie}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let handle = layout["props"]["children"][1]["props"]["data"]
        .as_str()
        .expect("the session-id store holds the handle")
        .to_owned();
    (cookie, handle)
}

/// Clicks `n` of `output-1`: the answer's text, and whether the server
/// set a new cookie (it refused ours).
async fn click(server: &Server, cookie: &str, handle: &str, n: u32) -> (u16, String, bool) {
    let body = json!({"output": "output-1.children", "outputs": {"id": "output-1", "property": "children"},
        "inputs": [{"id": "get-data-button", "property": "n_clicks", "value": n},
                   {"id": "session-id", "property": "data", "value": handle}],
        "changedPropIds": ["get-data-button.n_clicks"]});
    let r = fresh_client()
        .post(server.url("/_dash-update-component"))
        .header("cookie", format!("dash_session={cookie}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let refused = session_cookie(&r).is_some();
    (status, r.text().await.unwrap(), refused)
}

/// The CSV rows of an `output-1` answer.
fn rows(text: &str) -> String {
    let v: Value = serde_json::from_str(text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    v["response"]["output-1"]["children"]["props"]["children"][1]["props"]["children"]
        .as_str()
        .unwrap_or_else(|| panic!("no rows in {text}"))
        .to_owned()
}

async fn assert_accepted(server: &Server, cookie: &str, handle: &str, times: u32) -> String {
    let mut seen = None;
    for n in 0..times {
        let (status, text, refused) = click(server, cookie, handle, n).await;
        assert_eq!(status, 200, "{text}");
        assert!(!refused, "the cookie was refused on request {n}");
        assert!(
            text.contains(&format!("Button has been clicked {n} times")),
            "{text}"
        );
        let r = rows(&text);
        if let Some(s) = &seen {
            assert_eq!(&r, s, "the same session data every time");
        }
        seen = Some(r);
    }
    seen.unwrap()
}

fn temp_sqlite(name: &str) -> (PathBuf, String) {
    let dir = std::env::temp_dir().join(format!("dash-sessions-p-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("cache.sqlite").display());
    (dir, url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workers_and_servers_share_the_stored_secret_and_a_restart_keeps_it() {
    let (_dir, url) = temp_sqlite("shared");
    let env = [("DASH_CACHE_URL", url.clone())];
    let mut workers = Server::start(&env, &["--workers", "2"], None).await;
    let mut single = Server::start(&env, &[], None).await;
    let deadline = Instant::now() + Duration::from_secs(20);
    while workers.workers() < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(workers.workers(), 2);

    // 24 new connections over two workers: both accept the cookie (the
    // chance that one worker took them all is 2^-23).
    let (cookie, handle) = open_page(&workers).await;
    let data = assert_accepted(&workers, &cookie, &handle, 24).await;
    assert_eq!(assert_accepted(&single, &cookie, &handle, 4).await, data);
    let (cookie_2, handle_2) = open_page(&single).await;
    assert_accepted(&workers, &cookie_2, &handle_2, 12).await;

    workers.stop();
    single.stop();
    let restarted = Server::start(&env, &["--workers", "2"], None).await;
    assert_eq!(
        assert_accepted(&restarted, &cookie, &handle, 12).await,
        data,
        "the session and its data outlive a restart"
    );
    let (status, text, refused) =
        click(&restarted, "0123456789abcdef0123456789abcdef", &handle, 0).await;
    assert!(refused, "a chosen id is refused: {status} {text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_log_line_holds_a_secret_or_a_session_id() {
    let (dir, url) = temp_sqlite("logs");
    let log = dir.join("stored.log");
    let envs = [
        ("DASH_CACHE_URL", url.clone()),
        ("RUST_LOG", "debug".to_owned()),
    ];
    let mut server = Server::start(&envs, &[], Some(&log)).await;
    let mut secrets: Vec<String> = Vec::new();
    let mut session_values = Vec::new();
    for _ in 0..3 {
        let (cookie, handle) = open_page(&server).await;
        assert_accepted(&server, &cookie, &handle, 2).await;
        session_values.push(cookie.clone());
        // Refused ones too: forged, altered, a chosen id.
        let altered = cookie.replacen("s1.", "s1.f", 1);
        for bad in [
            altered.as_str(),
            "0123456789abcdef0123456789abcdef",
            "s1.x.1.y",
        ] {
            let (_, _, refused) = click(&server, bad, &handle, 0).await;
            assert!(refused);
        }
    }
    server.stop();
    let entry = dash::Cache::from_url(&url)
        .unwrap()
        .backend()
        .get("dash/app-secret/v1")
        .unwrap()
        .expect("the stored secret");
    let entry: Value = serde_json::from_slice(&entry).unwrap();
    let key = entry["current"].as_str().unwrap().to_owned();
    secrets.push(key.clone());
    use base64::Engine;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(&key)
        .unwrap();
    secrets.push(hex::encode(&bytes));

    // A configured key, in a second run.
    let configured = "configured-secret-key-that-must-not-be-logged-0123";
    let log_2 = dir.join("configured.log");
    let envs = [
        ("DASH_CACHE_URL", url.clone()),
        ("RUST_LOG", "debug".to_owned()),
        ("DASH_SECRET_KEY", configured.to_owned()),
    ];
    let mut server = Server::start(&envs, &[], Some(&log_2)).await;
    let (cookie, handle) = open_page(&server).await;
    assert_accepted(&server, &cookie, &handle, 2).await;
    session_values.push(cookie);
    server.stop();
    secrets.push(configured.to_owned());

    let text = std::fs::read_to_string(&log).unwrap() + &std::fs::read_to_string(&log_2).unwrap();
    // The log is there, with lines from the requests (the refused cookies
    // made the example's callback fail).
    assert!(text.contains("Dash is running on"), "{text}");
    assert!(text.contains("callback failed"), "{text}");
    let mut needles = secrets.clone();
    for value in &session_values {
        let parts: Vec<&str> = value.split('.').collect();
        needles.push(value.clone());
        needles.push(parts[1].to_owned());
        needles.push(parts[3].to_owned());
    }
    for needle in &needles {
        assert!(
            !text.contains(needle.as_str()),
            "the log holds a secret or a session id: {}",
            text.lines()
                .find(|l| l.contains(needle.as_str()))
                .unwrap_or("")
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
