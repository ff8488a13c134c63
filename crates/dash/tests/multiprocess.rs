//! Several real processes sharing one cache: worker processes on one port,
//! servers on different ports sharing Redis (two "hosts"), a computing
//! process killed mid-way, a worker killed under load, Redis stopped and
//! restarted. Runs the built `on_disk_share` example: `cargo build
//! --examples -p plotly-dash` first (scripts/test.sh does).

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
        ("DASH_CACHE_URL", url.clone()),
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
    assert_eq!(sqlite_integrity(&url), "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_worker_killed_under_load_is_restarted_and_others_keep_answering() {
    let url = temp_sqlite("kill9");
    let server = Server::start(
        "on_disk_share",
        &[
            ("DASH_CACHE_URL", url.clone()),
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
            // A fresh fruit each time: the workers keep writing to the file
            // when one of them is killed.
            let mut n = 0u32;
            while Instant::now() < end {
                n += 1;
                match client
                    .post(&url)
                    .json(&graph_body(1, &format!("fruit-{n}")))
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
    assert_eq!(sqlite_integrity(&url), "ok");
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

/// The HTTP-level check: fresh keys, each asked by two callbacks at
/// once (two graphs of one fruit), 50 in flight over two workers, with the
/// cores kept busy beside the server. Every fruit computed exactly once in
/// all, and both graphs of a fruit show the same computation.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fresh_keys_racing_over_two_workers_are_computed_once_each() {
    const FRUITS: usize = 300;
    let server = Server::start(
        "on_disk_share",
        &[
            ("DASH_CACHE_URL", temp_sqlite("fresh-keys")),
            ("EXPENSIVE_MS", "20".into()),
            ("DASH_METRICS", "1".into()),
        ],
        &["--workers", "2"],
    )
    .await;
    let busy = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(true));
    let loops: Vec<_> = (0..3)
        .map(|_| {
            let busy = busy.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while busy.load(std::sync::atomic::Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            })
        })
        .collect();
    let client = reqwest::Client::new();
    let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(50));
    let run = std::process::id();
    let tasks: Vec<_> = (0..FRUITS)
        .flat_map(|n| (1..=2u32).map(move |graph| (n, graph)))
        .map(|(n, graph)| {
            let client = client.clone();
            let limit = limit.clone();
            let url = server.url("/_dash-update-component");
            tokio::spawn(async move {
                let _permit = limit.acquire().await.unwrap();
                let fruit = format!("fruit-{run}-{n}");
                let r = client
                    .post(url)
                    .json(&graph_body(graph, &fruit))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let body: Value = r.json().await.unwrap();
                let title = body["response"][format!("graph-{graph}")]["figure"]["layout"]["title"]
                    ["text"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                (n, title.rsplit("computation ").next().unwrap().to_owned())
            })
        })
        .collect();
    let mut ids = std::collections::HashMap::<usize, Vec<String>>::new();
    for t in tasks {
        let (n, id) = t.await.unwrap();
        ids.entry(n).or_default().push(id);
    }
    busy.store(false, std::sync::atomic::Ordering::Relaxed);
    for l in loops {
        l.join().unwrap();
    }
    for (n, both) in &ids {
        assert_eq!(
            both[0], both[1],
            "fruit {n}: both graphs show one computation"
        );
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(total(&server, "computations").await, FRUITS as u64);
    assert_eq!(total(&server, "uncached_computations").await, 0);
}

/// Redis stopped for a while and started again (empty) while eight clients
/// keep asking: every answer is 200, none waits long on the dead server,
/// and once it is back the values are cached again.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn redis_restarted_under_load_every_answer_is_200() {
    let mut redis = RedisServer::start();
    let port = redis.port();
    let server = Server::start(
        "on_disk_share",
        &[
            ("DASH_CACHE_URL", redis.url()),
            ("EXPENSIVE_MS", "10".into()),
        ],
        &["--workers", "2"],
    )
    .await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let clients: Vec<_> = (0..8)
        .map(|c| {
            let client = reqwest::Client::new();
            let url = server.url("/_dash-update-component");
            let stop = stop.clone();
            tokio::spawn(async move {
                let mut statuses = std::collections::BTreeMap::<u16, u32>::new();
                let mut slowest = Duration::ZERO;
                let mut n = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    n += 1;
                    let fruit = ["apples", "figs", "kiwis"][(n % 3) as usize];
                    let started = Instant::now();
                    let r = client
                        .post(&url)
                        .json(&graph_body(1 + c % 4, fruit))
                        .send()
                        .await
                        .unwrap();
                    slowest = slowest.max(started.elapsed());
                    *statuses.entry(r.status().as_u16()).or_default() += 1;
                }
                (statuses, slowest)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1000)).await;
    redis.stop();
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let restarted = RedisServer::start_on(port);
    restarted.wait_ready();
    // Both workers see Redis again: eight healthy answers in a row, each
    // on a new connection (spread over the workers by the kernel).
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut in_a_row = 0;
    while in_a_row < 8 {
        assert!(Instant::now() < deadline, "workers did not all recover");
        in_a_row = if health(&server).await.0 == 200 {
            in_a_row + 1
        } else {
            0
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut all = std::collections::BTreeMap::<u16, u32>::new();
    let mut slowest = Duration::ZERO;
    for c in clients {
        let (statuses, slow) = c.await.unwrap();
        slowest = slowest.max(slow);
        for (k, v) in statuses {
            *all.entry(k).or_default() += v;
        }
    }
    println!("statuses during the restart: {all:?}, slowest answer {slowest:?}");
    assert_eq!(
        all.keys().copied().collect::<Vec<_>>(),
        vec![200],
        "{all:?}"
    );
    assert!(all[&200] > 100, "{all:?}");
    assert!(
        slowest < Duration::from_secs(8),
        "slowest answer {slowest:?}"
    );
    let client = reqwest::Client::new();
    let id = |body: Value| {
        body["response"]["graph-1"]["figure"]["layout"]["title"]["text"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (_, first) = post(&client, &server, &graph_body(1, "plums")).await;
    let (_, second) = post(&client, &server, &graph_body(1, "plums")).await;
    assert_eq!(id(first), id(second), "cached again");
}
