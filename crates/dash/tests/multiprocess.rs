//! Several real processes sharing one cache: worker processes on one port,
//! servers on different ports sharing Redis (two "hosts"), a computing
//! process killed mid-way, a worker killed under load, Redis stopped and
//! restarted. Runs the built `on_disk_share` example: `cargo build
//! --examples -p dash` first (scripts/test.sh does).

use std::time::{Duration, Instant};

use dash::dash_cache_testing::RedisServer;
use serde_json::Value;

mod support;
use support::*;

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
    // The server notices with its back-off (at most 10 s) and says so.
    wait_health(&server, 200).await;
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
