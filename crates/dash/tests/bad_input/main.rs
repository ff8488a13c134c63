//! The HTTP bad-input catalogue: malformed requests sent byte for byte over
//! a raw TCP connection to a real listener. Each case checks that the answer
//! is never a 5xx, that an error body is small (and, when JSON, carries a
//! `message`), that no file outside the assets folder leaks, and that the
//! server still answers a normal callback afterwards. Where the HTTP layer
//! decides (framing, header limits), a clean close or no answer within the
//! client's read timeout is accepted too, so the catalogue holds with
//! `axum::serve` and with a stricter accept loop.
//!
//! The cases are in one table, `cases::catalogue`; the run prints one
//! summary line (and, with `--nocapture`, every case and its outcome).

mod cases;
mod raw_client;

use std::collections::BTreeMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use dash::prelude::*;
use serde_json::Value;

use cases::{catalogue, good_body, post_raw};
use raw_client::send;

/// Error answers larger than this are a defect (an echo of the input).
const MAX_ERROR_BODY: usize = 4096;
/// No log line may be longer than this, whatever the request held.
const MAX_LOG_LINE: usize = 4096;
/// How long the client waits for an answer where the server may wait too
/// (a body announced longer than sent).
const READ_TIMEOUT: Duration = Duration::from_secs(2);
/// Written to a file beside the assets folder: no answer may contain it.
const SECRET: &str = "SECRET-4d1b6a2e-outside-the-assets-folder";

/// What a case may get back.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Exactly this status (the app decides).
    Status(u16),
    /// Any 4xx, a close or no answer in time (the HTTP layer decides).
    Refused,
    /// 404 or another 4xx: a path that must not reach a file.
    NotServed,
    /// 200 today; a stricter HTTP layer may refuse it (a large head, no
    /// `Host`): 200, any 4xx, a close or no answer in time.
    ServedOrRefused,
}

/// One case of the table.
struct Case {
    name: String,
    bytes: Vec<u8>,
    /// Half-closes the client's side after sending, so the server sees the
    /// end of the stream at once (cases whose request is cut short).
    half_close: bool,
    expect: Expect,
}

/// What came back.
#[derive(Debug)]
enum Outcome {
    Answer {
        status: u16,
        content_type: String,
        body: Vec<u8>,
    },
    /// HTTP/2 frames: the server took an HTTP/2 preface as one.
    Http2,
    Closed,
    TimedOut,
}

impl Outcome {
    fn label(&self) -> String {
        match self {
            Outcome::Answer { status, .. } => status.to_string(),
            Outcome::Http2 => "HTTP/2 frames".into(),
            Outcome::Closed => "closed".into(),
            Outcome::TimedOut => "no answer in time".into(),
        }
    }
}

// The app under test.

struct Fixture {
    folder: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

fn app(assets: PathBuf) -> Dash {
    let mut app = Dash::new().assets_folder(assets).max_body_bytes(4 << 20);
    app.layout(Component::new("dash_html_components", "Div").with_prop(
        "children",
        Children::from((
            Component::new("dash_core_components", "Input").with_prop("id", "in"),
            Component::new("dash_html_components", "Div").with_prop("id", "out"),
        )),
    ));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("in", "value")),
        |v: Option<String>| format!("echo {}", v.unwrap_or_default()),
    );
    app.callback(
        Callback::new()
            .output(("a", "children"))
            .output(("b", "children"))
            .output(("c", "children"))
            .output(("d", "children"))
            .input(("in", "n_submit"))
            .state(("in", "title")),
        |n: Option<u32>, _t: Option<f64>| {
            let n = n.unwrap_or(0);
            (n, n + 1, n + 2, n + 3)
        },
    );
    let card = ComponentId::object([("kind", "card".into()), ("n", Wildcard::All.into())]);
    app.callback(
        Callback::new()
            .output(Output::new(card, "children"))
            .input(Input::new(
                ComponentId::object([("kind", "btn".into()), ("n", Wildcard::All.into())]),
                "n_clicks",
            )),
        |clicks: Vec<Option<u32>>| -> Vec<String> {
            clicks.iter().map(|c| format!("{c:?}")).collect()
        },
    );
    app
}

/// Starts the app on its own runtime thread; the client side is blocking.
fn start() -> (SocketAddr, Fixture) {
    let folder = std::env::temp_dir().join(format!("dash-bad-input-{}", std::process::id()));
    let assets = folder.join("assets");
    std::fs::create_dir_all(assets.join("css")).unwrap();
    std::fs::write(assets.join("site.css"), "body { color: teal }").unwrap();
    std::fs::write(assets.join("css/more.css"), "p { margin: 0 }").unwrap();
    std::fs::write(folder.join("secret.txt"), SECRET).unwrap();
    let router = app(assets).into_router().expect("valid app");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    (addr, Fixture { folder })
}

// Checking.

fn log() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || Sink(sink.clone()))
            .init();
        buffer
    })
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn healthy(addr: SocketAddr) -> Result<(), String> {
    match send(addr, &post_raw(good_body().to_string().as_bytes()), false) {
        Outcome::Answer {
            status: 200, body, ..
        } => {
            let v: Value = serde_json::from_slice(&body).map_err(|e| e.to_string())?;
            if v["response"]["out"]["children"] == "echo hi" {
                Ok(())
            } else {
                Err(format!("unexpected answer {v}"))
            }
        }
        other => Err(format!("{other:?}")),
    }
}

fn check(case: &Case, outcome: &Outcome) -> Result<(), String> {
    if let Outcome::Answer {
        status,
        content_type,
        body,
    } = outcome
    {
        let text = String::from_utf8_lossy(body);
        if *status >= 500 {
            return Err(format!(
                "a server error: {status} {}",
                &text[..text.len().min(300)]
            ));
        }
        if text.contains(SECRET) || text.contains("root:x:0:0") {
            return Err("a file outside the assets folder was served".into());
        }
        if *status >= 400 {
            if body.len() > MAX_ERROR_BODY {
                return Err(format!("an error body of {} bytes", body.len()));
            }
            if content_type.starts_with("application/json") {
                let v: Value =
                    serde_json::from_slice(body).map_err(|e| format!("bad JSON: {e}"))?;
                if v["message"].as_str().is_none_or(str::is_empty) {
                    return Err(format!("a JSON error without a message: {v}"));
                }
            }
        }
    }
    let fits = match (case.expect, outcome) {
        (Expect::Status(want), Outcome::Answer { status, .. }) => *status == want,
        (Expect::Status(_), _) => false,
        (Expect::Refused, Outcome::Answer { status, .. }) => (400..500).contains(status),
        (Expect::Refused, _) => true,
        (Expect::NotServed, Outcome::Answer { status, .. }) => (400..500).contains(status),
        (Expect::NotServed, _) => false,
        (Expect::ServedOrRefused, Outcome::Answer { status, .. }) => {
            *status == 200 || (400..500).contains(status)
        }
        (Expect::ServedOrRefused, _) => true,
    };
    if fits {
        Ok(())
    } else {
        Err(format!(
            "expected {:?}, got {}",
            case.expect,
            outcome.label()
        ))
    }
}

#[test]
fn the_bad_input_catalogue() {
    log();
    let (addr, _fixture) = start();
    healthy(addr).expect("the server answers before the catalogue");
    let cases = catalogue();
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for case in &cases {
        let outcome = send(addr, &case.bytes, case.half_close);
        *seen.entry(outcome.label()).or_default() += 1;
        println!("  {:<72} {}", case.name, outcome.label());
        if let Err(e) = check(case, &outcome) {
            failures.push(format!("{}: {e}", case.name));
        }
        if let Err(e) = healthy(addr) {
            failures.push(format!(
                "{}: the server is not healthy after it: {e}",
                case.name
            ));
        }
    }
    let statuses: Vec<String> = seen.iter().map(|(k, n)| format!("{k} x{n}")).collect();
    println!(
        "bad-input catalogue: {} cases, {} failed; outcomes: {}",
        cases.len(),
        failures.len(),
        statuses.join(", ")
    );
    let text = String::from_utf8_lossy(&log().lock().unwrap()).into_owned();
    for line in text.lines() {
        if line.len() > MAX_LOG_LINE {
            failures.push(format!(
                "a log line of {} bytes: {}…",
                line.len(),
                &line[..200]
            ));
        }
        if line.contains(" ERROR ") {
            failures.push(format!(
                "an ERROR log line: {}",
                &line[..line.len().min(300)]
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} problems:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
