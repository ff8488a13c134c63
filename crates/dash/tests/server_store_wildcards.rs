//! ServerStore through pattern-matching dependencies and `set_props`: an
//! `ALL` output writes each matched store's value with its own reference,
//! an `ALL` input reads them as a list (each reference verified against its
//! own store id and the session), `MATCH` still works, `set_props` of a
//! store's `data` stores the value and sends the reference. Forged, swapped
//! and cross-session references through an `ALL` input are 403 naming the
//! store; a wrong count of `ALL` values is a 400. A background job's output
//! and `set_props` to stores send references. Real listener, real SQLite.

use dash::prelude::*;
use serde_json::{json, Value};

#[allow(dead_code)]
#[path = "background/client.rs"]
mod client;
#[path = "server_store/common.rs"]
mod common;
use common::{post, start, temp_sqlite, values, Answer};

fn pid(kind: &str, i: i64) -> ComponentId {
    ComponentId::object([("type", kind.into()), ("i", i.into())])
}

fn any(kind: &str, w: Wildcard) -> ComponentId {
    ComponentId::object([("type", kind.into()), ("i", w.into())])
}

/// The renderer's string form of a pattern id.
fn sid(kind: &str, i: u64) -> String {
    format!("{{\"i\":{i},\"type\":\"{kind}\"}}")
}

fn app(url: &str) -> Dash {
    let mut app = Dash::new().cache_url(url);
    app.layout(html::Div::new().children((
        dcc::Input::new().id("n"),
        dcc::Input::new().id(pid("seed", 1)),
        dcc::Input::new().id(pid("seed", 2)),
        ServerStore::new().id(pid("store", 1)),
        ServerStore::new().id(pid("store", 2)),
        html::Div::new().id("summary"),
        ServerStore::new().id(pid("mstore", 1)),
        html::Div::new().id(pid("mout", 1)),
        html::Button::new().id("side-btn"),
        html::Div::new().id("side-out"),
        ServerStore::new().id("side-store"),
        html::Div::new().id("side-read"),
        html::Button::new().id("add"),
        html::Div::new().id("more"),
        html::Button::new().id("bg-btn"),
        ServerStore::new().id("bg-store"),
    )));
    // A background job: its output and its set_props, both to stores.
    app.callback(
        Callback::new()
            .output(("bg-store", "data"))
            .input(("bg-btn", "n_clicks"))
            .background(),
        |ctx: CallbackContext, n: u64| {
            ctx.set_props("side-store", json!({"data": values(300 + n, 5_000)}));
            values(400 + n, 5_000)
        },
    );
    // A store added to the page by a callback, with a pattern id.
    app.callback(
        Callback::new()
            .output(("more", "children"))
            .input(("add", "n_clicks")),
        |_n: Option<u32>| Component::from(ServerStore::new().id(pid("store", 3))),
    );
    // ALL output: one value per matched store (one per seed).
    app.callback(
        Callback::new()
            .output(Output::new(any("store", Wildcard::All), "data"))
            .input(("n", "value"))
            .state(State::new(any("seed", Wildcard::All), "value")),
        |n: u64, seeds: Vec<Option<u64>>| -> Vec<Vec<u64>> {
            seeds
                .iter()
                .map(|s| values(n + s.unwrap_or(0), 5_000))
                .collect()
        },
    );
    // ALL input: the list of values, `None` where a store has none.
    app.callback(
        Callback::new()
            .output(("summary", "children"))
            .input(Input::new(any("store", Wildcard::All), "data")),
        |data: Vec<Option<Vec<u64>>>| {
            let each: Vec<String> = data
                .iter()
                .map(|d| match d {
                    Some(d) => format!("len={} first={}", d.len(), d[0]),
                    None => "none".to_owned(),
                })
                .collect();
            format!("{}: {}", data.len(), each.join(", "))
        },
    );
    // MATCH, both ways.
    app.callback(
        Callback::new()
            .output(Output::new(any("mstore", Wildcard::Match), "data"))
            .input(Input::new(any("seed", Wildcard::Match), "value")),
        |seed: u64| values(seed, 3_000),
    );
    app.callback(
        Callback::new()
            .output(Output::new(any("mout", Wildcard::Match), "children"))
            .input(Input::new(any("mstore", Wildcard::Match), "data")),
        |data: Option<Vec<u64>>| data.map_or("none".into(), |d| format!("first={}", d[0])),
    );
    // set_props of stores' data, a plain id and a pattern id.
    app.callback(
        Callback::new()
            .output(("side-out", "children"))
            .input(("side-btn", "n_clicks")),
        |ctx: CallbackContext, n: u64| {
            ctx.set_props("side-store", json!({"data": values(100 + n, 5_000)}));
            ctx.set_props(pid("store", 2), json!({"data": values(200 + n, 5_000)}));
            "sent"
        },
    );
    app.callback(
        Callback::new()
            .output(("side-read", "children"))
            .input(("side-store", "data")),
        |data: Option<Vec<u64>>| data.map_or("none".into(), |d| format!("first={}", d[0])),
    );
    app
}

/// The callback keys, by a piece of their output.
async fn key(base: &str, output_has: &str) -> String {
    let deps: Value = reqwest::get(format!("{base}/_dash-dependencies"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    deps.as_array()
        .unwrap()
        .iter()
        .map(|d| d["output"].as_str().unwrap().to_owned())
        .find(|o| o.contains(output_has))
        .unwrap_or_else(|| panic!("no callback writes {output_has}"))
}

/// The body of a callback with one plain output and one plain input.
fn single(
    key: &str,
    (out, out_prop): (&str, &str),
    (id, prop): (&str, &str),
    value: &Value,
) -> Value {
    json!({
        "output": key,
        "outputs": {"id": out, "property": out_prop},
        "inputs": [{"id": id, "property": prop, "value": value}],
        "changedPropIds": [format!("{id}.{prop}")],
    })
}

fn target(kind: &str, i: u64, property: &str) -> Value {
    json!({"id": {"type": kind, "i": i}, "property": property})
}

/// The ALL write for `seeds.len()` seeds and `stores` stores.
fn write_all(key: &str, n: u64, stores: u64, seeds: &[u64]) -> Value {
    let state: Vec<Value> = seeds
        .iter()
        .enumerate()
        .map(|(i, s)| json!({"id": {"type": "seed", "i": i + 1}, "property": "value", "value": s}))
        .collect();
    json!({
        "output": key,
        "outputs": (1..=stores).map(|i| target("store", i, "data")).collect::<Vec<_>>(),
        "inputs": [{"id": "n", "property": "value", "value": n}],
        "state": [state],
        "changedPropIds": ["n.value"],
    })
}

/// The ALL read of the given data, one per store.
fn read_all(key: &str, data: &[Value]) -> Value {
    let entries: Vec<Value> = data
        .iter()
        .enumerate()
        .map(|(i, d)| json!({"id": {"type": "store", "i": i + 1}, "property": "data", "value": d}))
        .collect();
    json!({
        "output": key,
        "outputs": {"id": "summary", "property": "children"},
        "inputs": [entries],
        "changedPropIds": [format!("{}.data", sid("store", 1))],
    })
}

/// A refusal names the store and reveals nothing of the values.
fn assert_refused(a: &Answer, status: u16, store: &str, secrets: &[String]) {
    assert_eq!(a.status, status, "{}", a.text);
    assert_eq!(a.body["store"], store, "{}", a.text);
    let message = a.body["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("ServerStore {store:?}: ")),
        "{message}"
    );
    for secret in secrets.iter().map(String::as_str).chain(["sqlite", "/tmp"]) {
        assert!(!a.text.contains(secret), "{secret:?} leaked: {}", a.text);
    }
    assert!(a.text.len() < 600, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_outputs_and_inputs_round_trip_each_store_on_its_own() {
    let base = start(app(&temp_sqlite("wc-all"))).await;
    let (write, read) = (
        key(&base, "\"store\"}.data").await,
        key(&base, "summary").await,
    );
    let a = post(&base, &write_all(&write, 10, 2, &[1, 2]), None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(
        a.text.len() < 1024,
        "two references, not the data: {}",
        a.text
    );
    let cookie = a.cookie.clone().unwrap();
    let refs: Vec<Value> = (1..=2)
        .map(|i| a.body["response"][sid("store", i)]["data"].clone())
        .collect();
    for r in &refs {
        assert!(r["ref"].is_string(), "{}", a.text);
        assert!(serde_json::to_string(r).unwrap().len() < 1024);
        assert!(r["size"].as_u64().unwrap() > 20_000);
    }
    assert_ne!(refs[0]["ref"], refs[1]["ref"]);

    let body = read_all(&read, &refs);
    assert!(serde_json::to_vec(&body).unwrap().len() < 2048);
    let a = post(&base, &body, Some(&cookie)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        a.body["response"]["summary"]["children"],
        format!(
            "2: len=5000 first={}, len=5000 first={}",
            values(11, 1)[0],
            values(12, 1)[0]
        )
    );
    // A store with no data yet is None in the list.
    let a = post(
        &base,
        &read_all(&read, &[refs[0].clone(), Value::Null]),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        a.body["response"]["summary"]["children"],
        format!("2: len=5000 first={}, none", values(11, 1)[0]),
        "{}",
        a.text
    );
    // No store matched: an empty list.
    let a = post(&base, &read_all(&read, &[]), Some(&cookie)).await;
    assert_eq!(
        a.body["response"]["summary"]["children"], "0: ",
        "{}",
        a.text
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_a_callback_adds_to_the_page_is_a_server_store_too() {
    let base = start(app(&temp_sqlite("wc-added"))).await;
    let (add, write) = (
        key(&base, "more").await,
        key(&base, "\"store\"}.data").await,
    );
    let click = single(&add, ("more", "children"), ("add", "n_clicks"), &json!(1));
    let a = post(&base, &click, None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["response"]["more"]["children"]["type"], "Store");
    assert!(
        !a.text.contains("__dash_rs"),
        "the marker is stripped: {}",
        a.text
    );
    let a = post(&base, &write_all(&write, 10, 3, &[1, 2, 3]), None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.len() < 1024, "{}", a.text);
    assert!(
        a.body["response"][sid("store", 3)]["data"]["ref"].is_string(),
        "{}",
        a.text
    );
}

/// Two apps on one SQLite file stand for two worker processes: a store the
/// first adds to the page in a callback's answer is a server store for the
/// second too, which never saw it (`server_store/shared_ids.rs`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_one_process_adds_is_a_server_store_in_another() {
    let url = temp_sqlite("wc-two-processes");
    let (first, second) = (start(app(&url)).await, start(app(&url)).await);
    let (add, write, read) = (
        key(&first, "more").await,
        key(&first, "\"store\"}.data").await,
        key(&first, "summary").await,
    );
    let click = single(&add, ("more", "children"), ("add", "n_clicks"), &json!(1));
    let a = post(&first, &click, None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    // The second writes the three stores: the third as a store, by reference.
    let a = post(&second, &write_all(&write, 10, 3, &[1, 2, 3]), None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    let cookie = a.cookie.clone().expect("a session");
    assert!(
        a.text.len() < 1024,
        "the values stayed on the server: {}",
        a.text
    );
    let refs: Vec<Value> = (1..=3)
        .map(|i| a.body["response"][sid("store", i)]["data"].clone())
        .collect();
    assert!(refs.iter().all(|r| r["ref"].is_string()), "{}", a.text);
    // Either reads them back; an altered third reference is refused by both.
    for base in [&first, &second] {
        let a = post(base, &read_all(&read, &refs), Some(&cookie)).await;
        assert_eq!(a.status, 200, "{}", a.text);
        assert_eq!(
            a.body["response"]["summary"]["children"],
            format!(
                "3: len=5000 first={}, len=5000 first={}, len=5000 first={}",
                values(11, 1)[0],
                values(12, 1)[0],
                values(13, 1)[0]
            )
        );
        let mut altered = refs.clone();
        altered[2]["size"] = json!(1);
        let a = post(base, &read_all(&read, &altered), Some(&cookie)).await;
        assert_eq!(a.status, 403, "{}", a.text);
        assert_eq!(a.body["store"], sid("store", 3), "{}", a.text);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_swapped_and_foreign_references_through_all_inputs_are_refused() {
    let base = start(app(&temp_sqlite("wc-refuse"))).await;
    let (write, read) = (
        key(&base, "\"store\"}.data").await,
        key(&base, "summary").await,
    );
    let mine = post(&base, &write_all(&write, 10, 2, &[1, 2]), None).await;
    let cookie = mine.cookie.clone().unwrap();
    let theirs = post(&base, &write_all(&write, 20, 2, &[1, 2]), None).await;
    let refs: Vec<Value> = (1..=2)
        .map(|i| mine.body["response"][sid("store", i)]["data"].clone())
        .collect();
    let foreign = theirs.body["response"][sid("store", 2)]["data"].clone();
    let secrets: Vec<String> = [11, 12, 22]
        .iter()
        .map(|s| values(*s, 1)[0].to_string())
        .chain([cookie.split('.').nth(1).unwrap_or("-").to_owned()])
        .collect();

    // Store 1's reference sent as store 2's: verified against store 2's id.
    let swapped = [refs[0].clone(), refs[0].clone()];
    let a = post(&base, &read_all(&read, &swapped), Some(&cookie)).await;
    assert_refused(&a, 403, &sid("store", 2), &secrets);
    assert!(a.text.contains("not valid for this session"), "{}", a.text);
    // Another session's reference in second place.
    let a = post(
        &base,
        &read_all(&read, &[refs[0].clone(), foreign]),
        Some(&cookie),
    )
    .await;
    assert_refused(&a, 403, &sid("store", 2), &secrets);
    // Altered, and made up.
    let mut altered = refs[1].clone();
    altered["size"] = json!(refs[1]["size"].as_u64().unwrap() + 1);
    let a = post(
        &base,
        &read_all(&read, &[refs[0].clone(), altered]),
        Some(&cookie),
    )
    .await;
    assert_refused(&a, 403, &sid("store", 2), &secrets);
    let made_up = json!({"ref": format!("{}.{}", "0".repeat(32), "A".repeat(43)), "size": 10, "expires": 4_000_000_000_000u64});
    let a = post(
        &base,
        &read_all(&read, &[made_up, refs[1].clone()]),
        Some(&cookie),
    )
    .await;
    assert_refused(&a, 403, &sid("store", 1), &secrets);
    // Without a cookie.
    let a = post(&base, &read_all(&read, &refs), None).await;
    assert_refused(&a, 403, &sid("store", 1), &secrets);
    // The owner still reads both.
    let a = post(&base, &read_all(&read, &refs), Some(&cookie)).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_count_of_all_values_is_a_400_and_writes_nothing() {
    let base = start(app(&temp_sqlite("wc-count"))).await;
    let write = key(&base, "\"store\"}.data").await;
    // Three seeds, so three values, for two stores.
    let a = post(&base, &write_all(&write, 10, 2, &[1, 2, 3]), None).await;
    assert_eq!(a.status, 400, "{}", a.text);
    assert!(
        a.text
            .contains("matched 2 components but the callback returned 3 values"),
        "{}",
        a.text
    );
    assert!(!a.text.contains("\"ref\""), "{}", a.text);
    // The server still answers a right one.
    let a = post(&base, &write_all(&write, 10, 2, &[1, 2]), None).await;
    assert_eq!(a.status, 200, "{}", a.text);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_outputs_and_inputs_still_work() {
    let base = start(app(&temp_sqlite("wc-match"))).await;
    let (write, read) = (key(&base, "mstore").await, key(&base, "mout").await);
    let a = post(
        &base,
        &json!({
            "output": write,
            "outputs": target("mstore", 1, "data"),
            "inputs": [{"id": {"type": "seed", "i": 1}, "property": "value", "value": 5}],
            "changedPropIds": [format!("{}.value", sid("seed", 1))],
        }),
        None,
    )
    .await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.len() < 1024, "{}", a.text);
    let cookie = a.cookie.clone().unwrap();
    let reference = a.body["response"][sid("mstore", 1)]["data"].clone();
    let read_body = |r: &Value| {
        json!({
            "output": read,
            "outputs": target("mout", 1, "children"),
            "inputs": [{"id": {"type": "mstore", "i": 1}, "property": "data", "value": r}],
            "changedPropIds": [format!("{}.data", sid("mstore", 1))],
        })
    };
    let a = post(&base, &read_body(&reference), Some(&cookie)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(
        a.body["response"][sid("mout", 1)]["children"],
        format!("first={}", values(5, 1)[0])
    );
    let a = post(&base, &read_body(&reference), None).await;
    assert_refused(&a, 403, &sid("mstore", 1), &[values(5, 1)[0].to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_props_stores_the_value_and_sends_the_reference() {
    let base = start(app(&temp_sqlite("wc-side"))).await;
    let (side, read, summary) = (
        key(&base, "side-out").await,
        key(&base, "side-read").await,
        key(&base, "summary").await,
    );
    let click = single(
        &side,
        ("side-out", "children"),
        ("side-btn", "n_clicks"),
        &json!(1),
    );
    let a = post(&base, &click, None).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert!(a.text.len() < 1024, "references, not the data: {}", a.text);
    let cookie = a.cookie.clone().unwrap();
    let plain = a.body["sideUpdate"]["side-store"]["data"].clone();
    let pattern = a.body["sideUpdate"][sid("store", 2)]["data"].clone();
    assert!(
        plain["ref"].is_string() && pattern["ref"].is_string(),
        "{}",
        a.text
    );
    for s in [101, 201] {
        assert!(!a.text.contains(&values(s, 1)[0].to_string()), "{}", a.text);
    }

    let read_body = |r: &Value| single(&read, ("side-read", "children"), ("side-store", "data"), r);
    let a = post(&base, &read_body(&plain), Some(&cookie)).await;
    assert_eq!(
        a.body["response"]["side-read"]["children"],
        format!("first={}", values(101, 1)[0]),
        "{}",
        a.text
    );
    // The pattern store's reference reads through the ALL input.
    let a = post(
        &base,
        &read_all(&summary, &[Value::Null, pattern.clone()]),
        Some(&cookie),
    )
    .await;
    assert_eq!(
        a.body["response"]["summary"]["children"],
        format!("2: none, len=5000 first={}", values(201, 1)[0]),
        "{}",
        a.text
    );
    // Bound to its own store: not accepted as side-store's.
    let a = post(&base, &read_body(&pattern), Some(&cookie)).await;
    assert_refused(&a, 403, "side-store", &[values(201, 1)[0].to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_background_jobs_output_and_set_props_send_references() {
    let base = start(app(&temp_sqlite("wc-background"))).await;
    let read = key(&base, "side-read").await;
    let page = client::Page::open(&base).await;
    let b = client::body(
        "bg-store.data",
        json!("bg-store"),
        "data",
        json!([{"id": "bg-btn", "property": "n_clicks", "value": 1}]),
    );
    let job = page.start(&b, "").await;
    let run = page
        .run(
            &job,
            &b,
            std::time::Duration::from_millis(20),
            std::time::Duration::from_secs(30),
        )
        .await;
    for (_, answer) in &run.answers {
        let text = answer.to_string();
        assert!(text.len() < 1024, "references, not the data: {text}");
    }
    assert!(run.result("bg-store", "data")["ref"].is_string(), "{run:?}");
    let side = run.values("side-store", "data");
    assert_eq!(side.len(), 1, "{run:?}");
    assert!(side[0]["ref"].is_string(), "{run:?}");
    let cookie = page.cookie.trim_start_matches("dash_session=").to_owned();
    let read_body = single(
        &read,
        ("side-read", "children"),
        ("side-store", "data"),
        &side[0],
    );
    let a = post(&base, &read_body, Some(&cookie)).await;
    assert_eq!(
        a.body["response"]["side-read"]["children"],
        format!("first={}", values(301, 1)[0]),
        "{}",
        a.text
    );
}
