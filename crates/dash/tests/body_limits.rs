//! Request bodies against a real server process (`bench_app`): the
//! per-process budget of bodies in flight (503 + Retry-After), the
//! per-request limit (413), a stalled body (408), and the memory of large
//! requests given back after them. `cargo build -p plotly-dash --examples` first.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use serde_json::Value;
use support::launch::*;

const MIB: usize = 1 << 20;

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

async fn post(
    server: &Server,
    body: impl Into<reqwest::Body>,
) -> (u16, reqwest::header::HeaderMap, String) {
    let r = client()
        .post(server.url("/_dash-update-component"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

/// A request whose body is sent in part: it holds its share of the budget
/// until [`HeldUpload::finish`].
struct HeldUpload {
    stream: TcpStream,
    rest: Vec<u8>,
}

impl HeldUpload {
    fn start(server: &Server, body: &[u8]) -> HeldUpload {
        let mut stream = TcpStream::connect(server.addr()).unwrap();
        write!(
            stream,
            "POST /_dash-update-component HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .unwrap();
        let half = body.len() / 2;
        stream.write_all(&body[..half]).unwrap();
        HeldUpload {
            stream,
            rest: body[half..].to_vec(),
        }
    }

    fn finish(mut self) -> String {
        self.stream.write_all(&self.rest).unwrap();
        self.stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut answer = Vec::new();
        let _ = self.stream.read_to_end(&mut answer);
        String::from_utf8_lossy(&answer).into_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_body_budget_answers_503_while_it_is_used_and_200_after() {
    let server = Server::start(
        "bench_app",
        Launch {
            envs: vec![
                ("DASH_MAX_BODY_BYTES", "8MiB".into()),
                ("DASH_BODY_BUDGET_BYTES", "12MiB".into()),
            ],
            ..Launch::default()
        },
    );
    let body = Bytes::from(agg_body(7 * MIB));
    let rows = agg_count(&body);
    // One upload in progress holds 7 of the 12 MiB.
    let held = HeldUpload::start(&server, &body);
    // Once the server has counted it, another 7 MiB body does not fit.
    let mut refused = None;
    let waited = Instant::now();
    while waited.elapsed() < Duration::from_secs(20) {
        let (status, headers, text) = post(&server, body.clone()).await;
        if status == 503 {
            refused = Some((headers, text));
            break;
        }
        assert_eq!(status, 200, "{text}");
    }
    let (headers, text) = refused.expect("a second 7 MiB body is refused while the first is held");
    assert_eq!(headers["retry-after"], "1");
    assert_eq!(headers["content-type"], "application/json");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["error"], "busy");
    let message = v["message"].as_str().unwrap();
    assert!(
        message.contains("12582912") && message.contains("DASH_BODY_BUDGET_BYTES"),
        "{message}"
    );
    // A chunked body (no Content-Length) is counted as it arrives.
    let chunks: Vec<Result<http_body::Frame<Bytes>, std::io::Error>> = body
        .chunks(256 * 1024)
        .map(|c| Ok(http_body::Frame::data(Bytes::copy_from_slice(c))))
        .collect();
    let (status, headers, text) = post(
        &server,
        reqwest::Body::wrap(http_body_util::StreamBody::new(futures_util::stream::iter(
            chunks,
        ))),
    )
    .await;
    assert_eq!(status, 503, "{text}");
    assert_eq!(headers["retry-after"], "1");
    // Small requests still fit.
    let (status, _, text) = post(&server, agg_body(1000)).await;
    assert_eq!(status, 200, "{text}");
    // The held upload completes, and its share comes back.
    let answer = held.finish();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(&format!("count={rows}")), "{answer}");
    let (status, _, text) = post(&server, body.clone()).await;
    assert_eq!(status, 200, "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_over_the_limit_is_413_and_the_default_limit_is_128_mib() {
    let limited = Server::start(
        "bench_app",
        Launch {
            envs: vec![("DASH_MAX_BODY_BYTES", "1MiB".into())],
            ..Launch::default()
        },
    );
    let (status, headers, text) = post(&limited, agg_body(MIB + 4096)).await;
    assert_eq!(status, 413, "{text}");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(v["message"].as_str().unwrap().contains("1048576"), "{v}");
    let (status, _, text) = post(&limited, agg_body(MIB - 100)).await;
    assert_eq!(status, 200, "{text}");
    // The default, announced only: refused before any byte of the body.
    let default = Server::start("bench_app", Launch::default());
    let head = |length: usize| {
        format!(
            "POST /_dash-update-component HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
        )
    };
    let answer = raw_exchange(
        default.addr(),
        head(128 * MIB + 1).as_bytes(),
        Duration::from_secs(20),
    );
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("134217728"), "{answer}");
}

#[test]
fn a_body_that_stops_arriving_gets_408() {
    let server = Server::start(
        "bench_app",
        Launch {
            envs: vec![("DASH_HEADER_TIMEOUT", "0.5".into())],
            ..Launch::default()
        },
    );
    let started = Instant::now();
    let answer = raw_exchange(
        server.addr(),
        b"POST /_dash-update-component HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"output\":",
        Duration::from_secs(20),
    );
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("DASH_HEADER_TIMEOUT"), "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(450));
}

/// Sends `n` copies of `body` at once; the statuses.
async fn concurrently(server: &Server, body: Bytes, n: usize) -> Vec<u16> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let url = server.url("/_dash-update-component");
            let body = body.clone();
            tokio::spawn(async move {
                client()
                    .post(url)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses
}

/// Waits (up to 15 s) for the resident memory to come down under
/// `target`; the last figure seen.
fn settled(pid: u32, target: u64) -> u64 {
    let mut last = resident_bytes(pid);
    poll_until(Duration::from_secs(15), || {
        last = resident_bytes(pid);
        last < target
    });
    last
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_of_large_requests_goes_back_after_them() {
    let server = Server::start(
        "bench_app",
        Launch {
            envs: vec![("DASH_MAX_BODY_BYTES", "32MiB".into())],
            ..Launch::default()
        },
    );
    let pid = server.pid();
    let before = resident_bytes(pid);
    // Without the trim, 32 stores leave about 230 MB resident.
    let (target, bound) = (before + 24 * MIB as u64, before + 48 * MIB as u64);
    let store = Bytes::from(agg_body(10_000_000));
    let statuses = concurrently(&server, store, 32).await;
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    let peak = peak_resident_bytes(pid);
    let after = settled(pid, target);
    eprintln!(
        "32 x 10 MB stores: {} MiB before, peak {} MiB, {} MiB after",
        before >> 20,
        peak >> 20,
        after >> 20
    );
    assert!(after < bound, "{} MiB still resident", after >> 20);
    let near_limit = Bytes::from(agg_body(32 * MIB - 4096));
    let statuses = concurrently(&server, near_limit, 8).await;
    assert!(statuses.iter().all(|&s| s == 200), "{statuses:?}");
    let peak = peak_resident_bytes(pid);
    let after = settled(pid, target);
    eprintln!(
        "8 x 32 MiB bodies: peak {} MiB, {} MiB after",
        peak >> 20,
        after >> 20
    );
    assert!(after < bound, "{} MiB still resident", after >> 20);
}
