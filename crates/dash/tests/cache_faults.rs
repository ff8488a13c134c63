//! A cache that cannot be used, at start and later, with the built
//! `on_disk_share` example as a real process: a read-only folder (a
//! read-only tmpfs mount), a regular file where the folder should be, a
//! damaged SQLite file, an unreachable Redis. Each stops the start with an
//! error naming the URL and the cause, unless a degraded start was asked
//! for; a backend lost while serving shows in `_dash-health` while callbacks
//! keep answering, and both recover. Needs root (mount) and redis-server.

use std::time::{Duration, Instant};

use dash::dash_cache_testing::RedisServer;
use serde_json::Value;

mod support;
use support::*;

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Starts the example with `url`, expects it to exit non-zero promptly, and
/// returns what it said.
fn refused_start(url: &str, args: &[&str]) -> String {
    let (status, stderr) = run_to_exit(
        "on_disk_share",
        &[
            ("DASH_CACHE_URL", url.to_owned()),
            ("RUST_LOG", "warn".into()),
        ],
        args,
        Duration::from_secs(30),
    );
    let status = status.unwrap_or_else(|| panic!("{url}: the server started anyway:\n{stderr}"));
    assert!(!status.success(), "{url}: exit status {status}\n{stderr}");
    assert!(
        stderr.contains("the cache") && stderr.contains("cannot be used"),
        "{url}: a clear error:\n{stderr}"
    );
    stderr
}

struct ReadOnlyMount(std::path::PathBuf);

impl ReadOnlyMount {
    fn new(name: &str) -> Self {
        let dir = temp_dir(name);
        let status = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "ro,size=1m", "tmpfs"])
            .arg(&dir)
            .status()
            .expect("mount (these tests run as root)");
        assert!(
            status.success(),
            "mount a read-only tmpfs at {}",
            dir.display()
        );
        ReadOnlyMount(dir)
    }
}

impl Drop for ReadOnlyMount {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn a_cache_in_a_read_only_folder_stops_the_start() {
    let ro = ReadOnlyMount::new("ro");
    let url = format!("sqlite://{}", ro.0.join("cache.sqlite").display());
    let said = refused_start(&url, &[]);
    assert!(said.contains(&url), "names the URL:\n{said}");
    assert!(
        said.to_lowercase().contains("read-only") || said.contains("readonly"),
        "names the cause:\n{said}"
    );
    // Also a folder to be created inside it.
    let url = format!("sqlite://{}", ro.0.join("sub/cache.sqlite").display());
    let said = refused_start(&url, &[]);
    assert!(said.contains("Read-only file system"), "{said}");
}

#[test]
fn a_cache_under_a_regular_file_stops_the_start() {
    let dir = temp_dir("file-parent");
    std::fs::write(dir.join("blocker"), b"a file, not a folder").unwrap();
    let url = format!("sqlite://{}", dir.join("blocker/cache.sqlite").display());
    let said = refused_start(&url, &[]);
    assert!(said.contains(&url), "{said}");
    assert!(
        said.contains("Not a directory") || said.contains("File exists"),
        "{said}"
    );
}

#[test]
fn a_damaged_sqlite_file_stops_the_start() {
    let dir = temp_dir("damaged");
    let file = dir.join("cache.sqlite");
    std::fs::write(&file, vec![0x5au8; 64 * 1024]).unwrap();
    let url = format!("sqlite://{}", file.display());
    let said = refused_start(&url, &[]);
    assert!(said.contains("file is not a database"), "{said}");
    assert_eq!(
        std::fs::read(&file).unwrap(),
        vec![0x5au8; 64 * 1024],
        "the damaged file is left as it was"
    );
}

#[test]
fn an_unreachable_redis_stops_the_start_without_showing_its_password() {
    let port = free_port();
    let url = format!("redis://:hunter2secret@127.0.0.1:{port}/0");
    let said = refused_start(&url, &[]);
    assert!(
        said.contains(&format!("redis://:***@127.0.0.1:{port}/0")),
        "{said}"
    );
    assert!(!said.contains("hunter2secret"), "the password is not shown");
}

#[test]
fn the_supervisor_stops_with_one_error_before_starting_workers() {
    let dir = temp_dir("supervisor");
    std::fs::write(dir.join("blocker"), b"x").unwrap();
    let url = format!("sqlite://{}", dir.join("blocker/cache.sqlite").display());
    let said = refused_start(&url, &["--workers", "2"]);
    assert_eq!(
        said.matches("cannot be used").count(),
        1,
        "one error, no worker restarts:\n{said}"
    );
    assert!(!said.contains("worker started"), "{said}");
}

async fn fruit_answer(client: &reqwest::Client, server: &Server, fruit: &str) -> Value {
    let (status, body) = post(client, server, &signal_body(fruit)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["response"]["signal"]["data"], fruit);
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_degraded_start_serves_uncached_then_uses_the_cache_once_it_opens() {
    let dir = temp_dir("degraded");
    let blocker = dir.join("cache");
    std::fs::write(&blocker, b"not yet a folder").unwrap();
    let url = format!("sqlite://{}", blocker.join("cache.sqlite").display());
    let server = Server::start(
        "on_disk_share",
        &[
            ("DASH_CACHE_URL", url.clone()),
            ("DASH_ALLOW_DEGRADED_START", "1".into()),
            ("EXPENSIVE_MS", "10".into()),
            ("DASH_METRICS", "1".into()),
        ],
        &[],
    )
    .await;
    let body = wait_health(&server, 503).await;
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["cache"]["reachable"], false);
    assert!(
        !body.to_string().contains(dir.to_str().unwrap()),
        "no server path in the health answer: {body}"
    );
    let client = reqwest::Client::new();
    for _ in 0..3 {
        fruit_answer(&client, &server, "figs").await;
    }
    std::fs::remove_file(&blocker).unwrap();
    let body = wait_health(&server, 200).await;
    assert_eq!(body["status"], "ok");
    assert_eq!(body["cache"]["backend"], "sqlite");
    let before = total(&server, "computations").await;
    fruit_answer(&client, &server, "kiwis").await;
    fruit_answer(&client, &server, "kiwis").await;
    let after = total(&server, "computations").await;
    assert_eq!(
        after - before,
        1,
        "cached again once the file could be opened"
    );
    assert!(total(&server, "uncached_computations").await >= 1);
    assert_eq!(sqlite_integrity(&url), "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redis_lost_while_serving_shows_in_health_and_callbacks_keep_answering() {
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
    assert_eq!(health(&server).await.0, 200);
    let client = reqwest::Client::new();
    fruit_answer(&client, &server, "figs").await;
    redis.stop();
    let started = Instant::now();
    for fruit in ["apples", "pears", "plums", "figs"] {
        fruit_answer(&client, &server, fruit).await;
    }
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "answers while Redis is down do not wait on it: {:?}",
        started.elapsed()
    );
    let body = wait_health(&server, 503).await;
    assert_eq!(body["cache"]["reachable"], false);
    let restarted = RedisServer::start_on(port);
    restarted.wait_ready();
    let body = wait_health(&server, 200).await;
    assert_eq!(body["cache"]["outages"], 1);
    fruit_answer(&client, &server, "limes").await;
}
