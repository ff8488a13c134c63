//! Load with sessions: 1,000 sessions, 50 at a time, over two worker
//! processes of the built `session_notes` example on a SQLite file. Each
//! session loads the page (its own signed cookie), reads its handle from
//! the layout, saves three notes of its own and reads its list back; every
//! answer must hold that session's notes and no other's. Prints the
//! latencies of the callback requests and the peak memory of the processes.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

mod support;
use support::*;

const SESSIONS: usize = 1000;
const AT_ONCE: usize = 50;
const NOTES: usize = 3;

fn cookie_of(r: &reqwest::Response) -> Option<String> {
    r.headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("dash_session="))
        .map(|v| v.split(';').next().unwrap().to_owned())
}

fn handle_in(layout: &Value) -> Option<String> {
    layout["props"]["children"]
        .as_array()?
        .iter()
        .find(|c| c["props"]["id"] == "session-handle")?["props"]["data"]
        .as_str()
        .map(str::to_owned)
}

fn save(note: &str, handle: &str, clicks: usize) -> Value {
    json!({"output": "saved.children", "outputs": {"id": "saved", "property": "children"},
           "inputs": [{"id": "save", "property": "n_clicks", "value": clicks}],
           "state": [{"id": "note", "property": "value", "value": note},
                     {"id": "session-handle", "property": "data", "value": handle}],
           "changedPropIds": ["save.n_clicks"]})
}

fn show(handle: &str) -> Value {
    json!({"output": "notes.children", "outputs": {"id": "notes", "property": "children"},
           "inputs": [{"id": "saved", "property": "children", "value": "saved"}],
           "state": [{"id": "session-handle", "property": "data", "value": handle}],
           "changedPropIds": ["saved.children"]})
}

/// One session's whole visit; returns the callback latencies, or what went
/// wrong.
async fn visit(client: &reqwest::Client, base: &str, n: usize) -> Result<Vec<Duration>, String> {
    let page = client
        .get(format!("{base}/"))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let cookie = cookie_of(&page).ok_or("no session cookie on the page")?;
    let layout: Value = client
        .get(format!("{base}/_dash-layout"))
        .header("Cookie", &cookie)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let handle = handle_in(&layout).ok_or("no handle in the layout")?;
    let mine: Vec<String> = (0..NOTES)
        .map(|k| format!("session-{n}-note-{k}-{:08x}", rand_u32()))
        .collect();
    let mut took = Vec::new();
    let call = |body: Value| {
        let cookie = cookie.clone();
        async move {
            let started = Instant::now();
            let r = client
                .post(format!("{base}/_dash-update-component"))
                .header("Cookie", cookie)
                .json(&body)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            let status = r.status();
            let body: Value = r.json().await.map_err(|e| e.to_string())?;
            if status != 200 {
                return Err(format!("HTTP {status}: {body}"));
            }
            Ok::<_, String>((started.elapsed(), body))
        }
    };
    for (k, note) in mine.iter().enumerate() {
        let (t, body) = call(save(note, &handle, k + 1)).await?;
        took.push(t);
        let saved = &body["response"]["saved"]["children"];
        if *saved != json!(format!("{} notes saved", k + 1)) {
            return Err(format!("session {n}: save {k} answered {saved}"));
        }
    }
    let (t, body) = call(show(&handle)).await?;
    took.push(t);
    let listed: Vec<String> = body["response"]["notes"]["children"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|li| li["props"]["children"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    if listed != mine {
        return Err(format!("session {n}: listed {listed:?}, saved {mine:?}"));
    }
    Ok(took)
}

fn rand_u32() -> u32 {
    uuid::Uuid::new_v4().as_u128() as u32
}

fn resident_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_sessions_fifty_at_a_time_each_sees_only_its_own_data() {
    let url = temp_sqlite("session-load");
    let server = Server::start(
        "session_notes",
        &[("DASH_CACHE_URL", url.clone())],
        &["--workers", "2"],
    )
    .await;
    let mut pids = server.children();
    assert_eq!(pids.len(), 2, "two workers");
    pids.push(server.pid());

    let sampling = Arc::new(AtomicBool::new(true));
    let peak_kib = Arc::new(AtomicU64::new(0));
    let sampler = {
        let (sampling, peak_kib, pids) = (sampling.clone(), peak_kib.clone(), pids.clone());
        std::thread::spawn(move || {
            while sampling.load(Ordering::Relaxed) {
                let total: f64 = pids.iter().map(|&p| resident_mib(p)).sum();
                peak_kib.fetch_max((total * 1024.0) as u64, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        })
    };
    let idle: f64 = pids.iter().map(|&p| resident_mib(p)).sum();

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(AT_ONCE)
        .build()
        .unwrap();
    let base = server.url("");
    let limit = Arc::new(tokio::sync::Semaphore::new(AT_ONCE));
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let started = Instant::now();
    let tasks: Vec<_> = (0..SESSIONS)
        .map(|n| {
            let (client, base, limit) = (client.clone(), base.clone(), limit.clone());
            let (latencies, failures) = (latencies.clone(), failures.clone());
            tokio::spawn(async move {
                let _permit = limit.acquire().await.unwrap();
                match visit(&client, &base, n).await {
                    Ok(took) => latencies.lock().unwrap().extend(took),
                    Err(e) => failures.lock().unwrap().push(e),
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let elapsed = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    sampler.join().unwrap();

    let failures = failures.lock().unwrap();
    let mut l = latencies.lock().unwrap().clone();
    l.sort();
    let pct = |p: f64| l[((l.len() as f64 * p) as usize).min(l.len() - 1)].as_secs_f64() * 1000.0;
    println!(
        "LOAD sessions={SESSIONS} at_once={AT_ONCE} workers=2 callbacks={} in {:.1} s: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; RSS of all processes idle {:.1} MiB, peak {:.1} MiB; failed sessions {}",
        l.len(),
        elapsed.as_secs_f64(),
        pct(0.50),
        pct(0.99),
        pct(1.0),
        idle,
        peak_kib.load(Ordering::Relaxed) as f64 / 1024.0,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} sessions failed, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(l.len(), SESSIONS * (NOTES + 1));
    assert_eq!(sqlite_integrity(&url), "ok");
}
