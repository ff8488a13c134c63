//! Connections against a real server process (`hello`): the header and
//! idle timeouts, the connection cap, the descriptor limit, accept errors,
//! and the security headers on every answer. `cargo build -p plotly-dash
//! --examples` first.

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use dash::prelude::*;
use support::launch::*;

/// Sends `GET path` on a kept-alive connection and reads exactly one
/// answer; its status and head.
fn request_on(stream: &mut TcpStream, path: &str) -> std::io::Result<(u16, String)> {
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if stream.read(&mut byte)? == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-length:")
                .map(|v| v.trim().parse().unwrap())
        })
        .expect("a Content-Length (no Accept-Encoding was sent)");
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body)?;
    let status = head[9..12].parse().unwrap();
    Ok((status, head))
}

fn connect(server: &Server) -> TcpStream {
    let s = TcpStream::connect(server.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s
}

/// Waits until the server closes `stream`: the time from `since` to the
/// close, `None` if it stays open for `limit`.
fn closed_within(stream: &mut TcpStream, since: Instant, limit: Duration) -> Option<Duration> {
    let started = Instant::now();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0u8; 256];
    while started.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return Some(since.elapsed()),
            Ok(n) => panic!(
                "unexpected answer: {:?}",
                String::from_utf8_lossy(&buf[..n])
            ),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => return Some(since.elapsed()), // reset
        }
    }
    None
}

#[test]
fn an_unfinished_request_head_is_closed_after_the_header_timeout() {
    let server = Server::start(
        "hello",
        Launch {
            envs: vec![
                ("DASH_HEADER_TIMEOUT", "0.5".into()),
                ("DASH_IDLE_TIMEOUT", "60".into()),
            ],
            ..Launch::default()
        },
    );
    let mut s = connect(&server);
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let started = Instant::now();
    s.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .unwrap();
    // A slowloris client: one more byte of the head every 100 ms.
    let mut buf = [0u8; 256];
    let closed_after = loop {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "an unfinished head is still open after 15 s"
        );
        if s.write_all(b"x").is_err() {
            break started.elapsed();
        }
        match s.read(&mut buf) {
            Ok(0) => break started.elapsed(),
            Ok(n) => panic!("answered: {:?}", String::from_utf8_lossy(&buf[..n])),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(_) => break started.elapsed(),
        }
    };
    eprintln!("unfinished head closed after {closed_after:?}");
    assert!(
        closed_after >= Duration::from_millis(450),
        "{closed_after:?}"
    );
}

#[test]
fn an_idle_connection_is_closed_after_the_idle_timeout_not_the_header_timeout() {
    let server = Server::start(
        "hello",
        Launch {
            envs: vec![
                ("DASH_HEADER_TIMEOUT", "0.3".into()),
                ("DASH_IDLE_TIMEOUT", "3".into()),
            ],
            ..Launch::default()
        },
    );
    let mut fresh = connect(&server);
    let mut kept = connect(&server);
    assert_eq!(request_on(&mut kept, "/_dash-layout").unwrap().0, 200);
    // Idle for longer than the header timeout: still open.
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(request_on(&mut kept, "/_dash-layout").unwrap().0, 200);
    let answered = Instant::now();
    // A connection that never sent a byte is idle too: open after 1 s.
    let now = Instant::now();
    assert_eq!(
        closed_within(&mut fresh, now, Duration::from_millis(200)),
        None
    );
    let idle =
        closed_within(&mut kept, answered, Duration::from_secs(20)).expect("closed when idle");
    eprintln!("idle keep-alive connection closed after {idle:?}");
    assert!(idle >= Duration::from_millis(2500), "{idle:?}");
    // ... and closed by now (about 4 s after it opened).
    assert!(closed_within(&mut fresh, now, Duration::from_secs(10)).is_some());
}

#[test]
fn the_connection_cap_answers_503_and_lets_clients_in_once_connections_close() {
    let server = Server::start(
        "hello",
        Launch {
            envs: vec![("DASH_MAX_CONNECTIONS", "8".into())],
            ..Launch::default()
        },
    );
    // Eight kept-alive connections, each answered once.
    let mut held = Vec::new();
    while held.len() < 8 {
        let mut s = connect(&server);
        match request_on(&mut s, "/_dash-layout") {
            Ok((200, _)) => held.push(s),
            // The cap still counts a connection that just closed.
            _ => std::thread::sleep(Duration::from_millis(50)),
        }
    }
    let answer = raw_exchange(
        server.addr(),
        b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n",
        Duration::from_secs(20),
    );
    let lower = answer.to_ascii_lowercase();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    for needle in [
        "retry-after: 1",
        "content-type: application/json",
        "x-content-type-options: nosniff",
        "\"too_many_connections\"",
        "dash_max_connections",
    ] {
        assert!(lower.contains(needle), "{needle} missing: {answer}");
    }
    drop(held);
    let waited = poll_until(Duration::from_secs(10), || {
        server.get_status("/") == Some(200)
    });
    assert!(
        waited.is_some(),
        "no new client got in after the connections closed"
    );
}

fn open_files_limits(pid: u32) -> (u64, u64) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    let numbers: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

#[test]
fn the_soft_descriptor_limit_is_raised_so_idle_connections_do_not_lock_clients_out() {
    let server = Server::start(
        "hello",
        Launch {
            shell_prefix: Some("ulimit -Sn 256"),
            ..Launch::default()
        },
    );
    let (soft, hard) = open_files_limits(server.pid());
    assert_eq!(soft, hard, "soft limit raised to the hard one");
    assert!(
        hard > 600,
        "this test needs a hard limit above 600, not {hard}"
    );
    // More idle connections than the soft limit the server started with.
    let mut held = Vec::new();
    for _ in 0..400 {
        let mut s = connect(&server);
        assert_eq!(request_on(&mut s, "/_dash-layout").unwrap().0, 200);
        held.push(s);
    }
    assert_eq!(server.get_status("/"), Some(200), "a new client gets in");
}

fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    let fields: Vec<&str> = stat.rsplit_once(") ").unwrap().1.split(' ').collect();
    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the name.
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

fn prlimit_nofile(pid: u32, soft: u64, hard: u64) {
    let status = std::process::Command::new("prlimit")
        .arg(format!("--pid={pid}"))
        .arg(format!("--nofile={soft}:{hard}"))
        .status()
        .expect("prlimit (util-linux) is needed");
    assert!(status.success());
}

#[test]
fn running_out_of_descriptors_pauses_accepting_without_spinning() {
    let server = Server::start("hello", Launch::default());
    let pid = server.pid();
    let (soft, hard) = open_files_limits(pid);
    let in_use = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count() as u64;
    prlimit_nofile(pid, in_use + 4, hard);
    let mut flood = Vec::new();
    for _ in 0..40 {
        let mut s = TcpStream::connect(server.addr()).unwrap();
        let _ = s.write_all(b"GET /_dash-layout HTTP/1.1\r\nHost: x\r\n\r\n");
        flood.push(s);
    }
    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks(pid);
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks(pid) - before;
    eprintln!("{used} CPU ticks in 2 s out of descriptors");
    assert!(used < 60, "{used} ticks of CPU in 2 s: accepting spins");
    drop(flood);
    prlimit_nofile(pid, soft, hard);
    let back = poll_until(Duration::from_secs(10), || {
        server.get_status("/") == Some(200)
    });
    assert!(back.is_some(), "the server did not recover");
}

fn assert_security_headers(
    what: &str,
    h: &reqwest::header::HeaderMap,
    frame: &str,
    xfo: Option<&str>,
) {
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(
        h["referrer-policy"], "strict-origin-when-cross-origin",
        "{what}"
    );
    assert_eq!(h["content-security-policy"], frame, "{what}");
    assert_eq!(
        h.get("x-frame-options").map(|v| v.to_str().unwrap()),
        xfo,
        "{what}"
    );
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let server = Server::start(
        "hello",
        Launch {
            envs: vec![("DASH_MAX_BODY_BYTES", "1000".into())],
            ..Launch::default()
        },
    );
    let client = reqwest::Client::new();
    let index = client.get(server.url("/")).send().await.unwrap();
    let html = index.text().await.unwrap();
    let script = html
        .split("<script src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let update = server.url("/_dash-update-component");
    let requests = [
        ("index", client.get(server.url("/")), 200),
        ("page", client.get(server.url("/any/page")), 200),
        ("layout", client.get(server.url("/_dash-layout")), 200),
        (
            "dependencies",
            client.get(server.url("/_dash-dependencies")),
            200,
        ),
        ("suite", client.get(server.url(&script)), 200),
        (
            "missing suite",
            client.get(server.url("/_dash-component-suites/dash/nope.js")),
            404,
        ),
        ("favicon", client.get(server.url("/_favicon.ico")), 200),
        (
            "missing asset",
            client.get(server.url("/assets/none.css")),
            404,
        ),
        ("bad body", client.post(&update).body("{"), 400),
        (
            "too large",
            client.post(&update).body(vec![b' '; 2000]),
            413,
        ),
        ("wrong method", client.put(server.url("/_dash-layout")), 405),
    ];
    for (what, request, status) in requests {
        let r = request.send().await.unwrap();
        assert_eq!(r.status().as_u16(), status, "{what}");
        assert_security_headers(
            what,
            r.headers(),
            "frame-ancestors 'self'",
            Some("SAMEORIGIN"),
        );
    }
    let portal = Server::start(
        "hello",
        Launch {
            envs: vec![(
                "DASH_FRAME_ANCESTORS",
                "'self' https://portal.example.com".into(),
            )],
            ..Launch::default()
        },
    );
    let r = client.get(portal.url("/")).send().await.unwrap();
    assert_security_headers(
        "portal",
        r.headers(),
        "frame-ancestors 'self' https://portal.example.com",
        None,
    );
}

#[test]
fn a_bad_frame_ancestors_value_stops_the_start_with_a_message() {
    let mut server = Server::spawn(
        "hello",
        Launch {
            envs: vec![(
                "DASH_FRAME_ANCESTORS",
                "https://a.example; script-src *".into(),
            )],
            ..Launch::default()
        },
    );
    let status = server.wait_exit(Duration::from_secs(30)).expect("exits");
    assert!(!status.success());
}

#[tokio::test]
async fn the_builder_sets_frame_ancestors_for_dash_serve() {
    let mut app = Dash::new().frame_ancestors(["'none'"]);
    app.layout(html::Div::new().id("root"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(app.serve(listener));
    let r = reqwest::get(format!("http://{addr}/_dash-layout"))
        .await
        .unwrap();
    assert_security_headers("serve", r.headers(), "frame-ancestors 'none'", Some("DENY"));
}
