//! Pages over HTTP: the registry's order, path templates, the router
//! callback (path variables and query values handed to layout functions,
//! the 404 layout), the served HTML of a direct load (the page's title and
//! meta tags, escaped; 404; `redirect_from`), the validation layout across
//! pages, and bad paths and queries (a clear answer, never a panic).
//! Python's tests are ported under their ids (tests/integration/multi_page).

use dash::pages::{page_container, page_registry, Page, PageArgs, PageOrder};
use dash::prelude::*;
use serde_json::{json, Value};

const ROUTER: &str = ".._pages_content.children..._pages_store.data..";

async fn serve(app: Dash) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.into_router().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn get(base: &str, path: &str) -> (u16, String) {
    let r = no_redirects()
        .get(format!("{base}{path}"))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Calls the router as the renderer does; returns (status, body).
async fn route(base: &str, pathname: Value, search: Value) -> (u16, Value) {
    let body = json!({
        "output": ROUTER,
        "outputs": [
            {"id": "_pages_content", "property": "children"},
            {"id": "_pages_store", "property": "data"}
        ],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search}
        ],
        "changedPropIds": ["_pages_location.pathname"]
    });
    let r = reqwest::Client::new()
        .post(format!("{base}/_dash-update-component"))
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

fn config(html: &str) -> Value {
    let start = html
        .find("<script id=\"_dash-config\" type=\"application/json\">")
        .unwrap();
    let rest = &html[start..];
    let json = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(json).unwrap()
}

fn text_page(path: &str, id: &str) -> Page {
    Page::new(path).layout(
        html::Div::new()
            .id(format!("text_{id}"))
            .children(format!("text for {id}")),
    )
}

fn report_app() -> Dash {
    let mut app = Dash::new().cache_url("memory://").title("Site");
    app.page(text_page("/", "home").title("Home"));
    app.page(
        Page::new("/report/<report_id>")
            .title_fn(|a: &PageArgs| format!("Report {}", a.var("report_id").unwrap_or("")))
            .description_fn(|a: &PageArgs| format!("About {}", a.var("report_id").unwrap_or("")))
            .redirect_from(["/old-report", "/v2/report/"])
            .layout_fn(|a: &PageArgs| {
                html::Div::new().id("report").children(format!(
                    "report={} tab={} all={:?}",
                    a.var("report_id").unwrap_or(""),
                    a.query("tab").unwrap_or("-"),
                    a.query_all("tab")
                ))
            }),
    );
    app.page(Page::new("/a/<id_a>/b/<id_b>").layout_fn(|a: &PageArgs| {
        html::Div::new().id("path_vars").children(format!(
            "variables from pathname:{} {}",
            a.var("id_a").unwrap_or(""),
            a.var("id_b").unwrap_or("")
        ))
    }));
    app.page(Page::new("/query-string").layout_fn(|a: &PageArgs| {
        dcc::Input::new()
            .id("velocity")
            .value(a.get("velocity").unwrap_or("").to_owned())
    }));
    app.page_not_found_fn(|a: &PageArgs| {
        html::Div::new()
            .id("text_not_found_404")
            .children(format!("not found: {}", a.path()))
    });
    app
}

#[test]
fn paor001_order() {
    let mut app = Dash::new()
        .cache_url("memory://")
        .suppress_callback_exceptions(true);
    app.page(text_page("/multi-layout1", "multi_layout1").order(2));
    app.page(text_page("/multi-layout2", "multi_layout2").order(1));
    app.page(text_page("/multi-layout3", "multi_layout3").order(0));
    for i in 3..13 {
        app.page(text_page(&format!("/multi-layout{}", i + 1), "x").order(i));
    }
    app.page(text_page("/multi-layout3.5", "x").order(3.5));
    app.page(text_page("/multi-layout14", "x"));
    app.page(text_page("/multi-layout15", "x"));
    app.page(text_page("/first-string-order", "x").order("2a"));
    app.page(text_page("/aaa-first-with-no-order", "x"));
    app.page(text_page("/yyy-last-string-order", "x").order("zzz"));
    let paths: Vec<String> = page_registry(&app).into_iter().map(|p| p.path).collect();
    let mut expected = vec![
        "/multi-layout3",
        "/multi-layout2",
        "/multi-layout1",
        "/multi-layout4",
        "/multi-layout3.5",
    ];
    let numbered: Vec<String> = (5..14).map(|i| format!("/multi-layout{i}")).collect();
    expected.extend(numbered.iter().map(String::as_str));
    expected.extend([
        "/first-string-order",
        "/yyy-last-string-order",
        "/aaa-first-with-no-order",
        "/multi-layout14",
        "/multi-layout15",
    ]);
    assert_eq!(paths, expected);
}

#[test]
fn the_home_page_comes_first_without_orders_and_entries_carry_the_defaults() {
    let mut app = Dash::new()
        .cache_url("memory://")
        .url_base_pathname("/app1/");
    app.page(text_page("/weekly_analytics", "w").redirect_from(["/w"]));
    app.page(text_page("/", "home"));
    app.page(text_page("/report/<report_id>", "r"));
    let entries = app.page_registry();
    assert_eq!(entries[0].path, "/");
    assert_eq!(entries[0].order, Some(PageOrder::Number(0.0)));
    assert_eq!(entries[0].name, "Home");
    assert_eq!(entries[0].relative_path, "/app1/");
    assert_eq!(entries[1].path, "/report/none");
    assert_eq!(
        entries[1].path_template.as_deref(),
        Some("/report/<report_id>")
    );
    assert_eq!(entries[1].name, "Report");
    assert_eq!(entries[1].relative_path, "/app1/report/none");
    assert_eq!(entries[2].name, "Weekly analytics");
    // Python's default title: the name while the app's title is `Dash`.
    assert_eq!(entries[2].title, "Weekly analytics");
    assert_eq!(entries[2].redirect_from, ["/w"]);
}

#[test]
fn pala007_app_title_description() {
    let mut app = Dash::new()
        .title("App Title")
        .description("App Description");
    app.page(Page::new("/").layout(html::Div::new().children("Home")));
    app.page(
        Page::new("/page1")
            .title("Page 1 Title")
            .description("Page 1 Description")
            .layout(html::Div::new().children("Page1")),
    );
    let r = app.page_registry();
    assert_eq!(
        (r[0].title.as_str(), r[0].description.as_str()),
        ("App Title", "App Description")
    );
    assert_eq!(
        (r[1].title.as_str(), r[1].description.as_str()),
        ("Page 1 Title", "Page 1 Description")
    );
}

#[tokio::test]
async fn pala001_layout_path_variables_query_strings_and_not_found() {
    let base = serve(report_app()).await;
    let (s, v) = route(&base, json!("/a/var1/b/var2"), json!("")).await;
    assert_eq!(s, 200);
    assert_eq!(
        v["response"]["_pages_content"]["children"]["props"]["children"],
        "variables from pathname:var1 var2"
    );
    let (_, v) = route(&base, json!("/a/none/b/none"), json!("")).await;
    assert_eq!(
        v["response"]["_pages_content"]["children"]["props"]["children"],
        "variables from pathname:none none"
    );
    let (_, v) = route(&base, json!("/query-string"), json!("?velocity=10")).await;
    assert_eq!(
        v["response"]["_pages_content"]["children"]["props"]["value"],
        "10"
    );
    let (_, v) = route(&base, json!("/report/7"), json!("?tab=a&tab=b")).await;
    assert_eq!(
        v["response"]["_pages_content"]["children"]["props"]["children"],
        "report=7 tab=a all=[\"a\", \"b\"]"
    );
    assert_eq!(
        v["response"]["_pages_store"]["data"],
        json!({"title": "Report 7"})
    );
    let (_, v) = route(&base, json!("/"), Value::Null).await;
    assert_eq!(
        v["response"]["_pages_store"]["data"],
        json!({"title": "Home"})
    );
    let (_, v) = route(&base, json!("/find_me"), json!("")).await;
    assert_eq!(
        v["response"]["_pages_content"]["children"]["props"]["children"],
        "not found: /find_me"
    );
    assert_eq!(
        v["response"]["_pages_store"]["data"],
        json!({"title": "Site"})
    );
    // Variables are decoded, and do not span segments.
    let (_, v) = route(&base, json!("/report/a%20b"), json!("")).await;
    assert_eq!(
        v["response"]["_pages_store"]["data"],
        json!({"title": "Report a b"})
    );
    let (_, v) = route(&base, json!("/report/1/2"), json!("")).await;
    assert_eq!(
        v["response"]["_pages_content"]["children"]["props"]["children"],
        "not found: /report/1/2"
    );
}

#[tokio::test]
async fn the_default_404_layout_is_pythons() {
    let mut app = Dash::new().cache_url("memory://");
    app.page(text_page("/", "home"));
    let base = serve(app).await;
    let (_, v) = route(&base, json!("/nope"), json!("")).await;
    assert_eq!(
        v["response"]["_pages_content"]["children"],
        json!({"type": "H1", "namespace": "dash_html_components", "props": {"children": "404 - Page not found"}})
    );
    assert_eq!(
        v["response"]["_pages_store"]["data"],
        json!({"title": "Dash"})
    );
}

#[tokio::test]
async fn bad_paths_and_queries_get_a_clear_answer_never_a_panic() {
    let base = serve(report_app()).await;
    for (pathname, search) in [
        (json!("//../%00%ff\u{202e}"), json!("?%zz=%&&=&a")),
        (json!("relative"), json!("no-question-mark")),
        (json!("/".repeat(10_000)), json!("?".repeat(10_000))),
        (json!("/report/%"), json!("?tab=%E2%28")),
    ] {
        let (s, _) = route(&base, pathname, search).await;
        assert_eq!(s, 200);
    }
    // No pathname yet: nothing to update.
    let (s, _) = route(&base, Value::Null, Value::Null).await;
    assert_eq!(s, 204);
    // A pathname of the wrong type: a 400 naming the problem.
    let (s, v) = route(&base, json!(5), json!("")).await;
    assert_eq!(s, 400);
    assert!(v.to_string().contains("pathname"), "{v}");
    for path in [
        "/%ff%fe",
        "/report/%3",
        "/a/%00/b/%0a",
        "/report/x?%zz",
        "//double//slash",
    ] {
        let (s, html) = get(&base, path).await;
        assert!(s == 200 || s == 404, "{path}: {s}");
        assert!(html.contains("react-entry-point"));
    }
    // The server still answers.
    assert_eq!(get(&base, "/").await.0, 200);
}

fn metas(html: &str) -> Vec<String> {
    html.lines()
        .filter(|l| l.starts_with("<meta "))
        .map(str::to_owned)
        .collect()
}

fn meta_app(assets: &std::path::Path, path1: &str, path2: &str) -> Dash {
    let mut app = Dash::new().cache_url("memory://").assets_folder(assets);
    app.page(
        Page::new(path1)
            .title("Supplied Title")
            .description("This is the supplied description")
            .name("Supplied name")
            .image("birds.jpeg")
            .meta_tag([("name", "robots"), ("content", "noindex")])
            .layout(html::Div::new().id("text_multi_layout1")),
    );
    app.page(
        Page::new(path2)
            .name("Multi layout2")
            .layout(html::Div::new().id("text_multi_layout2")),
    );
    app
}

fn assets_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("dash-pages-assets-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in ["app.jpeg", "birds.jpeg", "logo.jpeg"] {
        std::fs::write(dir.join(f), b"jpeg").unwrap();
    }
    dir
}

#[tokio::test]
async fn pala002_meta_tags_default() {
    let dir = assets_dir();
    let base = serve(meta_app(&dir, "/layout1", "/")).await;
    let (status, html) = get(&base, "/").await;
    assert_eq!(status, 200);
    let host = base.trim_start_matches("http://");
    let expected = [
        "<meta name=\"description\" content=\"\">".to_owned(),
        "<meta property=\"twitter:card\" content=\"summary_large_image\">".into(),
        format!("<meta property=\"twitter:url\" content=\"http://{host}/\">"),
        "<meta property=\"twitter:title\" content=\"Multi layout2\">".into(),
        "<meta property=\"twitter:description\" content=\"\">".into(),
        format!("<meta property=\"twitter:image\" content=\"http://{host}/assets/app.jpeg\">"),
        "<meta property=\"og:title\" content=\"Multi layout2\">".into(),
        "<meta property=\"og:type\" content=\"website\">".into(),
        "<meta property=\"og:description\" content=\"\">".into(),
        format!("<meta property=\"og:image\" content=\"http://{host}/assets/app.jpeg\">"),
        format!("<meta property=\"og:url\" content=\"http://{host}/\">"),
        // The app's own tags follow (Python's order).
        "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">".into(),
        "<meta charset=\"UTF-8\">".into(),
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">".into(),
    ];
    assert_eq!(metas(&html), expected);
    assert!(html.contains("<title>Multi layout2</title>"));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn pala003_meta_tags_custom() {
    let dir = assets_dir();
    let base = serve(meta_app(&dir, "/", "/layout2")).await;
    let (_, html) = get(&base, "/?utm=1").await;
    let host = base.trim_start_matches("http://");
    let m = metas(&html);
    assert_eq!(
        m[0],
        "<meta name=\"description\" content=\"This is the supplied description\">"
    );
    assert_eq!(
        m[2],
        format!("<meta property=\"twitter:url\" content=\"http://{host}/?utm=1\">")
    );
    assert_eq!(
        m[3],
        "<meta property=\"twitter:title\" content=\"Supplied Title\">"
    );
    assert_eq!(
        m[9],
        format!("<meta property=\"og:image\" content=\"http://{host}/assets/birds.jpeg\">")
    );
    assert_eq!(m[11], "<meta name=\"robots\" content=\"noindex\">");
    assert!(html.contains("<title>Supplied Title</title>"));
    // The page's own tag is on its page only.
    let (_, other) = get(&base, "/layout2").await;
    assert!(!other.contains("noindex"));
    std::fs::remove_dir_all(dir).ok();
}

#[tokio::test]
async fn template_variables_are_escaped_in_the_title_and_meta_tags() {
    let base = serve(report_app()).await;
    let (status, html) = get(&base, "/report/%3Cimg%20src=x%20onerror=%22alert(1)%22%3E").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("<title>Report &lt;img src=x onerror=&quot;alert(1)&quot;&gt;</title>"),
        "{html}"
    );
    assert!(html.contains("<meta property=\"og:description\" content=\"About &lt;img src=x onerror=&quot;alert(1)&quot;&gt;\">"));
    assert!(!html.contains("<img"));
    // A hostile Host header is escaped too.
    let r = no_redirects()
        .get(format!("{base}/report/1"))
        .header("host", "x\"><script>")
        .send()
        .await
        .unwrap();
    let text = r.text().await.unwrap();
    assert!(!text.contains("<script>\""), "{text}");
    assert!(text.contains("http://x&quot;&gt;&lt;script&gt;/report/1"));
}

#[tokio::test]
async fn a_path_that_is_no_page_answers_404_with_the_page_and_redirects_answer_301() {
    let base = serve(report_app()).await;
    let (status, html) = get(&base, "/no/such/page").await;
    assert_eq!(status, 404);
    assert!(html.contains("react-entry-point") && html.contains("<title>Site</title>"));
    assert_eq!(get(&base, "/report/5").await.0, 200);
    assert_eq!(get(&base, "/query-string?velocity=1").await.0, 200);
    for from in ["/old-report", "/v2/report", "/v2/report/?x=1"] {
        let r = no_redirects()
            .get(format!("{base}{from}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 301, "{from}");
        assert_eq!(r.headers()["location"], "/report/none");
    }
    // The Dash routes are not pages.
    assert_eq!(get(&base, "/_dash-layout").await.0, 200);
    assert_eq!(get(&base, "/_dash-dependencies").await.0, 200);
}

#[tokio::test]
async fn pare002_relative_path_with_url_base_pathname() {
    let mut app = Dash::new()
        .cache_url("memory://")
        .url_base_pathname("/app1/");
    app.page(text_page("/", "multi_layout1").title("Supplied Title"));
    app.page(text_page("/layout2", "multi_layout2").redirect_from(["/old"]));
    let links: Vec<String> = page_registry(&app)
        .into_iter()
        .map(|p| p.relative_path)
        .collect();
    assert_eq!(links, ["/app1/", "/app1/layout2"]);
    let base = serve(app).await;
    assert_eq!(get(&base, "/app1/").await.0, 200);
    let (s, html) = get(&base, "/app1/layout2").await;
    assert_eq!(s, 200);
    assert!(html.contains("<title>Layout2</title>"), "{html}");
    assert_eq!(get(&base, "/app1/nothing").await.0, 404);
    let r = no_redirects()
        .get(format!("{base}/app1/old"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 301);
    assert_eq!(r.headers()["location"], "/app1/layout2");
    let body = json!({
        "output": ROUTER,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": "/app1/layout2"},
            {"id": "_pages_location", "property": "search", "value": ""}
        ],
        "changedPropIds": ["_pages_location.pathname"]
    });
    let v: Value = reqwest::Client::new()
        .post(format!("{base}/app1/_dash-update-component"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        v["response"]["_pages_content"]["children"]["props"]["id"],
        "text_multi_layout2"
    );
}

#[tokio::test]
async fn the_validation_layout_holds_every_page_and_callbacks_on_pages_are_accepted() {
    let mut app = Dash::new().cache_url("memory://");
    app.page(Page::new("/").layout(html::Div::new().id("title")));
    app.page(
        Page::new("/analytics")
            .layout(html::Div::new().children((
                html::Div::new().id("title"),
                dcc::Input::new().id("city"),
                html::Div::new().id("city-out"),
            )))
            .callback(
                Callback::new()
                    .output(("city-out", "children"))
                    .input(("city", "value")),
                |c: Option<String>| c.unwrap_or_default(),
            ),
    );
    app.page_not_found(html::H1::new().id("nf"));
    app.layout(html::Div::new().children((html::Div::new().id("nav"), page_container())));
    let base = serve(app).await;
    let (_, html) = get(&base, "/").await;
    let v = config(&html)["validation_layout"].to_string();
    for id in [
        "\"city\"",
        "\"city-out\"",
        "\"nav\"",
        "\"nf\"",
        "\"_pages_content\"",
        "\"_pages_store\"",
    ] {
        assert!(v.contains(id), "{id} in {v}");
    }
    let deps: Value = reqwest::get(format!("{base}/_dash-dependencies"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let outputs: Vec<&str> = deps
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["output"].as_str().unwrap())
        .collect();
    assert!(
        outputs.contains(&"city-out.children")
            && outputs.contains(&ROUTER)
            && outputs.contains(&"_pages_dummy.children")
    );

    let mut quiet = Dash::new()
        .cache_url("memory://")
        .suppress_callback_exceptions(true);
    quiet.page(Page::new("/").layout(html::Div::new().id("a")));
    let (_, html) = get(&serve(quiet).await, "/").await;
    assert!(config(&html).get("validation_layout").is_none());
}

#[test]
fn problems_of_pages_are_reported_at_start() {
    let expect = |app: Dash, needle: &str| {
        let e = app.into_router().expect_err("an error").to_string();
        assert!(e.contains(needle), "{needle} in {e}");
    };
    let mut dup = Dash::new().cache_url("memory://");
    dup.page(
        Page::new("/").layout(
            html::Div::new().children((html::Div::new().id("x"), html::Div::new().id("x"))),
        ),
    );
    expect(dup, "duplicate component id x");
    let mut dup_fn = Dash::new().cache_url("memory://");
    dup_fn.page(Page::new("/r/<id>").layout_fn(|_: &PageArgs| {
        html::Div::new().children((html::Div::new().id("y"), html::Div::new().id("y")))
    }));
    expect(dup_fn, "page /r/<id>: duplicate component id y");
    let mut same = Dash::new().cache_url("memory://");
    same.page(text_page("/a", "a"));
    same.page(text_page("/a/", "b").name("other"));
    same.page(text_page("/a", "c"));
    expect(same, "same path /a");
    let mut template = Dash::new().cache_url("memory://");
    template.page(text_page("/r/<1bad>", "a"));
    expect(template, "not a valid variable name");
    let mut no_layout = Dash::new().cache_url("memory://");
    no_layout.page(Page::new("/"));
    expect(no_layout, "page / has no layout");
    let mut no_container = Dash::new().cache_url("memory://");
    no_container.page(text_page("/", "a"));
    no_container.layout(html::Div::new().id("main"));
    expect(no_container, "page_container");
    let mut panics = Dash::new().cache_url("memory://");
    panics.page(Page::new("/").layout_fn(|_: &PageArgs| -> Component { panic!("boom") }));
    expect(panics, "panicked");
    let mut shadow = Dash::new().cache_url("memory://");
    shadow.page(text_page("/", "a"));
    shadow.page(text_page("/b", "b").redirect_from(["/"]));
    expect(shadow, "redirect_from / of page /b is the path of page /");
    // Ids may repeat across pages (each page is shown alone).
    let mut across = Dash::new().cache_url("memory://");
    across.page(Page::new("/").layout(html::H1::new().id("title")));
    across.page(Page::new("/b").layout(html::H1::new().id("title")));
    assert!(across.into_router().is_ok());
}

#[tokio::test]
async fn an_app_without_pages_serves_the_same_page_on_every_path() {
    let mut app = Dash::new().cache_url("memory://");
    app.layout(html::Div::new().id("a"));
    let base = serve(app).await;
    let (s1, a) = get(&base, "/").await;
    let (s2, b) = get(&base, "/any/path?x=<y>").await;
    assert_eq!((s1, s2), (200, 200));
    assert_eq!(a, b);
    assert!(
        a.contains("<title>Dash</title>")
            && !a.contains("__dash_rs_page")
            && !a.contains("og:title")
    );
}

#[test]
fn test_app_calls_the_router_and_page_callbacks_without_a_server() {
    let mut app = report_app();
    app.page(
        Page::new("/city")
            .layout(html::Div::new().children((
                dcc::Input::new().id("city"),
                html::Div::new().id("city-out"),
            )))
            .callback(
                Callback::new()
                    .output(("city-out", "children"))
                    .input(("city", "value")),
                |c: Option<String>| format!("Selected: {}", c.unwrap_or_default()),
            ),
    );
    let t = dash::testing::TestApp::new(app).unwrap();
    let a = t
        .call(("_pages_content", "children"))
        .input(("_pages_location", "pathname"), "/report/3")
        .input(("_pages_location", "search"), "?tab=x")
        .triggered(("_pages_location", "pathname"))
        .run()
        .unwrap();
    assert_eq!(
        a.output("_pages_store", "data"),
        Some(&json!({"title": "Report 3"}))
    );
    assert_eq!(
        a.output("_pages_content", "children").unwrap()["props"]["children"],
        "report=3 tab=x all=[\"x\"]"
    );
    let a = t
        .call(("city-out", "children"))
        .input(("city", "value"), "Lima")
        .run()
        .unwrap();
    assert_eq!(
        a.output("city-out", "children"),
        Some(&json!("Selected: Lima"))
    );
}

#[tokio::test]
async fn urls_in_meta_tags_are_https_behind_https_and_a_panicking_title_is_the_apps() {
    let mut app = Dash::new()
        .cache_url("memory://")
        .title("Site")
        .secure_cookies(Some(true));
    app.page(text_page("/", "home").title("Home"));
    app.page(text_page("/boom/<x>", "boom").title_fn(|_: &PageArgs| -> String { panic!("title") }));
    let base = serve(app).await;
    let host = base.trim_start_matches("http://");
    let (_, html) = get(&base, "/").await;
    assert!(html.contains(&format!(
        "<meta property=\"og:url\" content=\"https://{host}/\">"
    )));
    let (status, html) = get(&base, "/boom/1").await;
    assert_eq!(status, 200);
    assert!(html.contains("<title>Site</title>"));
    assert_eq!(get(&base, "/").await.0, 200);
}

#[tokio::test]
async fn pala005_routing_inputs() {
    let mut app = Dash::new().cache_url("memory://");
    app.routing_callback_state("hash", dash::State::new(dash::pages::LOCATION_ID, "hash"));
    app.routing_callback_input("language", dash::Input::new("language", "value"));
    app.page(Page::new("/").layout(html::Div::new().id("contents").children("Home")));
    app.page(Page::new("/function-layout").layout_fn(|a: &PageArgs| {
        let hash = a.routing("hash").and_then(Value::as_str).unwrap_or("");
        let text = match a.routing("language").and_then(Value::as_str) {
            Some("fr") => format!("Le hash dit: {hash}"),
            _ => format!("Hash says: {hash}"),
        };
        html::Div::new().id("contents").children(text)
    }));
    app.layout(
        html::Div::new().children((
            dcc::Dropdown::new()
                .id("language")
                .options(["en", "fr"])
                .value("en"),
            page_container(),
        )),
    );
    let base = serve(app).await;
    let deps: Value = reqwest::get(format!("{base}/_dash-dependencies"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let router = deps
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["output"] == ROUTER)
        .unwrap();
    assert_eq!(
        router["inputs"][2],
        json!({"id": "language", "property": "value"})
    );
    assert_eq!(
        router["state"][0],
        json!({"id": "_pages_location", "property": "hash"})
    );
    let call = |pathname: &str, language: Value, hash: Value| {
        let body = json!({
            "output": ROUTER,
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": pathname},
                {"id": "_pages_location", "property": "search", "value": ""},
                {"id": "language", "property": "value", "value": language}
            ],
            "state": [{"id": "_pages_location", "property": "hash", "value": hash}],
            "changedPropIds": ["language.value"]
        });
        let url = format!("{base}/_dash-update-component");
        async move {
            let v: Value = reqwest::Client::new()
                .post(url)
                .json(&body)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            v["response"]["_pages_content"]["children"]["props"]["children"].clone()
        }
    };
    assert_eq!(call("/", json!("en"), json!("#123")).await, "Home");
    assert_eq!(
        call("/function-layout", json!("en"), json!("")).await,
        "Hash says: "
    );
    assert_eq!(
        call("/function-layout", json!("en"), json!("#123")).await,
        "Hash says: #123"
    );
    assert_eq!(
        call("/function-layout", json!("fr"), json!("#123")).await,
        "Le hash dit: #123"
    );
    assert_eq!(
        call("/function-layout", Value::Null, Value::Null).await,
        "Hash says: "
    );

    let mut twice = Dash::new().cache_url("memory://");
    twice.routing_callback_input("x", dash::Input::new("a", "value"));
    twice.routing_callback_state("x", dash::State::new("b", "value"));
    twice.page(text_page("/", "a"));
    assert!(twice
        .into_router()
        .unwrap_err()
        .to_string()
        .contains("\"x\" is given twice"));
}

/// A `ServerStore` on a page: its marker never reaches the browser (not in
/// the validation layout of the served page, nor in the router's answer),
/// and the page's store works as one (its `data` output is a reference).
#[tokio::test]
async fn a_server_store_on_a_page_is_one_and_its_marker_stays_on_the_server() {
    let mut app = Dash::new().cache_url("memory://");
    app.page(
        Page::new("/data")
            .layout(html::Div::new().children((
                dcc::Input::new().id("n"),
                ServerStore::new().id("page-store"),
            )))
            .callback(
                Callback::new()
                    .output(("page-store", "data"))
                    .input(("n", "value")),
                |n: Option<u32>| vec![n.unwrap_or(0); 1000],
            ),
    );
    let base = serve(app).await;
    let (status, html) = get(&base, "/data").await;
    assert_eq!(status, 200);
    assert!(
        !html.contains("__dash_rs"),
        "the page holds a marker: {html}"
    );
    assert!(config(&html)["validation_layout"]
        .to_string()
        .contains("page-store"));
    let (status, answer) = route(&base, json!("/data"), json!("")).await;
    assert_eq!(status, 200);
    assert!(!answer.to_string().contains("__dash_rs"), "{answer}");
    let r = reqwest::Client::new()
        .post(format!("{base}/_dash-update-component"))
        .json(&json!({"output": "page-store.data",
                      "outputs": {"id": "page-store", "property": "data"},
                      "inputs": [{"id": "n", "property": "value", "value": 7}],
                      "changedPropIds": ["n.value"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.unwrap();
    assert!(text.contains("\"ref\""), "not a reference: {text}");
    assert!(text.len() < 1024, "{text}");
}
