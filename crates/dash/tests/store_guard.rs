//! The store size guard (debug mode): a warning in the server log naming a
//! `dcc.Store` whose `data` passes the limit, once per store.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use dash::prelude::*;
use serde_json::{json, Value};

/// Every log line of this test binary.
fn log() -> &'static Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let sink = buffer.clone();
        tracing_subscriber::fmt()
            .with_ansi(false)
            .with_writer(move || Sink(sink.clone()))
            .init();
        buffer
    })
}

struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn warnings_about(store: &str) -> usize {
    let text = String::from_utf8_lossy(&log().lock().unwrap()).into_owned();
    text.lines()
        .filter(|l| l.contains("WARN") && l.contains(&format!("dcc.Store \"{store}\"")))
        .count()
}

fn app(debug: bool, prefix: &str) -> Dash {
    let store = |id: &str| Component::new("dash_core_components", "Store").with_prop("id", id);
    let big = format!("{prefix}big");
    let late = format!("{prefix}late");
    let mut app = Dash::new().debug(debug).store_size_warning(1000);
    app.layout(Component::new("dash_html_components", "Div").with_prop(
        "children",
        Children::from((
            store(&big),
            Component::new("dash_html_components", "Div").with_prop("id", "slot"),
        )),
    ));
    app.callback(
        Callback::new()
            .output((big.as_str(), "data"))
            .input(("btn", "n_clicks"))
            .state((big.as_str(), "data")),
        |n: Option<u32>, _old: Value| "y".repeat(n.unwrap_or(0) as usize),
    );
    let late_store = store(&late);
    app.callback(
        Callback::new()
            .output(("slot", "children"))
            .input(("btn", "title")),
        move |_: Option<String>| late_store.clone(),
    );
    app.callback(
        Callback::new()
            .output((late.as_str(), "data"))
            .input(("btn", "value")),
        |n: u32| "z".repeat(n as usize),
    );
    app
}

async fn start(app: Dash) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.into_router().expect("valid app");
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

async fn post(base: &str, body: Value) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}/_dash-update-component"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

fn write_big(store: &str, sent: usize, written: u32) -> Value {
    json!({"output": format!("{store}.data"), "outputs": {"id": store, "property": "data"},
           "inputs": [{"id": "btn", "property": "n_clicks", "value": written}],
           "state": [{"id": store, "property": "data", "value": "x".repeat(sent)}], "changedPropIds": []})
}

#[tokio::test]
async fn large_store_data_is_reported_once_per_store_in_debug_mode() {
    log();
    let base = start(app(true, "d-")).await;
    // Small both ways: nothing.
    assert_eq!(post(&base, write_big("d-big", 10, 10)).await, 200);
    assert_eq!(warnings_about("d-big"), 0);
    // Sent by the browser above the limit: one warning naming the store.
    assert_eq!(post(&base, write_big("d-big", 2000, 10)).await, 200);
    assert_eq!(warnings_about("d-big"), 1);
    let line = String::from_utf8_lossy(&log().lock().unwrap()).into_owned();
    assert!(
        line.contains("sent by the browser") && line.contains("2002 bytes"),
        "{line}"
    );
    // Again, and written by the callback: not repeated.
    assert_eq!(post(&base, write_big("d-big", 2000, 5000)).await, 200);
    assert_eq!(warnings_about("d-big"), 1);

    // A store that a callback puts on the page is known from then on.
    let slot = json!({"output": "slot.children", "outputs": {"id": "slot", "property": "children"},
                      "inputs": [{"id": "btn", "property": "title"}], "changedPropIds": []});
    let write_late = |n: u32| {
        json!({"output": "d-late.data", "outputs": {"id": "d-late", "property": "data"},
               "inputs": [{"id": "btn", "property": "value", "value": n}], "changedPropIds": []})
    };
    assert_eq!(post(&base, write_late(5000)).await, 200);
    assert_eq!(warnings_about("d-late"), 0, "not known as a store yet");
    assert_eq!(post(&base, slot).await, 200);
    assert_eq!(post(&base, write_late(10)).await, 200);
    assert_eq!(warnings_about("d-late"), 0, "small");
    assert_eq!(post(&base, write_late(5000)).await, 200);
    assert_eq!(warnings_about("d-late"), 1);
    let text = String::from_utf8_lossy(&log().lock().unwrap()).into_owned();
    assert!(
        text.contains("written by the callback is 5002 bytes"),
        "{text}"
    );

    // Outside debug mode the guard is off.
    let base = start(app(false, "p-")).await;
    assert_eq!(post(&base, write_big("p-big", 5000, 5000)).await, 200);
    assert_eq!(warnings_about("p-big"), 0);
}

/// A layout function's stores are learned each time it renders: a store
/// that only a later page load contains is reported after that load.
#[tokio::test]
async fn stores_of_a_layout_function_are_learned_when_it_renders() {
    use std::sync::atomic::{AtomicBool, Ordering};
    log();
    let with_store = Arc::new(AtomicBool::new(false));
    let flag = with_store.clone();
    let mut app = Dash::new().debug(true).store_size_warning(1000);
    app.layout_fn(move || {
        let mut children =
            vec![Component::new("dash_html_components", "Div").with_prop("id", "fn-btn")];
        if flag.load(Ordering::SeqCst) {
            children
                .push(Component::new("dash_core_components", "Store").with_prop("id", "fn-store"));
        }
        Component::new("dash_html_components", "Div")
            .with_prop("children", Children::from(children))
    });
    app.callback(
        Callback::new()
            .output(("fn-store", "data"))
            .input(("fn-btn", "n_clicks")),
        |n: u32| "w".repeat(n as usize),
    );
    let base = start(app).await;
    let write = json!({"output": "fn-store.data", "outputs": {"id": "fn-store", "property": "data"},
                       "inputs": [{"id": "fn-btn", "property": "n_clicks", "value": 3000}], "changedPropIds": []});
    assert_eq!(post(&base, write.clone()).await, 200);
    assert_eq!(warnings_about("fn-store"), 0, "no layout had the store yet");
    with_store.store(true, Ordering::SeqCst);
    let layout = reqwest::get(format!("{base}/_dash-layout")).await.unwrap();
    assert_eq!(layout.status(), 200);
    assert_eq!(post(&base, write).await, 200);
    assert_eq!(warnings_about("fn-store"), 1);
}
