//! `Page::access` with the login page: a direct load of a page the user
//! may not see is refused as a path rule refuses it (a redirect to the
//! login for nobody, 403 for another user), navigating to it in the browser
//! (the router callback) shows the refusal text instead of its layout, and
//! its callbacks answer 401/403 without running; none of these answers
//! holds the page's data.

use super::*;
use dash::pages::{page_container, Page, FORBIDDEN_TEXT, SIGN_IN_TEXT};

const SECRET_PAGE_DATA: &str = "admin-secret-figures";

fn pages_app() -> Dash {
    let mut app = Dash::new()
        .secret_key(KEY)
        .cache_url("memory://")
        .url_base_pathname("/app/")
        .auth(login_page());
    app.layout(html::Div::new().children((html::Div::new().id("nav"), page_container())));
    app.page(Page::new("/").layout(html::H1::new().id("title").children("Home")));
    app.page(
        Page::new("/admin/<area>")
            .title("Admin")
            .access(Access::groups(["admins"]))
            .layout_fn(|args: &dash::pages::PageArgs| {
                html::Div::new().children((
                    html::H1::new()
                        .id("title")
                        .children(format!("Admin {}", args.var("area").unwrap_or(""))),
                    html::Div::new().id("figures").children(SECRET_PAGE_DATA),
                    dcc::Input::new().id("admin-in"),
                    html::Div::new().id("admin-out"),
                ))
            })
            .callback(
                Callback::new()
                    .output(("admin-out", "children"))
                    .input(("admin-in", "value")),
                |v: Option<String>| format!("{SECRET_PAGE_DATA}: {}", v.unwrap_or_default()),
            ),
    );
    app
}

fn route_body(pathname: &str) -> Value {
    json!({
        "output": ".._pages_content.children..._pages_store.data..",
        "outputs": [{"id": "_pages_content", "property": "children"},
                    {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": pathname},
                   {"id": "_pages_location", "property": "search", "value": ""}],
        "changedPropIds": ["_pages_location.pathname"],
    })
}

fn admin_body() -> Value {
    json!({"output": "admin-out.children", "outputs": {"id": "admin-out", "property": "children"},
           "inputs": [{"id": "admin-in", "property": "value", "value": "x"}],
           "changedPropIds": ["admin-in.value"]})
}

async fn post(site: &Site, cookie: Option<&str>, body: &Value) -> Answer {
    let mut r = site
        .client
        .post(format!("{}/app/_dash-update-component", site.base))
        .json(body);
    if let Some(c) = cookie {
        r = r.header("cookie", c);
    }
    Answer::of(r.send().await.unwrap()).await
}

#[tokio::test]
async fn a_page_with_an_access_rule_is_refused_to_users_it_does_not_allow() {
    let site = Site::new(pages_app()).await;
    let (_, alice) = site.sign_in("alice", "alice-pw", None).await;
    let (_, bob) = site.sign_in("bob", "bob-pw", None).await;
    let (alice, bob) = (alice.expect("alice signed in"), bob.expect("bob signed in"));

    // Direct loads: nobody → the login page; bob (not an admin) → 403.
    let nobody = site.get("/app/admin/sales", None, true).await;
    assert_eq!(nobody.status, 303, "{nobody:?}");
    assert!(nobody
        .header("location")
        .unwrap_or("")
        .starts_with("/login"));
    let refused = site.get("/app/admin/sales", Some(&bob), true).await;
    assert_eq!(refused.status, 403);
    assert!(!refused.body.contains("Admin"), "{}", refused.body);
    let served = site.get("/app/admin/sales", Some(&alice), true).await;
    assert_eq!(served.status, 200);
    assert!(
        served.body.contains("<title>Admin</title>"),
        "{}",
        served.body
    );
    // Other pages stay open to bob.
    assert_eq!(site.get("/app/", Some(&bob), true).await.status, 200);

    // Navigation: the router shows the refusal, not the layout.
    let shown = post(&site, Some(&bob), &route_body("/app/admin/sales")).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains(FORBIDDEN_TEXT), "{}", shown.body);
    assert!(!shown.body.contains(SECRET_PAGE_DATA), "{}", shown.body);
    let shown = post(&site, Some(&alice), &route_body("/app/admin/sales")).await;
    assert!(shown.body.contains(SECRET_PAGE_DATA), "{}", shown.body);
    assert!(shown.body.contains("Admin sales"), "{}", shown.body);

    // The page's callback: 403 for bob, 401 for nobody, runs for alice.
    let called = post(&site, Some(&bob), &admin_body()).await;
    assert_eq!(called.status, 403, "{}", called.body);
    assert!(!called.body.contains(SECRET_PAGE_DATA));
    let json: Value = serde_json::from_str(&called.body).unwrap();
    assert_eq!(json["error"], "forbidden");
    let called = post(&site, Some(&alice), &admin_body()).await;
    assert_eq!(called.status, 200, "{}", called.body);
    assert!(called.body.contains(SECRET_PAGE_DATA));
    let _ = SIGN_IN_TEXT;
}

#[tokio::test]
async fn a_public_dash_route_still_refuses_a_guarded_page_to_nobody() {
    // The Dash routes public (a site whose pages are mostly public): the
    // page's own rule still holds, for its router answer and its callback.
    let mut app = pages_app();
    app = app.auth(login_page().rule_prefix("/app", Access::Public));
    let site = Site::new(app).await;
    let shown = post(&site, None, &route_body("/app/admin/x")).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert!(shown.body.contains(SIGN_IN_TEXT), "{}", shown.body);
    assert!(!shown.body.contains(SECRET_PAGE_DATA));
    let called = post(&site, None, &admin_body()).await;
    assert_eq!(called.status, 401, "{}", called.body);
    assert!(!called.body.contains(SECRET_PAGE_DATA));
    let home = post(&site, None, &route_body("/app/")).await;
    assert!(home.body.contains("Home"), "{}", home.body);
}
