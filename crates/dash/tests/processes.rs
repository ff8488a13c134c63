//! Processes: workers die with their supervisor (kill -9, or a stop in
//! the first milliseconds), a stop drains the requests in flight within
//! the graceful timeout, a killed worker is restarted. Runs the built
//! examples: `cargo build -p plotly-dash --examples` first.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::launch::*;

fn workers(n: usize) -> Vec<&'static str> {
    let n: &'static str = Box::leak(n.to_string().into_boxed_str());
    vec!["--workers", n]
}

/// Waits until every process of `server` is gone; how long it took.
fn all_gone(server: &Server, limit: Duration) -> Option<Duration> {
    poll_until(limit, || server.processes().is_empty())
}

#[test]
fn killing_the_supervisor_takes_its_workers_down() {
    let mut server = Server::start(
        "hello",
        Launch {
            args: workers(2),
            ..Launch::default()
        },
    );
    let ready = poll_until(Duration::from_secs(10), || server.children().len() == 2);
    assert!(ready.is_some(), "two workers");
    let workers = server.children();
    server.signal("KILL");
    server
        .wait_exit(Duration::from_secs(5))
        .expect("supervisor killed");
    let gone = poll_until(Duration::from_secs(5), || {
        !workers.iter().any(|&w| alive(w))
    });
    eprintln!("workers gone {gone:?} after the supervisor's kill -9");
    assert!(
        gone.is_some(),
        "workers {workers:?} outlived their supervisor"
    );
    assert_eq!(server.get_status("/"), None, "nothing serves the port");
}

#[test]
fn a_stop_in_the_first_milliseconds_leaves_no_worker_behind() {
    // From before the handlers exist to after the workers run.
    let mut delays: Vec<u64> = (0..40).step_by(2).collect();
    delays.extend([50, 70, 100, 150, 250]);
    for delay in delays {
        let mut server = Server::spawn(
            "hello",
            Launch {
                args: workers(3),
                ..Launch::default()
            },
        );
        std::thread::sleep(Duration::from_millis(delay));
        server.signal("TERM");
        let status = server.wait_exit(Duration::from_secs(20));
        assert!(status.is_some(), "supervisor still running {delay} ms in");
        let gone = all_gone(&server, Duration::from_secs(5));
        assert!(
            gone.is_some(),
            "SIGTERM {delay} ms after start left {:?} running",
            server.processes()
        );
    }
}

fn signal_body(fruit: &str) -> Value {
    json!({"output": "signal.data", "outputs": {"id": "signal", "property": "data"},
           "inputs": [{"id": "dropdown", "property": "value", "value": fruit}],
           "changedPropIds": ["dropdown.value"]})
}

/// Starts the slow callback of `on_disk_share` on a connection the server
/// has accepted already; gives the task answering it.
async fn slow_request(server: &Server) -> tokio::task::JoinHandle<Result<(u16, Value), String>> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(1)
        .timeout(Duration::from_secs(60))
        .build()
        .unwrap();
    // The same kept-alive connection carries the slow request.
    let r = client
        .get(server.url("/_dash-layout"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.bytes().await.unwrap();
    let url = server.url("/_dash-update-component");
    let task = tokio::spawn(async move {
        let r = client
            .post(url)
            .json(&signal_body("figs"))
            .send()
            .await
            .map_err(|e| e.to_string())?;
        let status = r.status().as_u16();
        Ok((status, r.json().await.unwrap_or(Value::Null)))
    });
    // Let the request reach the callback.
    tokio::time::sleep(Duration::from_millis(500)).await;
    task
}

fn slow_app(expensive_ms: u64, graceful: &str, args: Vec<&'static str>) -> Server {
    Server::start(
        "on_disk_share",
        Launch {
            envs: vec![
                ("EXPENSIVE_MS", expensive_ms.to_string()),
                ("DASH_GRACEFUL_TIMEOUT", graceful.into()),
            ],
            args,
            ..Launch::default()
        },
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stop_lets_a_slow_callback_finish_then_exits() {
    for args in [vec![], workers(2)] {
        let mut server = slow_app(2500, "20", args.clone());
        let answer = slow_request(&server).await;
        let stopped = Instant::now();
        server.signal("TERM");
        let (status, body) = answer
            .await
            .unwrap()
            .expect("the request in flight is answered");
        assert_eq!(status, 200, "{args:?}: {body}");
        assert_eq!(body["response"]["signal"]["data"], "figs");
        let exit = tokio::task::block_in_place(|| server.wait_exit(Duration::from_secs(30)))
            .expect("exits");
        let took = stopped.elapsed();
        eprintln!("{args:?}: answered and exited {took:?} after SIGTERM");
        assert!(exit.success(), "{args:?}: {exit}");
        assert!(
            took < Duration::from_secs(15),
            "{args:?}: drained for {took:?}"
        );
        assert!(server.processes().is_empty(), "{:?}", server.processes());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_drain_ends_at_the_graceful_timeout() {
    for args in [vec![], workers(2)] {
        let mut server = slow_app(60_000, "1", args.clone());
        let answer = slow_request(&server).await;
        let stopped = Instant::now();
        server.signal("TERM");
        let exit = tokio::task::block_in_place(|| server.wait_exit(Duration::from_secs(30)))
            .expect("exits");
        let took = stopped.elapsed();
        eprintln!("{args:?}: exited {took:?} after SIGTERM, a 60 s callback in flight");
        assert!(took >= Duration::from_millis(900), "{args:?}: {took:?}");
        assert!(took < Duration::from_secs(10), "{args:?}: {took:?}");
        assert!(exit.success(), "{args:?}: {exit}");
        assert!(answer.await.unwrap().is_err(), "the cut request fails");
        let gone = all_gone(&server, Duration::from_secs(5));
        assert!(gone.is_some(), "{:?}", server.processes());
    }
}

#[test]
fn a_killed_worker_is_restarted() {
    let server = Server::start(
        "hello",
        Launch {
            args: workers(2),
            ..Launch::default()
        },
    );
    assert!(poll_until(Duration::from_secs(10), || server.children().len() == 2).is_some());
    let before = server.children();
    signal_pid(before[0], "KILL");
    let restarted = poll_until(Duration::from_secs(10), || {
        let now = server.children();
        now.len() == 2 && !now.contains(&before[0])
    });
    assert!(
        restarted.is_some(),
        "not restarted: {:?}",
        server.children()
    );
    assert!(
        poll_until(Duration::from_secs(10), || server.get_status("/")
            == Some(200))
        .is_some()
    );
}
