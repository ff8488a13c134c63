//! The login page over real listeners: wrong passwords, unknown users, no
//! cookie, forged and foreign cookies, idle and absolute expiry, access
//! rules (403), logout, `next` open redirects, CSRF, throttling, `Secure`
//! behind a proxy, key rotation; every refusal checked for its status and
//! for holding none of the app's data. `auth/basic.rs`: HTTP basic auth.
//! `auth/context.rs`: the user in API endpoints and background jobs.
//! `auth/example.rs`: the built `login` example (`cargo build -p dash
//! --example login` first) with a malformed users file, under
//! `--workers 2` and as two hosts sharing one SQLite file, and its log.

mod support;

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use dash::auth::{hash_password, Access, BasicAuth, LoginPage, Users};
use dash::prelude::*;
use dash::session::AppSecret;
use serde_json::{json, Value};

const KEY: &str = "the-secret-key-of-the-auth-tests-0123456789";
const OTHER_KEY: &str = "another-secret-key-nobody-uses-9876543210";
/// Marks what only the app's answers hold.
const APP_DATA: [&str; 5] = [
    "layout-marker",
    "out.children",
    "Signed in as",
    "\"dependencies\"",
    "\"dropdown\"",
];

fn users() -> Users {
    let text = format!(
        "# test users\nalice:{}:admins\n\nbob:{}\n",
        hash_password("alice-pw"),
        hash_password("bob-pw")
    );
    Users::parse(&text).unwrap()
}

/// The Dash app at `/app/`: a layout naming the user and a callback
/// echoing its input with the user.
fn app(auth: impl Into<dash::auth::Auth>) -> Dash {
    app_with(auth, "memory://", Dash::new().secret_key(KEY))
}

fn app_with(auth: impl Into<dash::auth::Auth>, cache_url: &str, base: Dash) -> Dash {
    let mut app = base
        .cache_url(cache_url)
        .url_base_pathname("/app/")
        .auth(auth);
    app.layout_fn_with(|page: &LayoutContext| {
        let name = page.user().map(|u| u.name().to_owned()).unwrap_or_default();
        html::Div::new().children((
            html::Div::new()
                .id("layout-marker")
                .children(format!("Signed in as {name}")),
            dcc::Input::new().id("in"),
            html::Div::new().id("out"),
            dcc::Input::new().id("api-in"),
            html::Div::new().id("api-out"),
        ))
    });
    app.callback(
        Callback::new()
            .output(("api-out", "children"))
            .input(("api-in", "value"))
            .api_endpoint("/api/whoami"),
        |ctx: CallbackContext, _v: Option<u32>| ctx.user().map(|u| u.name().to_owned()),
    );
    app.callback(
        Callback::new()
            .output(("out", "children"))
            .input(("in", "value")),
        |ctx: CallbackContext, v: Option<String>| {
            let user = ctx.user().map(|u| format!("{}{:?}", u.name(), u.groups()));
            format!("{}: {}", user.unwrap_or_default(), v.unwrap_or_default())
        },
    );
    app
}

fn login_page() -> LoginPage {
    LoginPage::new(users()).public_page(
        "/",
        "<h1 id=\"title\">Welcome</h1><a href=\"/login\">Sign in</a>",
    )
}

async fn start(app: Dash) -> String {
    let router = app.into_router().expect("valid app");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let app = router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

#[derive(Debug)]
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    async fn of(r: reqwest::Response) -> Answer {
        Answer {
            status: r.status().as_u16(),
            headers: r.headers().clone(),
            body: r.text().await.unwrap(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The value a `Set-Cookie` gives `name` (`Some("")` when removed).
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| cookie::Cookie::parse(v.to_str().ok()?.to_owned()).ok())
            .find(|c| c.name() == name)
            .map(|c| c.value().to_owned())
    }

    #[track_caller]
    fn has_no_app_data(&self) {
        for marker in APP_DATA {
            assert!(
                !self.body.contains(marker),
                "the answer holds {marker}: {}",
                self.body
            );
        }
    }
}

/// A form field.
type Field<'a> = (&'a str, &'a str);

struct Site {
    base: String,
    client: reqwest::Client,
}

fn update_body(value: &str) -> Value {
    json!({"output": "out.children", "outputs": {"id": "out", "property": "children"},
           "inputs": [{"id": "in", "property": "value", "value": value}],
           "changedPropIds": ["in.value"]})
}

impl Site {
    async fn new(app: Dash) -> Site {
        Site {
            base: start(app).await,
            client: client(),
        }
    }

    async fn get(&self, path: &str, cookie: Option<&str>, html: bool) -> Answer {
        let mut r = self.client.get(format!("{}{path}", self.base));
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        if html {
            r = r.header("accept", "text/html,application/xhtml+xml");
        }
        Answer::of(r.send().await.unwrap()).await
    }

    /// The status of `_dash-layout` with this cookie (a refusal holds no
    /// app data).
    async fn layout_status(&self, cookie: Option<&str>) -> u16 {
        let a = self.get("/app/_dash-layout", cookie, false).await;
        if a.status != 200 {
            a.has_no_app_data();
        }
        a.status
    }

    async fn update(&self, cookie: Option<&str>, value: &str) -> Answer {
        let mut r = self
            .client
            .post(format!("{}/app/_dash-update-component", self.base))
            .json(&update_body(value));
        if let Some(c) = cookie {
            r = r.header("cookie", c);
        }
        Answer::of(r.send().await.unwrap()).await
    }

    /// The form's CSRF field and the pre-login cookie (`name=value`).
    async fn form(&self) -> (String, String) {
        let a = self.get("/login", None, true).await;
        assert_eq!(a.status, 200);
        let csrf = a.cookie("dash_login_csrf").expect("a pre-login cookie");
        let field = a
            .body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|s| s.split('"').next())
            .expect("a csrf field")
            .to_owned();
        (field, format!("dash_login_csrf={csrf}"))
    }

    async fn post_login(
        &self,
        fields: &[(&str, &str)],
        cookie: &str,
        origin: Option<&str>,
    ) -> Answer {
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        let mut r = self
            .client
            .post(format!("{}/login", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", cookie)
            .body(body);
        if let Some(o) = origin {
            r = r.header("origin", o);
        }
        Answer::of(r.send().await.unwrap()).await
    }

    /// Signs in through the form; the answer and the `dash_login=..` cookie.
    async fn sign_in(
        &self,
        user: &str,
        password: &str,
        next: Option<&str>,
    ) -> (Answer, Option<String>) {
        let (field, csrf) = self.form().await;
        let mut fields = vec![
            ("username", user),
            ("password", password),
            ("csrf", field.as_str()),
        ];
        if let Some(n) = next {
            fields.push(("next", n));
        }
        let origin = self.base.clone();
        let a = self.post_login(&fields, &csrf, Some(&origin)).await;
        let cookie = a
            .cookie("dash_login")
            .filter(|v| !v.is_empty())
            .map(|v| format!("dash_login={v}"));
        (a, cookie)
    }
}

#[tokio::test]
async fn wrong_password_and_unknown_user_answer_401_on_the_form() {
    let site = Site::new(app(login_page())).await;
    for (user, password) in [("alice", "bob-pw"), ("alice", ""), ("mallory", "alice-pw")] {
        let (a, cookie) = site.sign_in(user, password, None).await;
        assert_eq!(a.status, 401, "{user}");
        assert!(
            a.body.contains("Invalid username or password"),
            "{}",
            a.body
        );
        assert!(a.body.contains("id=\"login\"") && a.body.contains("name=\"username\""));
        assert_eq!(cookie, None, "no sign-in cookie");
        a.has_no_app_data();
    }
    let (a, cookie) = site.sign_in("alice", "alice-pw", None).await;
    assert_eq!((a.status, a.header("location")), (303, Some("/app")));
    assert!(cookie.is_some());
}

#[tokio::test]
async fn without_a_cookie_pages_redirect_and_dash_routes_answer_401() {
    let site = Site::new(app(login_page())).await;
    let home = site.get("/", None, true).await;
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Welcome") && home.body.contains("/login"));
    for page in ["/app", "/app/", "/app/anything?x=1"] {
        let a = site.get(page, None, true).await;
        assert_eq!(a.status, 303, "{page}");
        let location = a.header("location").unwrap();
        assert!(location.starts_with("/login?next=%2Fapp"), "{location}");
        a.has_no_app_data();
    }
    for route in [
        "/app/_dash-layout",
        "/app/_dash-dependencies",
        "/app/_dash-layout?x=1",
    ] {
        for html in [false, true] {
            let a = site.get(route, None, html).await;
            assert_eq!(a.status, 401, "{route}");
            let body: Value = serde_json::from_str(&a.body).expect("a JSON body");
            assert_eq!(body["error"], "unauthorized");
            a.has_no_app_data();
        }
    }
    // Probes need no user; the health route says nothing of the app.
    let health = site.get("/app/_dash-health", None, false).await;
    assert_eq!(health.status, 200);
    health.has_no_app_data();
    let a = site.update(None, "hello").await;
    assert_eq!(a.status, 401);
    assert!(!a.body.contains("hello"));
    a.has_no_app_data();
}

#[tokio::test]
async fn a_signed_in_user_reaches_the_app_and_callbacks_and_layouts_see_them() {
    let site = Site::new(app(login_page())).await;
    let (_, cookie) = site.sign_in("alice", "alice-pw", None).await;
    let cookie = cookie.unwrap();
    let page = site.get("/app", Some(&cookie), true).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("_dash-renderer"), "the Dash page");
    let layout = site.get("/app/_dash-layout", Some(&cookie), false).await;
    assert_eq!(layout.status, 200);
    assert!(
        layout.body.contains("Signed in as alice"),
        "{}",
        layout.body
    );
    let deps = site
        .get("/app/_dash-dependencies", Some(&cookie), false)
        .await;
    assert_eq!(deps.status, 200);
    assert!(deps.body.contains("out.children"));
    let a = site.update(Some(&cookie), "hi").await;
    assert_eq!(a.status, 200);
    let body: Value = serde_json::from_str(&a.body).unwrap();
    assert_eq!(body["response"]["out"]["children"], "alice[\"admins\"]: hi");
}

#[tokio::test]
async fn forged_and_foreign_cookies_are_refused() {
    let site = Site::new(app(login_page())).await;
    let (_, cookie) = site.sign_in("alice", "alice-pw", None).await;
    let real = cookie.unwrap();
    let value = real.trim_start_matches("dash_login=");
    let (id, tag) = value.rsplit_once('.').unwrap();
    let other = AppSecret::new(OTHER_KEY).unwrap();
    let mut flipped = tag.to_owned().into_bytes();
    flipped[5] = if flipped[5] == b'A' { b'B' } else { b'A' };
    let forged = [
        format!("dash_login={}", "0".repeat(32)),
        format!("dash_login={}.{}", "0".repeat(32), "A".repeat(43)),
        format!("dash_login={id}.{}", String::from_utf8(flipped).unwrap()),
        format!("dash_login={id}"),
        // The real login id, signed under another secret.
        format!("dash_login={}", other.sign_value("login", id)),
        // Signed under the right secret for another purpose.
        format!(
            "dash_login={}",
            AppSecret::new(KEY)
                .unwrap()
                .sign_value("session-cookie", id)
        ),
        // A random id signed correctly: no record.
        format!(
            "dash_login={}",
            AppSecret::new(KEY)
                .unwrap()
                .sign_value("login", &format!("{:032x}", 42u128))
        ),
    ];
    for c in &forged {
        let a = site.get("/app/_dash-layout", Some(c), false).await;
        assert_eq!(a.status, 401, "{c}");
        a.has_no_app_data();
        let a = site.update(Some(c), "x").await;
        assert_eq!(a.status, 401, "{c}");
        a.has_no_app_data();
        assert_eq!(site.get("/app", Some(c), true).await.status, 303, "{c}");
    }
    // The real one still works (the test can fail).
    assert_eq!(site.layout_status(Some(&real)).await, 200);
}

#[tokio::test]
async fn an_idle_sign_in_expires_and_use_keeps_it_alive() {
    let login = login_page()
        .idle_timeout(Duration::from_millis(1500))
        .refresh_every(Duration::from_millis(50));
    let site = Site::new(app(login)).await;
    let (_, cookie) = site.sign_in("bob", "bob-pw", None).await;
    let cookie = cookie.unwrap();
    // Used every 0.4 s for longer than the idle timeout: still valid.
    let start = Instant::now();
    while start.elapsed() < Duration::from_millis(2500) {
        let a = site.get("/app/_dash-layout", Some(&cookie), false).await;
        assert_eq!(a.status, 200, "refused after {:?} of use", start.elapsed());
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let a = site.get("/app/_dash-layout", Some(&cookie), false).await;
    assert_eq!(a.status, 401);
    a.has_no_app_data();
    assert_eq!(site.update(Some(&cookie), "x").await.status, 401);
}

#[tokio::test]
async fn a_sign_in_ends_at_its_absolute_lifetime_however_used() {
    let login = login_page()
        .absolute_timeout(Duration::from_millis(1500))
        .refresh_every(Duration::from_millis(50));
    let site = Site::new(app(login)).await;
    let started = Instant::now();
    let (_, cookie) = site.sign_in("bob", "bob-pw", None).await;
    let cookie = cookie.unwrap();
    assert_eq!(site.layout_status(Some(&cookie)).await, 200);
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let a = site.get("/app/_dash-layout", Some(&cookie), false).await;
        if a.status == 401 {
            a.has_no_app_data();
            break;
        }
        assert_eq!(a.status, 200);
        assert!(Instant::now() < deadline, "never expired");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "expired early: {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_user_without_access_gets_403_and_no_app_data() {
    let login = login_page()
        .rule_prefix("/app/admin", Access::groups(["admins"]))
        .rule("/app/_dash-dependencies", Access::users(["alice"]));
    let site = Site::new(app(login)).await;
    let (_, bob) = site.sign_in("bob", "bob-pw", None).await;
    let (_, alice) = site.sign_in("alice", "alice-pw", None).await;
    let (bob, alice) = (bob.unwrap(), alice.unwrap());
    for path in [
        "/app/admin",
        "/app/admin/users",
        "/app/%61dmin",
        "/app/x/%2e%2e/admin",
    ] {
        let a = site.get(path, Some(&bob), true).await;
        assert_eq!(a.status, 403, "{path}");
        assert!(!a.body.contains("_dash-renderer"));
        a.has_no_app_data();
        assert_eq!(
            site.get(path, Some(&alice), true).await.status,
            200,
            "{path}"
        );
    }
    let a = site.get("/app/_dash-dependencies", Some(&bob), false).await;
    assert_eq!(a.status, 403);
    assert_eq!(
        serde_json::from_str::<Value>(&a.body).unwrap()["error"],
        "forbidden"
    );
    a.has_no_app_data();
    assert_eq!(
        site.get("/app/_dash-dependencies", Some(&alice), false)
            .await
            .status,
        200
    );
    // Elsewhere bob is signed in as usual.
    assert_eq!(site.layout_status(Some(&bob)).await, 200);
    // Nobody signed in: still 401 / the form, not 403.
    assert_eq!(
        site.get("/app/_dash-dependencies", None, false)
            .await
            .status,
        401
    );
    assert_eq!(site.get("/app/admin", None, true).await.status, 303);
}

#[tokio::test]
async fn logout_ends_the_sign_in_and_the_old_cookie_is_refused() {
    let site = Site::new(app(login_page())).await;
    let (_, cookie) = site.sign_in("alice", "alice-pw", None).await;
    let cookie = cookie.unwrap();
    assert_eq!(site.layout_status(Some(&cookie)).await, 200);
    let out = site.get("/logout", Some(&cookie), true).await;
    assert_eq!((out.status, out.header("location")), (303, Some("/login")));
    assert_eq!(
        out.cookie("dash_login").as_deref(),
        Some(""),
        "the cookie is removed"
    );
    let a = site.get("/app/_dash-layout", Some(&cookie), false).await;
    assert_eq!(a.status, 401);
    a.has_no_app_data();
    assert_eq!(site.update(Some(&cookie), "x").await.status, 401);
    assert_eq!(site.get("/app", Some(&cookie), true).await.status, 303);
    // Signing in again starts a new sign-in; the old cookie stays dead.
    let (_, again) = site.sign_in("alice", "alice-pw", None).await;
    assert_ne!(again.as_deref(), Some(cookie.as_str()));
    assert_eq!(site.layout_status(again.as_deref()).await, 200);
    assert_eq!(site.layout_status(Some(&cookie)).await, 401);
}

#[tokio::test]
async fn signing_in_and_out_ends_the_browser_session_so_users_never_share_one() {
    let site = Site::new(app(login_page())).await;
    let (_, alice) = site.sign_in("alice", "alice-pw", None).await;
    let alice = alice.unwrap();
    let page = site.get("/app/", Some(&alice), true).await;
    let session = format!(
        "dash_session={}",
        page.cookie("dash_session").expect("a session")
    );
    let both = format!("{alice}; {session}");
    // The session lives: the page keeps it.
    let again = site.get("/app/", Some(&both), true).await;
    assert_eq!((again.status, again.cookie("dash_session")), (200, None));
    let out = site.get("/logout", Some(&both), true).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.cookie("dash_session").as_deref(), Some(""), "removed");
    // Bob signs in on the same browser, which still sends alice's session.
    let (_, bob) = site.sign_in("bob", "bob-pw", None).await;
    let with_old = format!("{}; {session}", bob.unwrap());
    let page = site.get("/app/", Some(&with_old), true).await;
    assert_eq!(page.status, 200);
    let fresh = page.cookie("dash_session").expect("a new session");
    assert_ne!(format!("dash_session={fresh}"), session);
    // A sign-in itself also ends the session the browser sends.
    let (field, csrf) = site.form().await;
    let fields = [
        ("username", "alice"),
        ("password", "alice-pw"),
        ("csrf", field.as_str()),
    ];
    let cookies = format!("{csrf}; dash_session={fresh}");
    let a = site.post_login(&fields, &cookies, None).await;
    assert_eq!(a.status, 303);
    assert_eq!(a.cookie("dash_session").as_deref(), Some(""), "removed");
}

#[tokio::test]
async fn next_only_goes_to_paths_on_this_site() {
    let site = Site::new(app(login_page())).await;
    for (next, expected) in [
        ("/app/?tab=2", "/app/?tab=2"),
        ("//evil.example/app", "/app"),
        ("/\\evil.example", "/app"),
        ("https://evil.example/", "/app"),
        ("javascript:alert(1)", "/app"),
        ("evil.example", "/app"),
    ] {
        let (a, cookie) = site.sign_in("bob", "bob-pw", Some(next)).await;
        assert_eq!(a.status, 303, "{next}");
        assert_eq!(a.header("location"), Some(expected), "{next}");
        assert!(cookie.is_some());
    }
    let form = site
        .get("/login?next=https%3A%2F%2Fevil.example", None, true)
        .await;
    assert!(!form.body.contains("evil.example"), "{}", form.body);
    let form = site.get("/login?next=%2Fapp%2F%3Fq%3D1", None, true).await;
    assert!(
        form.body.contains("name=\"next\" value=\"/app/?q=1\""),
        "{}",
        form.body
    );
}

#[tokio::test]
async fn a_post_without_the_form_token_or_from_another_origin_is_refused() {
    let site = Site::new(app(login_page())).await;
    let (field, csrf) = site.form().await;
    let good = [
        ("username", "alice"),
        ("password", "alice-pw"),
        ("csrf", field.as_str()),
    ];
    let no_token = [("username", "alice"), ("password", "alice-pw")];
    let cases: [(&[Field], &str, Option<&str>); 4] = [
        (&no_token, csrf.as_str(), None),
        (
            &good,
            "dash_login_csrf=0123456789abcdef0123456789abcdef",
            None,
        ),
        (&good, "", None),
        (&good, csrf.as_str(), Some("http://evil.example")),
    ];
    for (fields, cookie, origin) in cases {
        let a = site.post_login(fields, cookie, origin).await;
        assert_eq!(a.status, 403, "{cookie} {origin:?}");
        assert_eq!(a.cookie("dash_login"), None);
        a.has_no_app_data();
    }
    let a = site.post_login(&good, &csrf, Some(&site.base)).await;
    assert_eq!(a.status, 303);
}

#[tokio::test]
async fn repeated_failures_are_refused_for_a_while_even_with_the_right_password() {
    let login = login_page().failure_limit(3, Duration::from_secs(60));
    let site = Site::new(app(login)).await;
    for _ in 0..3 {
        assert_eq!(site.sign_in("bob", "guess", None).await.0.status, 401);
    }
    let (a, cookie) = site.sign_in("bob", "bob-pw", None).await;
    assert_eq!(a.status, 429);
    assert!(a.header("retry-after").is_some());
    assert_eq!(cookie, None);
    // Other users are not locked out by bob's failures.
    assert_eq!(site.sign_in("alice", "alice-pw", None).await.0.status, 303);
}

#[tokio::test]
async fn a_cookie_signed_with_a_previous_key_is_accepted_and_signed_again() {
    let url = support::temp_sqlite("auth-rotation");
    let old = Site::new(app_with(login_page(), &url, Dash::new().secret_key(KEY))).await;
    let rotated = Site::new(app_with(
        login_page(),
        &url,
        Dash::new().secret_key(OTHER_KEY).previous_secret_key(KEY),
    ))
    .await;
    let only_new = Site::new(app_with(
        login_page(),
        &url,
        Dash::new().secret_key(OTHER_KEY),
    ))
    .await;
    let (_, cookie) = old.sign_in("alice", "alice-pw", None).await;
    let cookie = cookie.unwrap();
    assert_eq!(only_new.layout_status(Some(&cookie)).await, 401);
    let a = rotated.get("/app/_dash-layout", Some(&cookie), false).await;
    assert_eq!(a.status, 200);
    let resigned = format!(
        "dash_login={}",
        a.cookie("dash_login").expect("signed again")
    );
    assert_ne!(resigned, cookie);
    assert_eq!(only_new.layout_status(Some(&resigned)).await, 200);
    // A cookie under the current key is not signed again.
    let a = rotated
        .get("/app/_dash-layout", Some(&resigned), false)
        .await;
    assert_eq!((a.status, a.cookie("dash_login")), (200, None));
}

#[tokio::test]
async fn the_login_cookie_is_secure_behind_a_trusted_https_proxy_only() {
    let trusting = Site::new(app(login_page())).await;
    let distrusting = Site::new(app_with(
        login_page(),
        "memory://",
        Dash::new().secret_key(KEY).trusted_proxies(["10.0.0.0/8"]),
    ))
    .await;
    for (site, secure) in [(&trusting, true), (&distrusting, false)] {
        let (field, csrf) = site.form().await;
        let body = format!("username=alice&password=alice-pw&csrf={field}");
        let r = site
            .client
            .post(format!("{}/login", site.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", csrf)
            .header("x-forwarded-proto", "https")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 303);
        let set: Vec<String> = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_owned())
            .collect();
        let login = set.iter().find(|c| c.starts_with("dash_login=")).unwrap();
        assert!(
            login.contains("HttpOnly") && login.contains("SameSite=Lax"),
            "{login}"
        );
        assert_eq!(login.contains("Secure"), secure, "{login}");
    }
}

#[path = "auth/basic.rs"]
mod basic;
#[path = "auth/context.rs"]
mod context;
#[path = "auth/example.rs"]
mod example;
#[path = "auth/pages.rs"]
mod pages;
