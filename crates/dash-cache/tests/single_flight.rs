//! Exact single flight across processes: two real processes (this test
//! binary, run again as children), each with two threads, race on the same
//! fresh keys round after round, on a SQLite file, on a redis-server and,
//! within one process, on memory. Every key must be computed exactly once
//! in all, whatever the timing; each child counts its own computations.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use dash_cache::testing::RedisServer;
use dash_cache::{open_backend, Cache, FlightSettings, Limits};

const ROUNDS: u64 = 250;
const THREADS: usize = 2;

fn temp_sqlite(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("dash-sf-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}", dir.join("cache.sqlite").display())
}

fn cache(url: &str) -> Cache {
    Cache::new(
        open_backend(url, Limits::default()).unwrap(),
        FlightSettings::default(),
    )
}

/// One racer: `THREADS` threads memoize the keys of every round; a round's
/// computation takes 0-3 ms so that one process often finishes while the
/// other is between its first read and its lease.
fn race(cache: &Cache, run: &str, computed: &AtomicU64) {
    std::thread::scope(|s| {
        for t in 0..THREADS {
            s.spawn(move || {
                for round in 0..ROUNDS {
                    let key = format!("{run}-{round}");
                    let v: u64 = cache
                        .memoize("race", &key, None, || {
                            computed.fetch_add(1, Ordering::SeqCst);
                            std::thread::sleep(Duration::from_micros(
                                (round * 7 + t as u64) % 3000,
                            ));
                            round
                        })
                        .unwrap();
                    assert_eq!(v, round);
                }
            });
        }
    });
}

/// Run as a child process by `two_processes_compute_each_key_once`.
#[test]
fn race_child() {
    let (Ok(url), Ok(run)) = (
        std::env::var("DASH_SF_CHILD_URL"),
        std::env::var("DASH_SF_CHILD_RUN"),
    ) else {
        return;
    };
    let c = cache(&url);
    // Start together: the parent names a wall-clock instant.
    let start: u128 = std::env::var("DASH_SF_CHILD_START")
        .unwrap()
        .parse()
        .unwrap();
    loop {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        if now >= start {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let computed = AtomicU64::new(0);
    race(&c, &run, &computed);
    let m = c.metrics();
    println!(
        "RACE computed={} errors={} uncached={}",
        computed.load(Ordering::SeqCst),
        m.errors,
        m.uncached
    );
}

fn two_processes(url: &str) {
    let run = format!("run{}", rand_suffix());
    let start = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        + 1500;
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "race_child",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ])
                .env("DASH_SF_CHILD_URL", url)
                .env("DASH_SF_CHILD_RUN", &run)
                .env("DASH_SF_CHILD_START", start.to_string())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let began = Instant::now();
    let mut total = 0u64;
    let mut lines = Vec::new();
    for mut child in children {
        let out = BufReader::new(child.stdout.take().unwrap());
        for line in out.lines() {
            let line = line.unwrap();
            if let Some(rest) = line.split_once("RACE ").map(|(_, r)| r) {
                lines.push(rest.to_owned());
                let computed: u64 = rest
                    .split_whitespace()
                    .find_map(|kv| kv.strip_prefix("computed="))
                    .unwrap()
                    .parse()
                    .unwrap();
                total += computed;
            }
        }
        assert!(child.wait().unwrap().success(), "{url}: a racer failed");
    }
    println!(
        "{url}: {ROUNDS} keys, 2 processes x {THREADS} threads: {total} computations in {:?} ({lines:?})",
        began.elapsed()
    );
    assert_eq!(lines.len(), 2, "{url}: both racers reported");
    assert_eq!(
        total, ROUNDS,
        "{url}: every key computed exactly once across both processes ({lines:?})"
    );
}

fn rand_suffix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

#[test]
fn two_processes_compute_each_key_once_on_sqlite() {
    two_processes(&temp_sqlite("race"));
}

#[test]
fn two_processes_compute_each_key_once_on_redis() {
    let redis = RedisServer::start();
    two_processes(&redis.url());
}

#[test]
fn threads_compute_each_key_once_on_memory() {
    let c = cache("memory://");
    let computed = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| race(&c, "mem", &computed));
        }
    });
    assert_eq!(computed.load(Ordering::SeqCst), ROUNDS);
}

/// Redis drops every client connection again and again (`CLIENT KILL`, as a
/// restart or a proxy's idle cut would) while the two processes race: each
/// key is still computed once.
#[test]
fn two_processes_compute_each_key_once_while_redis_drops_connections() {
    let redis = RedisServer::start();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let kills = AtomicU64::new(0);
    std::thread::scope(|s| {
        s.spawn(|| {
            let client = redis::Client::open(redis.url()).unwrap();
            let mut conn = client.get_connection().unwrap();
            while !stop.load(Ordering::SeqCst) {
                std::thread::sleep(Duration::from_millis(40));
                let killed: i64 = redis::cmd("CLIENT")
                    .arg(&["KILL", "TYPE", "normal", "SKIPME", "yes"][..])
                    .query(&mut conn)
                    .unwrap();
                kills.fetch_add(killed as u64, Ordering::SeqCst);
            }
        });
        two_processes(&redis.url());
        stop.store(true, Ordering::SeqCst);
    });
    let kills = kills.load(Ordering::SeqCst);
    println!("connections killed during the race: {kills}");
    assert!(kills >= 4, "the race saw connections dropped ({kills})");
}
