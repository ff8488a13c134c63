//! ServerStore: the value stays on the server, the browser holds a signed
//! reference bound to its session. Security (altered, made-up, cross-session,
//! cookie-less, expired, purged references; a reference replayed after the
//! session's data was cleared: each its status and message, nothing of the
//! value or the backend in the answer), the time to live refreshed by reads,
//! and eviction under small bounds that never drops an active session's
//! live value. Real listeners and real SQLite files.

use std::time::Duration;

use dash::prelude::*;
use serde_json::{json, Value};

#[path = "server_store/common.rs"]
mod common;
use common::{post, start, temp_sqlite, values, Answer};

/// `n` -> store `big` (the values); `unit` + `big` -> `out` ("none" when it
/// has no value); `strict` takes the value without `Option`; `wipe` clears
/// the session's server data.
fn app(url: &str, ttl: Duration) -> Dash {
    let mut app = Dash::new().cache_url(url);
    app.layout(html::Div::new().children((
        dcc::Input::new().id("n"),
        ServerStore::new().id("big").ttl(ttl),
        dcc::Input::new().id("unit"),
        html::Div::new().id("out"),
        html::Div::new().id("strict-out"),
        html::Button::new().id("wipe"),
        html::Div::new().id("wiped"),
    )));
    app.callback(
        Callback::new()
            .output(("big", "data"))
            .input(("n", "value")),
        |n: u64| values(n, 20_000),
    );
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("unit", "value"))
            .input(("big", "data")),
        |_unit: Option<String>, data: Option<Vec<u64>>| match data {
            Some(d) => format!("len={} first={}", d.len(), d[0]),
            None => "none".to_owned(),
        },
    );
    app.callback(
        Callback::new()
            .output(("strict-out", "children"))
            .input(("unit", "value"))
            .state(("big", "data")),
        |_unit: Option<String>, data: Vec<u64>| format!("len={}", data.len()),
    );
    app.callback(
        Callback::new()
            .output(("wiped", "children"))
            .input(("wipe", "n_clicks")),
        |ctx: CallbackContext, _n: Option<u32>| -> Result<u64, CallbackError> {
            Ok(ctx.session_cache()?.clear()?)
        },
    );
    app
}

fn write_body(n: u64) -> Value {
    json!({
        "output": "big.data",
        "outputs": {"id": "big", "property": "data"},
        "inputs": [{"id": "n", "property": "value", "value": n}],
        "changedPropIds": ["n.value"],
    })
}

fn read_body(reference: &Value) -> Value {
    json!({
        "output": "out.children",
        "outputs": {"id": "out", "property": "children"},
        "inputs": [{"id": "unit", "property": "value", "value": "c"},
                   {"id": "big", "property": "data", "value": reference}],
        "changedPropIds": ["unit.value"],
    })
}

fn strict_body(reference: &Value) -> Value {
    json!({
        "output": "strict-out.children",
        "outputs": {"id": "strict-out", "property": "children"},
        "inputs": [{"id": "unit", "property": "value", "value": "c"}],
        "state": [{"id": "big", "property": "data", "value": reference}],
        "changedPropIds": ["unit.value"],
    })
}

/// A new session that wrote the value of `n`: (cookie, reference).
async fn written(base: &str, n: u64, cookie: Option<&str>) -> (String, Value) {
    let a = post(base, &write_body(n), cookie).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let cookie = a.cookie.or(cookie.map(str::to_owned)).expect("a session");
    (cookie, a.body["response"]["big"]["data"].clone())
}

async fn out(base: &str, reference: &Value, cookie: Option<&str>) -> Answer {
    post(base, &read_body(reference), cookie).await
}

fn out_text(a: &Answer) -> String {
    assert_eq!(a.status, 200, "{}", a.text);
    a.body["response"]["out"]["children"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A refusal names the store and reveals nothing else.
fn assert_refused(a: &Answer, status: u16, cookie: &str) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.body["store"], "big", "{}", a.text);
    let message = a.body["message"].as_str().unwrap();
    assert!(message.starts_with("ServerStore \"big\": "), "{message}");
    let first = values(7, 1)[0].to_string();
    let session = cookie.split('.').nth(1).unwrap_or("-");
    for secret in [
        first.as_str(),
        session,
        "sqlite",
        "app/session",
        "server-store/",
        "/tmp",
    ] {
        assert!(!a.text.contains(secret), "{secret:?} leaked: {}", a.text);
    }
    assert!(a.text.len() < 600, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_round_trip_and_the_browser_holds_only_a_reference() {
    let base = start(app(&temp_sqlite("trip"), Duration::from_secs(60))).await;
    let a = post(&base, &write_body(7), None).await;
    assert_eq!(a.status, 200);
    assert!(
        a.text.len() < 300,
        "the answer is the reference: {}",
        a.text
    );
    let reference = &a.body["response"]["big"]["data"];
    let r = reference["ref"].as_str().unwrap();
    let (key, tag) = r.split_once('.').unwrap();
    assert_eq!(
        (key.len(), tag.len()),
        (32, 43),
        "128-bit key, HMAC-SHA-256 tag"
    );
    assert!(reference["size"].as_u64().unwrap() > 100_000);
    assert!(reference["expires"].as_u64().unwrap() > 1_700_000_000_000);
    let cookie = a.cookie.unwrap();
    let body = read_body(reference);
    assert!(serde_json::to_vec(&body).unwrap().len() < 1024);
    let v = values(7, 1)[0];
    assert_eq!(
        out_text(&out(&base, reference, Some(&cookie)).await),
        format!("len=20000 first={v}")
    );
    // No data yet: None.
    assert_eq!(
        out_text(&out(&base, &Value::Null, Some(&cookie)).await),
        "none"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn altered_made_up_foreign_and_cookieless_references_are_refused() {
    let base = start(app(&temp_sqlite("refuse"), Duration::from_secs(60))).await;
    let (cookie, reference) = written(&base, 7, None).await;
    let (other_cookie, _) = written(&base, 8, None).await;
    let r = reference["ref"].as_str().unwrap().to_owned();
    let flip = |s: &str, at: usize| {
        let mut b = s.as_bytes().to_vec();
        b[at] = if b[at] == b'a' { b'b' } else { b'a' };
        String::from_utf8(b).unwrap()
    };
    let mut altered = Vec::new();
    for at in [0, 31, 33, r.len() - 1] {
        let mut v = reference.clone();
        v["ref"] = flip(&r, at).into();
        altered.push(v);
    }
    for (field, delta) in [
        ("size", 1i64),
        ("size", -1),
        ("expires", 1000),
        ("expires", -1),
    ] {
        let mut v = reference.clone();
        v[field] = json!(reference[field].as_i64().unwrap() + delta);
        altered.push(v);
    }
    for v in &altered {
        assert_refused(&out(&base, v, Some(&cookie)).await, 403, &cookie);
    }
    // Made up: a fresh random key with a tag of the right length.
    let made_up = json!({"ref": format!("{}.{}", "0".repeat(32), "A".repeat(43)), "size": 10, "expires": 4_000_000_000_000u64});
    assert_refused(&out(&base, &made_up, Some(&cookie)).await, 403, &cookie);
    // Not references at all.
    for junk in [
        json!("SERVERSIDE_{\"key\":\"x\"}"),
        json!(5),
        json!([1, 2]),
        json!({"ref": r}),
        json!({"ref": r, "size": reference["size"], "expires": reference["expires"], "extra": 1}),
    ] {
        let a = out(&base, &junk, Some(&cookie)).await;
        assert_refused(&a, 403, &cookie);
        assert!(
            a.body["message"]
                .as_str()
                .unwrap()
                .contains("not a reference"),
            "{}",
            a.text
        );
    }
    // Another session's cookie, and none.
    let a = out(&base, &reference, Some(&other_cookie)).await;
    assert_refused(&a, 403, &other_cookie);
    assert!(a.text.contains("not valid for this session"), "{}", a.text);
    assert_refused(&out(&base, &reference, None).await, 403, &cookie);
    // A forged cookie gets a new session, which the reference is not for.
    assert_refused(
        &out(&base, &reference, Some("s1.forged")).await,
        403,
        &cookie,
    );
    // The real owner still reads it.
    assert!(out_text(&out(&base, &reference, Some(&cookie)).await).starts_with("len=20000"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_purged_and_cleared_values_give_none_or_a_clear_410() {
    let url = temp_sqlite("gone");
    let base = start(app(&url, Duration::from_millis(700))).await;
    let (cookie, reference) = written(&base, 7, None).await;
    // Reads extend the time to live: it outlives its 700 ms.
    for _ in 0..6 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(out_text(&out(&base, &reference, Some(&cookie)).await).starts_with("len="));
    }
    let strict = post(&base, &strict_body(&reference), Some(&cookie)).await;
    assert_eq!(
        strict.body["response"]["strict-out"]["children"],
        "len=20000"
    );
    // Unread, it expires: None for an Option, 410 naming the store otherwise.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(
        out_text(&out(&base, &reference, Some(&cookie)).await),
        "none"
    );
    let strict = post(&base, &strict_body(&reference), Some(&cookie)).await;
    assert_refused(&strict, 410, &cookie);
    assert!(
        strict.text.contains("no longer on the server"),
        "{}",
        strict.text
    );
    assert!(
        strict.text.contains("Option<alloc::vec::Vec<u64>>"),
        "{}",
        strict.text
    );
    // The maintenance purge removes it from the file.
    let cache = dash::Cache::from_url(&url).unwrap();
    assert!(cache.purge_expired().unwrap() >= 1);
    let left = cache.backend().scan_prefix("app/session/").unwrap();
    assert!(
        left.iter().all(|(k, _)| !k.contains("server-store/")),
        "purged"
    );
    assert_eq!(
        out_text(&out(&base, &reference, Some(&cookie)).await),
        "none"
    );

    // Replayed after the session's server data was cleared.
    let base = start(app(&temp_sqlite("cleared"), Duration::from_secs(60))).await;
    let (cookie, reference) = written(&base, 9, None).await;
    assert!(out_text(&out(&base, &reference, Some(&cookie)).await).starts_with("len="));
    let wipe = json!({
        "output": "wiped.children",
        "outputs": {"id": "wiped", "property": "children"},
        "inputs": [{"id": "wipe", "property": "n_clicks", "value": 1}],
        "changedPropIds": ["wipe.n_clicks"],
    });
    let w = post(&base, &wipe, Some(&cookie)).await;
    assert!(
        w.body["response"]["wiped"]["children"].as_u64().unwrap() >= 1,
        "{}",
        w.text
    );
    assert_eq!(
        out_text(&out(&base, &reference, Some(&cookie)).await),
        "none"
    );
    assert_refused(
        &post(&base, &strict_body(&reference), Some(&cookie)).await,
        410,
        &cookie,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eviction_under_a_small_bound_never_drops_an_active_sessions_value() {
    // Measure one value's size first.
    let probe = start(app(&temp_sqlite("probe"), Duration::from_secs(60))).await;
    let (_, r) = written(&probe, 1, None).await;
    let size = r["size"].as_u64().unwrap();
    // Room for three values in all, two per session; idle after 400 ms.
    let url = temp_sqlite("evict");
    let base = start(
        app(&url, Duration::from_secs(60))
            .server_store_limits(2 * size + size / 2, 3 * size + size / 2)
            .server_store_active_window(Duration::from_millis(400)),
    )
    .await;
    let (active, active_ref) = written(&base, 100, None).await;
    let mut idle = Vec::new();
    for n in 0..2 {
        idle.push(written(&base, 200 + n, None).await);
    }
    // The two go idle while the first session keeps reading.
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert!(out_text(&out(&base, &active_ref, Some(&active)).await).starts_with("len="));
    }
    // New sessions keep writing; the active one keeps reading its value.
    for n in 0..8u64 {
        tokio::time::sleep(Duration::from_millis(250)).await;
        assert!(
            out_text(&out(&base, &active_ref, Some(&active)).await).starts_with("len="),
            "the active session's value survived write {n}"
        );
        let (c, r) = written(&base, 300 + n, None).await;
        assert!(out_text(&out(&base, &r, Some(&c)).await).starts_with("len="));
    }
    // The idle sessions' values went first.
    for (c, r) in &idle {
        assert_eq!(out_text(&out(&base, r, Some(c)).await), "none");
    }
    let cache = dash::Cache::from_url(&url).unwrap();
    let held: usize = cache
        .backend()
        .scan_prefix("app/session/")
        .unwrap()
        .iter()
        .filter(|(k, _)| k.contains("server-store/"))
        .map(|(_, v)| v.len())
        .sum();
    assert!(held as u64 <= 3 * size + size / 2, "{held} bytes held");

    // One session over its own bound: its superseded values go, least
    // recently used first; the newest (the one its page shows) stays.
    let (c, _first) = written(&base, 1, Some(&active)).await;
    let (_, second) = written(&base, 2, Some(&c)).await;
    assert!(out_text(&out(&base, &second, Some(&c)).await).starts_with("len="));
    assert_eq!(out_text(&out(&base, &active_ref, Some(&c)).await), "none");
}
