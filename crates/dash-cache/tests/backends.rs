//! Every backend against the real thing: a SQLite file, a redis-server,
//! memory. TTL, eviction, namespaces, damaged entries, two processes.

use std::sync::Arc;
use std::time::Duration;

use dash_cache::testing::RedisServer;
use dash_cache::{open_backend, Cache, CacheBackend, FlightSettings, Limits};

fn temp_sqlite(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("dash-cache-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}", dir.join("cache.sqlite").display())
}

fn cache(url: &str) -> Cache {
    Cache::new(
        open_backend(url, Limits::default()).unwrap(),
        FlightSettings::default(),
    )
}

fn check_ttl_namespaces_and_damage(url: &str) {
    let c = cache(url);
    let a = c.namespace("a");
    let b = c.namespace("b");
    a.set("k", &"from a", None).unwrap();
    b.set("k", &"from b", Some(Duration::from_millis(300)))
        .unwrap();
    assert_eq!(a.get::<String>("k").as_deref(), Some("from a"));
    assert_eq!(b.get::<String>("k").as_deref(), Some("from b"));
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(b.get::<String>("k"), None, "{url}: TTL expired");
    assert_eq!(
        a.get::<String>("k").as_deref(),
        Some("from a"),
        "{url}: other namespace untouched"
    );
    b.set("x", &1u32, None).unwrap();
    assert!(b.clear().unwrap() >= 1);
    assert_eq!(b.get::<u32>("x"), None);
    assert_eq!(
        a.get::<String>("k").as_deref(),
        Some("from a"),
        "{url}: clear is per namespace"
    );
    assert!(a.delete("k").unwrap());
    assert!(!a.delete("k").unwrap());

    // `add` writes only when no live entry has the key.
    let be = c.backend();
    let _ = be.delete("added");
    assert!(
        be.add("added", b"first", None).unwrap(),
        "{url}: add to an empty key"
    );
    assert!(
        !be.add("added", b"second", None).unwrap(),
        "{url}: add to a taken key"
    );
    assert_eq!(be.get("added").unwrap().as_deref(), Some(&b"first"[..]));
    assert!(be
        .add("short", b"1", Some(Duration::from_millis(100)))
        .unwrap());
    std::thread::sleep(Duration::from_millis(250));
    assert!(
        be.add("short", b"2", None).unwrap(),
        "{url}: add over an expired entry"
    );
    assert_eq!(be.get("short").unwrap().as_deref(), Some(&b"2"[..]));
    be.delete("added").unwrap();
    be.delete("short").unwrap();

    // A damaged or truncated entry reads as a miss, and memoize recomputes it.
    let key = c.memo_key("f", &5u32).unwrap();
    let v: u64 = c.memoize("f", &5u32, None, || 25).unwrap();
    assert_eq!(v, 25);
    c.backend().set(&key, b"\xda\x01\x00garbage", None).unwrap();
    let v: u64 = c.memoize("f", &5u32, None, || 26).unwrap();
    assert_eq!(v, 26, "{url}: damaged entry recomputed");
    let good = c.backend().get(&key).unwrap().unwrap();
    c.backend()
        .set(&key, &good[..good.len() - 2], None)
        .unwrap();
    assert_eq!(c.get::<u64>(&key), None);
    assert!(c.metrics().corrupt >= 1);
}

#[test]
fn sqlite_backend() {
    check_ttl_namespaces_and_damage(&temp_sqlite("basic"));
}

#[test]
fn memory_backend() {
    check_ttl_namespaces_and_damage("memory://");
}

#[test]
fn redis_backend() {
    let redis = RedisServer::start();
    check_ttl_namespaces_and_damage(&redis.url());
}

fn check_lru_eviction(backend: Arc<dyn CacheBackend>) {
    for i in 0..5 {
        backend.set(&format!("k{i}"), &[0u8; 100], None).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    // Touch k0 so k1 becomes the least recently used (SQLite records
    // accesses at most once a second).
    std::thread::sleep(Duration::from_millis(1100));
    assert!(backend.get("k0").unwrap().is_some());
    backend.set("k5", &[0u8; 100], None).unwrap();
    assert!(
        backend.get("k1").unwrap().is_none(),
        "{}: LRU entry evicted",
        backend.kind()
    );
    assert!(
        backend.get("k0").unwrap().is_some(),
        "{}: recently used entry kept",
        backend.kind()
    );
    assert!(backend.get("k5").unwrap().is_some());
    assert!(backend.evictions() >= 1);
}

#[test]
fn eviction_by_entries_and_bytes() {
    let limits = Limits {
        max_entries: Some(5),
        max_bytes: None,
    };
    check_lru_eviction(open_backend(&temp_sqlite("lru"), limits).unwrap());
    check_lru_eviction(open_backend("memory://", limits).unwrap());
    let by_bytes = Limits {
        max_entries: None,
        max_bytes: Some(550),
    };
    check_lru_eviction(open_backend(&temp_sqlite("lru-bytes"), by_bytes).unwrap());
    check_lru_eviction(open_backend("memory://", by_bytes).unwrap());
}

#[test]
fn redis_evicts_least_recently_used_under_its_maxmemory() {
    // Redis bounds itself: maxmemory with an LRU policy, as the guide says.
    let redis =
        RedisServer::start_with(&["--maxmemory", "4mb", "--maxmemory-policy", "allkeys-lru"]);
    let c = cache(&redis.url());
    // Incompressible values, so LZ4 cannot shrink them under the bound.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let block: Vec<u8> = (0..100_000)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    c.set("first", &block, None).unwrap();
    for i in 0..200 {
        c.set(&format!("k{i}"), &block, None).unwrap();
    }
    // Redis's LRU is approximate (it samples keys), so check the bound and
    // the ends rather than an exact order.
    assert!(
        c.get::<Vec<u8>>("first").is_none(),
        "the oldest entry was evicted"
    );
    let kept = (0..200)
        .filter(|i| c.get::<Vec<u8>>(&format!("k{i}")).is_some())
        .count();
    assert!(
        kept < 60,
        "{kept} of 200 entries of 100 KB kept under a 4 MB bound"
    );
    assert!(
        c.get::<Vec<u8>>("k199").is_some(),
        "the newest entry was kept"
    );
}

/// Run as a child process by `two_processes_see_the_same_value`.
#[test]
fn child_writer() {
    let Ok(url) = std::env::var("DASH_CACHE_CHILD_URL") else {
        return;
    };
    let c = cache(&url);
    c.namespace("shared")
        .set("greeting", &vec!["from", "the", "child"], None)
        .unwrap();
    let v: u32 = c.memoize("answer", "q", None, || 42).unwrap();
    assert_eq!(v, 42);
}

fn check_two_processes(url: &str) {
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_writer", "--nocapture"])
        .env("DASH_CACHE_CHILD_URL", url)
        .status()
        .unwrap();
    assert!(status.success());
    let c = cache(url);
    assert_eq!(
        c.namespace("shared").get::<Vec<String>>("greeting"),
        Some(vec!["from".into(), "the".into(), "child".into()])
    );
    let v: u32 = c
        .memoize("answer", "q", None, || panic!("the child computed it"))
        .unwrap();
    assert_eq!(v, 42);
}

#[test]
fn two_processes_see_the_same_value() {
    check_two_processes(&temp_sqlite("two-processes"));
    let redis = RedisServer::start();
    check_two_processes(&redis.url());
}

#[test]
fn single_flight_across_threads() {
    for url in [temp_sqlite("threads"), "memory://".to_owned()] {
        let c = cache(&url);
        let runs = std::sync::atomic::AtomicU32::new(0);
        std::thread::scope(|s| {
            for _ in 0..20 {
                s.spawn(|| {
                    let v: String = c
                        .memoize("slow", "same", None, || {
                            runs.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            std::thread::sleep(Duration::from_millis(300));
                            "done".to_owned()
                        })
                        .unwrap();
                    assert_eq!(v, "done");
                });
            }
        });
        assert_eq!(runs.load(std::sync::atomic::Ordering::SeqCst), 1, "{url}");
        let m = c.metrics();
        assert_eq!(m.computations, 1);
        assert_eq!(m.waits, 19);
    }
}

#[test]
fn a_stopped_redis_means_uncached_computation_then_recovery() {
    let mut redis = RedisServer::start();
    let port = redis.port();
    let c = cache(&redis.url());
    let v: u32 = c.memoize("f", &1, None, || 1).unwrap();
    assert_eq!(v, 1);
    assert!(c.health().reachable);
    redis.stop();
    let v: u32 = c.memoize("f", &1, None, || 2).unwrap();
    assert_eq!(v, 2, "computed without the cache while Redis is down");
    let down = c.health();
    assert!(!down.reachable && down.down_since.is_some(), "{down:?}");
    assert!(down.last_error.is_some());
    let m = c.metrics();
    assert!(m.errors >= 1);
    assert_eq!(m.uncached, 1);
    // While it is down, calls do not wait on it: 50 more memoized calls
    // ask the backend at most a few times (the probes of the back-off).
    for i in 0..50u32 {
        let v: u32 = c.memoize("g", &i, None, move || i).unwrap();
        assert_eq!(v, i);
    }
    let asked = c.metrics().errors - m.errors;
    assert!(asked <= 6, "the backend was asked {asked} times while down");
    assert_eq!(c.metrics().uncached, 51);

    let restarted = RedisServer::start_on(port);
    restarted.wait_ready();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while !c.check_health().reachable {
        assert!(
            std::time::Instant::now() < deadline,
            "never reachable again"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let v: u32 = c.memoize("f", &1, None, || 3).unwrap();
    assert_eq!(
        v, 3,
        "an empty Redis after restart: computed and stored again"
    );
    let v: u32 = c.memoize("f", &1, None, || 4).unwrap();
    assert_eq!(v, 3, "and cached again");
    assert_eq!(c.health().outages, 1);
}

/// Run as a child process by `processes_opening_a_new_file_at_once_all_succeed`.
#[test]
fn child_opener() {
    let (Ok(url), Ok(start)) = (
        std::env::var("DASH_CACHE_OPENER_URL"),
        std::env::var("DASH_CACHE_OPENER_START"),
    ) else {
        return;
    };
    let start: u128 = start.parse().unwrap();
    while std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis()
        < start
    {
        std::thread::sleep(Duration::from_micros(200));
    }
    let backend = open_backend(&url, Limits::default()).expect("open at the same time as others");
    backend
        .set(&format!("opened/{}", std::process::id()), b"1", None)
        .unwrap();
}

/// Eight worker processes starting together on a file that does not exist
/// yet: SQLite reports "database is locked" to some of them while another
/// switches the new file to WAL, without waiting; every open must succeed.
#[test]
fn processes_opening_a_new_file_at_once_all_succeed() {
    for round in 0..3 {
        let url = temp_sqlite(&format!("openers-{round}"));
        let start = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis()
            + 700;
        let children: Vec<_> = (0..8)
            .map(|_| {
                std::process::Command::new(std::env::current_exe().unwrap())
                    .args(["--exact", "child_opener", "--test-threads", "1"])
                    .env("DASH_CACHE_OPENER_URL", &url)
                    .env("DASH_CACHE_OPENER_START", start.to_string())
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success(), "round {round}: an open failed");
        }
        let backend = open_backend(&url, Limits::default()).unwrap();
        assert_eq!(backend.scan_prefix("opened/").unwrap().len(), 8);
    }
}
