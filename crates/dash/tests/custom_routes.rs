//! The app's own routes and middleware (`Dash::route`, `merge`, `layer`,
//! `forwarded_headers`, `health_endpoint`) over real HTTP: routes beside
//! the Dash ones, collisions refused at start (an error, never a panic),
//! where the app's layers sit, CORS preflights, TraceLayer, a rate limit's
//! 429, a proxy's `X-Forwarded-*` from trusted and untrusted peers, the
//! health routes; and every worker of `--workers 2` of the built
//! `custom_routes` example serving the routes with the layers applied.

use std::collections::{BTreeSet, HashMap};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use dash::custom_routes::{AppCache, Forwarded};
use dash::prelude::*;
use serde_json::{json, Value};

mod support;

fn app() -> Dash {
    let mut app = Dash::new().cache_url("memory://");
    app.layout(html::Div::new().id("page").children((
        dcc::Input::new().id("in").value("x"),
        html::Div::new().id("out"),
    )));
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("in", "value")),
        |ctx: CallbackContext, v: Option<String>| {
            format!(
                "{} from {}",
                v.unwrap_or_default(),
                ctx.remote_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default()
            )
        },
    );
    app
}

async fn start(app: Dash) -> String {
    support::serve_with_peer(app.into_router().expect("valid app")).await
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

/// The app's callback over HTTP, with these request headers.
async fn update(c: &reqwest::Client, base: &str, headers: &[(&str, &str)]) -> reqwest::Response {
    let mut r = c
        .post(format!("{base}/_dash-update-component"))
        .json(&update_body());
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    r.send().await.unwrap()
}

fn update_body() -> Value {
    json!({"output": "out.children", "outputs": {"id": "out", "property": "children"},
           "inputs": [{"id": "in", "property": "value", "value": "hi"}], "changedPropIds": ["in.value"]})
}

#[tokio::test]
async fn routes_and_merged_routers_are_served_beside_the_dash_routes() {
    let mut app = app();
    app.route("/hello", get(|| async { "hi" }));
    app.route(
        "/items/{id}",
        get(
            |axum::extract::Path(id): axum::extract::Path<u32>| async move { format!("item {id}") },
        )
        .post(|| async { (StatusCode::CREATED, "made") }),
    );
    app.route(
        "/visits",
        get(|AppCache(cache): AppCache| async move {
            tokio::task::spawn_blocking(move || {
                let n = cache.get::<u64>("visits").unwrap_or(0) + 1;
                cache.set("visits", &n, None).unwrap();
                n.to_string()
            })
            .await
            .unwrap()
        }),
    );
    app.merge(
        axum::Router::new()
            .route("/api/ping", get(|| async { "pong" }))
            // Cannot shadow Dash's own path: Dash answers it.
            .route("/_dash-layout", get(|| async { "shadow" }))
            .nest(
                "/admin",
                axum::Router::new().route("/stats", get(|| async { "stats" })),
            ),
    );
    app.merge(axum::Router::new().route("/second", get(|| async { "second" })));
    let base = start(app).await;
    let c = client();
    let text = |path: &'static str| {
        let c = c.clone();
        let base = base.clone();
        async move {
            let r = c.get(format!("{base}{path}")).send().await.unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    assert_eq!(text("/hello").await, (200, "hi".into()));
    assert_eq!(text("/items/7").await, (200, "item 7".into()));
    assert_eq!(text("/api/ping").await, (200, "pong".into()));
    assert_eq!(text("/admin/stats").await, (200, "stats".into()));
    assert_eq!(text("/second").await, (200, "second".into()));
    assert_eq!(text("/visits").await, (200, "1".into()));
    assert_eq!(text("/visits").await, (200, "2".into()));
    let made = c.post(format!("{base}/items/7")).send().await.unwrap();
    assert_eq!(made.status(), 201);
    let wrong = c.delete(format!("{base}/hello")).send().await.unwrap();
    assert_eq!(wrong.status(), 405, "a route's other methods");
    let (s, layout) = text("/_dash-layout").await;
    assert_eq!(s, 200);
    assert!(
        layout.contains("\"page\""),
        "Dash's layout, not the merged route: {layout}"
    );
    // The page still answers its own paths, and callbacks still run.
    let (s, page) = text("/some/page").await;
    assert_eq!(s, 200);
    assert!(page.contains("_dash-renderer"), "{page}");
    let r = update(&c, &base, &[]).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["response"]["out"]["children"], "hi from 127.0.0.1");
}

/// The message of the start-up error, or a failure naming the route.
fn start_error(app: Dash) -> String {
    // validate() is what the supervisor of `--workers` checks before
    // starting any worker; into_router() what every worker builds.
    let early = app
        .validate()
        .expect_err("validate() refuses it")
        .to_string();
    let built = match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| app.into_router())) {
        Ok(Err(e)) => e.to_string(),
        Ok(Ok(_)) => panic!("into_router() accepted it"),
        Err(_) => panic!("into_router() panicked"),
    };
    assert_eq!(early, built);
    built
}

#[test]
fn colliding_or_malformed_routes_are_start_up_errors_never_panics() {
    // (what the error names, the paths registered, each with GET)
    let cases: [(&str, &[&str]); 9] = [
        ("/_dash-update-component", &["/_dash-update-component"]),
        ("/assets/site.css", &["/assets/site.css"]),
        ("/_favicon.ico", &["/_favicon.ico"]),
        ("\"/\"", &["/"]),
        ("\"hello\"", &["hello"]),
        ("/items/:id", &["/items/:id"]),
        ("/items/{unclosed", &["/items/{unclosed"]),
        ("/twice", &["/twice", "/twice"]),
        ("/u/{name}", &["/u/{id}", "/u/{name}"]),
    ];
    for (named, paths) in cases {
        let mut a = app();
        for path in paths {
            a.route(path, get(|| async { "" }));
        }
        let e = start_error(a);
        assert!(e.contains(named), "{named}: {e}");
        assert!(e.starts_with("invalid setting route"), "{e}");
    }
    // An api_endpoint's path is Dash's.
    let mut a = app();
    a.callback(
        Callback::new()
            .output(("sum", "children"))
            .input(("n", "value"))
            .api_endpoint("/api/sum"),
        |n: Option<u32>| n.unwrap_or(0),
    );
    a.route("/api/sum", post(|| async { "" }));
    let e = start_error(a);
    assert!(e.contains("/api/sum") && e.contains("api_endpoint"), "{e}");
    // Under another routes prefix, the reserved paths move with it.
    let mut a = app().url_base_pathname("/app/");
    a.route("/app/_dash-layout", get(|| async { "" }));
    assert!(start_error(a).contains("/app/_dash-layout"));
    let mut a = app().url_base_pathname("/app/");
    a.route("/_dash-layout", get(|| async { "outside the prefix" }));
    a.route("/app/hello", get(|| async { "" }));
    assert!(a.into_router().is_ok());
    // The health endpoint may not take a Dash path either.
    let e = start_error(app().health_endpoint("_dash-health"));
    assert!(
        e.contains("health_endpoint") && e.contains("_dash-health"),
        "{e}"
    );
    let mut a = app().health_endpoint("health");
    a.route("/health", get(|| async { "" }));
    assert!(start_error(a).contains("/health"));
}

/// Writes what a layer saw of the answer into `x-saw-*` headers.
async fn observe(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let peer_seen = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .is_some();
    let mut response = next.run(request).await;
    let saw = |yes: bool| HeaderValue::from_static(if yes { "yes" } else { "no" });
    let cookie = response.headers().contains_key("set-cookie");
    let nosniff = response.headers().contains_key("x-content-type-options");
    let h = response.headers_mut();
    h.insert("x-saw-cookie", saw(cookie));
    h.insert("x-saw-nosniff", saw(nosniff));
    h.insert("x-saw-peer", saw(peer_seen));
    h.insert("x-saw-path", HeaderValue::from_str(&path).unwrap());
    response
}

#[tokio::test]
async fn the_apps_layers_wrap_every_route_inside_the_protection_and_outside_the_session() {
    let mut app = app();
    app.route("/hello", get(|| async { "hi" }));
    app.layer(axum::middleware::from_fn(observe));
    // Added last, so it runs first: its refusal never reaches `observe`,
    // and still carries the security headers.
    app.layer(axum::middleware::from_fn(
        |request: Request, next: Next| async move {
            if request.uri().path() == "/teapot" {
                return (StatusCode::IM_A_TEAPOT, "short and stout").into_response();
            }
            next.run(request).await
        },
    ));
    let base = start(app).await;
    let c = client();
    for path in ["/hello", "/", "/_dash-layout", "/_dash-dependencies"] {
        let r = c.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        assert_eq!(r.headers()["x-saw-path"], path, "the layer saw {path}");
        assert_eq!(r.headers()["x-saw-peer"], "yes");
        assert_eq!(
            r.headers()["x-saw-nosniff"],
            "no",
            "security headers are outside"
        );
        assert_eq!(r.headers()["x-content-type-options"], "nosniff", "{path}");
    }
    // The page starts a session: its cookie is set inside the layer.
    let page = c.get(format!("{base}/")).send().await.unwrap();
    assert!(page.headers().contains_key("set-cookie"));
    assert_eq!(
        page.headers()["x-saw-cookie"],
        "yes",
        "the session is inside"
    );
    let r = update(&c, &base, &[]).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["x-saw-path"], "/_dash-update-component");
    let tea = c.get(format!("{base}/teapot")).send().await.unwrap();
    assert_eq!(tea.status(), 418);
    assert!(
        tea.headers().get("x-saw-path").is_none(),
        "outer layer first"
    );
    assert_eq!(tea.headers()["x-content-type-options"], "nosniff");
}

#[tokio::test]
async fn cors_preflights_and_trace_layer_cover_dash_and_app_routes() {
    let mut app = app();
    app.route(
        "/api/items",
        get(|| async { axum::Json(json!({"items": []})) }),
    );
    app.layer(
        tower_http::cors::CorsLayer::new()
            .allow_origin(tower_http::cors::AllowOrigin::list([
                HeaderValue::from_static("https://dashboards.example"),
                HeaderValue::from_static("https://reports.example"),
            ]))
            .allow_methods([Method::GET, Method::POST])
            .allow_headers([axum::http::header::CONTENT_TYPE]),
    );
    let traced = Arc::new(AtomicUsize::new(0));
    let seen = traced.clone();
    app.layer(tower_http::trace::TraceLayer::new_for_http().on_response(
        move |_r: &Response, _latency: Duration, _span: &tracing::Span| {
            seen.fetch_add(1, Ordering::SeqCst);
        },
    ));
    let base = start(app).await;
    let c = client();
    for path in ["/api/items", "/_dash-update-component"] {
        let pre = c
            .request(Method::OPTIONS, format!("{base}{path}"))
            .header("origin", "https://dashboards.example")
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        assert_eq!(pre.status(), 200, "{path}");
        let h = pre.headers();
        assert_eq!(
            h["access-control-allow-origin"],
            "https://dashboards.example"
        );
        assert!(h["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST"));
        assert!(
            !h.contains_key("set-cookie"),
            "a preflight starts no session"
        );
    }
    let r = c
        .get(format!("{base}/api/items"))
        .header("origin", "https://dashboards.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://dashboards.example"
    );
    assert_eq!(r.json::<Value>().await.unwrap(), json!({"items": []}));
    let other = c
        .get(format!("{base}/api/items"))
        .header("origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    assert!(
        traced.load(Ordering::SeqCst) >= 4,
        "TraceLayer saw every answer"
    );
}

/// A fixed-window limit per client address: `limit` requests per window,
/// then 429 with `Retry-After`.
#[derive(Clone)]
struct PerClientLimit {
    limit: u32,
    window: Duration,
    seen: Arc<Mutex<HashMap<IpAddr, (Instant, u32)>>>,
}

async fn rate_limit(
    axum::extract::State(l): axum::extract::State<PerClientLimit>,
    request: Request,
    next: Next,
) -> Response {
    let Some(ConnectInfo(peer)) = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .copied()
    else {
        return next.run(request).await;
    };
    let over = {
        let mut seen = l.seen.lock().unwrap();
        let now = Instant::now();
        let entry = seen.entry(peer.ip()).or_insert((now, 0));
        if now.duration_since(entry.0) > l.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 > l.limit
    };
    if over {
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            axum::Json(json!({"message": format!("rate limit: {} requests per minute", l.limit)})),
        )
            .into_response();
        r.headers_mut()
            .insert("retry-after", HeaderValue::from_static("60"));
        return r;
    }
    next.run(request).await
}

#[tokio::test]
async fn a_rate_limit_answers_429_per_forwarded_client() {
    let limit = PerClientLimit {
        limit: 3,
        window: Duration::from_secs(60),
        seen: Default::default(),
    };
    let mut app = app().forwarded_headers(true);
    app.route("/hello", get(|| async { "hi" }));
    app.layer(axum::middleware::from_fn_with_state(limit, rate_limit));
    let base = start(app).await;
    let c = client();
    let get_as = |client_ip: &'static str| {
        c.get(format!("{base}/hello"))
            .header("x-forwarded-for", client_ip)
            .send()
    };
    for _ in 0..3 {
        assert_eq!(get_as("198.51.100.1").await.unwrap().status(), 200);
    }
    let refused = get_as("198.51.100.1").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "60");
    assert_eq!(refused.headers()["x-content-type-options"], "nosniff");
    let body: Value = refused.json().await.unwrap();
    assert!(body["message"].as_str().unwrap().contains("rate limit"));
    // Dash's routes are limited too.
    let r = update(&c, &base, &[("x-forwarded-for", "198.51.100.1")]).await;
    assert_eq!(r.status(), 429);
    // Another client (as the trusted proxy names it) has its own budget.
    assert_eq!(get_as("198.51.100.2").await.unwrap().status(), 200);
}

/// What `/whoami` reports: the peer, the Host header, the proxy's facts.
async fn whoami(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: axum::http::HeaderMap,
    forwarded: Option<axum::Extension<Forwarded>>,
) -> axum::Json<Value> {
    axum::Json(json!({
        "peer": peer.ip().to_string(),
        "host": headers.get("host").and_then(|h| h.to_str().ok()),
        "https": forwarded.as_ref().map(|f| f.https()),
        "proxy": forwarded.map(|f| f.proxy().ip().to_string()),
    }))
}

async fn forwarded_facts(app: Dash) -> (Value, String, Option<String>) {
    let mut app = app;
    app.route("/whoami", get(whoami));
    let base = start(app).await;
    let c = client();
    let headers = [
        ("x-forwarded-for", "203.0.113.9, 127.0.0.1"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "dash.example.org"),
    ];
    let mut r = c.get(format!("{base}/whoami"));
    for (k, v) in headers {
        r = r.header(k, v);
    }
    let who: Value = r.send().await.unwrap().json().await.unwrap();
    let answer: Value = update(&c, &base, &headers).await.json().await.unwrap();
    let callback = answer["response"]["out"]["children"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut r = c.get(format!("{base}/"));
    for (k, v) in headers {
        r = r.header(k, v);
    }
    let page = r.send().await.unwrap();
    let cookie = page
        .headers()
        .get("set-cookie")
        .map(|v| v.to_str().unwrap().to_owned());
    (who, callback, cookie)
}

#[tokio::test]
async fn forwarded_headers_are_believed_from_trusted_proxies_only() {
    // The test client is 127.0.0.1: trusted by default (loopback).
    let (who, callback, cookie) = forwarded_facts(app().forwarded_headers(true)).await;
    assert_eq!(who["peer"], "203.0.113.9", "{who}");
    assert_eq!(who["host"], "dash.example.org");
    assert_eq!(who["https"], true);
    assert_eq!(who["proxy"], "127.0.0.1");
    assert_eq!(
        callback, "hi from 203.0.113.9",
        "ctx.remote_addr() is the client"
    );
    let cookie = cookie.expect("the page starts a session");
    assert!(cookie.contains("; Secure"), "{cookie}");

    // Only 10.0.0.0/8 is trusted now: the headers change nothing.
    let untrusted = app()
        .trusted_proxies(["10.0.0.0/8"])
        .forwarded_headers(true);
    let (who, callback, cookie) = forwarded_facts(untrusted).await;
    assert_eq!(who["peer"], "127.0.0.1", "{who}");
    assert_ne!(who["host"], "dash.example.org");
    assert_eq!(who["https"], Value::Null);
    assert_eq!(callback, "hi from 127.0.0.1");
    assert!(!cookie.unwrap().contains("Secure"));

    // Off (the default): the peer stays the proxy, though its
    // X-Forwarded-Proto still makes the cookie Secure, as before.
    let (who, callback, cookie) = forwarded_facts(app()).await;
    assert_eq!(who["peer"], "127.0.0.1");
    assert_eq!(callback, "hi from 127.0.0.1");
    assert!(cookie.unwrap().contains("; Secure"));
}

#[tokio::test]
async fn health_routes_report_the_answering_process() {
    let base = start(app().health_endpoint("health")).await;
    let c = client();
    let r = c.get(format!("{base}/_dash-health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let report: Value = r.json().await.unwrap();
    assert_eq!(report["status"], "ok");
    assert_eq!(report["cache"]["backend"], "memory");
    assert_eq!(report["pid"], std::process::id());
    assert_eq!(report["worker"], Value::Null, "no --workers here");
    let r = c.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    assert_eq!(r.text().await.unwrap(), "OK", "Dash 4's answer");

    // Under a prefix, as Python's `routes_pathname_prefix + name`.
    let base = start(app().url_base_pathname("/app/").health_endpoint("health")).await;
    let r = c.get(format!("{base}/app/health")).send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "OK");

    // A cache that does not answer: both say so with 503.
    let port = support::free_port();
    let mut degraded = app()
        .cache_url(format!("redis://127.0.0.1:{port}/0"))
        .allow_degraded_start(true)
        .health_endpoint("health");
    degraded.route("/hello", get(|| async { "hi" }));
    let base = start(degraded).await;
    let r = c.get(format!("{base}/health")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.text().await.unwrap(), "DEGRADED");
    let r = c.get(format!("{base}/_dash-health")).send().await.unwrap();
    assert_eq!(r.status(), 503);
    assert_eq!(r.json::<Value>().await.unwrap()["status"], "degraded");
    let r = c.get(format!("{base}/hello")).send().await.unwrap();
    assert_eq!(r.text().await.unwrap(), "hi");
}

/// The built example under `--workers 2`: every worker serves `/hello`,
/// `/api/items` and the Dash routes with the CORS layer and its
/// `x-dash-worker` header, which agrees with `_dash-health`'s `worker`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_worker_serves_the_custom_routes_with_the_layers() {
    let server = support::Server::start(
        "custom_routes",
        &[
            ("DASH_CACHE_URL", support::temp_sqlite("custom-routes")),
            ("CORS_ORIGIN", "https://dashboards.example".into()),
        ],
        &["--workers", "2"],
    )
    .await;
    // One item added through a callback, on whichever worker.
    let c = client();
    let add = json!({"output": "items.children", "outputs": {"id": "items", "property": "children"},
        "inputs": [{"id": "add", "property": "n_clicks", "value": 1}],
        "state": [{"id": "item", "property": "value", "value": "apples"}],
        "changedPropIds": ["add.n_clicks"]});
    let r = c
        .post(server.url("/_dash-update-component"))
        .json(&add)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut workers = BTreeSet::new();
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut requests = 0;
    // A new connection per round: SO_REUSEPORT spreads connections, and a
    // worker still starting gets none until it listens.
    while workers.len() < 2 && Instant::now() < deadline && requests < 3000 {
        let fresh = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap();
        for path in ["/hello", "/api/items", "/_dash-health"] {
            requests += 1;
            let r = fresh
                .get(server.url(path))
                .header("origin", "https://dashboards.example")
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{path}");
            let h = r.headers().clone();
            assert_eq!(
                h["access-control-allow-origin"],
                "https://dashboards.example"
            );
            let worker = h["x-dash-worker"].to_str().unwrap().to_owned();
            match path {
                "/hello" => assert_eq!(r.text().await.unwrap(), "Hello from dash-rs"),
                "/api/items" => assert_eq!(
                    r.json::<Value>().await.unwrap(),
                    json!({"items": ["apples"]}),
                    "worker {worker}: items from the shared cache"
                ),
                _ => {
                    let report: Value = r.json().await.unwrap();
                    assert_eq!(report["worker"].to_string(), worker, "{report}");
                    assert!(server
                        .children()
                        .contains(&(report["pid"].as_u64().unwrap() as u32)));
                }
            }
            workers.insert(worker);
        }
        if workers.len() < 2 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    assert_eq!(
        workers,
        BTreeSet::from(["0".to_owned(), "1".to_owned()]),
        "both workers seen within {requests} requests"
    );
}
