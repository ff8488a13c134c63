//! Sessions the server issued, only: fixation, forged, altered, truncated
//! and wrong-secret cookies, idle and absolute expiry, rotation, `Secure`
//! behind a trusted proxy, the cookie path under a prefix, secret rotation.
//! Real listeners and real SQLite files; the `processes` part runs the
//! built `session_cache` example (`cargo build --examples -p plotly-dash` first):
//! two workers and two servers sharing a SQLite file, a restart, and the
//! server's debug log searched for secrets and session ids.

use std::net::SocketAddr;
use std::time::Duration;

use dash::prelude::*;
use serde_json::{json, Value};

const KEY_1: &str = "first-secret-key-for-the-tests-0123456789";
const KEY_2: &str = "second-secret-key-for-the-tests-987654321";

fn temp_sqlite(name: &str) -> String {
    let dir = std::env::temp_dir().join(format!("dash-sessions-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    format!("sqlite://{}", dir.join("cache.sqlite").display())
}

/// A layout with the session handle, a callback that keeps a note in the
/// session's server data, one that rotates the session, one that does not
/// use the session.
fn app(url: &str) -> Dash {
    let mut app = Dash::new().cache_url(url);
    app.layout_fn_with(|page: &LayoutContext| {
        html::Div::new().children((
            dcc::Store::new().id("handle").data(page.session_handle()),
            dcc::Input::new().id("note"),
            html::Div::new().id("out"),
            html::Button::new().id("login"),
            html::Div::new().id("who"),
            dcc::Input::new().id("echo-in"),
            html::Div::new().id("echo-out"),
        ))
    });
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("note", "value")),
        |ctx: CallbackContext, note: Option<String>| -> Result<Value, CallbackError> {
            let cache = ctx.session_cache()?;
            if let Some(n) = note.filter(|n| !n.is_empty()) {
                cache.set("note", &n, None)?;
            }
            Ok(json!({"handle": ctx.session_handle(), "note": cache.get::<String>("note")}))
        },
    );
    app.callback(
        Callback::new()
            .output(("who", "children"))
            .input(("login", "n_clicks")),
        |ctx: CallbackContext, _clicks: Option<u32>| -> Result<Option<String>, CallbackError> {
            ctx.rotate_session()?;
            Ok(ctx.session_handle())
        },
    );
    app.callback(
        Callback::new()
            .output(("echo-out", "children"))
            .input(("echo-in", "value")),
        |v: Option<String>| v.unwrap_or_default(),
    );
    app
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let app = router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

async fn start(app: Dash) -> String {
    serve(app.into_router().expect("valid app")).await
}

/// What an answer said about the session.
#[derive(Debug)]
struct Answer {
    status: u16,
    /// The raw `Set-Cookie` header for `dash_session`, if any.
    set_cookie: Option<String>,
    body: Value,
}

impl Answer {
    /// The new cookie's value.
    fn new_value(&self) -> Option<String> {
        let header = self.set_cookie.as_ref()?;
        let c = cookie::Cookie::parse(header.clone()).unwrap();
        assert_eq!(c.name(), "dash_session");
        Some(c.value().to_owned())
    }

    fn cookie(&self) -> cookie::Cookie<'static> {
        cookie::Cookie::parse(self.set_cookie.clone().expect("a Set-Cookie")).unwrap()
    }

    fn note(&self) -> Value {
        self.body["response"]["out"]["children"]["note"].clone()
    }

    fn handle(&self) -> Value {
        self.body["response"]["out"]["children"]["handle"].clone()
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

async fn send(req: reqwest::RequestBuilder, cookie: Option<&str>) -> Answer {
    let req = match cookie {
        Some(c) => req.header("cookie", format!("theme=dark; dash_session={c}")),
        None => req,
    };
    let r = req.send().await.unwrap();
    let status = r.status().as_u16();
    let cookies: Vec<String> = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert!(cookies.len() <= 1, "one Set-Cookie at most: {cookies:?}");
    let text = r.text().await.unwrap();
    Answer {
        status,
        set_cookie: cookies.into_iter().next(),
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

/// `GET /` as a proxy would forward it.
fn proxied(base: &str, proto: Option<&str>) -> reqwest::RequestBuilder {
    let req = client().get(format!("{base}/"));
    match proto {
        Some(p) => req.header("x-forwarded-proto", p),
        None => req,
    }
}

async fn page(base: &str, cookie: Option<&str>) -> Answer {
    send(client().get(format!("{base}/")), cookie).await
}

fn body(output: &str, input: &str, prop: &str, value: Value) -> Value {
    let (id, out_prop) = output.split_once('.').unwrap();
    json!({"output": output, "outputs": {"id": id, "property": out_prop},
           "inputs": [{"id": input, "property": prop, "value": value}],
           "changedPropIds": [format!("{input}.{prop}")]})
}

/// Stores `note` in the session's data (an empty note only reads it).
async fn note(base: &str, cookie: Option<&str>, note: &str) -> Answer {
    let a = send(
        client()
            .post(format!("{base}/_dash-update-component"))
            .json(&body("out.children", "note", "value", json!(note))),
        cookie,
    )
    .await;
    assert_eq!(a.status, 200, "{a:?}");
    a
}

async fn login(base: &str, cookie: &str) -> Answer {
    let a = send(
        client()
            .post(format!("{base}/_dash-update-component"))
            .json(&body("who.children", "login", "n_clicks", json!(1))),
        Some(cookie),
    )
    .await;
    assert_eq!(a.status, 200, "{a:?}");
    a
}

/// A new session from the index page.
async fn new_session(base: &str) -> String {
    let a = page(base, None).await;
    assert_eq!(a.status, 200);
    a.new_value().expect("the index page starts a session")
}

/// Asserts that `cookie` is refused: a new session, without the note.
async fn assert_refused(base: &str, cookie: &str, what: &str) {
    let a = note(base, Some(cookie), "").await;
    let fresh = a
        .new_value()
        .unwrap_or_else(|| panic!("{what}: no new cookie for {cookie}"));
    assert_ne!(fresh, cookie, "{what}");
    assert_eq!(
        a.note(),
        Value::Null,
        "{what}: the old session's data leaked"
    );
    let a = page(base, Some(cookie)).await;
    assert!(a.new_value().is_some(), "{what}: the index page adopted it");
}

/// Asserts that `cookie` is accepted as the session holding `expected`.
async fn assert_accepted(base: &str, cookie: &str, expected: &str) {
    let a = note(base, Some(cookie), "").await;
    assert_eq!(a.set_cookie, None, "accepted without a new cookie");
    assert_eq!(a.note(), json!(expected));
}

#[tokio::test]
async fn a_client_chosen_session_id_is_never_adopted() {
    let url = temp_sqlite("fixation");
    let base = start(app(&url).secret_key(KEY_1)).await;
    let chosen = "0123456789abcdef0123456789abcdef";
    let a = page(&base, Some(chosen)).await;
    let issued = a.new_value().expect("a new cookie for a chosen id");
    assert!(
        issued.starts_with("s1.") && !issued.contains(chosen),
        "{issued}"
    );
    // A callback with the chosen value gets a session of its own, and its
    // data is not kept under the chosen id.
    let a = note(&base, Some(chosen), "planted").await;
    assert!(a.new_value().is_some());
    let again = note(&base, Some(chosen), "").await;
    assert_eq!(again.note(), Value::Null, "the chosen id has no data");
    let cache = dash::Cache::from_url(&url).unwrap();
    let keys: Vec<String> = cache
        .backend()
        .scan_prefix("")
        .unwrap()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert!(
        keys.iter().any(|k| k.starts_with("app/session/")),
        "{keys:?}"
    );
    assert!(!keys.iter().any(|k| k.contains(chosen)), "{keys:?}");
}

#[tokio::test]
async fn forged_altered_truncated_and_foreign_cookies_start_new_sessions() {
    let url = temp_sqlite("forged");
    let base = start(app(&url).secret_key(KEY_1)).await;
    let good = new_session(&base).await;
    assert_eq!(note(&base, Some(&good), "mine").await.set_cookie, None);
    assert_accepted(&base, &good, "mine").await;

    let parts: Vec<&str> = good.split('.').collect();
    assert_eq!(parts.len(), 4, "{good}");
    let flip = |s: &str, i: usize| {
        let mut c: Vec<char> = s.chars().collect();
        c[i] = if c[i] == '1' { '2' } else { '1' };
        c.into_iter().collect::<String>()
    };
    let mut bad: Vec<(String, String)> = Vec::new();
    for (p, name) in ["version", "id", "issued time", "signature"]
        .iter()
        .enumerate()
    {
        for i in [0, parts[p].len() - 1] {
            let mut altered = parts.clone();
            let changed = flip(parts[p], i);
            altered[p] = &changed;
            bad.push((format!("{name} altered at {i}"), altered.join(".")));
        }
    }
    bad.push(("truncated".into(), good[..good.len() - 1].to_owned()));
    bad.push(("no signature".into(), parts[..3].join(".")));
    bad.push(("empty".into(), String::new()));
    bad.push((
        "forged signature".into(),
        format!("{}.{}", parts[..3].join("."), "A".repeat(43)),
    ));
    bad.push(("the old unsigned form".into(), parts[1].to_owned()));
    bad.push((
        "signature moved".into(),
        format!("{}.{}", parts[3], parts[1]),
    ));
    let other = start(app(&url).secret_key(KEY_2)).await;
    let foreign = new_session(&other).await;
    assert_eq!(
        note(&other, Some(&foreign), "theirs").await.set_cookie,
        None
    );
    bad.push(("signed with another secret".into(), foreign));
    for (what, value) in &bad {
        assert_refused(&base, value, what).await;
    }
    assert_accepted(&base, &good, "mine").await;
}

#[tokio::test]
async fn an_unknown_session_is_refused_even_when_signed() {
    // Same secret, another backend: the cookie verifies but no record.
    let a = start(app(&temp_sqlite("unknown-a")).secret_key(KEY_1)).await;
    let b = start(app(&temp_sqlite("unknown-b")).secret_key(KEY_1)).await;
    let cookie = new_session(&a).await;
    note(&a, Some(&cookie), "kept in a").await;
    assert_refused(&b, &cookie, "unknown to b").await;
    assert_accepted(&a, &cookie, "kept in a").await;
}

#[tokio::test]
async fn idle_and_absolute_lifetimes_end_sessions() {
    let idle = Duration::from_secs(3);
    let base = start(
        app(&temp_sqlite("idle"))
            .secret_key(KEY_1)
            .session_idle_timeout(idle),
    )
    .await;
    let cookie = new_session(&base).await;
    note(&base, Some(&cookie), "busy").await;
    // Used every second: it lives past the idle lifetime (sliding).
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_secs(1)).await;
        assert_accepted(&base, &cookie, "busy").await;
    }
    tokio::time::sleep(idle + Duration::from_secs(1)).await;
    assert_refused(&base, &cookie, "idle").await;

    let absolute = Duration::from_secs(3);
    let base = start(
        app(&temp_sqlite("absolute"))
            .secret_key(KEY_1)
            .session_max_lifetime(absolute),
    )
    .await;
    let started = std::time::Instant::now();
    let cookie = new_session(&base).await;
    note(&base, Some(&cookie), "busy").await;
    assert_accepted(&base, &cookie, "busy").await;
    while started.elapsed() < absolute + Duration::from_millis(500) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        // Used all the time, yet it ends at the absolute lifetime.
        let a = note(&base, Some(&cookie), "").await;
        if a.set_cookie.is_some() {
            assert!(
                started.elapsed() >= absolute - Duration::from_millis(100),
                "ended early"
            );
            return;
        }
    }
    assert_refused(&base, &cookie, "past the absolute lifetime").await;
}

#[tokio::test]
async fn rotation_issues_a_new_cookie_ends_the_old_and_carries_the_data() {
    let base = start(app(&temp_sqlite("rotation")).secret_key(KEY_1)).await;
    let old = new_session(&base).await;
    let before = note(&base, Some(&old), "cart").await;
    let a = login(&base, &old).await;
    let new = a.new_value().expect("rotation sets a new cookie");
    assert_ne!(new, old);
    let new_handle = &a.body["response"]["who"]["children"];
    assert!(new_handle.is_string() && *new_handle != before.handle());
    assert_accepted(&base, &new, "cart").await;
    assert_eq!(note(&base, Some(&new), "").await.handle(), *new_handle);
    assert_refused(&base, &old, "the cookie from before the rotation").await;
    assert_accepted(&base, &new, "cart").await;
}

#[tokio::test]
async fn the_layout_shows_a_handle_not_the_cookie() {
    let base = start(app(&temp_sqlite("handle")).secret_key(KEY_1)).await;
    let cookie = new_session(&base).await;
    let layout = send(client().get(format!("{base}/_dash-layout")), Some(&cookie)).await;
    assert_eq!(layout.set_cookie, None);
    let handle = layout.body["props"]["children"][0]["props"]["data"].clone();
    let text = handle.as_str().expect("the handle is a string");
    for part in cookie.split('.').filter(|p| p.len() > 2) {
        assert!(!text.contains(part), "the handle holds {part}");
    }
    assert_eq!(note(&base, Some(&cookie), "").await.handle(), handle);
    // A layout for a browser without a session starts one.
    let fresh = send(client().get(format!("{base}/_dash-layout")), None).await;
    assert!(fresh.new_value().is_some());
    assert_ne!(fresh.body["props"]["children"][0]["props"]["data"], handle);
}

#[tokio::test]
async fn cookies_only_where_a_session_is_used() {
    let base = start(app(&temp_sqlite("where")).secret_key(KEY_1)).await;
    for path in [
        "/_dash-dependencies",
        "/_favicon.ico",
        "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v3_2_0m1.min.js",
        "/assets/none.css",
    ] {
        let a = send(client().get(format!("{base}{path}")), None).await;
        assert_eq!(a.set_cookie, None, "{path}: {}", a.status);
    }
    let echo = send(
        client()
            .post(format!("{base}/_dash-update-component"))
            .json(&body("echo-out.children", "echo-in", "value", json!("x"))),
        Some("forged"),
    )
    .await;
    assert_eq!(echo.status, 200);
    assert_eq!(echo.set_cookie, None, "a callback without session use");
    let a = page(&base, None).await;
    let c = a.cookie();
    assert_eq!(c.http_only(), Some(true));
    assert_eq!(c.same_site(), Some(cookie::SameSite::Lax));
    assert_eq!(c.path(), Some("/"));
    assert_eq!(c.secure(), None);
}

#[tokio::test]
async fn secure_behind_a_trusted_proxy_only() {
    let url = temp_sqlite("secure");
    let secure_of = |a: &Answer| a.cookie().secure() == Some(true);

    // The test client is on loopback: trusted by default.
    let base = start(app(&url).secret_key(KEY_1)).await;
    let a = send(proxied(&base, Some("https")), None).await;
    assert!(secure_of(&a), "{:?}", a.set_cookie);
    let a = send(proxied(&base, Some("HTTPS, http")), None).await;
    assert!(secure_of(&a), "the first of a list");
    let a = send(proxied(&base, Some("http")), None).await;
    assert!(!secure_of(&a));
    let a = send(proxied(&base, None), None).await;
    assert!(!secure_of(&a));

    // A peer outside the trusted list (the address is only put on the
    // request, no traffic goes there).
    let untrusted: SocketAddr = "203.0.113.7:4000".parse().unwrap();
    let router = app(&url)
        .secret_key(KEY_1)
        .into_router()
        .unwrap()
        .layer(axum::Extension(axum::extract::ConnectInfo(untrusted)));
    let base = serve(router).await;
    let a = send(proxied(&base, Some("https")), None).await;
    assert!(!secure_of(&a), "an untrusted peer's header is ignored");
    let router = app(&url)
        .secret_key(KEY_1)
        .trusted_proxies(["203.0.113.0/24"])
        .into_router()
        .unwrap()
        .layer(axum::Extension(axum::extract::ConnectInfo(untrusted)));
    let base = serve(router).await;
    let a = send(proxied(&base, Some("https")), None).await;
    assert!(secure_of(&a), "a listed network is trusted");

    // From loopback, but loopback not in the list.
    let base = start(app(&url).secret_key(KEY_1).trusted_proxies(["10.0.0.1"])).await;
    let a = send(proxied(&base, Some("https")), None).await;
    assert!(!secure_of(&a));

    // Forced either way.
    let base = start(app(&url).secret_key(KEY_1).secure_cookies(Some(true))).await;
    assert!(secure_of(&send(proxied(&base, None), None).await));
    let base = start(app(&url).secret_key(KEY_1).secure_cookies(Some(false))).await;
    assert!(!secure_of(&send(proxied(&base, Some("https")), None).await));
}

#[tokio::test]
async fn the_cookie_path_is_the_requests_prefix() {
    let url = temp_sqlite("path");
    let base = start(app(&url).secret_key(KEY_1).url_base_pathname("/team/app/")).await;
    let a = send(client().get(format!("{base}/team/app/")), None).await;
    assert_eq!(a.cookie().path(), Some("/team/app/"));
    let a = send(client().get(format!("{base}/team/app/_dash-layout")), None).await;
    assert_eq!(a.cookie().path(), Some("/team/app/"));
    // Behind a proxy that strips the prefix: routes at /, cookie at the
    // browser's prefix.
    let base = start(
        app(&url)
            .secret_key(KEY_1)
            .requests_pathname_prefix("/proxy/app/"),
    )
    .await;
    let a = send(client().get(format!("{base}/")), None).await;
    assert_eq!(a.cookie().path(), Some("/proxy/app/"));
}

#[tokio::test]
async fn a_previous_secret_key_is_accepted_and_the_cookie_signed_again() {
    let url = temp_sqlite("previous-key");
    let old = start(app(&url).secret_key(KEY_1)).await;
    let cookie = new_session(&old).await;
    note(&old, Some(&cookie), "before").await;
    let rotated = start(app(&url).secret_key(KEY_2).previous_secret_key(KEY_1)).await;
    let a = note(&rotated, Some(&cookie), "").await;
    assert_eq!(a.note(), json!("before"), "the same session");
    let resigned = a.new_value().expect("signed again with the new key");
    assert_ne!(resigned, cookie);
    assert_eq!(
        resigned.split('.').take(3).collect::<Vec<_>>(),
        cookie.split('.').take(3).collect::<Vec<_>>(),
        "same id and issue time"
    );
    assert_accepted(&rotated, &resigned, "before").await;
    let new_only = start(app(&url).secret_key(KEY_2)).await;
    assert_accepted(&new_only, &resigned, "before").await;
    assert_refused(&new_only, &cookie, "the old key is no longer configured").await;
}

#[tokio::test]
async fn the_stored_secret_is_shared_and_its_rotation_followed() {
    let url = temp_sqlite("stored");
    let a = start(app(&url)).await;
    let b = start(app(&url)).await;
    let from_a = new_session(&a).await;
    note(&a, Some(&from_a), "a's").await;
    assert_accepted(&b, &from_a, "a's").await;

    dash::session::rotate_stored_secret(&dash::Cache::from_url(&url).unwrap()).unwrap();
    let c = start(app(&url)).await;
    // c signs with the new key and accepts a's old one in the grace period.
    let a_at_c = note(&c, Some(&from_a), "").await;
    assert_eq!(a_at_c.note(), json!("a's"));
    assert!(
        a_at_c.new_value().is_some(),
        "signed again with the new key"
    );
    let from_c = new_session(&c).await;
    note(&c, Some(&from_c), "c's").await;
    // a has not read the entry since; c's cookie makes it look again.
    assert_accepted(&a, &from_c, "c's").await;
    assert_accepted(&b, &from_c, "c's").await;
}

#[tokio::test]
async fn without_a_secret_an_unreachable_backend_is_a_start_error() {
    let file = std::env::temp_dir().join(format!("dash-sessions-{}-file", std::process::id()));
    std::fs::write(&file, b"a regular file").unwrap();
    let url = format!("sqlite://{}/cache.sqlite", file.display());
    let Err(e) = app(&url).into_router() else {
        panic!("started without a secret");
    };
    let e = e.to_string();
    assert!(e.contains("cannot be used") && e.contains(&url), "{e}");
    // Degraded, the process starts: with its configured secret, or with a
    // secret of its own (and a warning) when none is configured.
    assert!(app(&url)
        .secret_key(KEY_1)
        .allow_degraded_start(true)
        .into_router()
        .is_ok());
    assert!(app(&url).allow_degraded_start(true).into_router().is_ok());
    let Err(e) = app("memory://").secret_key("short").into_router() else {
        panic!("a short key was taken");
    };
    assert!(e.to_string().contains("at least 32"), "{e}");
    std::fs::remove_file(&file).unwrap();
}

#[path = "sessions/processes.rs"]
mod processes;
